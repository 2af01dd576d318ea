//! An object of one of our routers that lives on another node: its handle there,
//! and calls to it. Its events come back on this node's events subject and are
//! routed (by the `Cluster`) to its listeners: the proxy's own bookkeeping, and the
//! app's event sink under the proxy's local handle.

use crate::cluster::Cluster;
use crate::error::{invalid_state, ErrorKind, MafaldaError, Result};
use crate::events::{EventSink, Handle};
use parking_lot::Mutex;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub type Listener = Arc<dyn Fn(&str, &Value) + Send + Sync>;

pub struct RemoteObject {
    pub node: String,
    /// The object's handle on `node`.
    pub handle: u64,
    /// Getter state when it was created (mediasoup's JS shape).
    pub data: Value,
    pub cluster: Arc<Cluster>,
    /// Its node is lost or it closed there: no more calls.
    gone: AtomicBool,
    listeners: Mutex<Vec<Listener>>,
}

impl std::fmt::Debug for RemoteObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RemoteObject({}@{})", self.handle, self.node)
    }
}

impl RemoteObject {
    /// Registered for its events at once (before any event can arrive for it, since
    /// the reply that created it came first on the same connection).
    pub fn new(cluster: &Arc<Cluster>, node: &str, handle: u64, data: Value) -> Arc<Self> {
        let object = Arc::new(Self {
            node: node.to_string(),
            handle,
            data,
            cluster: cluster.clone(),
            gone: AtomicBool::new(false),
            listeners: Mutex::new(Vec::new()),
        });
        cluster.route_events(&object);
        object
    }

    pub async fn call(&self, op: &str, args: Value) -> Result<Value> {
        if self.is_gone() {
            return Err(invalid_state(format!("{op}: node {} of this object is gone", self.node)));
        }
        self.cluster.link.call(&self.node, op, Some(self.handle), args).await
    }

    /// `op` on this object creates another one on the same node (a transport of a
    /// router's part, a producer of a transport…): the new object's proxy and its id.
    pub async fn create(&self, op: &str, args: Value) -> Result<(Arc<RemoteObject>, String)> {
        let reply = self.call(op, args).await?;
        let (Some(handle), Some(id)) = (reply["handle"].as_u64(), reply["id"].as_str()) else {
            return Err(MafaldaError::new(ErrorKind::Other, format!("node {} answered {op} without a handle or id", self.node)));
        };
        Ok((RemoteObject::new(&self.cluster, &self.node, handle, reply["data"].clone()), id.to_string()))
    }

    /// Its events go to the app's `sink` under the proxy's `handle`. `closing` is the
    /// event that says it closed there (e.g. `producerclose`): it is then marked gone
    /// and its `close` runs here, on the control thread.
    pub fn forward_events(self: &Arc<Self>, sink: EventSink, handle: Handle, closing: Option<(&'static str, Arc<dyn Fn() + Send + Sync>)>) {
        let gone = Arc::downgrade(self);
        self.listen(Arc::new(move |name, data| {
            if let Some(name) = event_name(name) {
                sink.emit(handle, name, data.clone());
            }
            let Some((closing, close)) = &closing else { return };
            if name == *closing {
                if let Some(remote) = gone.upgrade() {
                    remote.mark_gone();
                }
                let close = close.clone();
                crate::control::spawn(move || async move { close() });
            }
        }));
    }

    /// Closes it there without waiting (closing is synchronous in mediasoup's API).
    pub fn close(self: &Arc<Self>, op: &'static str) {
        if self.gone.swap(true, Ordering::SeqCst) {
            self.cluster.unroute_events(self);
            return;
        }
        let this = self.clone();
        crate::control::spawn(move || async move {
            let _ = this.cluster.link.call(&this.node, op, Some(this.handle), Value::Null).await;
            this.cluster.unroute_events(&this);
        });
    }

    /// It is gone on its side (node lost, or closed there): calls fail from now on.
    pub fn mark_gone(&self) {
        self.gone.store(true, Ordering::SeqCst);
    }

    pub fn is_gone(&self) -> bool {
        self.gone.load(Ordering::SeqCst)
    }

    pub fn listen(&self, listener: Listener) {
        self.listeners.lock().push(listener);
    }

    pub(crate) fn deliver(&self, name: &str, data: &Value) {
        let listeners: Vec<Listener> = self.listeners.lock().clone();
        for listener in listeners {
            listener(name, data);
        }
    }
}

/// The events an object of another node may send, as the static names the event
/// sink takes; anything else is dropped.
pub fn event_name(name: &str) -> Option<&'static str> {
    const NAMES: &[&str] = &[
        "icestatechange", "iceselectedtuplechange", "dtlsstatechange", "sctpstatechange", "tuple", "rtcptuple",
        "trace", "score", "videoorientationchange", "producerpause", "producerresume", "layerschange",
        "producerclose", "routerclose", "dataproducerclose", "bufferedamountlow", "sctpsendbufferfull",
        "volumes", "silence", "dominantspeaker",
    ];
    NAMES.iter().find(|n| **n == name).copied()
}
