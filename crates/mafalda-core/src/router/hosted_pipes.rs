//! Pipes between two process workers: the same PipeTransport pair on 127.0.0.1 (no
//! SRTP: it never leaves the machine) and the same pipe consumer / pipe producer as
//! between two threads (`pipes.rs`), made by calls to the two hosts, each end a
//! hosted object. Reference counts, sharing and the wait for a closing pipe stay in
//! `pipes.rs`; only the making differs.

use crate::backing::remote::{event_name, RemoteObject};
use crate::control;
use crate::error::{ErrorKind, MafaldaError, Result};
use crate::router::pipe_close::PipeEnd;
use crate::router::pipes::{Piped, PIPE_SOCKET_BUFFER};
use crate::shapes;
use mediasoup::prelude::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

/// An object a pipe made in a worker host, closed there when its last holder lets it
/// go (as a mediasoup handle closes with its last clone).
pub(crate) struct HostedEnd {
    object: Arc<RemoteObject>,
    close: &'static str,
}

impl HostedEnd {
    fn new((object, _id): (Arc<RemoteObject>, String), close: &'static str) -> Arc<Self> {
        Arc::new(Self { object, close })
    }
}

impl Drop for HostedEnd {
    fn drop(&mut self) {
        self.object.close(self.close);
    }
}

impl PipeEnd for Arc<HostedEnd> {
    async fn still_has(&self, id: &ProducerId) -> bool {
        let id = id.to_string();
        self.object.call("transport.dump", Value::Null).await.is_ok_and(|dump| {
            dump["producerIds"].as_array().is_some_and(|ids| ids.iter().any(|p| p.as_str() == Some(id.as_str())))
        })
    }
}

/// The PipeTransport pair between two hosted shards.
pub(crate) struct HostedPair {
    pub local: Arc<HostedEnd>,
    pub remote: Arc<HostedEnd>,
}

fn pipe_error(e: MafaldaError) -> MafaldaError {
    MafaldaError::new(e.kind, format!("router.pipe (between worker processes) failed: {}", e.message))
}

/// Where a pipe transport listens, as its `connect()` wants it.
fn address_of(transport: &RemoteObject) -> Result<Value> {
    let tuple = transport.data()["tuple"].clone();
    let ip = tuple["localAddress"].as_str().or(tuple["localIp"].as_str()).map(str::to_string);
    let Some(ip) = ip else {
        return Err(MafaldaError::new(ErrorKind::Other, "a pipe transport of a worker process without a local address"));
    };
    Ok(json!({ "ip": ip, "port": tuple["localPort"] }))
}

pub(crate) async fn create_hosted_pair(source: Arc<RemoteObject>, target: Arc<RemoteObject>) -> Result<HostedPair> {
    let options = json!({
        "listenInfo": {
            "protocol": "udp", "ip": "127.0.0.1",
            "sendBufferSize": PIPE_SOCKET_BUFFER, "recvBufferSize": PIPE_SOCKET_BUFFER
        },
        "enableSctp": true,
    });
    let end = |part: Arc<RemoteObject>| {
        let options = options.clone();
        async move { part.create("router.createPipeTransport", options).await.map(|made| HostedEnd::new(made, "transport.close")) }
    };
    let local = end(source).await.map_err(pipe_error)?;
    let remote = end(target).await.map_err(pipe_error)?;
    local.object.call("transport.connect", address_of(&remote.object)?).await.map_err(pipe_error)?;
    remote.object.call("transport.connect", address_of(&local.object)?).await.map_err(pipe_error)?;
    Ok(HostedPair { local, remote })
}

pub(crate) async fn pipe_hosted_media(pair: &HostedPair, producer_id: ProducerId) -> Result<Piped> {
    let pipe_consumer = HostedEnd::new(
        pair.local.object.create("transport.consume", json!({ "producerId": producer_id })).await.map_err(pipe_error)?,
        "consumer.close",
    );
    let c = pipe_consumer.object.data();
    let options = json!({ "id": producer_id, "kind": c["kind"], "rtpParameters": c["rtpParameters"], "paused": c["producerPaused"] });
    let pipe_producer =
        HostedEnd::new(pair.remote.object.create("transport.produce", options).await.map_err(pipe_error)?, "producer.close");
    // The source producer's pause, resume and close travel to the piped producer; a
    // video pipe asks for a key frame again once media flows (see `pipes.rs`).
    let target: Weak<HostedEnd> = Arc::downgrade(&pipe_producer);
    let consumer = Arc::downgrade(&pipe_consumer.object);
    let video = c["kind"] == "video";
    let asked = AtomicBool::new(false);
    pipe_consumer.object.listen(Arc::new(move |name, data, _| {
        let Some(name) = event_name(name) else { return };
        if name == "score" {
            let flows = data["producerScore"].as_u64().is_some_and(|s| s > 0);
            if video && flows && !asked.swap(true, Ordering::SeqCst) {
                let Some(consumer) = consumer.upgrade() else { return };
                control::spawn(move || async move {
                    let _ = consumer.call("consumer.requestKeyFrame", Value::Null).await;
                });
            }
            return;
        }
        let op = match name {
            "producerpause" => "producer.pause",
            "producerresume" => "producer.resume",
            "producerclose" => "producer.close",
            _ => return,
        };
        if let Some(target) = target.upgrade() {
            let producer = target.object.clone();
            control::spawn(move || async move {
                let _ = producer.call(op, Value::Null).await;
            });
        }
    }));
    Ok(Piped::HostedMedia { pipe_consumer, pipe_producer })
}

/// An SCTP data producer over the shards' pair; the piped one gets a new id there.
pub(crate) async fn pipe_hosted_data(pair: &HostedPair, data_producer_id: DataProducerId) -> Result<Piped> {
    let made = pair.local.object.create("transport.consumeData", json!({ "dataProducerId": data_producer_id })).await.map_err(pipe_error)?;
    let pipe_data_consumer = HostedEnd::new(made, "dataConsumer.close");
    let c = pipe_data_consumer.object.data();
    let options = json!({ "sctpStreamParameters": c["sctpStreamParameters"], "label": c["label"], "protocol": c["protocol"] });
    let made = pair.remote.object.create("transport.produceData", options).await.map_err(pipe_error)?;
    let target_id: DataProducerId = shapes::parse(&json!(made.1), "id")?;
    let pipe_data_producer = HostedEnd::new(made, "dataProducer.close");
    close_with_source(&pipe_data_consumer, &pipe_data_producer);
    Ok(Piped::HostedData { pipe_data_consumer, pipe_data_producer, target_id })
}

/// A DirectTransport's data producer has no SCTP stream to pipe: its messages come to
/// this process from a direct data consumer on the source host and go on, in order,
/// to a direct data producer on the target host.
pub(crate) async fn bridge_hosted_data(source: Arc<RemoteObject>, target: Arc<RemoteObject>, data_producer_id: DataProducerId) -> Result<Piped> {
    let out = HostedEnd::new(source.create("router.createDirectTransport", json!({})).await.map_err(pipe_error)?, "transport.close");
    let made = out.object.create("transport.consumeData", json!({ "dataProducerId": data_producer_id })).await.map_err(pipe_error)?;
    let bridge_consumer = HostedEnd::new(made, "dataConsumer.close");
    let input = HostedEnd::new(target.create("router.createDirectTransport", json!({})).await.map_err(pipe_error)?, "transport.close");
    let made = input.object.create("transport.produceData", json!({})).await.map_err(pipe_error)?;
    let target_id: DataProducerId = shapes::parse(&json!(made.1), "id")?;
    let bridge_producer = HostedEnd::new(made, "dataProducer.close");
    let forward_to = Arc::downgrade(&bridge_producer);
    bridge_consumer.object.listen(Arc::new(move |name, data, bytes| {
        if let (true, Some(bytes), Some(producer)) = (name == "message", bytes, forward_to.upgrade()) {
            let _ = producer.object.notify("dataProducer.send", json!({ "ppid": data }), bytes.to_vec());
        }
    }));
    close_with_source(&bridge_consumer, &bridge_producer);
    Ok(Piped::HostedBridge { bridge_consumer, bridge_producer, target_id, _out: out, _in: input })
}

/// The data producer at the source closed: the one it feeds at the target closes too.
fn close_with_source(consumer: &Arc<HostedEnd>, producer: &Arc<HostedEnd>) {
    let target = Arc::downgrade(producer);
    consumer.object.listen(Arc::new(move |name, _, _| {
        if name == "dataproducerclose" {
            if let Some(target) = target.upgrade() {
                let producer = target.object.clone();
                control::spawn(move || async move {
                    let _ = producer.call("dataProducer.close", Value::Null).await;
                });
            }
        }
    }));
}
