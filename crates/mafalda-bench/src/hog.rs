//! A CPU hog pinned to one core, to overload the machine on purpose: a child process
//! (this binary with `--hog CORE DUTY`) that spins DUTY % of every 10 ms on that core
//! and sleeps the rest. Dropping the `Hog` kills it (by its pid).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PERIOD: Duration = Duration::from_millis(10);

pub struct Hog {
    child: Child,
}

impl Hog {
    /// `None` for a duty of 0 (nothing to start) or when the process cannot start.
    pub fn start(core: usize, duty_percent: u32) -> Option<Hog> {
        if duty_percent == 0 {
            return None;
        }
        let exe = std::env::current_exe().ok()?;
        let child = Command::new(exe)
            .args(["--hog", &core.to_string(), &duty_percent.min(100).to_string()])
            .stdout(Stdio::null())
            .spawn()
            .ok()?;
        Some(Hog { child })
    }
}

impl Drop for Hog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// In the hog process: pin to `core`, then spin and sleep until killed.
pub fn run(core: usize, duty_percent: u32) -> ! {
    // SAFETY: a zeroed cpu_set_t is empty; CPU_SET writes within it; 0 is this thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
    let busy = PERIOD * duty_percent.min(100) / 100;
    let mut spun = 0u64;
    loop {
        let started = Instant::now();
        while started.elapsed() < busy {
            spun = std::hint::black_box(spun.wrapping_add(1));
        }
        if busy < PERIOD {
            std::thread::sleep(PERIOD - busy);
        }
    }
}
