//! `MafaldaDataProducer`: an app-visible data producer, registered in the router's
//! directory so data consumers on any shard can find (and pipe) it.

use crate::error::{from_notification, from_request, unsupported, Result};
use crate::events::{next_handle, Handle};
use crate::backing::remote::RemoteObject;
use crate::backing::{local_or_remote, Backing};
use crate::router::data_consumer::message_ppid;
use crate::router::{RouterInner, WeakRouter};
use crate::slot::Slot;
use crate::router::transport::TransportInner;
use mediasoup::prelude::*;
use serde_json::{json, Value};
use std::sync::{Arc, Weak};

pub(crate) struct DataProducerInner {
    pub handle: Handle,
    pub id: DataProducerId,
    /// On a worker of this node (thread or process), in the router's directory.
    here: bool,
    /// The target end of a pipe between nodes, not the app's data producer.
    pipe_end: bool,
    pub data_producer: Slot<Backing<DataProducer>>,
    transport: Weak<TransportInner>,
    router: WeakRouter,
}

#[derive(Clone)]
pub struct MafaldaDataProducer {
    pub(crate) inner: Arc<DataProducerInner>,
}

impl MafaldaDataProducer {
    pub(crate) fn new(router: &Arc<RouterInner>, transport: &Arc<TransportInner>, data_producer: DataProducer) -> Self {
        Self::with(router, transport, next_handle(), data_producer.id(), Backing::Local(data_producer))
    }

    /// A data producer on a transport in a worker process or on another node.
    pub(crate) fn new_remote(router: &Arc<RouterInner>, transport: &Arc<TransportInner>, remote: Arc<RemoteObject>, id: DataProducerId) -> Self {
        let handle = next_handle();
        remote.forward_events(router.events.clone(), handle, None);
        Self::with(router, transport, handle, id, Backing::Remote(remote))
    }

    fn with(router: &Arc<RouterInner>, transport: &Arc<TransportInner>, handle: Handle, id: DataProducerId, backing: Backing<DataProducer>) -> Self {
        Self {
            inner: Arc::new(DataProducerInner {
                handle,
                id,
                here: transport.node.is_none(),
                pipe_end: transport.is_internal(),
                data_producer: Slot::new("DataProducer", backing),
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
        let d = match self.inner.data_producer.get()? {
            Backing::Local(d) => d,
            Backing::Remote(r) => return Ok(r.data()),
        };
        Ok(json!({
            "id": d.id(),
            "type": d.r#type(),
            "sctpStreamParameters": d.sctp_stream_parameters(),
            "label": d.label(),
            "protocol": d.protocol(),
        }))
    }

    pub async fn dump(&self) -> Result<Value> {
        local_or_remote!(self.inner.data_producer, "dataProducer.dump", Value::Null, |d| {
            d.dump().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_request("dataProducer.dump"))
        })
    }

    pub async fn get_stats(&self) -> Result<Value> {
        local_or_remote!(self.inner.data_producer, "dataProducer.getStats", Value::Null, |d| {
            d.get_stats().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_request("dataProducer.getStats"))
        })
    }

    /// A message from the app, for data producers of a DirectTransport. A worker
    /// notification: sent at once, in the order of the calls.
    pub fn send(&self, message: WebRtcMessage<'_>) -> Result<()> {
        match self.inner.data_producer.get()? {
            Backing::Local(DataProducer::Direct(d)) => d.send(message, None, None, None).map_err(from_notification),
            Backing::Remote(r) if self.inner.here && r.data()["type"] == "direct" => {
                let (ppid, payload) = message_ppid(&message);
                r.notify("dataProducer.send", json!({ "ppid": ppid }), payload)
            }
            _ => Err(unsupported("send() is only for data producers of a DirectTransport")),
        }
    }

    pub async fn pause(&self) -> Result<()> {
        local_or_remote!(self.inner.data_producer, "dataProducer.pause", Value::Null, |d| d.pause().await.map_err(from_request("dataProducer.pause")))
    }

    pub async fn resume(&self) -> Result<()> {
        local_or_remote!(self.inner.data_producer, "dataProducer.resume", Value::Null, |d| d.resume().await.map_err(from_request("dataProducer.resume")))
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
        let Some(router) = self.router.upgrade() else { return };
        match data_producer {
            Backing::Local(data_producer) => {
                drop(data_producer);
                router.data_producer_closed(&self.id);
            }
            Backing::Remote(remote) => {
                remote.close("dataProducer.close");
                if self.here {
                    router.data_producer_closed(&self.id);
                } else if !self.pipe_end {
                    router.remote_data_producer_closed(&self.id);
                }
            }
        }
    }
}
