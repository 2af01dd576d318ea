//! One measurement window over running traffic: packets delivered, loss (sequence
//! gaps of every expected consumer stream), CPU of each worker thread and of the
//! process, and latency per group.

use crate::histogram::Percentiles;
use crate::publisher::packets_per_second;
use crate::receiver::Receiver;
use crate::rtp::Kind;
use crate::thread_cpu;
use crate::udp_drops;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerCpu {
    pub worker_id: String,
    /// CPU share of the worker thread over the window (1.0 = one core).
    pub cores: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Window {
    pub seconds: f64,
    pub expected_packets: u64,
    pub delivered_packets: u64,
    pub delivered_pps: f64,
    pub loss: f64,
    /// Consumer streams that delivered nothing in the window.
    pub silent_streams: usize,
    pub workers: Vec<WorkerCpu>,
    pub worker_cpu_seconds: f64,
    pub process_cpu_seconds: f64,
    /// CPU share of the load generator's threads (publisher + receivers), in cores.
    #[serde(default)]
    pub generator_cores: f64,
    /// Packets of consumer SSRCs not (yet) registered when they arrived.
    #[serde(default)]
    pub unregistered_packets: u64,
    /// Datagrams dropped at full buffers of our receiver sockets (the measuring side).
    pub receiver_socket_drops: u64,
    /// Datagrams dropped at full buffers of the publishers' target ports (worker input).
    pub worker_input_drops: u64,
    pub latency: Vec<Percentiles>,
}

impl Window {
    pub fn worker_cpu_us_per_packet(&self) -> f64 {
        if self.delivered_packets == 0 { 0.0 } else { self.worker_cpu_seconds * 1e6 / self.delivered_packets as f64 }
    }

    pub fn process_cpu_us_per_packet(&self) -> f64 {
        if self.delivered_packets == 0 { 0.0 } else { self.process_cpu_seconds * 1e6 / self.delivered_packets as f64 }
    }
}

/// What to watch: the consumer streams expected to deliver, the worker threads, and
/// the UDP ports whose drops to report.
pub struct Watch<'a> {
    pub receiver: &'a Receiver,
    pub streams: &'a [(Kind, u32)],
    pub workers: &'a [(String, i32)],
    /// Threads of the load generator.
    pub generator: Vec<i32>,
    pub receiver_ports: Vec<u16>,
    pub worker_input_ports: Vec<u16>,
}

pub async fn measure(watch: &Watch<'_>, duration: Duration) -> Window {
    let mut tids: Vec<i32> = watch.workers.iter().map(|(_, tid)| *tid).collect();
    tids.extend(&watch.generator);
    let unknown_before = watch.receiver.unknown();
    watch.receiver.take_latency();
    let drops_before = (udp_drops::drops_of(&watch.receiver_ports), udp_drops::drops_of(&watch.worker_input_ports));
    let before = watch.receiver.counts();
    let cpu_before = thread_cpu::read(&tids);
    tokio::time::sleep(duration).await;
    let after = watch.receiver.counts();
    let cpu_after = thread_cpu::read(&tids);
    let latency = watch.receiver.take_latency().iter().map(|h| h.percentiles()).collect();
    let drops_after = (udp_drops::drops_of(&watch.receiver_ports), udp_drops::drops_of(&watch.worker_input_ports));
    let seconds = cpu_after.wall_seconds_since(&cpu_before);

    let (mut expected, mut delivered, mut silent) = (0u64, 0u64, 0usize);
    for (kind, ssrc) in watch.streams {
        match (before.get(ssrc), after.get(ssrc)) {
            (Some(b), Some(a)) if a.received > b.received => {
                expected += a.highest_ext_seq - b.highest_ext_seq;
                delivered += a.received - b.received;
            }
            (None, Some(a)) => {
                expected += a.highest_ext_seq - a.first_ext_seq + 1;
                delivered += a.received;
            }
            _ => {
                expected += (packets_per_second(*kind) * seconds).round() as u64;
                silent += 1;
            }
        }
    }
    let workers: Vec<WorkerCpu> = watch
        .workers
        .iter()
        .map(|(id, tid)| WorkerCpu { worker_id: id.clone(), cores: cpu_after.thread_seconds_since(&cpu_before, *tid) / seconds })
        .collect();
    Window {
        seconds,
        expected_packets: expected,
        delivered_packets: delivered,
        delivered_pps: delivered as f64 / seconds,
        loss: if expected == 0 { 0.0 } else { 1.0 - (delivered as f64 / expected as f64).min(1.0) },
        silent_streams: silent,
        worker_cpu_seconds: workers.iter().map(|w| w.cores).sum::<f64>() * seconds,
        workers,
        process_cpu_seconds: cpu_after.process_seconds_since(&cpu_before),
        generator_cores: watch.generator.iter().map(|tid| cpu_after.thread_seconds_since(&cpu_before, *tid)).sum::<f64>() / seconds,
        unregistered_packets: watch.receiver.unknown().saturating_sub(unknown_before),
        receiver_socket_drops: drops_after.0.saturating_sub(drops_before.0),
        worker_input_drops: drops_after.1.saturating_sub(drops_before.1),
        latency,
    }
}
