//! Optional perf profiles of the worker threads during a window. With
//! `MAFALDA_BENCH_PERF=<dir>`, the windows that name themselves run
//! `perf record -e cpu-clock` (Debian's linux-perf; a software clock, so it works
//! where the VM exposes no hardware counters) on the worker threads into
//! `<dir>/<name>.data`; `perf report -i <dir>/<name>.data --sort sym` reads it, and
//! `summary()` groups its samples by what the code does (SRTP, RTX and NACK, the
//! kernel's UDP path, the rest). Without the variable, or without perf, nothing happens.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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

/// Samples of one profile, per group of symbols (`group_of`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    pub samples: u64,
    pub groups: BTreeMap<String, u64>,
    /// The symbols with most samples: (samples, symbol).
    pub top: Vec<(u64, String)>,
}

/// What a worker symbol is doing, for the hop's accounting.
pub fn group_of(symbol: &str) -> &'static str {
    const SRTP: [&str; 12] = ["srtp", "Srtp", "aes", "gcm", "EVP_", "evp_", "ossl_", "sha1", "hmac", "bitvector", "OPENSSL", "cipher"];
    const RTX: [&str; 6] = ["Retransmission", "Nack", "Rtx", "RTX", "Packet::Clone", "Packet::~Packet"];
    if SRTP.iter().any(|p| symbol.contains(p)) {
        "SRTP (libsrtp, OpenSSL)"
    } else if RTX.iter().any(|p| symbol.contains(p)) || symbol.contains("_Rb_tree") {
        "RTX and NACK (retransmission buffer, packet copies, NACK lists)"
    } else if symbol.starts_with("[k]") {
        "kernel (UDP send/receive, scheduling)"
    } else {
        "the rest of the worker"
    }
}

/// `<dir>/<name>.data` read back with `perf report`; `None` without a profile.
pub fn summary(name: &str) -> Option<Summary> {
    let dir = std::env::var("MAFALDA_BENCH_PERF").ok()?;
    let output = Command::new("perf")
        .args(["report", "--stdio", "-n", "--sort", "sym", "-i"])
        .arg(format!("{dir}/{name}.data"))
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let mut summary = Summary::default();
    for line in String::from_utf8_lossy(&output.stdout).lines().filter(|l| !l.starts_with('#')) {
        // "     7.72%          1131  [k] finish_task_switch.isra.0"
        let mut fields = line.split_whitespace();
        let (Some(_share), Some(samples)) = (fields.next(), fields.next().and_then(|n| n.parse::<u64>().ok())) else { continue };
        let symbol = fields.collect::<Vec<_>>().join(" ");
        summary.samples += samples;
        *summary.groups.entry(group_of(&symbol).to_string()).or_default() += samples;
        if summary.top.len() < 12 {
            summary.top.push((samples, symbol));
        }
    }
    (summary.samples > 0).then_some(summary)
}

#[cfg(test)]
mod tests {
    #[test]
    fn symbols_fall_into_the_hops_groups() {
        assert_eq!(super::group_of("[.] srtp_stream_list_get"), "SRTP (libsrtp, OpenSSL)");
        assert_eq!(super::group_of("[.] ossl_aes_gcm_encrypt_avx512"), "SRTP (libsrtp, OpenSSL)");
        assert_eq!(super::group_of("[.] RTC::RTP::RetransmissionBuffer::GetOldest"), "RTX and NACK (retransmission buffer, packet copies, NACK lists)");
        assert_eq!(super::group_of("[k] udp_sendmsg"), "kernel (UDP send/receive, scheduling)");
        assert_eq!(super::group_of("[.] RTC::Consumer::SendRtpPacket"), "the rest of the worker");
    }
}
