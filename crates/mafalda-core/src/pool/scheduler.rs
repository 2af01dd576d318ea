//! Where a new transport goes: the placement policy, pure and deterministic.
//!
//! The pool feeds it a view of the running workers; it answers with an existing
//! worker or "start one". The same code drives the product and the data-centre
//! simulation of the benchmarks.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// Fill the busiest worker still under the watermark; few cores, few pipes.
    Pack,
    /// Round-robin over every allowed worker slot (baseline; spreads rooms apart).
    Spread,
    /// The least loaded running worker; a new one only when none runs.
    LeastLoaded,
    /// Each router on workers of its own (baseline: no sharing, no pipes for small rooms).
    OneRoomPerWorker,
}

impl Policy {
    pub fn parse(name: &str) -> Option<Policy> {
        match name {
            "pack" => Some(Policy::Pack),
            "spread" => Some(Policy::Spread),
            "least-loaded" => Some(Policy::LeastLoaded),
            "one-room-per-worker" => Some(Policy::OneRoomPerWorker),
            _ => None,
        }
    }
}

/// One running worker as the scheduler sees it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    /// Position-independent key of the worker in the pool.
    pub key: u64,
    /// Blended load, fraction of one core.
    pub load: f64,
    /// Whether the router being placed already has a shard on this worker.
    pub has_shard: bool,
    /// Routers with a shard on this worker, or being placed there (0: hosts no room).
    pub routers: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "worker")]
pub enum Placement {
    Existing(u64),
    StartNew,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    NoWorkerYet,
    UnderWatermarkWithShard,
    UnderWatermark,
    AllOverWatermark,
    NoCoreLeftLeastLoaded,
    RoundRobin,
    LeastLoaded,
    EmptyWorker,
    NoEmptyWorker,
    /// The object must live on a given worker (a WebRtcServer's transports).
    Pinned,
}

#[derive(Debug, Clone)]
pub struct Scheduler {
    pub policy: Policy,
    /// Load above which a worker takes nothing new while a core is free.
    pub watermark: f64,
    next_slot: usize,
}

impl Scheduler {
    pub fn new(policy: Policy, watermark: f64) -> Self {
        Self { policy, watermark, next_slot: 0 }
    }

    /// Chooses a worker for an object of estimated `cost`. `candidates` are the running
    /// workers in start order; `max_workers` is how many may run at all.
    pub fn place(&mut self, candidates: &[Candidate], cost: f64, max_workers: usize) -> (Placement, Reason) {
        let can_start = candidates.len() < max_workers.max(1);
        if candidates.is_empty() && self.policy != Policy::Spread {
            return (Placement::StartNew, Reason::NoWorkerYet);
        }
        match self.policy {
            Policy::Pack => self.pack(candidates, cost, can_start),
            Policy::Spread => {
                let slot = self.next_slot % max_workers.max(1);
                self.next_slot = self.next_slot.wrapping_add(1);
                match candidates.get(slot) {
                    Some(c) => (Placement::Existing(c.key), Reason::RoundRobin),
                    None if can_start || candidates.is_empty() => (Placement::StartNew, Reason::RoundRobin),
                    None => (Placement::Existing(least_loaded(candidates).key), Reason::RoundRobin),
                }
            }
            Policy::LeastLoaded => (Placement::Existing(least_loaded(candidates).key), Reason::LeastLoaded),
            Policy::OneRoomPerWorker => self.one_room_per_worker(candidates, cost, can_start),
        }
    }

    fn one_room_per_worker(&self, candidates: &[Candidate], cost: f64, can_start: bool) -> (Placement, Reason) {
        let fits = |c: &&Candidate| c.load + cost <= self.watermark;
        let lightest = |a: &&Candidate, b: &&Candidate| a.load.total_cmp(&b.load);
        // The router's own workers while they have headroom; a big room grows onto
        // workers that host nothing else.
        if let Some(c) = candidates.iter().filter(|c| c.has_shard).filter(fits).min_by(lightest) {
            return (Placement::Existing(c.key), Reason::UnderWatermarkWithShard);
        }
        if let Some(c) = candidates.iter().filter(|c| c.routers == 0).min_by(lightest) {
            return (Placement::Existing(c.key), Reason::EmptyWorker);
        }
        if can_start {
            return (Placement::StartNew, Reason::NoEmptyWorker);
        }
        (Placement::Existing(least_loaded(candidates).key), Reason::NoCoreLeftLeastLoaded)
    }

    fn pack(&self, candidates: &[Candidate], cost: f64, can_start: bool) -> (Placement, Reason) {
        let fits = |c: &&Candidate| c.load + cost <= self.watermark;
        let busiest = |a: &&Candidate, b: &&Candidate| a.load.total_cmp(&b.load);
        // Prefer a worker that already holds this router: no new shard, no new pipe.
        if let Some(c) = candidates.iter().filter(fits).filter(|c| c.has_shard).max_by(busiest) {
            return (Placement::Existing(c.key), Reason::UnderWatermarkWithShard);
        }
        if let Some(c) = candidates.iter().filter(fits).max_by(busiest) {
            return (Placement::Existing(c.key), Reason::UnderWatermark);
        }
        if can_start {
            return (Placement::StartNew, Reason::AllOverWatermark);
        }
        (Placement::Existing(least_loaded(candidates).key), Reason::NoCoreLeftLeastLoaded)
    }
}

/// Least loaded; on a tie the one that already holds a shard, then the oldest.
fn least_loaded(candidates: &[Candidate]) -> &Candidate {
    candidates
        .iter()
        .min_by(|a, b| a.load.total_cmp(&b.load).then(b.has_shard.cmp(&a.has_shard)))
        .expect("candidates is not empty")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(key: u64, load: f64, has_shard: bool) -> Candidate {
        Candidate { key, load, has_shard, routers: usize::from(has_shard) }
    }

    fn hosting(key: u64, load: f64, routers: usize) -> Candidate {
        Candidate { key, load, has_shard: false, routers }
    }

    #[test]
    fn first_placement_starts_a_worker() {
        let mut s = Scheduler::new(Policy::Pack, 0.6);
        assert_eq!(s.place(&[], 0.01, 4).0, Placement::StartNew);
    }

    #[test]
    fn pack_fills_the_busiest_worker_under_the_watermark() {
        let mut s = Scheduler::new(Policy::Pack, 0.6);
        let workers = [c(1, 0.10, false), c(2, 0.45, false), c(3, 0.59, false)];
        // Worker 3 would cross the watermark with this object; 2 is the busiest that fits.
        assert_eq!(s.place(&workers, 0.02, 4), (Placement::Existing(2), Reason::UnderWatermark));
    }

    #[test]
    fn pack_prefers_a_worker_that_holds_the_router() {
        let mut s = Scheduler::new(Policy::Pack, 0.6);
        let workers = [c(1, 0.10, true), c(2, 0.45, false)];
        assert_eq!(s.place(&workers, 0.01, 4), (Placement::Existing(1), Reason::UnderWatermarkWithShard));
    }

    #[test]
    fn pack_starts_a_worker_only_when_all_are_over_the_watermark() {
        let mut s = Scheduler::new(Policy::Pack, 0.6);
        let workers = [c(1, 0.7, true), c(2, 0.65, false)];
        assert_eq!(s.place(&workers, 0.01, 4), (Placement::StartNew, Reason::AllOverWatermark));
    }

    #[test]
    fn pack_uses_the_least_loaded_when_no_core_is_left() {
        let mut s = Scheduler::new(Policy::Pack, 0.6);
        let workers = [c(1, 0.9, true), c(2, 0.7, false)];
        assert_eq!(s.place(&workers, 0.01, 2), (Placement::Existing(2), Reason::NoCoreLeftLeastLoaded));
    }

    #[test]
    fn pack_keeps_many_small_rooms_on_one_worker_while_it_has_headroom() {
        let mut s = Scheduler::new(Policy::Pack, 0.6);
        let mut load = 0.0;
        let mut workers = vec![];
        for room in 0..50 {
            let (placement, _) = s.place(&workers, 0.01, 8);
            if placement == Placement::StartNew {
                workers.push(c(workers.len() as u64, 0.0, false));
            }
            load += 0.01;
            workers.last_mut().unwrap().load = load;
            assert_eq!(workers.len(), 1, "room {room} stayed on the first worker");
        }
    }

    #[test]
    fn spread_round_robins_over_all_slots() {
        let mut s = Scheduler::new(Policy::Spread, 0.6);
        let mut workers: Vec<Candidate> = vec![];
        let mut chosen = vec![];
        for _ in 0..6 {
            match s.place(&workers, 0.0, 3).0 {
                Placement::StartNew => {
                    workers.push(c(workers.len() as u64 + 10, 0.0, false));
                    chosen.push(workers.last().unwrap().key);
                }
                Placement::Existing(k) => chosen.push(k),
            }
        }
        assert_eq!(chosen, vec![10, 11, 12, 10, 11, 12]);
    }

    #[test]
    fn least_loaded_breaks_ties_towards_the_shard_holder() {
        let mut s = Scheduler::new(Policy::LeastLoaded, 0.6);
        let workers = [c(1, 0.2, false), c(2, 0.2, true), c(3, 0.3, true)];
        assert_eq!(s.place(&workers, 0.0, 3).0, Placement::Existing(2));
    }

    #[test]
    fn one_room_per_worker_is_a_known_policy_name() {
        assert_eq!(Policy::parse("one-room-per-worker"), Some(Policy::OneRoomPerWorker));
        assert_eq!(serde_json::to_value(Policy::OneRoomPerWorker).unwrap(), "one-room-per-worker");
    }

    #[test]
    fn one_room_per_worker_keeps_a_room_on_its_worker() {
        let mut s = Scheduler::new(Policy::OneRoomPerWorker, 0.6);
        let workers = [hosting(1, 0.05, 3), c(2, 0.30, true), hosting(3, 0.0, 0)];
        assert_eq!(s.place(&workers, 0.01, 4), (Placement::Existing(2), Reason::UnderWatermarkWithShard));
    }

    #[test]
    fn one_room_per_worker_gives_a_new_room_an_empty_worker() {
        let mut s = Scheduler::new(Policy::OneRoomPerWorker, 0.6);
        let workers = [hosting(1, 0.01, 1), hosting(2, 0.0, 0)];
        assert_eq!(s.place(&workers, 0.01, 4), (Placement::Existing(2), Reason::EmptyWorker));
        // No empty worker: start one, even though worker 1 has plenty of headroom.
        assert_eq!(s.place(&workers[..1], 0.01, 4), (Placement::StartNew, Reason::NoEmptyWorker));
    }

    #[test]
    fn one_room_per_worker_grows_a_full_room_onto_another_worker() {
        let mut s = Scheduler::new(Policy::OneRoomPerWorker, 0.6);
        let workers = [c(1, 0.65, true), hosting(2, 0.1, 1)];
        assert_eq!(s.place(&workers, 0.01, 4), (Placement::StartNew, Reason::NoEmptyWorker));
        assert_eq!(s.place(&workers, 0.01, 2), (Placement::Existing(2), Reason::NoCoreLeftLeastLoaded));
    }
}
