//! The objects of another node, as the seam sees them: calls go over NATS
//! (`link.rs`), events come back on this node's events subject and are routed by
//! the `Cluster` to their proxies.

use crate::backing::peer::{CallFuture, Peer};
use crate::backing::remote::RemoteObject;
use crate::cluster::Cluster;
use crate::error::{unsupported, Result};
use serde_json::Value;
use std::sync::{Arc, Weak};

pub struct NodePeer {
    cluster: Weak<Cluster>,
    node: String,
}

impl NodePeer {
    pub fn new(cluster: Weak<Cluster>, node: &str) -> Self {
        Self { cluster, node: node.to_string() }
    }
}

impl Peer for NodePeer {
    fn name(&self) -> String {
        format!("node {}", self.node)
    }

    fn node(&self) -> Option<&str> {
        Some(&self.node)
    }

    fn call(&self, op: &str, target: Option<u64>, args: Value, bytes: Option<Vec<u8>>) -> CallFuture {
        let (cluster, node, op) = (self.cluster.upgrade(), self.node.clone(), op.to_string());
        Box::pin(async move {
            if bytes.is_some() {
                return Err(unsupported(format!("{op} with a binary payload to node {node} (binary data stays on its node)")));
            }
            let Some(cluster) = cluster else { return Err(crate::error::invalid_state(format!("{op}: this node left its cluster"))) };
            cluster.link.call(&node, &op, target, args).await
        })
    }

    fn notify(&self, op: &str, _target: u64, _args: Value, _bytes: Vec<u8>) -> Result<()> {
        Err(unsupported(format!("{op} to node {} (binary data stays on its node)", self.node)))
    }

    fn route(&self, object: &Arc<RemoteObject>) {
        if let Some(cluster) = self.cluster.upgrade() {
            cluster.route_events(&self.node, object);
        }
    }

    fn unroute(&self, handle: u64) {
        if let Some(cluster) = self.cluster.upgrade() {
            cluster.unroute_events(&self.node, handle);
        }
    }
}
