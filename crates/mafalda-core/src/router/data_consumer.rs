//! `MafaldaDataConsumer`: an app-visible data consumer; holds a `PipeLease` when its
//! data producer lives on another worker.

use crate::control;
use crate::error::{from_request, unsupported, Result};
use crate::events::{next_handle, EventSink, Handle};
use crate::backing::remote::RemoteObject;
use crate::backing::{local_or_remote, Backing};
use crate::router::node_pipes::NodePipeLease;
use crate::router::pipes::PipeLease;
use crate::router::RouterInner;
use crate::slot::Slot;
use crate::router::transport::TransportInner;
use mediasoup::prelude::*;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::sync::{Arc, Weak};

pub(crate) struct DataConsumerInner {
    pub handle: Handle,
    pub id: DataConsumerId,
    pub data_producer_id: DataProducerId,
    pub data_consumer: Slot<Backing<DataConsumer>>,
    lease: Mutex<Option<PipeLease>>,
    node_lease: Mutex<Option<NodePipeLease>>,
    transport: Weak<TransportInner>,
}

#[derive(Clone)]
pub struct MafaldaDataConsumer {
    pub(crate) inner: Arc<DataConsumerInner>,
}

/// WebRTC data channel payload protocol ids, as mediasoup's JS API exposes them.
pub fn message_ppid(message: &WebRtcMessage<'_>) -> (u32, Vec<u8>) {
    match message {
        WebRtcMessage::String(s) => (51, s.to_vec()),
        WebRtcMessage::Binary(b) => (53, b.to_vec()),
        WebRtcMessage::EmptyString => (56, vec![b' ']),
        WebRtcMessage::EmptyBinary => (57, vec![0]),
    }
}

/// The inverse of `message_ppid`.
pub fn message_from_ppid(ppid: u32, payload: Vec<u8>) -> Result<WebRtcMessage<'static>> {
    match ppid {
        51 => {
            std::str::from_utf8(&payload).map_err(|_| crate::error::type_error("message is not valid UTF-8"))?;
            Ok(WebRtcMessage::String(payload.into()))
        }
        53 => Ok(WebRtcMessage::Binary(payload.into())),
        56 => Ok(WebRtcMessage::EmptyString),
        57 => Ok(WebRtcMessage::EmptyBinary),
        other => Err(crate::error::type_error(format!("invalid PPID {other}"))),
    }
}

pub use crate::shapes::DataReliability;

impl MafaldaDataConsumer {
    pub(crate) fn new(
        router: &Arc<RouterInner>,
        transport: &Arc<TransportInner>,
        data_consumer: DataConsumer,
        data_producer_id: DataProducerId,
        (lease, node_lease): (Option<PipeLease>, Option<NodePipeLease>),
    ) -> Self {
        let inner = Arc::new(DataConsumerInner {
            handle: next_handle(),
            id: data_consumer.id(),
            data_producer_id,
            data_consumer: Slot::new("DataConsumer", Backing::Local(data_consumer.clone())),
            lease: Mutex::new(lease),
            node_lease: Mutex::new(node_lease),
            transport: Arc::downgrade(transport),
        });
        forward_data_consumer_events(&router.events, &inner, &data_consumer);
        Self { inner }
    }

    /// A data consumer on a transport in a worker process or on another node; its
    /// data producer going away there closes it here too.
    pub(crate) fn new_remote(
        router: &Arc<RouterInner>,
        transport: &Arc<TransportInner>,
        remote: Arc<RemoteObject>,
        (id, data_producer_id): (DataConsumerId, DataProducerId),
        (lease, node_lease): (Option<PipeLease>, Option<NodePipeLease>),
    ) -> Self {
        let inner = Arc::new(DataConsumerInner {
            handle: next_handle(),
            id,
            data_producer_id,
            data_consumer: Slot::new("DataConsumer", Backing::Remote(remote.clone())),
            lease: Mutex::new(lease),
            node_lease: Mutex::new(node_lease),
            transport: Arc::downgrade(transport),
        });
        let weak = Arc::downgrade(&inner);
        let close = Arc::new(move || weak.upgrade().into_iter().for_each(|inner| inner.close()));
        remote.forward_events(router.events.clone(), inner.handle, Some(("dataproducerclose", close)));
        Self { inner }
    }

    /// Calls `on()` once its data producer closes (a pipe's consumer end closes the
    /// producer at its other end).
    pub(crate) fn on_data_producer_close(&self, on: Arc<dyn Fn() + Send + Sync>) {
        match self.inner.data_consumer.get() {
            Ok(Backing::Local(d)) => d.on_data_producer_close(move || on()).detach(),
            Ok(Backing::Remote(r)) => r.listen(Arc::new(move |name, _, _| {
                if name == "dataproducerclose" {
                    on();
                }
            })),
            Err(_) => {}
        }
    }

    pub fn handle(&self) -> Handle {
        self.inner.handle
    }

    pub fn id(&self) -> String {
        self.inner.id.to_string()
    }

    pub fn closed(&self) -> bool {
        self.inner.data_consumer.is_closed()
    }

    pub fn data(&self) -> Result<Value> {
        let d = match self.inner.data_consumer.get()? {
            Backing::Local(d) => d,
            Backing::Remote(r) => {
                // There it consumes the piped data producer's id; the app knows its own.
                let mut data = r.data();
                data["dataProducerId"] = json!(self.inner.data_producer_id);
                return Ok(data);
            }
        };
        Ok(json!({
            "id": d.id(),
            "dataProducerId": self.inner.data_producer_id,
            "type": d.r#type(),
            "sctpStreamParameters": d.sctp_stream_parameters(),
            "label": d.label(),
            "protocol": d.protocol(),
        }))
    }

    pub async fn dump(&self) -> Result<Value> {
        local_or_remote!(self.inner.data_consumer, "dataConsumer.dump", Value::Null, |d| {
            d.dump().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_request("dataConsumer.dump"))
        })
    }

    pub async fn get_stats(&self) -> Result<Value> {
        local_or_remote!(self.inner.data_consumer, "dataConsumer.getStats", Value::Null, |d| {
            d.get_stats().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_request("dataConsumer.getStats"))
        })
    }

    pub async fn get_buffered_amount(&self) -> Result<u32> {
        match self.inner.data_consumer.get()? {
            Backing::Local(d) => control::run(move || async move { d.get_buffered_amount().await.map_err(from_request("dataConsumer.getBufferedAmount")) }).await,
            Backing::Remote(r) => {
                let amount = control::run(move || async move { r.call("dataConsumer.getBufferedAmount", Value::Null).await }).await?;
                Ok(amount.as_u64().unwrap_or(0) as u32)
            }
        }
    }

    pub async fn set_buffered_amount_low_threshold(&self, threshold: u32) -> Result<()> {
        local_or_remote!(self.inner.data_consumer, "dataConsumer.setBufferedAmountLowThreshold", json!(threshold), |d| {
            d.set_buffered_amount_low_threshold(threshold).await.map_err(from_request("dataConsumer.setBufferedAmountLowThreshold"))
        })
    }

    /// Sends a message from the app to this data consumer's endpoint (SCTP or direct).
    pub async fn send(&self, message: WebRtcMessage<'static>) -> Result<()> {
        let d = match self.inner.data_consumer.get()? {
            Backing::Local(d) => d,
            Backing::Remote(r) if r.node().is_none() && r.data()["type"] != "direct" => {
                let (ppid, payload) = message_ppid(&message);
                return control::run(move || async move { r.call_with("dataConsumer.send", json!({ "ppid": ppid }), Some(payload)).await.map(drop) }).await;
            }
            Backing::Remote(r) if r.node().is_none() => {
                return Err(unsupported("dataConsumer.send() on a DirectTransport data consumer (its messages go to the app)"));
            }
            Backing::Remote(_) => return Err(unsupported("dataConsumer.send() on a data consumer of another node")),
        };
        control::run(move || async move {
            match d {
                DataConsumer::Regular(regular) => regular.send(message).await.map(drop).map_err(from_request("dataConsumer.send")),
                _ => Err(unsupported("dataConsumer.send() on a DirectTransport data consumer (its messages go to the app)")),
            }
        })
        .await
    }

    pub async fn pause(&self) -> Result<()> {
        local_or_remote!(self.inner.data_consumer, "dataConsumer.pause", Value::Null, |d| d.pause().await.map_err(from_request("dataConsumer.pause")))
    }

    pub async fn resume(&self) -> Result<()> {
        local_or_remote!(self.inner.data_consumer, "dataConsumer.resume", Value::Null, |d| d.resume().await.map_err(from_request("dataConsumer.resume")))
    }

    pub fn close(&self) {
        self.inner.close();
    }
}

impl DataConsumerInner {
    pub fn close(&self) {
        let Some(data_consumer) = self.data_consumer.take() else { return };
        let lease = self.lease.lock().take();
        let node_lease = self.node_lease.lock().take();
        if let Some(transport) = self.transport.upgrade() {
            transport.children.lock().data_consumers.remove(&self.id);
        }
        if let Backing::Remote(remote) = &data_consumer {
            remote.close("dataConsumer.close");
        }
        drop(data_consumer);
        drop(lease);
        drop(node_lease);
    }
}

fn forward_data_consumer_events(sink: &EventSink, inner: &Arc<DataConsumerInner>, data_consumer: &DataConsumer) {
    let handle = inner.handle;
    {
        let sink = sink.clone();
        data_consumer
            .on_message(move |message| {
                let (ppid, payload) = message_ppid(message);
                sink.emit_bytes(handle, "message", json!(ppid), payload);
            })
            .detach();
    }
    {
        let sink = sink.clone();
        data_consumer.on_sctp_send_buffer_full(move || sink.emit(handle, "sctpsendbufferfull", Value::Null)).detach();
    }
    {
        let sink = sink.clone();
        data_consumer
            .on_buffered_amount_low(move |amount| sink.emit(handle, "bufferedamountlow", json!(amount)))
            .detach();
    }
    let weak = Arc::downgrade(inner);
    let sink = sink.clone();
    data_consumer
        .on_data_producer_close(move || {
            sink.emit(handle, "dataproducerclose", Value::Null);
            if let Some(inner) = weak.upgrade() {
                control::spawn(move || async move { inner.close() });
            }
        })
        .detach();
}
