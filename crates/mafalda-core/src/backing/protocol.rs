//! The call/event protocol between an object's owner and the process that hosts it,
//! the same over both links: NATS between nodes (`cluster/link.rs`) and the local
//! channel to a worker host (`host/channel.rs`).
//!
//! - A `Call` names an operation (`op`: mediasoup's, e.g. `transport.consume`) on a
//!   hosted object (`target`: its handle there; none for `router.create` and the
//!   worker-level calls), with mediasoup's JSON shapes as `args`.
//! - Its `Reply` is the value, or the error with its JavaScript class.
//! - A `RemoteEvent` is an event of a hosted object, for its owner.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A request to an object hosted elsewhere. `from` is the owner asking (a node id,
/// or the parent of a worker host).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Call {
    pub from: String,
    pub op: String,
    #[serde(default)]
    pub target: Option<u64>,
    #[serde(default)]
    pub args: Value,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Reply {
    Ok(Value),
    Error { kind: String, message: String },
}

/// An event of an object hosted on `from`, for its owner. Events that change the
/// object's getters (`dtlsstatechange`, `layerschange`, ...) carry its getter state
/// after them, so that the owner's proxy answers them as the object would.
#[derive(Debug, Serialize, Deserialize)]
pub struct RemoteEvent {
    pub from: String,
    pub target: u64,
    pub name: String,
    #[serde(default)]
    pub data: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Value>,
}
