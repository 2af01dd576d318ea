//! CPU time of single threads, from `/proc/<pid>/task/<tid>/schedstat` (nanoseconds
//! on a CPU), or from `stat` (clock ticks, 10 ms) where the kernel keeps no schedstat.
//!
//! A mediasoup worker is one thread (of this process, or of its worker host), so
//! per-thread CPU time is the honest measure of how busy each worker is. Ticks are
//! too coarse for a benchmark window: a worker at 5 % of a core gets 5 of them a second.

use std::fs;
use std::time::Duration;

/// The kernel cuts thread names to 15 bytes: `mediasoup-worker-<uuid>` becomes this.
pub const WORKER_THREAD_COMM: &str = "mediasoup-worke";

fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

/// User + system CPU time consumed so far by thread `tid` of this process, or `None`
/// if it is gone.
pub fn thread_cpu_time(tid: i32) -> Option<Duration> {
    cpu_time_in("/proc/self/task", tid)
}

/// The same for thread `tid` of process `pid` (a worker host's worker thread).
pub fn thread_cpu_time_of(pid: u32, tid: i32) -> Option<Duration> {
    cpu_time_in(&format!("/proc/{pid}/task"), tid)
}

/// The same for a thread of any process, named by its tid alone (`/proc/<tid>`
/// exists for every thread, listed there or not).
pub fn any_thread_cpu_time(tid: i32) -> Option<Duration> {
    cpu_time_in("/proc", tid)
}

fn cpu_time_in(tasks: &str, tid: i32) -> Option<Duration> {
    if let Some(ns) = fs::read_to_string(format!("{tasks}/{tid}/schedstat")).ok().as_deref().and_then(parse_schedstat_ns) {
        return Some(Duration::from_nanos(ns));
    }
    let stat = fs::read_to_string(format!("{tasks}/{tid}/stat")).ok()?;
    parse_stat_cpu_ticks(&stat).map(|ticks| Duration::from_secs_f64(ticks as f64 / clock_ticks_per_second()))
}

/// The first field of a `schedstat` line: ns spent on a CPU.
pub fn parse_schedstat_ns(schedstat: &str) -> Option<u64> {
    schedstat.split_whitespace().next()?.parse().ok()
}

/// Time thread `tid` (of this process or of a worker host) spent runnable but waiting
/// for a CPU (the second field of its `schedstat`): how long the machine made it lag,
/// e.g. behind a full socket.
pub fn thread_wait_time(tid: i32) -> Option<Duration> {
    let schedstat = fs::read_to_string(format!("/proc/{tid}/schedstat")).ok()?;
    schedstat.split_whitespace().nth(1)?.parse().ok().map(Duration::from_nanos)
}

/// utime + stime (fields 14 and 15) of a `stat` line. The name field may hold
/// spaces and parentheses, so fields are counted after its closing parenthesis.
pub fn parse_stat_cpu_ticks(stat: &str) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Thread ids of this process whose name is `comm`.
pub fn threads_named(comm: &str) -> Vec<i32> {
    let Ok(entries) = fs::read_dir("/proc/self/task") else { return Vec::new() };
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let tid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let name = fs::read_to_string(entry.path().join("comm")).ok()?;
            (name.trim_end() == comm).then_some(tid)
        })
        .collect()
}

/// Cores this process may run on now (affinity and cgroup aware, re-read on demand).
pub fn available_cores() -> usize {
    num_cpus::get().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cpu_ticks_even_with_odd_thread_names() {
        let stat = "4242 (we) ird (name)) S 1 2 3 4 5 6 7 8 9 10 120 30 0 0 20 0 1 0";
        assert_eq!(parse_stat_cpu_ticks(stat), Some(150));
    }

    #[test]
    fn parses_the_time_on_cpu_of_a_schedstat_line() {
        assert_eq!(parse_schedstat_ns("510019996 135330990 1121\n"), Some(510_019_996));
        assert_eq!(parse_schedstat_ns(""), None);
    }

    #[test]
    fn reads_cpu_time_of_the_current_thread() {
        let tid = unsafe { libc::gettid() };
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(60) {
            x = x.wrapping_add(1);
        }
        assert!(x > 0);
        let cpu = thread_cpu_time(tid).expect("own thread has a stat file");
        assert!(cpu > Duration::ZERO, "busy thread shows CPU time: {cpu:?}");
        let by_pid = thread_cpu_time_of(std::process::id(), tid).expect("the same thread, named by pid");
        assert!(by_pid >= cpu, "{by_pid:?} read after {cpu:?}");
    }
}
