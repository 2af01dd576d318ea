//! Optional perf profiles of the worker threads during a window. With
//! `MAFALDA_BENCH_PERF=<dir>`, the windows that name themselves run
//! `perf record -e cpu-clock` (Debian's linux-perf; a software clock, so it works
//! where the VM exposes no hardware counters) on the worker threads into
//! `<dir>/<name>.data`; `perf report -i <dir>/<name>.data --sort sym` reads it.
//! Without the variable, or without perf, nothing happens.

use std::process::{Child, Command, Stdio};

pub struct Profile {
    perf: Option<Child>,
}

impl Profile {
    pub fn start(name: &str, tids: &[i32]) -> Profile {
        let Ok(dir) = std::env::var("MAFALDA_BENCH_PERF") else { return Profile { perf: None } };
        if tids.is_empty() || std::fs::create_dir_all(&dir).is_err() {
            return Profile { perf: None };
        }
        let threads: Vec<String> = tids.iter().map(i32::to_string).collect();
        let perf = Command::new("perf")
            .args(["record", "-q", "-e", "cpu-clock", "-F", "1999", "-t", &threads.join(","), "-o"])
            .arg(format!("{dir}/{name}.data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| eprintln!("[profile] perf did not start ({e}); {name} is not profiled"))
            .ok();
        Profile { perf }
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        if let Some(mut perf) = self.perf.take() {
            // perf writes its data on SIGINT.
            // SAFETY: signals a child we started, by its pid.
            unsafe {
                libc::kill(perf.id() as i32, libc::SIGINT);
            }
            let _ = perf.wait();
        }
    }
}
