//! Scenario 3: what one cross-worker pipe costs. A MafaldaRouter on two workers
//! (spread: transports alternate between them); the publisher sits on worker B.
//! - Latency: subscribers on B (same worker) and on A (through the pipe) receive the
//!   same packets at the same time; the added latency is the per-packet difference of
//!   arrival times of one traced video stream in each group, plus each group's spread.
//! - CPU: K publishers, each consumed by one subscriber on its own worker, then by one
//!   on the other worker; the extra CPU of both worker threads, divided by the packets
//!   that crossed the pipes, is a pipe's cost per packet.
//! Once with SRTP subscribers (Chromium's suite, the headline) and once with plain RTP
//! ones: what a pipe costs should not depend on it, what delivery costs does.

use super::{pool_options, Scale};
use crate::child;
use crate::profile::Profile;
use crate::histogram::{quantile, Percentiles};
use crate::mafalda_room::{self, MafaldaRoom};
use crate::publisher::{Publisher, StreamSpec};
use crate::receiver::{Receiver, Registration};
use crate::room::{Protection, Published, Room, Subscriber};
use crate::rtp::Kind;
use crate::window::{self, Watch, Window};
use mafalda_core::{EventSink, Mafalda, Policy};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const SAME: usize = 0;
const CROSS: usize = 1;

fn plain_rtp() -> Protection {
    Protection::Rtp
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PipeHopResult {
    /// What the subscribers' transports send.
    #[serde(default = "plain_rtp")]
    pub protection: Protection,
    pub latency_subscribers_per_side: usize,
    pub same_worker_latency: Percentiles,
    pub cross_worker_latency: Percentiles,
    /// Arrival through the pipe minus arrival on the same worker, same packet.
    pub added_latency: Percentiles,
    /// Publishers in the CPU phases, each consumed by one subscriber.
    #[serde(alias = "cpu_subscribers")]
    pub cpu_publishers: usize,
    pub same_worker: Window,
    pub cross_worker: Window,
    /// Packets per second that crossed pipes in the cross phase.
    pub piped_pps: f64,
    pub pipes_in_cross_phase: usize,
    /// Extra worker CPU per packet that crossed the pipe, in µs.
    pub cpu_us_per_piped_packet: f64,
    /// Extra worker CPU per delivered packet, cross vs same worker, in %.
    pub cpu_overhead_per_delivered_packet_percent: f64,
}

/// The rows it is measured with: browsers' SRTP (the headline), then plain RTP.
pub const ROWS: [Protection; 2] = [Protection::BROWSER, Protection::Rtp];

/// Each row in a process of its own; `None` if any failed.
pub fn run(scale: Scale) -> Option<Vec<PipeHopResult>> {
    ROWS.iter().map(|protection| child::run(&format!("pipe-hop:{}", protection.key()), scale.quick, scale.seconds(120.0, 600.0))).collect()
}

/// The row of one protection, if it was run.
pub fn row(results: &[PipeHopResult], protection: Protection) -> Option<&PipeHopResult> {
    results.iter().find(|r| r.protection == protection)
}

pub async fn measure(scale: Scale, protection: Protection) -> PipeHopResult {
    let mafalda = Mafalda::new(pool_options(Policy::Spread, 2), EventSink::noop()).expect("Mafalda");
    let mut room = MafaldaRoom::new(&mafalda).await;
    let receiver = Receiver::start(1);
    let publisher = Publisher::start();
    let workers = || mafalda_room::worker_threads(&mafalda);
    let per_side = scale.pick(5, 10);
    let (latency_window, added_latency) = latency_phase(&mut room, &receiver, &publisher, &workers, per_side, protection, scale).await;
    let k = scale.pick(20, 100);
    let mut cpu_room = MafaldaRoom::new(&mafalda).await;
    let phases = cpu_phases(&mut cpu_room, &receiver, &publisher, &workers, k, protection, scale, "pipe-hop").await;
    eprintln!(
        "[pipe-hop] cpu same={:.3} µs/pkt cross={:.3} µs/pkt loss same={:.3}% cross={:.3}% pipes={}",
        phases.same.worker_cpu_us_per_packet(),
        phases.cross.worker_cpu_us_per_packet(),
        phases.same.loss * 100.0,
        phases.cross.loss * 100.0,
        phases.pipes_in_cross_phase
    );
    let (cpu_us_per_piped_packet, cpu_overhead_per_delivered_packet_percent) = phases.piped_cost();
    // The child process exits next; teardown is not measured.
    std::mem::forget(room);
    std::mem::forget(cpu_room);
    std::mem::forget(mafalda);
    drop(publisher);
    drop(receiver);
    PipeHopResult {
        protection,
        latency_subscribers_per_side: per_side,
        same_worker_latency: latency_window.latency.get(SAME).copied().unwrap_or_default(),
        cross_worker_latency: latency_window.latency.get(CROSS).copied().unwrap_or_default(),
        added_latency,
        cpu_publishers: k,
        same_worker: phases.same,
        cross_worker: phases.cross,
        piped_pps: phases.piped_pps,
        pipes_in_cross_phase: phases.pipes_in_cross_phase,
        cpu_us_per_piped_packet,
        cpu_overhead_per_delivered_packet_percent,
    }
}

/// Latency: `per_side` subscribers on the publisher's side (its worker, or its node)
/// and as many on the other side receive the same packets; one traced video stream
/// per side gives the per-packet added latency. Returns the window (latency per
/// group: 0 same side, 1 other side) and the added latency.
pub(crate) async fn latency_phase<R: Room>(
    room: &mut R,
    receiver: &Receiver,
    publisher: &Publisher,
    workers: &dyn Fn() -> Vec<(String, i32)>,
    per_side: usize,
    protection: Protection,
    scale: Scale,
) -> (Window, Percentiles) {
    let published = room.publish(&[(Kind::Audio, 0x0a0d_3000), (Kind::Video, 0x0b1d_4000)]).await;
    for (kind, _, ssrc) in &published.producers {
        publisher.add(StreamSpec { kind: *kind, ssrc: *ssrc, target: published.target });
    }
    let to = receiver.addresses()[0];
    let (same, cross) = split_subscribers(room, &published, to, per_side, protection).await;
    let mut traced = [None, None];
    let mut streams = Vec::new();
    for (group, subscribers) in [(SAME, &same), (CROSS, &cross)] {
        for subscriber in subscribers.iter() {
            let mut registrations = Vec::new();
            for (kind, ssrc) in room.consume(subscriber.index, &published.producers).await {
                let trace = kind == Kind::Video && traced[group].is_none();
                if trace {
                    traced[group] = Some(ssrc);
                }
                registrations.push((ssrc, Registration { video: kind == Kind::Video, group, trace }));
                streams.push((kind, ssrc));
            }
            receiver.register_transport(subscriber.srtp.as_ref(), &registrations);
        }
    }
    tokio::time::sleep(scale.seconds(1.0, 2.0)).await;
    let threads = workers();
    for ssrc in traced.iter().flatten() {
        receiver.take_trace(*ssrc);
    }
    let latency_window = window::measure(&watch(receiver, publisher, &streams, &threads, &published), scale.seconds(3.0, 10.0)).await;
    let added_latency = paired_difference(
        &receiver.take_trace(traced[SAME].expect("traced same-side stream")),
        &receiver.take_trace(traced[CROSS].expect("traced other-side stream")),
    );
    eprintln!(
        "[latency] same={:?} cross={:?} added={:?}",
        latency_window.latency.get(SAME),
        latency_window.latency.get(CROSS),
        added_latency
    );
    for subscriber in same.iter().chain(cross.iter()) {
        room.close_subscriber(subscriber.index);
    }
    for (_, ssrc) in &streams {
        receiver.forget(*ssrc);
    }
    (latency_window, added_latency)
}

/// The CPU phases: K publishers, each watched by one subscriber, first on the
/// publisher's own side, then on the other one.
pub(crate) struct CpuPhases {
    pub same: Window,
    pub cross: Window,
    pub pipes_in_cross_phase: usize,
    /// Packets per second that crossed pipes in the cross phase.
    pub piped_pps: f64,
}

impl CpuPhases {
    /// (extra worker CPU per piped packet in µs, extra CPU per delivered packet in %).
    /// The delivered rate is the same in both phases: CPU per second, normalised per packet.
    pub fn piped_cost(&self) -> (f64, f64) {
        let same_per_delivered = self.same.worker_cpu_seconds / self.same.seconds / self.same.delivered_pps.max(1.0);
        let cross_per_delivered = self.cross.worker_cpu_seconds / self.cross.seconds / self.cross.delivered_pps.max(1.0);
        let extra_cores = (cross_per_delivered - same_per_delivered) * self.cross.delivered_pps;
        (extra_cores * 1e6 / self.piped_pps, (cross_per_delivered / same_per_delivered - 1.0) * 100.0)
    }
}

/// In the second phase every delivered packet crossed a pipe, so the difference of
/// the two phases is the pipes' cost. "Sides" are workers, or nodes of a cluster.
pub(crate) async fn cpu_phases<R: Room>(
    room: &mut R,
    receiver: &Receiver,
    publisher: &Publisher,
    workers: &dyn Fn() -> Vec<(String, i32)>,
    k: usize,
    protection: Protection,
    scale: Scale,
    profile_name: &str,
) -> CpuPhases {
    let to = receiver.addresses()[0];
    let mut publishers = Vec::new();
    for i in 0..k as u32 {
        let p = room.publish(&[(Kind::Audio, 0x0c00_0000 + 2 * i), (Kind::Video, 0x0c00_0001 + 2 * i)]).await;
        for (kind, _, ssrc) in &p.producers {
            publisher.add(StreamSpec { kind: *kind, ssrc: *ssrc, target: p.target });
        }
        publishers.push(p);
    }
    let mut sides: Vec<String> = publishers.iter().map(|p| p.worker_id.clone()).collect();
    sides.sort();
    sides.dedup();
    let mut free: HashMap<String, Vec<Subscriber>> = HashMap::new();
    while sides.len() < 2 || sides.iter().any(|w| free.get(w).map_or(0, Vec::len) < k) {
        let subscriber = room.add_subscriber(to, protection).await;
        if !sides.contains(&subscriber.worker_id) {
            sides.push(subscriber.worker_id.clone());
        }
        free.entry(subscriber.worker_id.clone()).or_default().push(subscriber);
    }
    let other = |w: &String| sides.iter().find(|x| *x != w).cloned().unwrap_or_default();
    let threads = workers();
    let mut phases = Vec::new();
    for cross in [false, true] {
        let mut streams = Vec::new();
        let mut used = Vec::new();
        for p in &publishers {
            let side = if cross { other(&p.worker_id) } else { p.worker_id.clone() };
            let subscriber = free.get_mut(&side).and_then(Vec::pop).expect("a free subscriber on that side");
            let consumers = room.consume(subscriber.index, &p.producers).await;
            let registrations: Vec<(u32, Registration)> =
                consumers.iter().map(|(kind, ssrc)| (*ssrc, Registration { video: *kind == Kind::Video, group: 0, trace: false })).collect();
            receiver.register_transport(subscriber.srtp.as_ref(), &registrations);
            streams.extend(consumers);
            used.push(subscriber.index);
        }
        let pipes = room.pipe_count().await;
        tokio::time::sleep(scale.seconds(1.0, 2.0)).await;
        let profile = Profile::start(
            &format!("{profile_name}-{}-{}", if cross { "cross" } else { "same" }, protection.key()),
            &threads.iter().map(|(_, tid)| *tid).collect::<Vec<_>>(),
        );
        let window = window::measure(&watch(receiver, publisher, &streams, &threads, &publishers[0]), scale.seconds(3.0, 10.0)).await;
        drop(profile);
        for index in used {
            room.close_subscriber(index);
        }
        for (_, ssrc) in &streams {
            receiver.forget(*ssrc);
        }
        phases.push((window, pipes));
    }
    let (cross, pipes_in_cross_phase) = phases.pop().expect("cross phase");
    let (same, _) = phases.pop().expect("same phase");
    let piped_pps = publishers
        .iter()
        .flat_map(|p| p.producers.iter())
        .map(|(kind, _, _)| crate::publisher::packets_per_second(*kind))
        .sum();
    CpuPhases { same, cross, pipes_in_cross_phase, piped_pps }
}

fn watch<'a>(
    receiver: &'a Receiver,
    publisher: &'a Publisher,
    streams: &'a [(Kind, u32)],
    workers: &'a [(String, i32)],
    published: &Published,
) -> Watch<'a> {
    Watch {
        publisher,
        receiver,
        streams,
        workers,
        generator: receiver.tids(),
        all_streams: streams.len(),
        receiver_ports: receiver.addresses().iter().map(|a| a.port()).collect(),
        worker_input_ports: vec![published.target.port()],
    }
}

/// Adds subscriber transports until `per_side` sit on the publisher's worker and
/// `per_side` on the other one (spread alternates them); returns (same, cross).
async fn split_subscribers<R: Room>(
    room: &mut R,
    published: &Published,
    to: std::net::SocketAddr,
    per_side: usize,
    protection: Protection,
) -> (Vec<Subscriber>, Vec<Subscriber>) {
    let (mut same, mut cross) = (Vec::new(), Vec::new());
    let mut extra = Vec::new();
    while same.len() < per_side || cross.len() < per_side {
        let subscriber = room.add_subscriber(to, protection).await;
        let side = if subscriber.worker_id == published.worker_id { &mut same } else { &mut cross };
        if side.len() < per_side {
            side.push(subscriber);
        } else {
            extra.push(subscriber.index);
        }
    }
    for index in extra {
        room.close_subscriber(index);
    }
    (same, cross)
}

/// Per packet (matched by its send time) arrival on `cross` minus arrival on `same`.
fn paired_difference(same: &[(u64, u64)], cross: &[(u64, u64)]) -> Percentiles {
    let arrivals: HashMap<u64, u64> = same.iter().copied().collect();
    let mut added: Vec<f64> = cross
        .iter()
        .filter_map(|(sent, arrived)| arrivals.get(sent).map(|same_arrival| (*arrived as f64 - *same_arrival as f64) / 1000.0))
        .collect();
    Percentiles {
        samples: added.len() as u64,
        p50_us: quantile(&mut added, 0.5),
        p99_us: quantile(&mut added, 0.99),
        max_us: quantile(&mut added, 1.0),
    }
}
