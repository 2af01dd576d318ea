//! What an app-visible object stands on: a mediasoup object of this node, or the
//! same object on another node of the cluster (a `RemoteObject`). Every method of
//! the objects the app sees matches on it, so a local and a remote object behave
//! the same, and the router never needs to know which one it holds.

use crate::cluster::remote::RemoteObject;
use crate::error::Result;
use serde_json::Value;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub(crate) enum Backing<T> {
    Local(T),
    Remote(Arc<RemoteObject>),
}

/// Runs `$local` with the mediasoup object on the control thread, or calls `$op` on
/// the object's node; either way a `Result<Value>`-producing future's output mapped
/// by `$map` (the local result's shape is the remote reply's).
macro_rules! local_or_remote {
    ($slot:expr, $op:literal, $args:expr, |$x:ident| $local:expr) => {{
        match $slot.get()? {
            crate::router::backing::Backing::Local($x) => crate::control::run(move || async move { $local }).await,
            crate::router::backing::Backing::Remote(remote) => {
                let args = $args;
                crate::control::run(move || async move { remote.call($op, args).await }).await.and_then(crate::router::backing::from_reply)
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
