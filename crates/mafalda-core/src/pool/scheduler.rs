//! Where a new transport goes: the placement policy, pure and deterministic.
//!
//! The pool feeds it a view of the running workers; it answers with an existing
//! worker or "start one". The same code drives the product and the data-centre
//! simulation of the benchmarks.
//!
//! `pack` keeps two limits apart: the *watermark* says where a new room may start, the
//! higher *room ceiling* how far a room may grow on a worker it is already on. Both are
//! checked against the load plus the headroom each worker keeps for the growth of its
//! rooms (`Candidate::reserved`, see `growth.rs`), so that a room's later publishers and
//! members find room next to it instead of splitting it or overloading its worker.

use serde::{Deserialize, Serialize};

/// Default load above which no new room starts on a worker.
pub const DEFAULT_WATERMARK: f64 = 0.4;
/// Default load up to which a room keeps growing on a worker it is already on. The gap
/// to 1.0 is for what placement cannot see coming: the pipes a room's publisher worker
/// feeds when the room spans more workers (6 publishers × 40 workers ≈ 0.3 of a core).
pub const DEFAULT_ROOM_CEILING: f64 = 0.7;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// Fill the busiest worker that has room; few cores, few pipes.
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
#[derive(Debug, Clone, Default, Serialize)]
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
    /// Members (transports) of the router being placed that live on this worker.
    pub room_members: usize,
    /// Load the rooms already here are expected to add (fraction of one core).
    pub reserved: f64,
}

impl Candidate {
    /// Load once this object and the growth reserved here are counted.
    fn committed(&self, cost: f64) -> f64 {
        self.load + self.reserved + cost
    }
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
    /// Over the watermark but under the room ceiling: the room grows where it is.
    UnderRoomCeiling,
    UnderWatermark,
    /// The room is at its ceiling on every worker it uses: it continues on a new one.
    RoomCeiling,
    /// A worker was under the watermark by its load alone, but its headroom is
    /// reserved for the growth of the rooms it hosts.
    ReservedForGrowth,
    AllOverWatermark,
    NoCoreLeftLeastLoaded,
    RoundRobin,
    LeastLoaded,
    EmptyWorker,
    NoEmptyWorker,
    /// The object must live on a given worker (a WebRtcServer's transports).
    Pinned,
}

/// Which rules `pack` follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rules {
    /// Watermark for new rooms, room ceiling for growth, reserved headroom counted.
    Growth,
    /// `pack` before issue 13: one watermark for everything, no reserve (a benchmark baseline).
    V1,
}

#[derive(Debug, Clone)]
pub struct Scheduler {
    pub policy: Policy,
    /// Load above which a worker takes no new room while a core is free.
    pub watermark: f64,
    /// Load up to which a room grows on a worker it is already on (≥ watermark).
    pub room_ceiling: f64,
    pub rules: Rules,
    next_slot: usize,
}

impl Scheduler {
    pub fn new(policy: Policy, watermark: f64, room_ceiling: f64) -> Self {
        Self { policy, watermark, room_ceiling: room_ceiling.max(watermark), rules: Rules::Growth, next_slot: 0 }
    }

    /// `pack` as it was before the room ceiling and reserves (benchmark baseline).
    pub fn pack_v1(watermark: f64) -> Self {
        Self { policy: Policy::Pack, watermark, room_ceiling: watermark, rules: Rules::V1, next_slot: 0 }
    }

    /// Chooses a worker for an object of estimated `cost`. `candidates` are the running
    /// workers in start order; `max_workers` is how many may run at all.
    pub fn place(&mut self, candidates: &[Candidate], cost: f64, max_workers: usize) -> (Placement, Reason) {
        let can_start = candidates.len() < max_workers.max(1);
        if candidates.is_empty() && self.policy != Policy::Spread {
            return (Placement::StartNew, Reason::NoWorkerYet);
        }
        match self.policy {
            Policy::Pack if self.rules == Rules::V1 => self.pack_v1_rules(candidates, cost, can_start),
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

    fn pack(&self, candidates: &[Candidate], cost: f64, can_start: bool) -> (Placement, Reason) {
        let busiest = |a: &&Candidate, b: &&Candidate| a.load.total_cmp(&b.load);
        // The room grows where most of it already is (its first members, hence its
        // publishers, who join first), up to the room ceiling: no new shard, no new pipe.
        let home = candidates
            .iter()
            .filter(|c| c.has_shard && c.committed(cost) <= self.room_ceiling)
            .max_by(|a, b| a.room_members.cmp(&b.room_members).then(a.load.total_cmp(&b.load)));
        if let Some(c) = home {
            let reason = if c.committed(cost) <= self.watermark { Reason::UnderWatermarkWithShard } else { Reason::UnderRoomCeiling };
            return (Placement::Existing(c.key), reason);
        }
        // A room at its ceiling everywhere continues on a worker of its own, where its
        // later members follow it: one pipe per publisher for the whole new worker.
        if can_start && candidates.iter().any(|c| c.has_shard) {
            return (Placement::StartNew, Reason::RoomCeiling);
        }
        if let Some(c) = candidates.iter().filter(|c| c.committed(cost) <= self.watermark).max_by(busiest) {
            return (Placement::Existing(c.key), Reason::UnderWatermark);
        }
        if can_start {
            let reserved = candidates.iter().any(|c| c.load + cost <= self.watermark);
            return (Placement::StartNew, if reserved { Reason::ReservedForGrowth } else { Reason::AllOverWatermark });
        }
        (Placement::Existing(least_loaded(candidates).key), Reason::NoCoreLeftLeastLoaded)
    }

    fn pack_v1_rules(&self, candidates: &[Candidate], cost: f64, can_start: bool) -> (Placement, Reason) {
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
        Candidate { key, load, has_shard, routers: usize::from(has_shard), room_members: usize::from(has_shard), reserved: 0.0 }
    }

    fn hosting(key: u64, load: f64, routers: usize) -> Candidate {
        Candidate { key, load, routers, ..Candidate::default() }
    }

    fn pack() -> Scheduler {
        Scheduler::new(Policy::Pack, 0.6, 0.8)
    }

    #[test]
    fn first_placement_starts_a_worker() {
        let mut s = pack();
        assert_eq!(s.place(&[], 0.01, 4).0, Placement::StartNew);
    }

    #[test]
    fn pack_fills_the_busiest_worker_under_the_watermark() {
        let mut s = pack();
        let workers = [c(1, 0.10, false), c(2, 0.45, false), c(3, 0.59, false)];
        // Worker 3 would cross the watermark with this object; 2 is the busiest that fits.
        assert_eq!(s.place(&workers, 0.02, 4), (Placement::Existing(2), Reason::UnderWatermark));
    }

    #[test]
    fn pack_prefers_a_worker_that_holds_the_router() {
        let mut s = pack();
        let workers = [c(1, 0.10, true), c(2, 0.45, false)];
        assert_eq!(s.place(&workers, 0.01, 4), (Placement::Existing(1), Reason::UnderWatermarkWithShard));
    }

    #[test]
    fn a_room_grows_past_the_watermark_up_to_its_ceiling() {
        let mut s = pack();
        let workers = [c(1, 0.7, true), c(2, 0.1, false)];
        assert_eq!(s.place(&workers, 0.05, 4), (Placement::Existing(1), Reason::UnderRoomCeiling));
        // A new room does not start there: it is over the watermark.
        let new_room = [hosting(1, 0.7, 1), hosting(2, 0.1, 1)];
        assert_eq!(s.place(&new_room, 0.05, 4), (Placement::Existing(2), Reason::UnderWatermark));
    }

    #[test]
    fn a_room_at_its_ceiling_continues_on_a_new_worker() {
        let mut s = pack();
        // Worker 2 has headroom under the watermark, but the room would then grow into
        // the small rooms there; a fresh worker gives it room.
        let workers = [c(1, 0.78, true), hosting(2, 0.3, 3)];
        assert_eq!(s.place(&workers, 0.05, 4), (Placement::StartNew, Reason::RoomCeiling));
        // No core left: the busiest worker under the watermark.
        assert_eq!(s.place(&workers, 0.05, 2), (Placement::Existing(2), Reason::UnderWatermark));
    }

    #[test]
    fn a_spanning_room_grows_on_the_worker_holding_most_of_it() {
        let mut s = pack();
        let mut big = c(1, 0.5, true);
        big.room_members = 40;
        let mut small = c(2, 0.65, true);
        small.room_members = 3;
        assert_eq!(s.place(&[small, big], 0.01, 4), (Placement::Existing(1), Reason::UnderWatermarkWithShard));
    }

    #[test]
    fn reserved_headroom_keeps_new_rooms_away() {
        let mut s = pack();
        let mut growing = hosting(1, 0.3, 1);
        growing.reserved = 0.35;
        assert_eq!(s.place(&[growing.clone()], 0.01, 4), (Placement::StartNew, Reason::ReservedForGrowth));
        // The room that reserved it may still grow there, up to its ceiling.
        growing.has_shard = true;
        growing.room_members = 5;
        assert_eq!(s.place(&[growing.clone()], 0.01, 4), (Placement::Existing(1), Reason::UnderRoomCeiling));
        growing.reserved = 0.6;
        assert_eq!(s.place(&[growing], 0.01, 4), (Placement::StartNew, Reason::RoomCeiling));
    }

    #[test]
    fn the_ceiling_is_never_below_the_watermark() {
        assert_eq!(Scheduler::new(Policy::Pack, 0.6, 0.3).room_ceiling, 0.6);
    }

    #[test]
    fn pack_starts_a_worker_only_when_all_are_over_the_watermark() {
        let mut s = pack();
        let workers = [hosting(1, 0.7, 1), hosting(2, 0.65, 1)];
        assert_eq!(s.place(&workers, 0.01, 4), (Placement::StartNew, Reason::AllOverWatermark));
    }

    #[test]
    fn pack_uses_the_least_loaded_when_no_core_is_left() {
        let mut s = pack();
        let workers = [c(1, 0.9, true), c(2, 0.7, false)];
        assert_eq!(s.place(&workers, 0.01, 2), (Placement::Existing(2), Reason::NoCoreLeftLeastLoaded));
    }

    #[test]
    fn pack_v1_splits_a_room_at_the_watermark() {
        let mut s = Scheduler::pack_v1(0.6);
        let workers = [c(1, 0.59, true), c(2, 0.3, false)];
        assert_eq!(s.place(&workers, 0.05, 4), (Placement::Existing(2), Reason::UnderWatermark));
    }

    #[test]
    fn pack_keeps_many_small_rooms_on_one_worker_while_it_has_headroom() {
        let mut s = pack();
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
        let mut s = Scheduler::new(Policy::Spread, 0.6, 0.6);
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
        let mut s = Scheduler::new(Policy::LeastLoaded, 0.6, 0.6);
        let workers = [c(1, 0.2, false), c(2, 0.2, true), c(3, 0.3, true)];
        assert_eq!(s.place(&workers, 0.0, 3).0, Placement::Existing(2));
    }

    #[test]
    fn new_reasons_read_as_kebab_case() {
        assert_eq!(serde_json::to_value(Reason::RoomCeiling).unwrap(), "room-ceiling");
        assert_eq!(serde_json::to_value(Reason::UnderRoomCeiling).unwrap(), "under-room-ceiling");
        assert_eq!(serde_json::to_value(Reason::ReservedForGrowth).unwrap(), "reserved-for-growth");
    }

    #[test]
    fn one_room_per_worker_is_a_known_policy_name() {
        assert_eq!(Policy::parse("one-room-per-worker"), Some(Policy::OneRoomPerWorker));
        assert_eq!(serde_json::to_value(Policy::OneRoomPerWorker).unwrap(), "one-room-per-worker");
    }

    #[test]
    fn one_room_per_worker_keeps_a_room_on_its_worker() {
        let mut s = Scheduler::new(Policy::OneRoomPerWorker, 0.6, 0.6);
        let workers = [hosting(1, 0.05, 3), c(2, 0.30, true), hosting(3, 0.0, 0)];
        assert_eq!(s.place(&workers, 0.01, 4), (Placement::Existing(2), Reason::UnderWatermarkWithShard));
    }

    #[test]
    fn one_room_per_worker_gives_a_new_room_an_empty_worker() {
        let mut s = Scheduler::new(Policy::OneRoomPerWorker, 0.6, 0.6);
        let workers = [hosting(1, 0.01, 1), hosting(2, 0.0, 0)];
        assert_eq!(s.place(&workers, 0.01, 4), (Placement::Existing(2), Reason::EmptyWorker));
        // No empty worker: start one, even though worker 1 has plenty of headroom.
        assert_eq!(s.place(&workers[..1], 0.01, 4), (Placement::StartNew, Reason::NoEmptyWorker));
    }

    #[test]
    fn one_room_per_worker_grows_a_full_room_onto_another_worker() {
        let mut s = Scheduler::new(Policy::OneRoomPerWorker, 0.6, 0.6);
        let workers = [c(1, 0.65, true), hosting(2, 0.1, 1)];
        assert_eq!(s.place(&workers, 0.01, 4), (Placement::StartNew, Reason::NoEmptyWorker));
        assert_eq!(s.place(&workers, 0.01, 2), (Placement::Existing(2), Reason::NoCoreLeftLeastLoaded));
    }
}
