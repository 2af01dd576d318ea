//! `MafaldaProducer`: an app-visible producer. Its id is registered in the router's
//! directory so that consumers on any shard (or node) can find (and pipe) it.

use crate::error::{from_notification, from_request, unsupported, Result};
use crate::events::{next_handle, Handle};
use crate::pool::load::Holdings;
use crate::backing::remote::RemoteObject;
use crate::backing::{local_or_remote, Backing};
use crate::router::{RouterInner, WeakRouter};
use crate::slot::Slot;
use crate::router::transport::TransportInner;
use mediasoup::prelude::*;
use mediasoup::producer::ProducerTraceEventType;
use serde_json::{json, Value};
use std::sync::{Arc, Weak};

pub(crate) struct ProducerInner {
    pub handle: Handle,
    pub id: ProducerId,
    key: u64,
    /// On a worker of this node (thread or process), in the router's directory.
    here: bool,
    /// Of a DirectTransport: the app sends its RTP.
    direct: bool,
    /// The target end of a pipe between nodes, not the app's producer.
    pipe_end: bool,
    pub producer: Slot<Backing<Producer>>,
    transport: Weak<TransportInner>,
    router: WeakRouter,
}

#[derive(Clone)]
pub struct MafaldaProducer {
    pub(crate) inner: Arc<ProducerInner>,
}

impl MafaldaProducer {
    pub(crate) fn new(router: &Arc<RouterInner>, transport: &Arc<TransportInner>, producer: Producer) -> Self {
        let handle = next_handle();
        let sink = router.events.clone();
        {
            let sink = sink.clone();
            producer.on_score(move |score| sink.emit(handle, "score", json!(score))).detach();
        }
        {
            let sink = sink.clone();
            producer
                .on_video_orientation_change(move |o| sink.emit(handle, "videoorientationchange", json!(o)))
                .detach();
        }
        producer.on_trace(move |trace| sink.emit(handle, "trace", json!(trace))).detach();
        Self::with(router, transport, handle, producer.id(), Backing::Local(producer))
    }

    /// A producer on a transport in a worker process or on another node; its events
    /// come back through `remote`.
    pub(crate) fn new_remote(router: &Arc<RouterInner>, transport: &Arc<TransportInner>, remote: Arc<RemoteObject>, id: ProducerId) -> Self {
        let handle = next_handle();
        remote.forward_events(router.events.clone(), handle, None);
        Self::with(router, transport, handle, id, Backing::Remote(remote))
    }

    fn with(router: &Arc<RouterInner>, transport: &Arc<TransportInner>, handle: Handle, id: ProducerId, backing: Backing<Producer>) -> Self {
        Self {
            inner: Arc::new(ProducerInner {
                handle,
                id,
                key: transport.key,
                here: transport.node.is_none(),
                direct: transport.kind == "direct",
                pipe_end: transport.is_internal(),
                producer: Slot::new("Producer", backing),
                transport: Arc::downgrade(transport),
                router: Arc::downgrade(router),
            }),
        }
    }

    pub fn handle(&self) -> Handle {
        self.inner.handle
    }

    pub fn id(&self) -> String {
        self.inner.id.to_string()
    }

    pub fn closed(&self) -> bool {
        self.inner.producer.is_closed()
    }

    /// Getter state in mediasoup's JS shape.
    pub fn data(&self) -> Result<Value> {
        let p = match self.inner.producer.get()? {
            Backing::Local(p) => p,
            Backing::Remote(r) => return Ok(r.data()),
        };
        Ok(json!({
            "id": p.id(),
            "kind": p.kind(),
            "rtpParameters": p.rtp_parameters(),
            "type": p.r#type(),
            "consumableRtpParameters": p.consumable_rtp_parameters(),
            "paused": p.paused(),
            "score": p.score(),
        }))
    }

    pub async fn pause(&self) -> Result<()> {
        local_or_remote!(self.inner.producer, "producer.pause", Value::Null, |p| p.pause().await.map_err(from_request("producer.pause")))
    }

    pub async fn resume(&self) -> Result<()> {
        local_or_remote!(self.inner.producer, "producer.resume", Value::Null, |p| p.resume().await.map_err(from_request("producer.resume")))
    }

    pub async fn dump(&self) -> Result<Value> {
        local_or_remote!(self.inner.producer, "producer.dump", Value::Null, |p| {
            p.dump().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_request("producer.dump"))
        })
    }

    pub async fn get_stats(&self) -> Result<Value> {
        local_or_remote!(self.inner.producer, "producer.getStats", Value::Null, |p| {
            p.get_stats().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_request("producer.getStats"))
        })
    }

    pub async fn enable_trace_event(&self, types: Vec<ProducerTraceEventType>) -> Result<()> {
        let args = json!(types);
        local_or_remote!(self.inner.producer, "producer.enableTraceEvent", args, |p| p.enable_trace_event(types).await.map_err(from_request("producer.enableTraceEvent")))
    }

    /// RTP from the app, for producers of a DirectTransport. A worker notification:
    /// sent at once, in the order of the calls.
    pub fn send(&self, rtp_packet: Vec<u8>) -> Result<()> {
        match self.inner.producer.get()? {
            Backing::Local(Producer::Direct(d)) => d.send(rtp_packet).map_err(from_notification),
            Backing::Remote(r) if self.inner.here && self.inner.direct => r.notify("producer.send", Value::Null, rtp_packet),
            _ => Err(unsupported("send() is only for producers of a DirectTransport")),
        }
    }

    pub fn close(&self) {
        self.inner.close();
    }
}

impl ProducerInner {
    pub fn close(&self) {
        let Some(producer) = self.producer.take() else { return };
        if let Some(transport) = self.transport.upgrade() {
            transport.children.lock().producers.remove(&self.id);
        }
        let Some(router) = self.router.upgrade() else { return };
        match producer {
            Backing::Local(producer) => {
                drop(producer);
                router.pool.adjust(self.key, Holdings { producers: 1, ..Holdings::default() }, true);
                router.producer_closed(&self.id);
            }
            Backing::Remote(remote) => {
                remote.close("producer.close");
                if self.here {
                    router.pool.adjust(self.key, Holdings { producers: 1, ..Holdings::default() }, true);
                    router.producer_closed(&self.id);
                } else if !self.pipe_end {
                    router.remote_producer_closed(&self.id);
                }
            }
        }
    }
}
