//! What a router needs of the cluster it belongs to. `cluster::Cluster` implements
//! it; the router sees only this, so it depends on the seam and not on NATS.

use crate::backing::peer::Peer;
use crate::error::Result;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;

pub trait Nodes: Send + Sync {
    fn node_id(&self) -> &str;

    /// This node takes no new placements.
    fn draining(&self) -> bool;

    /// The node a new object of a router holding parts on `holding` goes to (this
    /// one included); the decision is kept for `dump()`.
    fn choose(&self, holding: &HashSet<String>, subject: &str) -> Result<String>;

    /// A transport's options listen on this node's `listenIp` and announce its address.
    fn localize(&self, options: &mut Value);

    /// The link to the objects of `node`.
    fn peer(&self, node: &str) -> Arc<dyn Peer>;
}
