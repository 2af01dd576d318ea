//! The host end of a worker's request pipe, found when the worker starts.
//!
//! mediasoup-rust talks to each worker thread over four pipes created in a row; the
//! first carries requests to the worker. Closing our end of it is what a crashed host
//! process looks like to the worker: it reads EOF and exits. That is how
//! `simulate_worker_death` kills exactly one real worker for failure drills and tests.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io;

/// Pipe file descriptors of this process: fd → pipe inode.
pub fn pipe_fds() -> HashMap<i32, u64> {
    let Ok(entries) = fs::read_dir("/proc/self/fd") else { return HashMap::new() };
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let fd: i32 = entry.file_name().to_str()?.parse().ok()?;
            let target = fs::read_link(entry.path()).ok()?;
            let inode = target.to_str()?.strip_prefix("pipe:[")?.strip_suffix(']')?.parse().ok()?;
            Some((fd, inode))
        })
        .collect()
}

fn is_write_end(fd: i32) -> bool {
    let Ok(info) = fs::read_to_string(format!("/proc/self/fdinfo/{fd}")) else { return false };
    info.lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        .is_some_and(|flags| flags & 0b11 == libc::O_WRONLY as u32)
}

/// The write end of the first pipe (lowest fds) that appeared between two snapshots.
pub fn request_pipe_write_end(before: &HashMap<i32, u64>, after: &HashMap<i32, u64>) -> Option<i32> {
    let mut new_pipes: BTreeMap<u64, Vec<i32>> = BTreeMap::new();
    for (fd, inode) in after {
        if before.get(fd) != Some(inode) {
            new_pipes.entry(*inode).or_default().push(*fd);
        }
    }
    let first = new_pipes.values().filter(|fds| fds.len() == 2).min_by_key(|fds| fds.iter().min().copied())?;
    first.iter().copied().find(|fd| is_write_end(*fd))
}

/// Replaces `fd` by /dev/null: the pipe's write end closes (the reader sees EOF) while
/// the fd number stays valid for its owner, which closes it later as usual.
pub fn hang_up(fd: i32) -> io::Result<()> {
    let null = fs::OpenOptions::new().write(true).open("/dev/null")?;
    use std::os::unix::io::AsRawFd;
    // SAFETY: dup2 on two open descriptors; `fd` is owned by mediasoup's channel and
    // keeps being a valid (now /dev/null) descriptor for it.
    if unsafe { libc::dup2(null.as_raw_fd(), fd) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
