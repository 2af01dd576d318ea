//! One measurement window over running traffic: packets delivered, loss (sequence
//! gaps of every expected consumer stream), CPU of each worker thread and of the
//! process, and latency per group.

use crate::histogram::Percentiles;
use crate::publisher::{packets_per_second, Publisher};
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
    /// Share of the window it was runnable but waited for a CPU (schedstat): the lag
    /// the machine imposed on it.
    #[serde(default)]
    pub waited: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Window {
    pub seconds: f64,
    pub expected_packets: u64,
    /// Forwarded to every subscriber: counted on the watched streams, scaled to all.
    pub delivered_packets: u64,
    /// Share of the consumer streams that were watched (the others go to a sink).
    #[serde(default = "everything")]
    pub watched_fraction: f64,
    pub delivered_pps: f64,
    pub loss: f64,
    /// Packets the publishers really sent in the window, times the watched streams
    /// that should carry them.
    #[serde(default)]
    pub sent_packets: u64,
    /// 1 - delivered / sent: a saturated worker delays (then drops) packets, and a
    /// delayed packet is not a sequence gap yet.
    #[serde(default)]
    pub shortfall: f64,
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
    /// Datagrams dropped at any other UDP socket of the machine: for us, the workers'
    /// other transports, such as the pipe transports between workers.
    #[serde(default)]
    pub other_socket_drops: u64,
    pub latency: Vec<Percentiles>,
    /// Share of the window in which some runnable task of the machine waited for a CPU
    /// (/proc/pressure/cpu): how contended the machine was, us and our neighbours.
    #[serde(default)]
    pub cpu_stall: f64,
    /// SRTP packets of the watched streams decrypted in the window (a sample of each
    /// SRTP stream, see `receiver::SRTP_SAMPLE_EVERY`), and those libsrtp refused.
    #[serde(default)]
    pub srtp_decrypted: u64,
    #[serde(default)]
    pub srtp_refused: u64,
}

fn everything() -> f64 {
    1.0
}

/// Cumulative µs in which some task waited for a CPU, machine-wide.
fn cpu_stall_us() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/pressure/cpu").ok()?;
    let some = text.lines().find(|l| l.starts_with("some"))?;
    some.split_whitespace().find_map(|f| f.strip_prefix("total="))?.parse().ok()
}

impl Window {
    /// The figure held against the 1 % limit: packets lost or not delivered in time.
    pub fn undelivered(&self) -> f64 {
        self.loss.max(self.shortfall)
    }

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
    /// Consumer streams in all, of which `streams` are the watched sample.
    pub all_streams: usize,
    /// The sender, to hold deliveries against what was really sent in the window.
    pub publisher: &'a Publisher,
    pub receiver_ports: Vec<u16>,
    pub worker_input_ports: Vec<u16>,
}

pub async fn measure(watch: &Watch<'_>, duration: Duration) -> Window {
    let mut tids: Vec<i32> = watch.workers.iter().map(|(_, tid)| *tid).collect();
    tids.extend(&watch.generator);
    let unknown_before = watch.receiver.unknown();
    watch.receiver.take_latency();
    let drops_before = (
        udp_drops::drops_of(&watch.receiver_ports),
        udp_drops::drops_of(&watch.worker_input_ports),
        udp_drops::drops_by_port().values().sum::<u64>(),
    );
    let before = watch.receiver.counts();
    let srtp_before = watch.receiver.srtp_samples();
    let sent_before = [watch.publisher.sent(Kind::Audio), watch.publisher.sent(Kind::Video)];
    let cpu_before = thread_cpu::read(&tids);
    let stall_before = cpu_stall_us();
    tokio::time::sleep(duration).await;
    let after = watch.receiver.counts();
    let srtp_after = watch.receiver.srtp_samples();
    let sent_after = [watch.publisher.sent(Kind::Audio), watch.publisher.sent(Kind::Video)];
    let cpu_after = thread_cpu::read(&tids);
    let stall_after = cpu_stall_us();
    let latency = watch.receiver.take_latency().iter().map(|h| h.percentiles()).collect();
    let drops_after = (
        udp_drops::drops_of(&watch.receiver_ports),
        udp_drops::drops_of(&watch.worker_input_ports),
        udp_drops::drops_by_port().values().sum::<u64>(),
    );
    let seconds = cpu_after.wall_seconds_since(&cpu_before);

    let (mut expected, mut delivered, mut silent) = (0u64, 0u64, 0usize);
    // Per consumer stream: what one producer stream of its kind sent in the window.
    let sent_per_stream = |kind: Kind| {
        let i = usize::from(kind == Kind::Video);
        let ((before, _), (after, streams)) = (sent_before[i], sent_after[i]);
        after.saturating_sub(before) as f64 / streams.max(1) as f64
    };
    let sent: f64 = watch.streams.iter().map(|(kind, _)| sent_per_stream(*kind)).sum();
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
        .map(|(id, tid)| WorkerCpu {
            worker_id: id.clone(),
            cores: cpu_after.thread_seconds_since(&cpu_before, *tid) / seconds,
            waited: cpu_after.wait_seconds_since(&cpu_before, *tid) / seconds,
        })
        .collect();
    let watched_fraction = if watch.all_streams == 0 { 1.0 } else { watch.streams.len() as f64 / watch.all_streams as f64 };
    let delivered_to_all = (delivered as f64 / watched_fraction).round() as u64;
    Window {
        seconds,
        expected_packets: expected,
        delivered_packets: delivered_to_all,
        watched_fraction,
        delivered_pps: delivered_to_all as f64 / seconds,
        loss: if expected == 0 { 0.0 } else { 1.0 - (delivered as f64 / expected as f64).min(1.0) },
        sent_packets: sent.round() as u64,
        shortfall: if sent == 0.0 { 0.0 } else { (1.0 - delivered as f64 / sent).max(0.0) },
        silent_streams: silent,
        worker_cpu_seconds: workers.iter().map(|w| w.cores).sum::<f64>() * seconds,
        workers,
        process_cpu_seconds: cpu_after.process_seconds_since(&cpu_before),
        generator_cores: watch.generator.iter().map(|tid| cpu_after.thread_seconds_since(&cpu_before, *tid)).sum::<f64>() / seconds,
        unregistered_packets: watch.receiver.unknown().saturating_sub(unknown_before),
        receiver_socket_drops: drops_after.0.saturating_sub(drops_before.0),
        worker_input_drops: drops_after.1.saturating_sub(drops_before.1),
        other_socket_drops: drops_after
            .2
            .saturating_sub(drops_before.2)
            .saturating_sub(drops_after.0.saturating_sub(drops_before.0))
            .saturating_sub(drops_after.1.saturating_sub(drops_before.1)),
        latency,
        cpu_stall: match (stall_before, stall_after) {
            (Some(b), Some(a)) => a.saturating_sub(b) as f64 / 1e6 / seconds,
            _ => 0.0,
        },
        srtp_decrypted: srtp_after.decrypted - srtp_before.decrypted,
        srtp_refused: srtp_after.failed - srtp_before.failed,
    }
}
