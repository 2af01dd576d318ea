//! CPU time of chosen threads (worker threads, load generator) and of the process,
//! read from /proc with `mafalda_core::pool::cpu`, so that a window's CPU can be divided by
//! the packets it forwarded.

use mafalda_core::pool::cpu;
use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct CpuReading {
    pub at: Instant,
    pub threads: HashMap<i32, Duration>,
    /// Time each thread waited, runnable, for a CPU.
    pub waits: HashMap<i32, Duration>,
    pub process: Duration,
}

pub fn process_cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // SAFETY: sysconf has no preconditions.
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let ticks = cpu::parse_stat_cpu_ticks(&stat).unwrap_or(0);
    Duration::from_secs_f64(ticks as f64 / ticks_per_second)
}

pub fn read(tids: &[i32]) -> CpuReading {
    CpuReading {
        at: Instant::now(),
        // A worker thread of this process, or of a worker host process.
        threads: tids.iter().filter_map(|tid| cpu::thread_cpu_time(*tid).or_else(|| cpu::any_thread_cpu_time(*tid)).map(|t| (*tid, t))).collect(),
        waits: tids.iter().filter_map(|tid| cpu::thread_wait_time(*tid).map(|t| (*tid, t))).collect(),
        process: process_cpu_time(),
    }
}

impl CpuReading {
    /// Seconds of CPU `tid` used between `earlier` and `self`.
    pub fn thread_seconds_since(&self, earlier: &CpuReading, tid: i32) -> f64 {
        match (self.threads.get(&tid), earlier.threads.get(&tid)) {
            (Some(now), Some(then)) => now.saturating_sub(*then).as_secs_f64(),
            (Some(now), None) => now.as_secs_f64(),
            _ => 0.0,
        }
    }

    /// Seconds `tid` waited for a CPU between `earlier` and `self`.
    pub fn wait_seconds_since(&self, earlier: &CpuReading, tid: i32) -> f64 {
        match (self.waits.get(&tid), earlier.waits.get(&tid)) {
            (Some(now), Some(then)) => now.saturating_sub(*then).as_secs_f64(),
            _ => 0.0,
        }
    }

    pub fn process_seconds_since(&self, earlier: &CpuReading) -> f64 {
        self.process.saturating_sub(earlier.process).as_secs_f64()
    }

    pub fn wall_seconds_since(&self, earlier: &CpuReading) -> f64 {
        self.at.duration_since(earlier.at).as_secs_f64()
    }
}
