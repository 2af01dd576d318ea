//! The simulated data centre: nodes of cores, one mediasoup worker per core, and the
//! load every room puts on the workers it spans, recomputed as people come and go.
//! Placement is the product's `Scheduler::place`; this file only keeps the books.
//!
//! Load model (fraction of one core): every packet a worker handles (publisher input,
//! copies sent to subscribers, pipe input and output) costs `cpu_per_packet`.
//!
//! Growth (what `Candidate::reserved` holds): a room is expected to come to have
//! `min(MAX_PUBLISHERS, members - 1)` streams per member (its speakers join first, but
//! its audience may be there before them).

use super::workload::MAX_PUBLISHERS;
use mafalda_core::pool::growth;
use mafalda_core::pool::scheduler::{Candidate, Placement, Policy, Rules, Scheduler};
use std::collections::HashMap;

/// Packets per second one publisher sends (opus 50 + VP8 150).
pub const PUBLISHER_PPS: f64 = 200.0;
/// A worker never takes an object that would push it past one full core.
pub const CAPACITY: f64 = 1.0;

pub struct SimWorker {
    pub key: u64,
    pub node: usize,
    pub load: f64,
    /// Headroom reserved for the growth of the rooms here.
    pub reserved: f64,
    /// Rooms with a participant here.
    pub rooms: usize,
    pub idle_since_ms: Option<u64>,
}

#[derive(Default)]
struct RoomOnWorker {
    members: usize,
    publishers: usize,
    /// Load this room currently puts on the worker.
    load: f64,
    /// Load it is expected to add here (`growth::headroom`).
    reserved: f64,
}

#[derive(Default)]
pub struct RoomState {
    publishers: usize,
    members: usize,
    per_worker: HashMap<u64, RoomOnWorker>,
    pipes: usize,
    /// Worker of each admitted participant.
    pub placed: HashMap<usize, (u64, bool)>,
    pub refused: bool,
}

pub struct DataCentre {
    pub workers: Vec<SimWorker>,
    index: HashMap<u64, usize>,
    pub node_workers: Vec<usize>,
    cores_per_node: usize,
    next_key: u64,
    pub pipes: usize,
    cpu_per_packet: f64,
}

impl DataCentre {
    pub fn new(nodes: usize, cores_per_node: usize, cpu_per_packet_us: f64) -> Self {
        Self {
            workers: Vec::new(),
            index: HashMap::new(),
            node_workers: vec![0; nodes],
            cores_per_node,
            next_key: 1,
            pipes: 0,
            cpu_per_packet: cpu_per_packet_us * 1e-6,
        }
    }

    pub fn cores(&self) -> usize {
        self.node_workers.len() * self.cores_per_node
    }

    pub fn nodes_in_use(&self) -> usize {
        self.node_workers.iter().filter(|n| **n > 0).count()
    }

    /// A new worker on the fullest node that still has a free core (nodes are packed
    /// too, so that whole nodes can be released).
    pub fn start_worker(&mut self, now_ms: u64) -> u64 {
        let node = (0..self.node_workers.len())
            .filter(|n| self.node_workers[*n] < self.cores_per_node)
            .max_by_key(|n| (self.node_workers[*n], std::cmp::Reverse(*n)))
            .expect("a free core (the scheduler is told how many there are)");
        self.node_workers[node] += 1;
        let key = self.next_key;
        self.next_key += 1;
        self.index.insert(key, self.workers.len());
        self.workers.push(SimWorker { key, node, load: 0.0, reserved: 0.0, rooms: 0, idle_since_ms: Some(now_ms) });
        key
    }

    /// Frees workers that have hosted nothing for `timeout_ms`, as the pool does.
    pub fn reap_idle(&mut self, now_ms: u64, timeout_ms: u64) {
        let before = self.workers.len();
        let node_workers = &mut self.node_workers;
        self.workers.retain(|w| {
            let idle = w.rooms == 0 && w.idle_since_ms.is_some_and(|t| now_ms.saturating_sub(t) >= timeout_ms);
            if idle {
                node_workers[w.node] -= 1;
            }
            !idle
        });
        if self.workers.len() != before {
            self.index = self.workers.iter().enumerate().map(|(i, w)| (w.key, i)).collect();
        }
    }

    fn worker_mut(&mut self, key: u64) -> &mut SimWorker {
        let i = self.index[&key];
        &mut self.workers[i]
    }

    fn stream_cost(&self) -> f64 {
        PUBLISHER_PPS * self.cpu_per_packet
    }

    /// Load of one more participant now: the streams it receives and sends.
    pub fn participant_cost(&self, room: &RoomState, publishes: bool) -> f64 {
        let receives = room.publishers.min(MAX_PUBLISHERS) as f64;
        let sends = if publishes { 1.0 } else { 0.0 };
        (receives + sends) * self.stream_cost()
    }

    /// Streams each member of `room` is expected to receive once it has its publishers.
    fn expected_streams(room: &RoomState, members: usize) -> f64 {
        MAX_PUBLISHERS.min(members.saturating_sub(1)).max(room.publishers.min(MAX_PUBLISHERS)) as f64
    }

    /// Asks the scheduler where a participant of `room` goes. `None`: refused (the
    /// chosen worker has no room left, or no core is left at all).
    pub fn place(&mut self, scheduler: &mut Scheduler, room: &RoomState, publishes: bool, now_ms: u64) -> Option<u64> {
        let cost = self.participant_cost(room, publishes);
        // Only pack reads the reserve; the baselines keep the cost they always had.
        let growth_aware = scheduler.policy == Policy::Pack && scheduler.rules == Rules::Growth;
        // The scheduler sees what this participant will cost once the room has its streams.
        let expected_cost = match growth_aware {
            true => {
                let receives = room.publishers.min(MAX_PUBLISHERS) as f64;
                cost + growth::headroom(1, receives, Self::expected_streams(room, room.members + 1), self.stream_cost())
            }
            false => cost,
        };
        let candidates: Vec<Candidate> = self
            .workers
            .iter()
            .map(|w| Candidate {
                key: w.key,
                load: w.load,
                has_shard: room.per_worker.contains_key(&w.key),
                routers: w.rooms,
                room_members: room.per_worker.get(&w.key).map_or(0, |r| r.members),
                reserved: if growth_aware { w.reserved } else { 0.0 },
            })
            .collect();
        let key = match scheduler.place(&candidates, expected_cost, self.cores()).0 {
            Placement::Existing(key) => key,
            Placement::StartNew => self.start_worker(now_ms),
        };
        let worker = self.worker_mut(key);
        (worker.load + cost <= CAPACITY).then_some(key)
    }

    pub fn join(&mut self, room: &mut RoomState, participant: usize, key: u64, publishes: bool) {
        room.placed.insert(participant, (key, publishes));
        let entry = room.per_worker.entry(key).or_default();
        if entry.members == 0 {
            let worker = self.worker_mut(key);
            worker.rooms += 1;
            worker.idle_since_ms = None;
        }
        let entry = room.per_worker.get_mut(&key).expect("just added");
        entry.members += 1;
        room.members += 1;
        if publishes {
            entry.publishers += 1;
            room.publishers += 1;
        }
        self.recompute(room);
    }

    pub fn leave(&mut self, room: &mut RoomState, participant: usize, now_ms: u64) {
        let Some((key, publishes)) = room.placed.remove(&participant) else { return };
        let entry = room.per_worker.get_mut(&key).expect("participant's worker");
        entry.members -= 1;
        room.members -= 1;
        if publishes {
            entry.publishers -= 1;
            room.publishers -= 1;
        }
        if entry.members == 0 {
            let stale = room.per_worker.remove(&key).expect("present");
            let worker = self.worker_mut(key);
            worker.load = (worker.load - stale.load).max(0.0);
            worker.reserved = (worker.reserved - stale.reserved).max(0.0);
            worker.rooms -= 1;
            if worker.rooms == 0 {
                worker.idle_since_ms = Some(now_ms);
                worker.load = 0.0; // no drift from float sums
                worker.reserved = 0.0;
            }
        }
        self.recompute(room);
    }

    /// Re-derives the room's load and reserved growth on each of its workers, and its pipes.
    fn recompute(&mut self, room: &mut RoomState) {
        let active = room.publishers.min(MAX_PUBLISHERS);
        let (expected, stream_cost) = (Self::expected_streams(room, room.members), self.stream_cost());
        let spans = room.per_worker.len();
        let mut pipes = 0;
        for (key, here) in room.per_worker.iter_mut() {
            let publishers_here = here.publishers.min(active);
            let elsewhere = active - publishers_here;
            // Every member receives every active publisher but itself.
            let sent_to_members = here.members * active - publishers_here;
            let pipe_in = elsewhere;
            let pipe_out = publishers_here * (spans - 1);
            pipes += pipe_in;
            let packets = (publishers_here + sent_to_members + pipe_in + pipe_out) as f64 * PUBLISHER_PPS;
            let load = packets * self.cpu_per_packet;
            let i = self.index[key];
            self.workers[i].load = (self.workers[i].load + load - here.load).max(0.0);
            here.load = load;
            let reserved = growth::headroom(here.members, active as f64, expected, stream_cost);
            self.workers[i].reserved = (self.workers[i].reserved + reserved - here.reserved).max(0.0);
            here.reserved = reserved;
        }
        self.pipes = self.pipes + pipes - room.pipes;
        room.pipes = pipes;
    }
}
