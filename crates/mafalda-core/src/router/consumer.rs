//! `MafaldaConsumer`: an app-visible consumer. When its producer lives on another
//! worker it holds a `PipeLease`, on another node a `NodePipeLease`; closing the
//! consumer returns them.

use crate::control;
use crate::error::{from_request, Result};
use crate::events::{next_handle, EventSink, Handle};
use crate::pool::load::Holdings;
use crate::backing::remote::{event_name, RemoteObject};
use crate::backing::{local_or_remote, Backing};
use crate::router::node_pipes::NodePipeLease;
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
    /// On a worker of this node (thread or process): counted in its holdings.
    here: bool,
    pub consumer: Slot<Backing<Consumer>>,
    lease: Mutex<Option<PipeLease>>,
    node_lease: Mutex<Option<NodePipeLease>>,
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
        node_lease: Option<NodePipeLease>,
    ) -> Self {
        let inner = Arc::new(ConsumerInner {
            handle: next_handle(),
            id: consumer.id(),
            producer_id: consumer.producer_id(),
            key: transport.key,
            here: true,
            consumer: Slot::new("Consumer", Backing::Local(consumer.clone())),
            lease: Mutex::new(lease),
            node_lease: Mutex::new(node_lease),
            transport: Arc::downgrade(transport),
            router: Arc::downgrade(router),
        });
        forward_consumer_events(&router.events, &inner, &consumer);
        Self { inner }
    }

    /// A consumer on a transport in a worker process or on another node. Its producer
    /// going away there closes it here too.
    pub(crate) fn new_remote(
        router: &Arc<RouterInner>,
        transport: &Arc<TransportInner>,
        remote: Arc<RemoteObject>,
        (id, producer_id): (ConsumerId, ProducerId),
        (lease, node_lease): (Option<PipeLease>, Option<NodePipeLease>),
    ) -> Self {
        let inner = Arc::new(ConsumerInner {
            handle: next_handle(),
            id,
            producer_id,
            key: transport.key,
            here: transport.node.is_none(),
            consumer: Slot::new("Consumer", Backing::Remote(remote.clone())),
            lease: Mutex::new(lease),
            node_lease: Mutex::new(node_lease),
            transport: Arc::downgrade(transport),
            router: Arc::downgrade(router),
        });
        let weak = Arc::downgrade(&inner);
        let close = Arc::new(move || weak.upgrade().into_iter().for_each(|inner| inner.close()));
        remote.forward_events(router.events.clone(), inner.handle, Some(("producerclose", close)));
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
        self.inner.lease.lock().is_some() || self.inner.node_lease.lock().is_some()
    }

    pub fn data(&self) -> Result<Value> {
        let c = match self.inner.consumer.get()? {
            Backing::Local(c) => c,
            Backing::Remote(r) => return Ok(r.data()),
        };
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
        local_or_remote!(self.inner.consumer, "consumer.pause", Value::Null, |c| c.pause().await.map_err(from_request("consumer.pause")))
    }

    pub async fn resume(&self) -> Result<()> {
        local_or_remote!(self.inner.consumer, "consumer.resume", Value::Null, |c| c.resume().await.map_err(from_request("consumer.resume")))
    }

    pub async fn set_preferred_layers(&self, layers: ConsumerLayers) -> Result<()> {
        let args = json!({ "spatialLayer": layers.spatial_layer, "temporalLayer": layers.temporal_layer });
        let done = local_or_remote!(self.inner.consumer, "consumer.setPreferredLayers", args, |c| {
            c.set_preferred_layers(layers).await.map(|_| Value::Null).map_err(from_request("consumer.setPreferredLayers"))
        });
        self.refresh(done)
    }

    pub async fn set_priority(&self, priority: u8) -> Result<()> {
        let done = local_or_remote!(self.inner.consumer, "consumer.setPriority", json!(priority), |c| {
            c.set_priority(priority).await.map(|_| Value::Null).map_err(from_request("consumer.setPriority"))
        });
        self.refresh(done)
    }

    pub async fn unset_priority(&self) -> Result<()> {
        let done = local_or_remote!(self.inner.consumer, "consumer.unsetPriority", Value::Null, |c| {
            c.unset_priority().await.map(|_| Value::Null).map_err(from_request("consumer.unsetPriority"))
        });
        self.refresh(done)
    }

    /// A call that changed a getter answered with the new getter state (elsewhere).
    fn refresh(&self, done: Result<Value>) -> Result<()> {
        let data = done?;
        if let Ok(Backing::Remote(r)) = self.inner.consumer.get() {
            r.refresh(data);
        }
        Ok(())
    }

    pub async fn request_key_frame(&self) -> Result<()> {
        local_or_remote!(self.inner.consumer, "consumer.requestKeyFrame", Value::Null, |c| c.request_key_frame().await.map_err(from_request("consumer.requestKeyFrame")))
    }

    pub async fn dump(&self) -> Result<Value> {
        local_or_remote!(self.inner.consumer, "consumer.dump", Value::Null, |c| {
            c.dump().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_request("consumer.dump"))
        })
    }

    pub async fn get_stats(&self) -> Result<Value> {
        local_or_remote!(self.inner.consumer, "consumer.getStats", Value::Null, |c| {
            c.get_stats().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_request("consumer.getStats"))
        })
    }

    pub async fn enable_trace_event(&self, types: Vec<ConsumerTraceEventType>) -> Result<()> {
        let args = json!(types);
        local_or_remote!(self.inner.consumer, "consumer.enableTraceEvent", args, |c| c.enable_trace_event(types).await.map_err(from_request("consumer.enableTraceEvent")))
    }

    /// Calls `on(name)` when its producer pauses, resumes or closes (a pipe consumer
    /// passes them on to the producer at its other end).
    pub(crate) fn on_producer_state(&self, on: Arc<dyn Fn(&'static str) + Send + Sync>) {
        match self.inner.consumer.get() {
            Ok(Backing::Local(c)) => {
                for name in ["producerpause", "producerresume", "producerclose"] {
                    let on = on.clone();
                    let callback = move || on(name);
                    match name {
                        "producerpause" => c.on_producer_pause(callback).detach(),
                        "producerresume" => c.on_producer_resume(callback).detach(),
                        _ => c.on_producer_close(callback).detach(),
                    }
                }
            }
            Ok(Backing::Remote(r)) => r.listen(Arc::new(move |name, _, _| {
                if let Some(name @ ("producerpause" | "producerresume" | "producerclose")) = event_name(name) {
                    on(name);
                }
            })),
            Err(_) => {}
        }
    }

    pub fn close(&self) {
        self.inner.close();
    }
}

impl ConsumerInner {
    pub fn close(&self) {
        let Some(consumer) = self.consumer.take() else { return };
        let lease = self.lease.lock().take();
        let node_lease = self.node_lease.lock().take();
        if let Some(transport) = self.transport.upgrade() {
            transport.children.lock().consumers.remove(&self.id);
        }
        match consumer {
            Backing::Local(consumer) => drop(consumer),
            Backing::Remote(remote) => remote.close("consumer.close"),
        }
        drop(lease);
        drop(node_lease);
        if let (true, Some(router)) = (self.here, self.router.upgrade()) {
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
