//! One monotonic clock for senders and receivers: nanoseconds since the first reading.
//! Senders write it into payloads, receivers subtract it on arrival (same process, so
//! the difference is one-way latency with no clock skew).

use std::sync::OnceLock;
use std::time::Instant;

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

pub fn now_ns() -> u64 {
    epoch().elapsed().as_nanos() as u64
}
