//! `MafaldaConsumer`: an app-visible consumer. When its producer lives on another
//! worker it holds a `PipeLease`; closing the consumer returns the lease.

use crate::control;
use crate::error::{from_mediasoup, Result};
use crate::events::{next_handle, EventSink, Handle};
use crate::pool::load::Holdings;
use crate::router::pipes::PipeLease;
use crate::router::{RouterInner, WeakRouter};
use crate::slot::Slot;
use crate::router::transport::TransportInner;
use mediasoup::consumer::ConsumerTraceEventType;
use mediasoup::prelude::*;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::sync::{Arc, Weak};

pub(crate) struct ConsumerInner {
    pub handle: Handle,
    pub id: ConsumerId,
    pub producer_id: ProducerId,
    key: u64,
    pub consumer: Slot<Consumer>,
    lease: Mutex<Option<PipeLease>>,
    transport: Weak<TransportInner>,
    router: WeakRouter,
}

#[derive(Clone)]
pub struct MafaldaConsumer {
    pub(crate) inner: Arc<ConsumerInner>,
}

impl MafaldaConsumer {
    pub(crate) fn new(
        router: &Arc<RouterInner>,
        transport: &Arc<TransportInner>,
        consumer: Consumer,
        lease: Option<PipeLease>,
    ) -> Self {
        let inner = Arc::new(ConsumerInner {
            handle: next_handle(),
            id: consumer.id(),
            producer_id: consumer.producer_id(),
            key: transport.key,
            consumer: Slot::new("Consumer", consumer.clone()),
            lease: Mutex::new(lease),
            transport: Arc::downgrade(transport),
            router: Arc::downgrade(router),
        });
        forward_consumer_events(&router.events, &inner, &consumer);
        Self { inner }
    }

    pub fn handle(&self) -> Handle {
        self.inner.handle
    }

    pub fn id(&self) -> String {
        self.inner.id.to_string()
    }

    pub fn closed(&self) -> bool {
        self.inner.consumer.is_closed()
    }

    /// Whether this consumer reads a producer piped from another worker.
    pub fn piped(&self) -> bool {
        self.inner.lease.lock().is_some()
    }

    pub fn data(&self) -> Result<Value> {
        let c = self.inner.consumer.get()?;
        Ok(json!({
            "id": c.id(),
            "producerId": c.producer_id(),
            "kind": c.kind(),
            "rtpParameters": c.rtp_parameters(),
            "type": c.r#type(),
            "paused": c.paused(),
            "producerPaused": c.producer_paused(),
            "priority": c.priority(),
            "score": c.score(),
            "preferredLayers": c.preferred_layers(),
            "currentLayers": c.current_layers(),
        }))
    }

    pub async fn pause(&self) -> Result<()> {
        let c = self.inner.consumer.get()?;
        control::run(move || async move { c.pause().await.map_err(from_mediasoup) }).await
    }

    pub async fn resume(&self) -> Result<()> {
        let c = self.inner.consumer.get()?;
        control::run(move || async move { c.resume().await.map_err(from_mediasoup) }).await
    }

    pub async fn set_preferred_layers(&self, layers: ConsumerLayers) -> Result<()> {
        let c = self.inner.consumer.get()?;
        control::run(move || async move { c.set_preferred_layers(layers).await.map_err(from_mediasoup) }).await
    }

    pub async fn set_priority(&self, priority: u8) -> Result<()> {
        let c = self.inner.consumer.get()?;
        control::run(move || async move { c.set_priority(priority).await.map_err(from_mediasoup) }).await
    }

    pub async fn unset_priority(&self) -> Result<()> {
        let c = self.inner.consumer.get()?;
        control::run(move || async move { c.unset_priority().await.map_err(from_mediasoup) }).await
    }

    pub async fn request_key_frame(&self) -> Result<()> {
        let c = self.inner.consumer.get()?;
        control::run(move || async move { c.request_key_frame().await.map_err(from_mediasoup) }).await
    }

    pub async fn dump(&self) -> Result<Value> {
        let c = self.inner.consumer.get()?;
        control::run(move || async move {
            c.dump().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_mediasoup)
        })
        .await
    }

    pub async fn get_stats(&self) -> Result<Value> {
        let c = self.inner.consumer.get()?;
        control::run(move || async move {
            c.get_stats().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_mediasoup)
        })
        .await
    }

    pub async fn enable_trace_event(&self, types: Vec<ConsumerTraceEventType>) -> Result<()> {
        let c = self.inner.consumer.get()?;
        control::run(move || async move { c.enable_trace_event(types).await.map_err(from_mediasoup) }).await
    }

    pub fn close(&self) {
        self.inner.close();
    }
}

impl ConsumerInner {
    pub fn close(&self) {
        let Some(consumer) = self.consumer.take() else { return };
        let lease = self.lease.lock().take();
        if let Some(transport) = self.transport.upgrade() {
            transport.children.lock().consumers.remove(&self.id);
        }
        drop(consumer);
        drop(lease);
        if let Some(router) = self.router.upgrade() {
            router.pool.adjust(self.key, Holdings { consumers: 1, ..Holdings::default() }, true);
        }
    }
}

fn forward_consumer_events(sink: &EventSink, inner: &Arc<ConsumerInner>, consumer: &Consumer) {
    let handle = inner.handle;
    macro_rules! forward {
        ($register:ident, $name:literal) => {{
            let sink = sink.clone();
            consumer.$register(move || sink.emit(handle, $name, Value::Null)).detach();
        }};
        ($register:ident, $name:literal, json) => {{
            let sink = sink.clone();
            consumer.$register(move |value| sink.emit(handle, $name, json!(value))).detach();
        }};
    }
    forward!(on_producer_pause, "producerpause");
    forward!(on_producer_resume, "producerresume");
    forward!(on_score, "score", json);
    forward!(on_layers_change, "layerschange", json);
    forward!(on_trace, "trace", json);
    {
        let sink = sink.clone();
        consumer.on_rtp(move |bytes| sink.emit_bytes(handle, "rtp", Value::Null, bytes.to_vec())).detach();
    }
    // The producer went away (closed by the app, or its pipe or worker went): the
    // worker closed this consumer. Release it here (off the worker's thread) and tell JS.
    let weak = Arc::downgrade(inner);
    let sink = sink.clone();
    consumer
        .on_producer_close(move || {
            sink.emit(handle, "producerclose", Value::Null);
            if let Some(inner) = weak.upgrade() {
                control::spawn(move || async move { inner.close() });
            }
        })
        .detach();
}
