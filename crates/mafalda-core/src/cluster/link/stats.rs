//! How long this node's calls to other nodes took, by op and outcome: cumulative
//! histogram buckets (Prometheus' shape), read by the metrics of the JS layer.

use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Upper bounds (seconds) of the buckets: sub-millisecond on a LAN up to the timeouts.
pub const BUCKETS: [f64; 14] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct OpStats {
    /// Calls at or under each bound (cumulative, as exposed).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct CallStats {
    by_op: Mutex<BTreeMap<(String, &'static str), OpStats>>,
}

impl CallStats {
    pub fn record(&self, op: &str, outcome: &'static str, seconds: f64) {
        let mut by_op = self.by_op.lock();
        let stats = by_op.entry((op.to_string(), outcome)).or_default();
        for (bucket, bound) in stats.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        stats.count += 1;
        stats.sum += seconds;
    }

    /// `{ buckets: [bounds], calls: [{ op, outcome, count, sum, buckets: [cumulative counts] }] }`.
    pub fn json(&self) -> Value {
        let calls: Vec<Value> = self
            .by_op
            .lock()
            .iter()
            .map(|((op, outcome), s)| json!({ "op": op, "outcome": outcome, "count": s.count, "sum": s.sum, "buckets": s.buckets }))
            .collect();
        json!({ "buckets": BUCKETS, "calls": calls })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_by_op_and_outcome() {
        let stats = CallStats::default();
        stats.record("transport.consume", "ok", 0.0007);
        stats.record("transport.consume", "ok", 0.03);
        stats.record("transport.consume", "timeout", 5.0);
        let json = stats.json();
        let calls = json["calls"].as_array().unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0]["outcome"], "ok");
        assert_eq!(calls[0]["count"], 2);
        assert_eq!(calls[0]["buckets"], json!([0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2]));
        assert_eq!(calls[1]["buckets"][12], 1);
        assert_eq!(calls[1]["buckets"][11], 0);
    }
}
