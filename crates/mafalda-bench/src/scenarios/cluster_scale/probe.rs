//! What the scale scenario reads off the machine: the nats-server's counters (its
//! monitoring port, `/varz`), CPU time of a process (`/proc/<pid>/stat`), and a
//! subscriber counting the heartbeats on the wire.

use futures_util::StreamExt;
use mafalda_core::cluster::protocol::{NodeInfo, HEARTBEAT};
use parking_lot::Mutex;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `/varz` of the nats-server monitoring on `port` (HTTP/1.0, loopback).
pub fn varz(port: u16) -> Option<Value> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream.write_all(b"GET /varz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    serde_json::from_str(text.split_once("\r\n\r\n")?.1).ok()
}

/// User + system CPU time of process `pid`, in seconds.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at its ')'.
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// Every heartbeat on the wire: when each node's first and last one of a window arrived.
#[derive(Default)]
pub struct Heartbeats {
    /// node id → (first seen, last seen, heartbeats seen)
    seen: Mutex<HashMap<String, (Instant, Instant, u64)>>,
}

impl Heartbeats {
    fn record(&self, node: String, at: Instant) {
        let mut seen = self.seen.lock();
        let entry = seen.entry(node).or_insert((at, at, 0));
        entry.1 = at;
        entry.2 += 1;
    }

    fn restart(&self) {
        self.seen.lock().clear();
    }

    /// Heartbeats per second on the wire: each node's own rate (between its first and
    /// last heartbeat of the window, so that where the window cuts its interval does
    /// not count), summed.
    fn rate(&self) -> f64 {
        self.seen
            .lock()
            .values()
            .filter(|(first, last, count)| *count > 1 && last > first)
            .map(|(first, last, count)| (*count - 1) as f64 / last.duration_since(*first).as_secs_f64())
            .sum()
    }
}

/// Subscribes to the heartbeat subject and records every heartbeat's node.
pub async fn count_heartbeats(url: &str) -> Arc<Heartbeats> {
    let heartbeats = Arc::new(Heartbeats::default());
    let client = async_nats::connect(url).await.expect("counting client");
    let mut subscriber = client.subscribe(HEARTBEAT).await.expect("subscribe");
    let record = heartbeats.clone();
    tokio::spawn(async move {
        let _client = client;
        while let Some(message) = subscriber.next().await {
            if let Ok(info) = serde_json::from_slice::<NodeInfo>(&message.payload) {
                record.record(info.node_id, Instant::now());
            }
        }
    });
    heartbeats
}

/// Rates over one window: heartbeats on the wire, messages into and out of the
/// nats-server, its CPU (fraction of one core).
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
pub struct Traffic {
    pub nodes: usize,
    pub heartbeats_per_second: f64,
    pub server_in_messages_per_second: f64,
    pub server_out_messages_per_second: f64,
    pub server_cpu: f64,
}

pub async fn traffic(nodes: usize, heartbeats: &Heartbeats, monitor: u16, server_pid: u32, window: Duration) -> Traffic {
    let counter = |v: &Option<Value>, key: &str| v.as_ref().and_then(|v| v[key].as_f64()).unwrap_or(0.0);
    heartbeats.restart();
    let (varz0, cpu0, t0) = (varz(monitor), cpu_seconds(server_pid), Instant::now());
    tokio::time::sleep(window).await;
    let (varz1, cpu1, seconds) = (varz(monitor), cpu_seconds(server_pid), t0.elapsed().as_secs_f64());
    Traffic {
        nodes,
        heartbeats_per_second: heartbeats.rate(),
        server_in_messages_per_second: (counter(&varz1, "in_msgs") - counter(&varz0, "in_msgs")) / seconds,
        server_out_messages_per_second: (counter(&varz1, "out_msgs") - counter(&varz0, "out_msgs")) / seconds,
        server_cpu: (cpu1 - cpu0) / seconds,
    }
}
