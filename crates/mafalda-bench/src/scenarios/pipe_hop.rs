//! Scenario 3: what one cross-worker pipe costs. A MafaldaRouter on two workers
//! (spread: transports alternate between them); the publisher sits on worker B.
//! - Latency: subscribers on B (same worker) and on A (through the pipe) receive the
//!   same packets at the same time; the added latency is the per-packet difference of
//!   arrival times of one traced video stream in each group, plus each group's spread.
//! - CPU: K publishers, each consumed by one subscriber on its own worker, then by one
//!   on the other worker; the extra CPU of both worker threads, divided by the packets
//!   that crossed the pipes, is a pipe's cost per packet.

use super::{pool_options, Scale};
use crate::child;
use crate::histogram::{quantile, Percentiles};
use crate::mafalda_room::{self, MafaldaRoom};
use crate::publisher::{Publisher, StreamSpec};
use crate::receiver::{Receiver, Registration};
use crate::room::{Published, Room};
use crate::rtp::Kind;
use crate::window::{self, Watch, Window};
use mafalda_core::{EventSink, Mafalda, Policy};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

const SAME: usize = 0;
const CROSS: usize = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PipeHopResult {
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

/// In a process of its own.
pub fn run(scale: Scale) -> Option<PipeHopResult> {
    child::run("pipe-hop", scale.quick, scale.seconds(120.0, 600.0))
}

pub async fn measure(scale: Scale) -> PipeHopResult {
    let mafalda = Mafalda::new(pool_options(Policy::Spread, 2), EventSink::noop()).expect("Mafalda");
    let mut room = MafaldaRoom::new(&mafalda).await;
    let receiver = Receiver::start(1);
    let publisher = Publisher::start();
    let published = room.publish(&[(Kind::Audio, 0x0a0d_3000), (Kind::Video, 0x0b1d_4000)]).await;
    for (kind, _, ssrc) in &published.producers {
        publisher.add(StreamSpec { kind: *kind, ssrc: *ssrc, target: published.target });
    }
    let to = receiver.addresses()[0];

    // Latency: a few subscribers on each side at once.
    let per_side = scale.pick(5, 10);
    let (same, cross) = split_subscribers(&mut room, &published, to, per_side).await;
    let mut traced = [None, None];
    let mut streams = Vec::new();
    for (group, indices) in [(SAME, &same), (CROSS, &cross)] {
        for index in indices.iter() {
            for (kind, ssrc) in room.consume(*index, &published.producers).await {
                let trace = kind == Kind::Video && traced[group].is_none();
                if trace {
                    traced[group] = Some(ssrc);
                }
                receiver.register(ssrc, Registration { video: kind == Kind::Video, group, trace });
                streams.push((kind, ssrc));
            }
        }
    }
    tokio::time::sleep(scale.seconds(1.0, 2.0)).await;
    let workers = mafalda_room::worker_threads(&mafalda);
    for ssrc in traced.iter().flatten() {
        receiver.take_trace(*ssrc);
    }
    let latency_window = window::measure(&watch(&receiver, &publisher, &streams, &workers, &published), scale.seconds(3.0, 10.0)).await;
    let added_latency = paired_difference(
        &receiver.take_trace(traced[SAME].expect("traced same-worker stream")),
        &receiver.take_trace(traced[CROSS].expect("traced cross-worker stream")),
    );
    eprintln!(
        "[pipe-hop] latency same={:?} cross={:?} added={:?}",
        latency_window.latency.get(SAME),
        latency_window.latency.get(CROSS),
        added_latency
    );
    for index in same.iter().chain(cross.iter()) {
        room.close_subscriber(*index);
    }
    for (_, ssrc) in &streams {
        receiver.forget(*ssrc);
    }

    // CPU: K publishers, each watched by one subscriber, first on the publisher's own
    // worker, then on the other one: in the second phase every delivered packet crossed
    // a pipe, so the difference is the pipes' cost.
    let k = scale.pick(20, 100);
    let mut cpu_room = MafaldaRoom::new(&mafalda).await;
    let mut publishers = Vec::new();
    for i in 0..k as u32 {
        let p = cpu_room.publish(&[(Kind::Audio, 0x0c00_0000 + 2 * i), (Kind::Video, 0x0c00_0001 + 2 * i)]).await;
        for (kind, _, ssrc) in &p.producers {
            publisher.add(StreamSpec { kind: *kind, ssrc: *ssrc, target: p.target });
        }
        publishers.push(p);
    }
    let worker_ids: Vec<String> = mafalda_room::worker_threads(&mafalda).into_iter().map(|(id, _)| id).collect();
    let mut free: HashMap<String, Vec<usize>> = HashMap::new();
    while worker_ids.iter().any(|w| free.get(w).map_or(0, Vec::len) < k) {
        let subscriber = cpu_room.add_subscriber(to).await;
        free.entry(subscriber.worker_id).or_default().push(subscriber.index);
    }
    let other = |w: &String| worker_ids.iter().find(|x| *x != w).cloned().unwrap_or_default();
    let workers = mafalda_room::worker_threads(&mafalda);
    let mut phases = Vec::new();
    for cross in [false, true] {
        let mut streams = Vec::new();
        let mut used = Vec::new();
        for p in &publishers {
            let side = if cross { other(&p.worker_id) } else { p.worker_id.clone() };
            let index = free.get_mut(&side).and_then(Vec::pop).expect("a free subscriber on that worker");
            for (kind, ssrc) in cpu_room.consume(index, &p.producers).await {
                receiver.register(ssrc, Registration { video: kind == Kind::Video, group: 0, trace: false });
                streams.push((kind, ssrc));
            }
            used.push(index);
        }
        let pipes = mafalda_room::pipe_count(&mafalda).await;
        tokio::time::sleep(scale.seconds(1.0, 2.0)).await;
        let window = window::measure(&watch(&receiver, &publisher, &streams, &workers, &published), scale.seconds(3.0, 10.0)).await;
        for index in used {
            cpu_room.close_subscriber(index);
        }
        for (_, ssrc) in &streams {
            receiver.forget(*ssrc);
        }
        phases.push((window, pipes));
    }
    let (cross_worker, pipes_in_cross_phase) = phases.pop().expect("cross phase");
    let (same_worker, _) = phases.pop().expect("same phase");
    eprintln!(
        "[pipe-hop] cpu same={:.3} µs/pkt cross={:.3} µs/pkt loss same={:.3}% cross={:.3}% pipes={pipes_in_cross_phase}",
        same_worker.worker_cpu_us_per_packet(),
        cross_worker.worker_cpu_us_per_packet(),
        same_worker.loss * 100.0,
        cross_worker.loss * 100.0
    );
    let piped_pps: f64 = publishers
        .iter()
        .flat_map(|p| p.producers.iter())
        .map(|(kind, _, _)| crate::publisher::packets_per_second(*kind))
        .sum();
    // Same delivered rate in both phases: compare CPU per second, normalised per packet.
    let same_cores = same_worker.worker_cpu_seconds / same_worker.seconds;
    let cross_cores = cross_worker.worker_cpu_seconds / cross_worker.seconds;
    let same_per_delivered = same_cores / same_worker.delivered_pps.max(1.0);
    let cross_per_delivered = cross_cores / cross_worker.delivered_pps.max(1.0);
    let extra_cores = (cross_per_delivered - same_per_delivered) * cross_worker.delivered_pps;
    // The child process exits next; teardown is not measured.
    std::mem::forget(room);
    std::mem::forget(cpu_room);
    std::mem::forget(mafalda);
    drop(publisher);
    drop(receiver);
    PipeHopResult {
        latency_subscribers_per_side: per_side,
        same_worker_latency: latency_window.latency.get(SAME).copied().unwrap_or_default(),
        cross_worker_latency: latency_window.latency.get(CROSS).copied().unwrap_or_default(),
        added_latency,
        cpu_publishers: k,
        same_worker,
        cross_worker,
        piped_pps,
        pipes_in_cross_phase,
        cpu_us_per_piped_packet: extra_cores * 1e6 / piped_pps,
        cpu_overhead_per_delivered_packet_percent: (cross_per_delivered / same_per_delivered - 1.0) * 100.0,
    }
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
async fn split_subscribers<R: Room>(room: &mut R, published: &Published, to: std::net::SocketAddr, per_side: usize) -> (Vec<usize>, Vec<usize>) {
    let (mut same, mut cross) = (Vec::new(), Vec::new());
    let mut extra = Vec::new();
    while same.len() < per_side || cross.len() < per_side {
        let subscriber = room.add_subscriber(to).await;
        let side = if subscriber.worker_id == published.worker_id { &mut same } else { &mut cross };
        if side.len() < per_side {
            side.push(subscriber.index);
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
