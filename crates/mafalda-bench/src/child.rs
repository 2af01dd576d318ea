//! Runs one measured task in a fresh child process (this same binary with `--child`).
//!
//! Each system under test gets a process of its own: no worker thread, socket or
//! mediasoup executor state of an earlier task is left to disturb its CPU figures, and
//! the child exits right after printing its result, without tearing its SFU down.
//! (Tearing down many piped routers in mediasoup 0.8.5 was seen to deadlock the crate's
//! executor thread; see BENCHMARKS.md.)

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set once a measured task gave no result: the run then ends with a failure, so that a
/// broken benchmark cannot pass as a run (CI keeps the benchmarks running).
static FAILED: AtomicBool = AtomicBool::new(false);

/// Whether some task of this run gave no result.
pub fn any_failed() -> bool {
    FAILED.load(Ordering::SeqCst)
}

/// Runs `task` in a child and reads the JSON it prints; `None` if it failed or hung.
pub fn run<T: DeserializeOwned>(task: &str, quick: bool, timeout: Duration) -> Option<T> {
    let result = run_once(task, quick, timeout);
    if result.is_none() {
        FAILED.store(true, Ordering::SeqCst);
    }
    result
}

fn run_once<T: DeserializeOwned>(task: &str, quick: bool, timeout: Duration) -> Option<T> {
    let exe = std::env::current_exe().ok()?;
    let mut command = Command::new(exe);
    command.arg("--child").arg(task);
    if quick {
        command.arg("--quick");
    }
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().ok()?;
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < timeout => std::thread::sleep(Duration::from_millis(100)),
            _ => {
                eprintln!("[child] {task} did not finish in {timeout:?}; stopping it");
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
        }
    }
    let text = reader.join().ok()?;
    match serde_json::from_str(text.trim()) {
        Ok(value) => Some(value),
        Err(e) => {
            eprintln!("[child] {task}: no result ({e})");
            None
        }
    }
}

/// In the child: prints the result and leaves at once (see the module comment).
pub fn finish<T: Serialize>(result: &T) -> ! {
    println!("{}", serde_json::to_string(result).expect("result serializes"));
    std::process::exit(0)
}
