//! A real nats-server for the cluster scenario, on a free loopback port; stopped
//! (by its pid) when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct NatsServer {
    child: Child,
    pub url: String,
}

impl NatsServer {
    /// `None` when Debian's `nats-server` is not installed (the scenario then fails).
    pub fn start() -> Option<Self> {
        Self::start_with(&[])
    }

    /// With more arguments after the address and port (e.g. `-m PORT` for monitoring).
    pub fn start_with(extra: &[&str]) -> Option<Self> {
        let bin = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())?;
        let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let mut child = Command::new(bin)
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .ok()?;
        let stderr = child.stderr.take()?;
        let mut lines = BufReader::new(stderr).lines();
        let ready = lines.by_ref().map_while(Result::ok).any(|line| line.contains("Server is ready"));
        // Keep draining its log so that it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        if !ready {
            let _ = child.kill();
            return None;
        }
        Some(Self { child, url: format!("nats://127.0.0.1:{port}") })
    }
}

impl NatsServer {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
