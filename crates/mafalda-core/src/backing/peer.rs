//! Where remote objects live: another node of the cluster (NATS) or a worker host
//! process of this node (a local channel). A `RemoteObject` calls through its peer
//! and never knows which one it is; only the bookkeeping that differs between "on
//! another server" and "in a process of this server" asks `node()`.

use crate::backing::remote::RemoteObject;
use crate::error::Result;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type CallFuture = Pin<Box<dyn Future<Output = Result<Value>> + Send>>;

pub trait Peer: Send + Sync + 'static {
    /// For messages: "node n1", "worker process 4242".
    fn name(&self) -> String;

    /// The cluster node its objects live on; `None`: a worker host of this node.
    fn node(&self) -> Option<&str>;

    /// `op` on the object `target` there (none: on the peer itself): its reply, or
    /// the error there with its class kept. `bytes` carry a binary payload (RTP,
    /// a data message) where the link can.
    fn call(&self, op: &str, target: Option<u64>, args: Value, bytes: Option<Vec<u8>>) -> CallFuture;

    /// `op` on `target` without waiting for an answer, delivered in the order of
    /// these calls (RTP and messages an app sends through a DirectTransport).
    fn notify(&self, op: &str, target: u64, args: Value, bytes: Vec<u8>) -> Result<()>;

    /// `object`'s events are delivered to it from now on.
    fn route(&self, object: &Arc<RemoteObject>);

    /// No more events for the object of handle `handle` there.
    fn unroute(&self, handle: u64);
}
