//! Which node a new transport goes to: the pool's scheduler lifted to nodes. Pure,
//! like `pool::scheduler`; the chosen node's own pool then picks the worker.
//!
//! - `pack`: this node while it has headroom (a free core or a worker under the
//!   watermark), then a node already holding the router, then the least loaded node
//!   with headroom, then the least loaded node at all.
//! - `spread`: round-robin over every worker slot of every node (`maxWorkers` each).
//! - `least-loaded`: the node whose least loaded worker (a free core counts as 0) is lowest.
//!
//! Nodes that are draining or host no media (`maxWorkers: 0`) get nothing.

use crate::pool::scheduler::Policy;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeCandidate {
    pub node_id: String,
    pub is_self: bool,
    pub max_workers: usize,
    /// Load of each running worker, fraction of one core.
    pub loads: Vec<f64>,
    pub draining: bool,
    /// Whether the router being placed already has a part there.
    pub holds_router: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeReason {
    ThisNodeHasHeadroom,
    NodeHoldingTheRouter,
    LeastLoadedWithHeadroom,
    AllNodesFullLeastLoaded,
    RoundRobin,
    LeastLoaded,
}

impl NodeCandidate {
    fn eligible(&self) -> bool {
        !self.draining && self.max_workers > 0
    }

    fn headroom(&self, watermark: f64) -> bool {
        self.loads.len() < self.max_workers || self.loads.iter().any(|l| *l < watermark)
    }

    /// The load a new transport would meet there.
    fn least_load(&self) -> f64 {
        if self.loads.len() < self.max_workers {
            0.0
        } else {
            self.loads.iter().copied().fold(f64::INFINITY, f64::min)
        }
    }
}

fn least_loaded<'a>(nodes: impl Iterator<Item = &'a NodeCandidate>) -> Option<&'a NodeCandidate> {
    // Ties go to this node (no pipe to another server), then to the lowest id.
    nodes.min_by(|a, b| {
        a.least_load()
            .total_cmp(&b.least_load())
            .then(b.is_self.cmp(&a.is_self))
            .then(a.node_id.cmp(&b.node_id))
    })
}

/// `turn` counts `spread` placements. `None`: no node can take anything.
pub fn choose_node(policy: Policy, watermark: f64, nodes: &[NodeCandidate], turn: usize) -> Option<(String, NodeReason)> {
    let eligible = || nodes.iter().filter(|n| n.eligible());
    let pick = |n: &NodeCandidate, reason| Some((n.node_id.clone(), reason));
    match policy {
        Policy::Spread => {
            let mut sorted: Vec<&NodeCandidate> = eligible().collect();
            sorted.sort_by(|a, b| a.node_id.cmp(&b.node_id));
            let slots: Vec<&NodeCandidate> = sorted.iter().flat_map(|n| std::iter::repeat_n(*n, n.max_workers)).collect();
            let node = slots.get(turn % slots.len().max(1))?;
            pick(node, NodeReason::RoundRobin)
        }
        Policy::LeastLoaded => least_loaded(eligible()).and_then(|n| pick(n, NodeReason::LeastLoaded)),
        Policy::Pack | Policy::OneRoomPerWorker => {
            if let Some(me) = eligible().find(|n| n.is_self && n.headroom(watermark)) {
                return pick(me, NodeReason::ThisNodeHasHeadroom);
            }
            if let Some(n) = least_loaded(eligible().filter(|n| n.holds_router && n.headroom(watermark))) {
                return pick(n, NodeReason::NodeHoldingTheRouter);
            }
            if let Some(n) = least_loaded(eligible().filter(|n| n.headroom(watermark))) {
                return pick(n, NodeReason::LeastLoadedWithHeadroom);
            }
            least_loaded(eligible()).and_then(|n| pick(n, NodeReason::AllNodesFullLeastLoaded))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, is_self: bool, max_workers: usize, loads: &[f64]) -> NodeCandidate {
        NodeCandidate {
            node_id: id.into(),
            is_self,
            max_workers,
            loads: loads.to_vec(),
            draining: false,
            holds_router: false,
        }
    }

    #[test]
    fn pack_fills_this_node_then_the_router_s_node_then_the_least_loaded() {
        let mut nodes = vec![node("me", true, 1, &[0.3]), node("b", false, 1, &[0.5]), node("c", false, 1, &[0.1])];
        assert_eq!(choose_node(Policy::Pack, 0.6, &nodes, 0), Some(("me".into(), NodeReason::ThisNodeHasHeadroom)));
        nodes[0].loads = vec![0.9];
        assert_eq!(choose_node(Policy::Pack, 0.6, &nodes, 0), Some(("c".into(), NodeReason::LeastLoadedWithHeadroom)));
        nodes[1].holds_router = true;
        assert_eq!(choose_node(Policy::Pack, 0.6, &nodes, 0), Some(("b".into(), NodeReason::NodeHoldingTheRouter)));
        for n in &mut nodes {
            n.loads = vec![0.95];
        }
        nodes[2].loads = vec![0.7];
        assert_eq!(choose_node(Policy::Pack, 0.6, &nodes, 0), Some(("c".into(), NodeReason::AllNodesFullLeastLoaded)));
    }

    #[test]
    fn signaling_only_and_draining_nodes_get_nothing() {
        let mut nodes = vec![node("me", true, 0, &[]), node("b", false, 1, &[])];
        assert_eq!(choose_node(Policy::Pack, 0.6, &nodes, 0).map(|c| c.0), Some("b".into()));
        nodes[1].draining = true;
        assert_eq!(choose_node(Policy::Pack, 0.6, &nodes, 0), None);
        assert_eq!(choose_node(Policy::Spread, 0.6, &nodes, 3), None);
    }

    #[test]
    fn spread_round_robins_over_every_worker_slot() {
        let nodes = vec![node("me", true, 0, &[]), node("b", false, 1, &[]), node("a", false, 2, &[0.1])];
        let picks: Vec<String> = (0..6).map(|t| choose_node(Policy::Spread, 0.6, &nodes, t).unwrap().0).collect();
        assert_eq!(picks, ["a", "a", "b", "a", "a", "b"]);
    }

    #[test]
    fn least_loaded_counts_a_free_core_as_idle_and_prefers_this_node_on_ties() {
        let nodes = vec![node("b", false, 2, &[0.4]), node("me", true, 1, &[0.2])];
        assert_eq!(choose_node(Policy::LeastLoaded, 0.6, &nodes, 0).map(|c| c.0), Some("b".into()));
        let nodes = vec![node("b", false, 1, &[0.2]), node("me", true, 1, &[0.2])];
        assert_eq!(choose_node(Policy::LeastLoaded, 0.6, &nodes, 0).map(|c| c.0), Some("me".into()));
    }
}
