//! The benchmark scenarios. Each returns a serialisable result that `report` turns
//! into tables and plots.

pub mod big_room;
pub mod cluster_scale;
pub mod cross_node;
pub mod isolation;
pub mod pipe_hop;
pub mod small_rooms;
pub mod srtp;

use std::time::Duration;

/// Sizes of a run: `quick` is for CI (all scenarios in well under a minute).
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub quick: bool,
}

impl Scale {
    pub fn pick<T>(&self, quick: T, full: T) -> T {
        if self.quick { quick } else { full }
    }

    pub fn seconds(&self, quick: f64, full: f64) -> Duration {
        Duration::from_secs_f64(self.pick(quick, full))
    }
}

/// Mafalda's pool as the scenarios configure it: short sampling so that measured
/// load follows the traffic while subscribers are added. Worker threads, as these
/// scenarios have always measured; `isolation` compares them with worker processes.
pub fn pool_options(policy: mafalda_core::Policy, max_workers: usize) -> mafalda_core::PoolOptions {
    mafalda_core::PoolOptions {
        backing: mafalda_core::WorkerBacking::Thread,
        policy,
        max_workers: Some(max_workers),
        sample_interval: Duration::from_millis(100),
        ..mafalda_core::PoolOptions::default()
    }
}
