//! Scenario 4: a data-centre day, simulated (no media, deterministic for a seed).
//! Each policy places every participant through `mafalda_core::pool::scheduler::Scheduler::place`
//! and the books show what it cost: core-hours of running workers, nodes, pipes,
//! worker load, refusals.

mod datacentre;
mod rng;
mod workload;

use crate::histogram::quantile;
use datacentre::{DataCentre, RoomState};
use mafalda_core::pool::scheduler::{Policy, Rules, Scheduler, DEFAULT_ROOM_CEILING, DEFAULT_WATERMARK};
use serde::{Deserialize, Serialize};
use workload::{Action, DAY_MS};

pub use workload::SizeBucket;

const SAMPLE_MS: u64 = 60_000;
const REAP_CHECK_MS: u64 = 10_000;
/// The pool's default `workerIdleTimeout`.
const IDLE_TIMEOUT_MS: u64 = 30_000;
/// The watermark of the baselines: the pool's default before issue 13, so that their
/// rows stay comparable with earlier reports.
const BASELINE_WATERMARK: f64 = 0.6;
/// The seeds of `npm run bench -- simulation`: the first is the one of earlier reports.
pub const SEEDS: [u64; 3] = [20_261_127, 20_261_128, 20_261_129];

#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub seed: u64,
    pub nodes: usize,
    pub cores_per_node: usize,
    pub rooms: usize,
    /// CPU per packet a worker handles, in µs.
    pub cpu_per_packet_us: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyOutcome {
    pub policy: String,
    /// How workers come and go under this policy.
    pub workers: String,
    #[serde(default)]
    pub watermark: f64,
    /// Equal to the watermark for policies without a room ceiling.
    #[serde(default)]
    pub room_ceiling: f64,
    pub core_hours: f64,
    pub node_hours: f64,
    pub peak_cores: usize,
    pub peak_nodes: usize,
    pub peak_pipes: usize,
    pub pipe_hours: f64,
    /// Over running workers, sampled every simulated minute.
    pub peak_worker_load: f64,
    pub p99_worker_load: f64,
    /// Mean load of workers that host something.
    pub mean_busy_worker_load: f64,
    pub rooms_refused: usize,
    pub participants_refused: usize,
    /// Running workers at each simulated minute.
    pub cores_by_minute: Vec<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimulationResult {
    pub seed: u64,
    pub nodes: usize,
    pub cores_per_node: usize,
    pub rooms: usize,
    pub participants: usize,
    pub room_sizes: Vec<SizeBucket>,
    pub cpu_per_packet_us: f64,
    pub idle_timeout_s: f64,
    pub outcomes: Vec<PolicyOutcome>,
}

/// How a policy's workers live: started lazily and freed when idle (Mafalda's pool),
/// or one per core started at boot and kept (a plain mediasoup deployment).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Workers {
    OnDemand,
    AllAtBoot,
}

/// The same day under each seed of `seeds`, one thread per seed.
pub fn run_seeds(setup: Setup, seeds: &[u64]) -> Vec<SimulationResult> {
    std::thread::scope(|scope| {
        let runs: Vec<_> = seeds.iter().map(|&seed| scope.spawn(move || run(Setup { seed, ..setup }))).collect();
        runs.into_iter().map(|r| r.join().expect("simulation thread")).collect()
    })
}

pub fn run(setup: Setup) -> SimulationResult {
    let day = workload::generate(setup.seed, setup.rooms);
    let runs = [
        (Scheduler::new(Policy::Pack, DEFAULT_WATERMARK, DEFAULT_ROOM_CEILING), Workers::OnDemand),
        (Scheduler::pack_v1(BASELINE_WATERMARK), Workers::OnDemand),
        (baseline(Policy::OneRoomPerWorker), Workers::OnDemand),
        (baseline(Policy::Spread), Workers::AllAtBoot),
        (baseline(Policy::LeastLoaded), Workers::AllAtBoot),
        (baseline(Policy::Spread), Workers::OnDemand),
    ];
    let outcomes = runs
        .iter()
        .map(|(scheduler, workers)| {
            let started = std::time::Instant::now();
            let outcome = simulate(&setup, &day, scheduler.clone(), *workers);
            eprintln!(
                "[simulation] seed {}: {} ({}): {:.0} core-hours, peak {} cores, {} rooms refused, p99 load {:.2} ({:.1} s)",
                setup.seed,
                outcome.policy,
                outcome.workers,
                outcome.core_hours,
                outcome.peak_cores,
                outcome.rooms_refused,
                outcome.p99_worker_load,
                started.elapsed().as_secs_f64()
            );
            outcome
        })
        .collect();
    SimulationResult {
        seed: setup.seed,
        nodes: setup.nodes,
        cores_per_node: setup.cores_per_node,
        rooms: setup.rooms,
        participants: day.rooms.iter().map(|r| r.size).sum(),
        room_sizes: workload::size_buckets(&day.rooms),
        cpu_per_packet_us: setup.cpu_per_packet_us,
        idle_timeout_s: IDLE_TIMEOUT_MS as f64 / 1000.0,
        outcomes,
    }
}

fn baseline(policy: Policy) -> Scheduler {
    Scheduler::new(policy, BASELINE_WATERMARK, BASELINE_WATERMARK)
}

pub fn policy_name(scheduler: &Scheduler) -> String {
    match (scheduler.policy, scheduler.rules) {
        (Policy::Spread, _) => "round-robin".to_string(),
        (Policy::Pack, Rules::V1) => "pack-v1".to_string(),
        (other, _) => serde_json::to_value(other).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
    }
}

/// Integrates running cores and nodes over time and samples worker loads.
struct Books {
    last_ms: u64,
    core_ms: f64,
    node_ms: f64,
    pipe_ms: f64,
    peak_cores: usize,
    peak_nodes: usize,
    peak_pipes: usize,
    loads: Vec<f64>,
    busy_load_sum: f64,
    busy_samples: usize,
    cores_by_minute: Vec<u32>,
}

impl Books {
    fn advance(&mut self, dc: &DataCentre, now_ms: u64) {
        let dt = now_ms.saturating_sub(self.last_ms) as f64;
        self.core_ms += dt * dc.workers.len() as f64;
        self.node_ms += dt * dc.nodes_in_use() as f64;
        self.pipe_ms += dt * dc.pipes as f64;
        self.last_ms = now_ms;
        self.peak_cores = self.peak_cores.max(dc.workers.len());
        self.peak_nodes = self.peak_nodes.max(dc.nodes_in_use());
        self.peak_pipes = self.peak_pipes.max(dc.pipes);
    }

    fn sample(&mut self, dc: &DataCentre) {
        for w in &dc.workers {
            self.loads.push(w.load);
            if w.rooms > 0 {
                self.busy_load_sum += w.load;
                self.busy_samples += 1;
            }
        }
        self.cores_by_minute.push(dc.workers.len() as u32);
    }
}

fn simulate(setup: &Setup, day: &workload::Workload, mut scheduler: Scheduler, workers: Workers) -> PolicyOutcome {
    let mut dc = DataCentre::new(setup.nodes, setup.cores_per_node, setup.cpu_per_packet_us);
    if workers == Workers::AllAtBoot {
        for _ in 0..dc.cores() {
            dc.start_worker(0);
        }
    }
    let mut rooms: Vec<RoomState> = (0..day.rooms.len()).map(|_| RoomState::default()).collect();
    let mut books = Books {
        last_ms: 0,
        core_ms: 0.0,
        node_ms: 0.0,
        pipe_ms: 0.0,
        peak_cores: 0,
        peak_nodes: 0,
        peak_pipes: 0,
        loads: Vec::new(),
        busy_load_sum: 0.0,
        busy_samples: 0,
        cores_by_minute: Vec::new(),
    };
    let mut participants_refused = 0;
    let (mut next_sample, mut next_reap) = (0u64, 0u64);
    let mut events = day.events.iter().peekable();
    loop {
        let next_event = events.peek().map_or(u64::MAX, |e| e.at_ms);
        let tick = next_sample.min(next_reap);
        if tick <= next_event && tick < DAY_MS {
            books.advance(&dc, tick);
            if tick == next_reap {
                if workers == Workers::OnDemand {
                    dc.reap_idle(tick, IDLE_TIMEOUT_MS);
                }
                next_reap += REAP_CHECK_MS;
            }
            if tick == next_sample {
                books.sample(&dc);
                next_sample += SAMPLE_MS;
            }
            continue;
        }
        let Some(event) = events.next() else { break };
        books.advance(&dc, event.at_ms);
        let room = &mut rooms[event.room];
        match event.action {
            Action::Join => {
                let publishes = event.participant < day.rooms[event.room].publishers;
                match dc.place(&mut scheduler, room, publishes, event.at_ms) {
                    Some(key) => dc.join(room, event.participant, key, publishes),
                    None => {
                        participants_refused += 1;
                        room.refused = true;
                    }
                }
            }
            Action::Leave => dc.leave(room, event.participant, event.at_ms),
        }
    }
    books.advance(&dc, DAY_MS);
    let peak_worker_load = books.loads.iter().copied().fold(0.0, f64::max);
    let p99_worker_load = quantile(&mut books.loads, 0.99);
    PolicyOutcome {
        policy: policy_name(&scheduler),
        workers: match workers {
            Workers::OnDemand => "on demand, freed after 30 s idle".to_string(),
            Workers::AllAtBoot => "one per core from boot".to_string(),
        },
        watermark: scheduler.watermark,
        room_ceiling: scheduler.room_ceiling,
        core_hours: books.core_ms / 3_600_000.0,
        node_hours: books.node_ms / 3_600_000.0,
        peak_cores: books.peak_cores,
        peak_nodes: books.peak_nodes,
        peak_pipes: books.peak_pipes,
        pipe_hours: books.pipe_ms / 3_600_000.0,
        peak_worker_load,
        p99_worker_load,
        mean_busy_worker_load: if books.busy_samples == 0 { 0.0 } else { books.busy_load_sum / books.busy_samples as f64 },
        rooms_refused: rooms.iter().filter(|r| r.refused).count(),
        participants_refused,
        cores_by_minute: books.cores_by_minute,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Setup {
        Setup { seed: 3, nodes: 4, cores_per_node: 16, rooms: 300, cpu_per_packet_us: 7.5 }
    }

    #[test]
    fn the_simulation_is_deterministic() {
        let (a, b) = (run(small()), run(small()));
        for (x, y) in a.outcomes.iter().zip(&b.outcomes) {
            assert_eq!(x.core_hours, y.core_hours);
            assert_eq!(x.cores_by_minute, y.cores_by_minute);
        }
    }

    fn outcome<'a>(result: &'a SimulationResult, policy: &str, workers: &str) -> &'a PolicyOutcome {
        result.outcomes.iter().find(|o| o.policy == policy && o.workers.starts_with(workers)).expect("policy was run")
    }

    #[test]
    fn pack_uses_fewer_cores_than_round_robin_and_books_balance() {
        let result = run(small());
        let pack = outcome(&result, "pack", "on demand");
        let round_robin = outcome(&result, "round-robin", "on demand");
        assert!(pack.core_hours < round_robin.core_hours, "{} vs {}", pack.core_hours, round_robin.core_hours);
        assert_eq!(pack.rooms_refused, 0);
    }

    #[test]
    fn pack_meets_the_goal_of_issue_13_on_a_small_setup() {
        for seed in [3, 4] {
            let result = run(Setup { seed, ..small() });
            let pack = outcome(&result, "pack", "on demand");
            let v1 = outcome(&result, "pack-v1", "on demand");
            let own = outcome(&result, "one-room-per-worker", "on demand");
            assert!(pack.core_hours <= 1.1 * v1.core_hours, "seed {seed}: {} core-hours vs pack-v1's {}", pack.core_hours, v1.core_hours);
            assert!(pack.node_hours <= 1.1 * v1.node_hours, "seed {seed}: {} node-hours vs {}", pack.node_hours, v1.node_hours);
            assert!(pack.pipe_hours <= 3.0 * own.pipe_hours, "seed {seed}: {} pipe-hours vs {}", pack.pipe_hours, own.pipe_hours);
            assert!(pack.peak_worker_load <= 1.0 && pack.p99_worker_load <= 0.85, "seed {seed}: {} / {}", pack.peak_worker_load, pack.p99_worker_load);
            assert_eq!((pack.rooms_refused, pack.participants_refused), (0, 0), "seed {seed}");
        }
    }
}
