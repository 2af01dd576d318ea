//! Events from native objects to whoever embeds the core (the napi binding).
//!
//! Every object the application can see gets a process-unique `Handle`; events name
//! their target by handle, because ids are not unique (a piped producer keeps the id
//! of its source producer).

use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub type Handle = u64;

static NEXT_HANDLE: AtomicU64 = AtomicU64::new(1);

pub fn next_handle() -> Handle {
    NEXT_HANDLE.fetch_add(1, Ordering::Relaxed)
}

#[derive(Debug, Clone)]
pub struct Event {
    pub target: Handle,
    pub name: &'static str,
    pub data: Value,
    /// Raw payload for binary events (`rtp`, `rtcp`, data channel messages).
    pub bytes: Option<Vec<u8>>,
}

/// Where a `Mafalda` delivers its events. Cheap to clone; called from worker threads.
#[derive(Clone)]
pub struct EventSink(Arc<dyn Fn(Event) + Send + Sync>);

impl EventSink {
    pub fn new(f: impl Fn(Event) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    pub fn noop() -> Self {
        Self::new(|_| {})
    }

    pub fn emit(&self, target: Handle, name: &'static str, data: Value) {
        (self.0)(Event { target, name, data, bytes: None });
    }

    pub fn emit_bytes(&self, target: Handle, name: &'static str, data: Value, bytes: Vec<u8>) {
        (self.0)(Event { target, name, data, bytes: Some(bytes) });
    }
}

impl std::fmt::Debug for EventSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventSink")
    }
}
