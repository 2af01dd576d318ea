//! The serving side of the seam: objects this process hosts for an owner elsewhere,
//! and the calls it answers on them. One serving code for both remote backings:
//!
//! - a worker host process serves its parent (`over_channel`, the host binary's loop);
//! - a node of a cluster serves the routers of other nodes (`cluster::Cluster`, over NATS).
//!
//! A hosted router is an ordinary `MafaldaRouter` of this process's pool (a *part*:
//! its owner's router's share here); calls speak mediasoup's JSON shapes, read by
//! the same `shapes` as the napi binding, so a call here behaves as the same call
//! from JS would. `Serving` is what differs between the two: the pool, the IPs a
//! transport made here listens on, and where the events go.

pub mod agent;
pub mod hosted;
pub mod over_channel;

use crate::events::EventSink;
use crate::pool::WorkerPool;
use serde_json::Value;

pub use agent::Agent;

pub trait Serving: Send + Sync {
    /// The pool hosted parts live on.
    fn pool(&self) -> &WorkerPool;

    /// A transport made here for another owner listens on this host's IPs (a node's
    /// `listenIp` and `announcedAddress`; a worker host keeps the owner's).
    fn localize(&self, options: &mut Value);

    /// Where the events of the objects hosted for `owner` go.
    fn events_for(&self, owner: &str) -> EventSink;
}
