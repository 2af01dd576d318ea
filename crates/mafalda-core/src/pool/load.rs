//! How loaded a worker is, as a fraction of one core (1.0 = one core fully busy).
//!
//! Measured CPU moves slowly (it needs traffic and a sampling period), so a burst of
//! creations would all land on the same worker before the figure rises. The load the
//! scheduler sees is therefore the smoothed measurement plus the modelled cost of what
//! was placed recently, a cost that fades as the measurement catches up. (A cost model
//! of everything held would overrate idle objects: the benchmarks saw it move a room
//! to a second worker while the first measured half the watermark.)

use serde::Serialize;
use std::time::{Duration, Instant};

/// Estimated share of one core per object, used until measurements catch up.
/// Calibrated on this machine: one 3.8 worker forwards ~120k packets/s at ~90 % of a
/// core, i.e. ~0.1 % of a core per consumer of a 150 packets/s video stream.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostModel {
    pub transport: f64,
    pub producer: f64,
    pub consumer: f64,
    pub pipe: f64,
}

impl Default for CostModel {
    fn default() -> Self {
        Self { transport: 0.0005, producer: 0.002, consumer: 0.001, pipe: 0.001 }
    }
}

/// What a worker holds, in the units of the cost model.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Holdings {
    pub transports: usize,
    pub producers: usize,
    pub consumers: usize,
    pub pipes: usize,
}

impl Holdings {
    pub fn cost(&self, model: &CostModel) -> f64 {
        self.transports as f64 * model.transport
            + self.producers as f64 * model.producer
            + self.consumers as f64 * model.consumer
            + self.pipes as f64 * model.pipe
    }

    pub fn is_empty(&self) -> bool {
        *self == Holdings::default()
    }
}

/// Exponentially smoothed CPU share of one thread from successive CPU-time readings.
#[derive(Debug, Clone)]
pub struct LoadMeter {
    last: Option<(Duration, Instant)>,
    smoothed: f64,
    /// Weight of the newest sample, 0..=1.
    alpha: f64,
}

impl Default for LoadMeter {
    fn default() -> Self {
        Self { last: None, smoothed: 0.0, alpha: 0.5 }
    }
}

impl LoadMeter {
    /// Feeds the thread's total CPU time read at `now`; returns the smoothed share.
    pub fn sample(&mut self, cpu: Duration, now: Instant) -> f64 {
        if let Some((last_cpu, last_at)) = self.last {
            let wall = now.saturating_duration_since(last_at).as_secs_f64();
            if wall > 0.0 {
                let share = cpu.saturating_sub(last_cpu).as_secs_f64() / wall;
                self.smoothed = self.alpha * share + (1.0 - self.alpha) * self.smoothed;
            }
        }
        self.last = Some((cpu, now));
        self.smoothed
    }

    pub fn value(&self) -> f64 {
        self.smoothed
    }
}

/// Modelled cost of recent placements, halving every `half_life`.
#[derive(Debug, Clone)]
pub struct RecentCost {
    value: f64,
    at: Instant,
    half_life: Duration,
}

impl RecentCost {
    pub fn new(half_life: Duration, now: Instant) -> Self {
        Self { value: 0.0, at: now, half_life }
    }

    pub fn value_at(&self, now: Instant) -> f64 {
        let halvings = now.saturating_duration_since(self.at).as_secs_f64() / self.half_life.as_secs_f64().max(1e-3);
        self.value * 0.5f64.powf(halvings)
    }

    pub fn add(&mut self, cost: f64, now: Instant) {
        self.value = self.value_at(now) + cost;
        self.at = now;
    }
}

/// The figure the scheduler compares with the watermark.
pub fn blended_load(measured: f64, recent: f64) -> f64 {
    measured + recent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meter_converges_to_the_cpu_share() {
        let mut meter = LoadMeter::default();
        let t0 = Instant::now();
        meter.sample(Duration::ZERO, t0);
        let mut load = 0.0;
        for i in 1..=10 {
            // 0.3 s of CPU per second of wall time.
            load = meter.sample(Duration::from_millis(300 * i), t0 + Duration::from_secs(i));
        }
        assert!((load - 0.3).abs() < 0.01, "{load}");
    }

    #[test]
    fn burst_of_creations_counts_before_cpu_moves_then_fades() {
        let model = CostModel::default();
        let burst = Holdings { transports: 10, producers: 10, consumers: 100, pipes: 0 };
        let t0 = Instant::now();
        let mut recent = RecentCost::new(Duration::from_secs(1), t0);
        recent.add(burst.cost(&model), t0);
        let expected = 10.0 * 0.0005 + 10.0 * 0.002 + 100.0 * 0.001;
        assert!((blended_load(0.0, recent.value_at(t0)) - expected).abs() < 1e-9);
        // Two half-lives later the measurement is in charge again.
        let later = recent.value_at(t0 + Duration::from_secs(2));
        assert!((later - expected / 4.0).abs() < 1e-9);
        assert!((blended_load(0.3, later) - (0.3 + expected / 4.0)).abs() < 1e-9);
    }
}
