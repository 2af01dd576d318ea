//! `MafaldaDataProducer`: an app-visible data producer, registered in the router's
//! directory so data consumers on any shard can find (and pipe) it.

use crate::control;
use crate::error::{from_mediasoup, from_notification, unsupported, Result};
use crate::events::{next_handle, Handle};
use crate::router::{RouterInner, WeakRouter};
use crate::slot::Slot;
use crate::router::transport::TransportInner;
use mediasoup::prelude::*;
use serde_json::{json, Value};
use std::sync::{Arc, Weak};

pub(crate) struct DataProducerInner {
    pub handle: Handle,
    pub id: DataProducerId,
    pub data_producer: Slot<DataProducer>,
    transport: Weak<TransportInner>,
    router: WeakRouter,
}

#[derive(Clone)]
pub struct MafaldaDataProducer {
    pub(crate) inner: Arc<DataProducerInner>,
}

impl MafaldaDataProducer {
    pub(crate) fn new(router: &Arc<RouterInner>, transport: &Arc<TransportInner>, data_producer: DataProducer) -> Self {
        Self {
            inner: Arc::new(DataProducerInner {
                handle: next_handle(),
                id: data_producer.id(),
                data_producer: Slot::new("DataProducer", data_producer),
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
        self.inner.data_producer.is_closed()
    }

    pub fn data(&self) -> Result<Value> {
        let d = self.inner.data_producer.get()?;
        Ok(json!({
            "id": d.id(),
            "type": d.r#type(),
            "sctpStreamParameters": d.sctp_stream_parameters(),
            "label": d.label(),
            "protocol": d.protocol(),
        }))
    }

    pub async fn dump(&self) -> Result<Value> {
        let d = self.inner.data_producer.get()?;
        control::run(move || async move {
            d.dump().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_mediasoup)
        })
        .await
    }

    pub async fn get_stats(&self) -> Result<Value> {
        let d = self.inner.data_producer.get()?;
        control::run(move || async move {
            d.get_stats().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_mediasoup)
        })
        .await
    }

    /// A message from the app, for data producers of a DirectTransport. A worker
    /// notification: sent at once, in the order of the calls.
    pub fn send(&self, message: WebRtcMessage<'_>) -> Result<()> {
        let DataProducer::Direct(d) = self.inner.data_producer.get()? else {
            return Err(unsupported("send() is only for data producers of a DirectTransport"));
        };
        d.send(message, None, None, None).map_err(from_notification)
    }

    pub async fn pause(&self) -> Result<()> {
        let d = self.inner.data_producer.get()?;
        control::run(move || async move { d.pause().await.map_err(from_mediasoup) }).await
    }

    pub async fn resume(&self) -> Result<()> {
        let d = self.inner.data_producer.get()?;
        control::run(move || async move { d.resume().await.map_err(from_mediasoup) }).await
    }

    pub fn close(&self) {
        self.inner.close();
    }
}

impl DataProducerInner {
    pub fn close(&self) {
        let Some(data_producer) = self.data_producer.take() else { return };
        if let Some(transport) = self.transport.upgrade() {
            transport.children.lock().data_producers.remove(&self.id);
        }
        drop(data_producer);
        if let Some(router) = self.router.upgrade() {
            router.data_producer_closed(&self.id);
        }
    }
}
