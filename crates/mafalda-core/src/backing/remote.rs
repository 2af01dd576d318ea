//! An object of one of our routers that lives elsewhere: on another node, or in a
//! worker host process. Its handle there, calls to it, and its events, which come
//! back through its peer and go to its listeners: the proxy's own bookkeeping, and
//! the app's event sink under the proxy's local handle.

use crate::backing::peer::Peer;
use crate::error::{invalid_state, ErrorKind, MafaldaError, Result};
use crate::events::{EventSink, Handle};
use parking_lot::Mutex;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// An event: its name, its JSON data and, for binary events, its payload.
pub type Listener = Arc<dyn Fn(&str, &Value, Option<&[u8]>) + Send + Sync>;

pub struct RemoteObject {
    peer: Arc<dyn Peer>,
    /// The object's handle where it lives.
    pub handle: u64,
    /// Getter state (mediasoup's JS shape): as created, refreshed by the events and
    /// the calls that change it.
    data: Mutex<Value>,
    /// Its peer is gone or it closed there: no more calls.
    gone: AtomicBool,
    listeners: Mutex<Vec<Listener>>,
}

impl std::fmt::Debug for RemoteObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RemoteObject({} on {})", self.handle, self.peer.name())
    }
}

impl RemoteObject {
    /// Routed for its events at once (before any event can arrive for it, since the
    /// reply that created it came first on the same link).
    pub fn new(peer: Arc<dyn Peer>, handle: u64, data: Value) -> Arc<Self> {
        let object = Arc::new(Self { peer, handle, data: Mutex::new(data), gone: AtomicBool::new(false), listeners: Mutex::new(Vec::new()) });
        object.peer.route(&object);
        object
    }

    /// The cluster node it lives on; `None`: a worker host of this node.
    pub fn node(&self) -> Option<String> {
        self.peer.node().map(str::to_string)
    }

    pub fn peer(&self) -> &Arc<dyn Peer> {
        &self.peer
    }

    /// Its getter state, as last known.
    pub fn data(&self) -> Value {
        self.data.lock().clone()
    }

    /// Its getter state changed there (a call's reply or an event carried it).
    pub fn refresh(&self, data: Value) {
        if data.is_object() {
            *self.data.lock() = data;
        }
    }

    pub async fn call(&self, op: &str, args: Value) -> Result<Value> {
        self.call_with(op, args, None).await
    }

    /// A call carrying a binary payload (a data message to send).
    pub async fn call_with(&self, op: &str, args: Value, bytes: Option<Vec<u8>>) -> Result<Value> {
        if self.is_gone() {
            return Err(invalid_state(format!("{op}: {} of this object is gone", self.peer.name())));
        }
        self.peer.call(op, Some(self.handle), args, bytes).await
    }

    /// Fire and forget, in order (RTP or a message from the app).
    pub fn notify(&self, op: &str, args: Value, bytes: Vec<u8>) -> Result<()> {
        if self.is_gone() {
            return Err(invalid_state(format!("{op}: {} of this object is gone", self.peer.name())));
        }
        self.peer.notify(op, self.handle, args, bytes)
    }

    /// `op` on this object creates another one in the same place (a transport of a
    /// router's part, a producer of a transport…): the new object's proxy and its id.
    pub async fn create(&self, op: &str, args: Value) -> Result<(Arc<RemoteObject>, String)> {
        let reply = self.call(op, args).await?;
        created(&self.peer, op, reply)
    }

    /// Its events go to the app's `sink` under the proxy's `handle`. `closing` is the
    /// event that says it closed there (e.g. `producerclose`): it is then marked gone
    /// and its `close` runs here, on the control thread.
    pub fn forward_events(self: &Arc<Self>, sink: EventSink, handle: Handle, closing: Option<(&'static str, Arc<dyn Fn() + Send + Sync>)>) {
        let gone = Arc::downgrade(self);
        self.listen(Arc::new(move |name, data, bytes| {
            match (event_name(name), bytes) {
                (Some(name), Some(bytes)) => sink.emit_bytes(handle, name, data.clone(), bytes.to_vec()),
                (Some(name), None) => sink.emit(handle, name, data.clone()),
                (None, _) => {}
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
            self.peer.unroute(self.handle);
            return;
        }
        let this = self.clone();
        crate::control::spawn(move || async move {
            let _ = this.peer.call(op, Some(this.handle), Value::Null, None).await;
            this.peer.unroute(this.handle);
        });
    }

    /// It is gone on its side (peer lost, or closed there): calls fail from now on.
    pub fn mark_gone(&self) {
        self.gone.store(true, Ordering::SeqCst);
    }

    pub fn is_gone(&self) -> bool {
        self.gone.load(Ordering::SeqCst)
    }

    pub fn listen(&self, listener: Listener) {
        self.listeners.lock().push(listener);
    }

    /// An event of the object; `state` is its getter state after it, if the event
    /// carried it.
    pub(crate) fn deliver(&self, name: &str, data: &Value, bytes: Option<&[u8]>, state: Option<Value>) {
        if let Some(state) = state {
            self.refresh(state);
        }
        let listeners: Vec<Listener> = self.listeners.lock().clone();
        for listener in listeners {
            listener(name, data, bytes);
        }
    }
}

/// The proxy of an object a call created on `peer` (its reply names its handle and id).
pub fn created(peer: &Arc<dyn Peer>, op: &str, reply: Value) -> Result<(Arc<RemoteObject>, String)> {
    let (Some(handle), Some(id)) = (reply["handle"].as_u64(), reply["id"].as_str()) else {
        return Err(MafaldaError::new(ErrorKind::Other, format!("{} answered {op} without a handle or id", peer.name())));
    };
    let id = id.to_string();
    Ok((RemoteObject::new(peer.clone(), handle, reply["data"].clone()), id))
}

/// The events a hosted object may send, as the static names the event sink takes;
/// anything else is dropped.
pub fn event_name(name: &str) -> Option<&'static str> {
    const NAMES: &[&str] = &[
        "icestatechange", "iceselectedtuplechange", "dtlsstatechange", "sctpstatechange", "tuple", "rtcptuple",
        "trace", "score", "videoorientationchange", "producerpause", "producerresume", "layerschange",
        "producerclose", "routerclose", "dataproducerclose", "bufferedamountlow", "sctpsendbufferfull",
        "volumes", "silence", "dominantspeaker", "rtp", "rtcp", "message",
    ];
    NAMES.iter().find(|n| **n == name).copied()
}
