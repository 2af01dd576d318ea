//! One clock for senders and receivers: wall-clock nanoseconds (CLOCK_REALTIME),
//! because the kernel stamps each received datagram (SO_TIMESTAMPNS) on that clock.
//! Senders write it into payloads; receivers subtract it from the kernel's arrival
//! stamp, so that latency excludes how late our receiving thread woke up.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}
