//! What nodes say to each other over NATS: subjects and message bodies (JSON).
//!
//! - `mafalda.heartbeat`: every node's `NodeInfo`, every `heartbeatInterval`.
//! - `mafalda.bye`: a node that closes says so, so that others need not wait for the timeout.
//! - `mafalda.node.<id>.call`: requests to one node (`Call` → `Reply`), request/reply
//!   with a timeout; "no responders" means the node is gone.
//! - `mafalda.node.<id>.events`: events of objects that node owns on other nodes.
//!
//! The calls and events themselves (`Call`, `Reply`, `RemoteEvent`) are the seam's
//! (`backing/protocol.rs`): a worker host speaks them too.

use serde::{Deserialize, Serialize};

pub const HEARTBEAT: &str = "mafalda.heartbeat";
pub const BYE: &str = "mafalda.bye";

pub fn calls_of(node_id: &str) -> String {
    format!("mafalda.node.{node_id}.call")
}

pub fn events_of(node_id: &str) -> String {
    format!("mafalda.node.{node_id}.events")
}

/// A node id becomes a subject token: no dots, wildcards or spaces.
pub fn valid_node_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 128 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WorkerInfo {
    pub id: String,
    pub load: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    pub node_id: String,
    /// Changes when a node with the same id starts again: that is a new node.
    pub incarnation: String,
    pub announced_address: String,
    pub listen_ip: String,
    pub max_workers: usize,
    pub workers: Vec<WorkerInfo>,
    /// Routers (by id) this node holds a part of, for whichever owner.
    pub shards: usize,
    pub draining: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Bye {
    #[serde(rename = "nodeId")]
    pub node_id: String,
    pub incarnation: String,
}
