//! Scenario 2: many small rooms. Rooms of 4 participants (each publishes opus + VP8
//! and consumes the other three) are opened one after the other while traffic flows,
//! under each placement policy; then one window measures what it cost: workers used,
//! pipes, per-worker load and loss. Subscribers are SRTP with Chromium's suite under
//! every policy (the headline), and, under pack, also SRTP with SHA1_80 and plain RTP.

use super::{pool_options, Scale};
use crate::child;
use crate::mafalda_room::{self, MafaldaRoom};
use crate::publisher::{Publisher, StreamSpec};
use crate::receiver::{Receiver, Registration};
use crate::room::{Protection, Room};
use crate::rtp::Kind;
use crate::window::{self, Watch, Window};
use mafalda_core::{EventSink, Mafalda, Policy};
use serde::{Deserialize, Serialize};

const PARTICIPANTS: usize = 4;

fn plain_rtp() -> Protection {
    Protection::Rtp
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyRun {
    pub policy: String,
    /// What the subscribers' transports send.
    #[serde(default = "plain_rtp")]
    pub protection: Protection,
    /// Workers that host at least one router shard at the end.
    pub workers_used: usize,
    pub pipes: usize,
    /// Highest blended load the pool reported for any worker while rooms opened.
    pub peak_scheduler_load: f64,
    /// Highest measured CPU share of one worker thread in the final window.
    pub peak_worker_cpu: f64,
    pub window: Window,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SmallRoomsResult {
    pub rooms: usize,
    pub participants: usize,
    pub max_workers: usize,
    pub runs: Vec<PolicyRun>,
}

fn rooms(scale: Scale) -> usize {
    scale.pick(10, 50)
}

fn max_workers(scale: Scale) -> usize {
    scale.pick(4, 8)
}

pub const POLICIES: [Policy; 3] = [Policy::Pack, Policy::Spread, Policy::OneRoomPerWorker];

pub fn policy_name(policy: Policy) -> String {
    serde_json::to_value(policy).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// (policy, protection) of each run: every policy with browsers' SRTP, and pack with
/// the other capacity rows.
pub fn planned_runs() -> Vec<(Policy, Protection)> {
    let mut runs: Vec<(Policy, Protection)> = POLICIES.iter().map(|p| (*p, Protection::BROWSER)).collect();
    runs.extend(Protection::CAPACITY_ROWS[1..].iter().map(|protection| (Policy::Pack, *protection)));
    runs
}

/// Each run in a process of its own.
pub fn run(scale: Scale) -> SmallRoomsResult {
    let runs = planned_runs()
        .into_iter()
        .filter_map(|(policy, protection)| {
            let task = format!("small-rooms:{}:{}", policy_name(policy), protection.key());
            child::run(&task, scale.quick, scale.seconds(120.0, 900.0))
        })
        .collect();
    SmallRoomsResult { rooms: rooms(scale), participants: PARTICIPANTS, max_workers: max_workers(scale), runs }
}

pub async fn run_policy(policy: Policy, protection: Protection, scale: Scale) -> PolicyRun {
    let (rooms, max_workers) = (rooms(scale), max_workers(scale));
    let name = policy_name(policy);
    let mafalda = Mafalda::new(pool_options(policy, max_workers), EventSink::noop()).expect("Mafalda");
    let receiver = Receiver::start(2);
    let publisher = Publisher::start();
    let mut open_rooms = Vec::new();
    let mut streams: Vec<(Kind, u32)> = Vec::new();
    let mut input_ports = Vec::new();
    let mut peak_scheduler_load: f64 = 0.0;
    for room_index in 0..rooms {
        let mut room = MafaldaRoom::new(&mafalda).await;
        let mut published = Vec::new();
        for participant in 0..PARTICIPANTS {
            let base = 0x1000_0000 + (room_index * PARTICIPANTS + participant) as u32 * 16;
            let p = room.publish(&[(Kind::Audio, base), (Kind::Video, base + 1)]).await;
            for (kind, _, ssrc) in &p.producers {
                publisher.add(StreamSpec { kind: *kind, ssrc: *ssrc, target: p.target });
            }
            input_ports.push(p.target.port());
            published.push(p);
        }
        for participant in 0..PARTICIPANTS {
            let others: Vec<_> = published
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != participant)
                .flat_map(|(_, p)| p.producers.clone())
                .collect();
            let to = receiver.addresses()[participant % receiver.addresses().len()];
            let (subscriber, consumers) = room.subscribe(to, protection, &others).await;
            let registrations: Vec<(u32, Registration)> =
                consumers.iter().map(|(kind, ssrc)| (*ssrc, Registration { video: *kind == Kind::Video, group: 0, trace: false })).collect();
            receiver.register_transport(subscriber.srtp.as_ref(), &registrations);
            streams.extend(consumers);
        }
        open_rooms.push(room);
        // Let measured load follow the new room before the next one is placed.
        tokio::time::sleep(scale.seconds(0.1, 0.25)).await;
        for w in mafalda.pool().snapshot() {
            peak_scheduler_load = peak_scheduler_load.max(w.load);
        }
    }
    tokio::time::sleep(scale.seconds(1.0, 2.0)).await;
    let workers = mafalda_room::worker_threads(&mafalda);
    let watch = Watch {
        receiver: &receiver,
        streams: &streams,
        workers: &workers,
        generator: [receiver.tids(), vec![publisher.tid()]].concat(),
        all_streams: streams.len(),
        publisher: &publisher,
        receiver_ports: receiver.addresses().iter().map(|a| a.port()).collect(),
        worker_input_ports: input_ports,
    };
    let window = window::measure(&watch, scale.seconds(1.5, 5.0)).await;
    let workers_used = mafalda.pool().snapshot().iter().filter(|w| w.shard_count > 0).count();
    let pipes = mafalda_room::pipe_count(&mafalda).await;
    let peak_worker_cpu = window.workers.iter().map(|w| w.cores).fold(0.0, f64::max);
    eprintln!(
        "[small-rooms] {name} ({}): workers={workers_used} pipes={pipes} loss={:.3}% delivered={:.0} pps cpu={:?}",
        protection.label(),
        window.loss * 100.0,
        window.delivered_pps,
        window.workers.iter().map(|w| (w.cores * 100.0).round() / 100.0).collect::<Vec<_>>()
    );
    // The child process exits next; teardown is not measured.
    std::mem::forget(open_rooms);
    std::mem::forget(mafalda);
    drop(publisher);
    drop(receiver);
    PolicyRun { policy: name, protection, workers_used, pipes, peak_scheduler_load, peak_worker_cpu, window }
}
