//! Latency histogram: 1 µs buckets up to 10 ms, 100 µs buckets up to ~1 s.

use serde::Serialize;

const FINE_LIMIT_US: u64 = 10_000;
const COARSE_STEP_US: u64 = 100;
const BUCKETS: usize = 20_000;

#[derive(Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

#[derive(Debug, Clone, Copy, Default, Serialize, serde::Deserialize)]
pub struct Percentiles {
    pub samples: u64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self { counts: vec![0; BUCKETS], total: 0 }
    }
}

impl Histogram {
    pub fn record_ns(&mut self, ns: u64) {
        let us = ns / 1000;
        let bucket = if us < FINE_LIMIT_US { us } else { FINE_LIMIT_US + (us - FINE_LIMIT_US) / COARSE_STEP_US };
        self.counts[(bucket as usize).min(BUCKETS - 1)] += 1;
        self.total += 1;
    }

    fn bucket_us(bucket: usize) -> f64 {
        let b = bucket as u64;
        if b < FINE_LIMIT_US { b as f64 } else { (FINE_LIMIT_US + (b - FINE_LIMIT_US) * COARSE_STEP_US) as f64 }
    }

    /// Upper-bound style quantile: the bucket where the running count reaches `q`.
    pub fn quantile_us(&self, q: f64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bucket, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Self::bucket_us(bucket);
            }
        }
        Self::bucket_us(BUCKETS - 1)
    }

    pub fn percentiles(&self) -> Percentiles {
        Percentiles { samples: self.total, p50_us: self.quantile_us(0.5), p99_us: self.quantile_us(0.99), max_us: self.quantile_us(1.0) }
    }
}

/// Quantile of raw values (sorted in place).
pub fn quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_a_uniform_spread() {
        let mut h = Histogram::default();
        for us in 1..=1000 {
            h.record_ns(us * 1000);
        }
        assert_eq!(h.quantile_us(0.5), 500.0);
        assert_eq!(h.quantile_us(0.99), 990.0);
        h.record_ns(50_000_000);
        assert_eq!(h.quantile_us(1.0), 50_000.0);
    }
}
