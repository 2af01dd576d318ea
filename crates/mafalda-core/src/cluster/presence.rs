//! Who is in the cluster: the table of nodes seen on the heartbeat subject.
//!
//! Pure bookkeeping (time is passed in), so its rules are unit-tested: a node
//! appears with its first heartbeat, is lost after `node_timeout` without one or
//! when it says bye, and one that comes back with a new incarnation is a new node.

use crate::cluster::protocol::NodeInfo;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Added(String),
    Lost(String),
}

struct Entry {
    info: NodeInfo,
    last_seen: Instant,
}

#[derive(Default)]
pub struct NodeTable {
    nodes: BTreeMap<String, Entry>,
}

impl NodeTable {
    /// A heartbeat arrived.
    pub fn observe(&mut self, info: NodeInfo, now: Instant) -> Vec<Change> {
        let id = info.node_id.clone();
        let mut changes = Vec::new();
        match self.nodes.get_mut(&id) {
            Some(entry) if entry.info.incarnation == info.incarnation => {
                entry.info = info;
                entry.last_seen = now;
                return changes;
            }
            Some(_) => changes.push(Change::Lost(id.clone())),
            None => {}
        }
        self.nodes.insert(id.clone(), Entry { info, last_seen: now });
        changes.push(Change::Added(id));
        changes
    }

    /// A node said bye (only its current incarnation counts).
    pub fn remove(&mut self, node_id: &str, incarnation: &str) -> Option<Change> {
        let entry = self.nodes.get(node_id)?;
        if entry.info.incarnation != incarnation {
            return None;
        }
        self.nodes.remove(node_id);
        Some(Change::Lost(node_id.to_string()))
    }

    /// Nodes silent for longer than `timeout` are lost.
    pub fn sweep(&mut self, now: Instant, timeout: Duration) -> Vec<Change> {
        let lost: Vec<String> = self
            .nodes
            .iter()
            .filter(|(_, e)| now.saturating_duration_since(e.last_seen) > timeout)
            .map(|(id, _)| id.clone())
            .collect();
        for id in &lost {
            self.nodes.remove(id);
        }
        lost.into_iter().map(Change::Lost).collect()
    }

    /// After this node's own outage: nobody could be heard, so everyone gets a fresh
    /// timeout from now rather than being declared lost.
    pub fn forgive(&mut self, now: Instant) {
        for entry in self.nodes.values_mut() {
            entry.last_seen = now;
        }
    }

    /// Everyone is lost (we were away too long to be still known to them).
    pub fn clear(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.nodes).into_keys().map(Change::Lost).collect()
    }

    pub fn get(&self, node_id: &str) -> Option<&NodeInfo> {
        self.nodes.get(node_id).map(|e| &e.info)
    }

    pub fn all(&self) -> Vec<NodeInfo> {
        self.nodes.values().map(|e| e.info.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, incarnation: &str) -> NodeInfo {
        NodeInfo {
            node_id: id.into(),
            incarnation: incarnation.into(),
            announced_address: "127.0.0.2".into(),
            listen_ip: "127.0.0.2".into(),
            max_workers: 1,
            workers: vec![],
            shards: 0,
            draining: false,
        }
    }

    #[test]
    fn a_node_appears_once_and_is_lost_after_the_timeout() {
        let mut table = NodeTable::default();
        let t0 = Instant::now();
        assert_eq!(table.observe(info("a", "1"), t0), vec![Change::Added("a".into())]);
        assert_eq!(table.observe(info("a", "1"), t0 + Duration::from_millis(900)), vec![]);
        assert_eq!(table.sweep(t0 + Duration::from_millis(3800), Duration::from_secs(3)), vec![]);
        assert_eq!(table.sweep(t0 + Duration::from_millis(4000), Duration::from_secs(3)), vec![Change::Lost("a".into())]);
        assert!(table.get("a").is_none());
    }

    #[test]
    fn a_restarted_node_is_a_new_node() {
        let mut table = NodeTable::default();
        let t0 = Instant::now();
        table.observe(info("a", "1"), t0);
        assert_eq!(table.observe(info("a", "2"), t0), vec![Change::Lost("a".into()), Change::Added("a".into())]);
        // A late bye of the old incarnation does not remove the new one.
        assert_eq!(table.remove("a", "1"), None);
        assert_eq!(table.remove("a", "2"), Some(Change::Lost("a".into())));
    }

    #[test]
    fn after_an_outage_of_our_own_everyone_gets_a_fresh_timeout() {
        let mut table = NodeTable::default();
        let t0 = Instant::now();
        table.observe(info("a", "1"), t0);
        table.forgive(t0 + Duration::from_secs(10));
        assert_eq!(table.sweep(t0 + Duration::from_secs(12), Duration::from_secs(3)), vec![]);
        assert_eq!(table.sweep(t0 + Duration::from_secs(14), Duration::from_secs(3)), vec![Change::Lost("a".into())]);
    }
}
