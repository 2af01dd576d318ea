//! The seam between a router and what its objects stand on. Three backings:
//!
//! - `thread`: a mediasoup object of a worker thread of this process (`Local`);
//! - `process`: the same object in a worker host process of this node, reached over
//!   a local channel (`Remote`, its peer a `host::HostProcess`);
//! - a node: the same object on another server of the cluster, reached over NATS
//!   (`Remote`, its peer a node of `cluster::Cluster`).
//!
//! The two remote backings speak one protocol (`protocol`) to one serving side
//! (`serve`), through one proxy (`remote::RemoteObject`). Every method of the
//! objects the app sees matches on `Backing`, so the router treats all three alike.

pub mod nodes;
pub mod peer;
pub mod protocol;
pub mod remote;

use crate::backing::remote::RemoteObject;
use crate::error::Result;
use serde_json::Value;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub(crate) enum Backing<T> {
    Local(T),
    Remote(Arc<RemoteObject>),
}

/// Runs `$local` with the mediasoup object on the control thread, or calls `$op` on
/// the object where it lives; either way a `Result<Value>`-producing future's output
/// mapped by `$map` (the local result's shape is the remote reply's).
macro_rules! local_or_remote {
    ($slot:expr, $op:literal, $args:expr, |$x:ident| $local:expr) => {{
        match $slot.get()? {
            crate::backing::Backing::Local($x) => crate::control::run(move || async move { $local }).await,
            crate::backing::Backing::Remote(remote) => {
                let args = $args;
                crate::control::run(move || async move { remote.call($op, args).await }).await.and_then(crate::backing::from_reply)
            }
        }
    }};
}
pub(crate) use local_or_remote;

/// A remote reply where the local call gives `()` or a JSON value.
pub(crate) fn from_reply<T: FromReply>(value: Value) -> Result<T> {
    Ok(T::from_reply(value))
}

pub(crate) trait FromReply {
    fn from_reply(value: Value) -> Self;
}

impl FromReply for () {
    fn from_reply(_: Value) -> Self {}
}

impl FromReply for Value {
    fn from_reply(value: Value) -> Self {
        value
    }
}
