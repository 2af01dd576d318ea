//! `MafaldaProducer`: an app-visible producer. Its id is registered in the router's
//! directory so that consumers on any shard can find (and pipe) it.

use crate::control;
use crate::error::{from_mediasoup, from_notification, unsupported, Result};
use crate::events::{next_handle, Handle};
use crate::pool::load::Holdings;
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
    pub producer: Slot<Producer>,
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
        Self {
            inner: Arc::new(ProducerInner {
                handle,
                id: producer.id(),
                key: transport.key,
                producer: Slot::new("Producer", producer),
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
        let p = self.inner.producer.get()?;
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
        let p = self.inner.producer.get()?;
        control::run(move || async move { p.pause().await.map_err(from_mediasoup) }).await
    }

    pub async fn resume(&self) -> Result<()> {
        let p = self.inner.producer.get()?;
        control::run(move || async move { p.resume().await.map_err(from_mediasoup) }).await
    }

    pub async fn dump(&self) -> Result<Value> {
        let p = self.inner.producer.get()?;
        control::run(move || async move {
            p.dump().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_mediasoup)
        })
        .await
    }

    pub async fn get_stats(&self) -> Result<Value> {
        let p = self.inner.producer.get()?;
        control::run(move || async move {
            p.get_stats().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_mediasoup)
        })
        .await
    }

    pub async fn enable_trace_event(&self, types: Vec<ProducerTraceEventType>) -> Result<()> {
        let p = self.inner.producer.get()?;
        control::run(move || async move { p.enable_trace_event(types).await.map_err(from_mediasoup) }).await
    }

    /// RTP from the app, for producers of a DirectTransport. A worker notification:
    /// sent at once, in the order of the calls.
    pub fn send(&self, rtp_packet: Vec<u8>) -> Result<()> {
        let Producer::Direct(d) = self.inner.producer.get()? else {
            return Err(unsupported("send() is only for producers of a DirectTransport"));
        };
        d.send(rtp_packet).map_err(from_notification)
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
        drop(producer);
        if let Some(router) = self.router.upgrade() {
            router.pool.adjust(self.key, Holdings { producers: 1, ..Holdings::default() }, true);
            router.producer_closed(&self.id);
        }
    }
}
