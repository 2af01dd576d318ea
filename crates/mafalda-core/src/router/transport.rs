//! `MafaldaTransport`: an app-visible transport on one shard, owner of its producers,
//! consumers, data producers and data consumers. `consume()` is where cross-worker
//! routing happens: the producer is piped to this shard first when it lives elsewhere.

use crate::router::consumer::{ConsumerInner, MafaldaConsumer};
use crate::control;
use crate::router::data_consumer::{DataConsumerInner, DataReliability, MafaldaDataConsumer};
use crate::router::data_producer::{DataProducerInner, MafaldaDataProducer};
use crate::error::{from_consume_error, from_produce_error, from_request, in_call, unsupported, Result};
use crate::events::{next_handle, Handle};
use crate::pool::load::Holdings;
use crate::backing::remote::RemoteObject;
use crate::router::node_pipes::NodePipeLease;
use crate::router::producer::{MafaldaProducer, ProducerInner};
use crate::shapes;
use crate::router::{RouterInner, WeakRouter};
use crate::slot::Slot;
use mediasoup::plain_transport::PlainTransportRemoteParameters;
use mediasoup::pipe_transport::PipeTransportRemoteParameters;
use mediasoup::prelude::*;
use mediasoup::transport::TransportTraceEventType;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub enum AnyTransport {
    WebRtc(WebRtcTransport),
    Plain(PlainTransport),
    Pipe(PipeTransport),
    Direct(DirectTransport),
    /// A transport of this router in a worker process or on another node of the
    /// cluster: its kind, its proxy.
    Remote(&'static str, Arc<RemoteObject>),
}

/// `$body` with the mediasoup transport of a worker thread; `$remote` for one elsewhere.
macro_rules! each_transport {
    ($t:expr, $x:ident => $body:expr, $r:ident => $remote:expr) => {
        match $t {
            AnyTransport::WebRtc($x) => $body,
            AnyTransport::Plain($x) => $body,
            AnyTransport::Pipe($x) => $body,
            AnyTransport::Direct($x) => $body,
            AnyTransport::Remote(_, $r) => $remote,
        }
    };
}

impl AnyTransport {
    pub fn kind(&self) -> &'static str {
        match self {
            AnyTransport::WebRtc(_) => "webrtc",
            AnyTransport::Plain(_) => "plain",
            AnyTransport::Pipe(_) => "pipe",
            AnyTransport::Direct(_) => "direct",
            AnyTransport::Remote(kind, _) => kind,
        }
    }

    fn remote(&self) -> Option<Arc<RemoteObject>> {
        match self {
            AnyTransport::Remote(_, r) => Some(r.clone()),
            _ => None,
        }
    }

    /// The state mediasoup's JS transport getters expose, as JSON.
    pub fn data(&self) -> Value {
        match self {
            AnyTransport::WebRtc(t) => json!({
                "iceRole": t.ice_role(),
                "iceParameters": t.ice_parameters(),
                "iceCandidates": t.ice_candidates(),
                "iceState": t.ice_state(),
                "iceSelectedTuple": t.ice_selected_tuple(),
                "dtlsParameters": t.dtls_parameters(),
                "dtlsState": t.dtls_state(),
                "dtlsRemoteCert": t.dtls_remote_cert(),
                "sctpParameters": t.sctp_parameters(),
                "sctpState": t.sctp_state(),
            }),
            AnyTransport::Plain(t) => json!({
                "tuple": t.tuple(),
                "rtcpTuple": t.rtcp_tuple(),
                "sctpParameters": t.sctp_parameters(),
                "sctpState": t.sctp_state(),
                "srtpParameters": t.srtp_parameters(),
            }),
            AnyTransport::Pipe(t) => json!({
                "tuple": t.tuple(),
                "sctpParameters": t.sctp_parameters(),
                "sctpState": t.sctp_state(),
                "srtpParameters": t.srtp_parameters(),
            }),
            AnyTransport::Direct(_) => json!({}),
            AnyTransport::Remote(_, r) => r.data(),
        }
    }
}

#[derive(Default)]
pub(crate) struct Children {
    pub producers: HashMap<ProducerId, Arc<ProducerInner>>,
    pub consumers: HashMap<ConsumerId, Arc<ConsumerInner>>,
    pub data_producers: HashMap<DataProducerId, Arc<DataProducerInner>>,
    pub data_consumers: HashMap<DataConsumerId, Arc<DataConsumerInner>>,
}

pub(crate) struct TransportInner {
    pub handle: Handle,
    pub id: TransportId,
    /// Pool key of the worker this transport lives on (on its node).
    pub key: u64,
    /// The node it lives on; `None`: this one (a worker thread or process here).
    pub node: Option<String>,
    /// A pipe end between nodes, made by the router: not the app's.
    pub internal: AtomicBool,
    pub kind: &'static str,
    pub router: WeakRouter,
    pub transport: Slot<AnyTransport>,
    pub children: Mutex<Children>,
}

#[derive(Clone)]
pub struct MafaldaTransport {
    pub(crate) inner: Arc<TransportInner>,
}

impl MafaldaTransport {
    pub(crate) fn new(router: &Arc<RouterInner>, key: u64, id: TransportId, transport: AnyTransport) -> Self {
        let node = transport.remote().and_then(|r| r.node());
        let inner = Arc::new(TransportInner {
            handle: next_handle(),
            id,
            key,
            node,
            internal: AtomicBool::new(false),
            kind: transport.kind(),
            router: Arc::downgrade(router),
            transport: Slot::new("Transport", transport.clone()),
            children: Mutex::new(Children::default()),
        });
        forward_transport_events(router, &inner, &transport);
        Self { inner }
    }

    pub fn handle(&self) -> Handle {
        self.inner.handle
    }

    pub fn id(&self) -> String {
        self.inner.id.to_string()
    }

    pub fn kind(&self) -> &'static str {
        self.inner.kind
    }

    /// Id of the worker the transport was placed on (on this node).
    pub fn worker_id(&self) -> Option<String> {
        if self.inner.node.is_some() {
            return None;
        }
        let router = self.inner.router.upgrade()?;
        router.pool.worker_id(self.inner.key).map(|id| id.to_string())
    }

    pub fn closed(&self) -> bool {
        self.inner.transport.is_closed()
    }

    pub fn data(&self) -> Result<Value> {
        Ok(self.inner.transport.get()?.data())
    }

    pub fn close(&self) {
        self.inner.close();
    }

    /// The node it lives on; `None`: this one.
    pub fn node_id(&self) -> Option<String> {
        self.inner.node.clone()
    }

    /// `connect()` with the parameters of this transport's kind (mediasoup's JS
    /// shape); resolves to the new getter state.
    pub async fn connect_json(&self, params: Value) -> Result<Value> {
        if let Some(remote) = self.inner.transport.get()?.remote() {
            return control::run(move || async move {
                let data = remote.call("transport.connect", params).await?;
                remote.refresh(data.clone());
                Ok(data)
            })
            .await;
        }
        match self.kind() {
            "webrtc" => {
                self.connect_webrtc(shapes::webrtc_connect(&params)?).await?;
                self.data()
            }
            "plain" => self.connect_plain(shapes::plain_connect(&params)?).await,
            "pipe" => self.connect_pipe(shapes::pipe_connect(&params)?).await,
            _ => Ok(Value::Null),
        }
    }

    pub async fn connect_webrtc(&self, dtls_parameters: DtlsParameters) -> Result<()> {
        let transport = self.inner.transport.get()?;
        control::run(move || async move {
            match transport {
                AnyTransport::WebRtc(t) => t
                    .connect(WebRtcTransportRemoteParameters { dtls_parameters })
                    .await
                    .map_err(from_request("transport.connect")),
                other => Err(unsupported(format!("connect() with dtlsParameters on a {} transport", other.kind()))),
            }
        })
        .await
    }

    pub async fn connect_plain(&self, remote: PlainTransportRemoteParameters) -> Result<Value> {
        let transport = self.inner.transport.get()?;
        control::run(move || async move {
            match &transport {
                AnyTransport::Plain(t) => t.connect(remote).await.map_err(from_request("transport.connect"))?,
                other => return Err(unsupported(format!("plain connect() on a {} transport", other.kind()))),
            }
            Ok(transport.data())
        })
        .await
    }

    pub async fn connect_pipe(&self, remote: PipeTransportRemoteParameters) -> Result<Value> {
        let transport = self.inner.transport.get()?;
        control::run(move || async move {
            match &transport {
                AnyTransport::Pipe(t) => t.connect(remote).await.map_err(from_request("transport.connect"))?,
                other => return Err(unsupported(format!("pipe connect() on a {} transport", other.kind()))),
            }
            Ok(transport.data())
        })
        .await
    }

    pub async fn restart_ice(&self) -> Result<Value> {
        let transport = self.inner.transport.get()?;
        control::run(move || async move {
            match transport {
                AnyTransport::WebRtc(t) => Ok(serde_json::to_value(t.restart_ice().await.map_err(from_request("transport.restartIce"))?).unwrap_or_default()),
                AnyTransport::Remote(_, r) => r.call("transport.restartIce", Value::Null).await,
                other => Err(unsupported(format!("restartIce() on a {} transport", other.kind()))),
            }
        })
        .await
    }

    pub async fn set_max_incoming_bitrate(&self, bitrate: u64) -> Result<()> {
        let transport = self.inner.transport.get()?;
        control::run(move || async move {
            match transport {
                AnyTransport::WebRtc(t) => t.set_max_incoming_bitrate(bitrate).await,
                AnyTransport::Plain(t) => t.set_max_incoming_bitrate(bitrate).await,
                AnyTransport::Pipe(t) => t.set_max_incoming_bitrate(bitrate).await,
                AnyTransport::Direct(_) => return Err(unsupported("setMaxIncomingBitrate() on a direct transport")),
                AnyTransport::Remote(_, r) => return r.call("transport.setMaxIncomingBitrate", json!(bitrate)).await.map(drop),
            }
            .map_err(from_request("transport.setMaxIncomingBitrate"))
        })
        .await
    }

    pub async fn set_max_outgoing_bitrate(&self, bitrate: u64) -> Result<()> {
        let transport = self.inner.transport.get()?;
        control::run(move || async move {
            match transport {
                AnyTransport::WebRtc(t) => t.set_max_outgoing_bitrate(bitrate).await.map_err(from_request("transport.setMaxOutgoingBitrate")),
                AnyTransport::Remote("webrtc", r) => r.call("transport.setMaxOutgoingBitrate", json!(bitrate)).await.map(drop),
                other => Err(unsupported(format!("setMaxOutgoingBitrate() on a {} transport", other.kind()))),
            }
        })
        .await
    }

    pub async fn set_min_outgoing_bitrate(&self, bitrate: u64) -> Result<()> {
        let transport = self.inner.transport.get()?;
        control::run(move || async move {
            match transport {
                AnyTransport::WebRtc(t) => t.set_min_outgoing_bitrate(bitrate).await.map_err(from_request("transport.setMinOutgoingBitrate")),
                AnyTransport::Remote("webrtc", r) => r.call("transport.setMinOutgoingBitrate", json!(bitrate)).await.map(drop),
                other => Err(unsupported(format!("setMinOutgoingBitrate() on a {} transport", other.kind()))),
            }
        })
        .await
    }

    pub async fn enable_trace_event(&self, types: Vec<TransportTraceEventType>) -> Result<()> {
        let transport = self.inner.transport.get()?;
        control::run(move || async move {
            each_transport!(transport,
                t => t.enable_trace_event(types).await.map_err(from_request("transport.enableTraceEvent")),
                r => r.call("transport.enableTraceEvent", json!(types)).await.map(drop))
        })
        .await
    }

    pub async fn dump(&self) -> Result<Value> {
        let transport = self.inner.transport.get()?;
        control::run(move || async move {
            each_transport!(transport,
                t => t.dump().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_request("transport.dump")),
                r => r.call("transport.dump", Value::Null).await)
        })
        .await
    }

    pub async fn get_stats(&self) -> Result<Value> {
        let transport = self.inner.transport.get()?;
        control::run(move || async move {
            each_transport!(transport,
                t => t.get_stats().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_request("transport.getStats")),
                r => r.call("transport.getStats", Value::Null).await)
        })
        .await
    }

    pub async fn send_rtcp(&self, packet: Vec<u8>) -> Result<()> {
        self.send_rtcp_now(packet)
    }

    /// RTCP from the app, for a DirectTransport. A worker notification: sent at once,
    /// in the order of the calls.
    pub fn send_rtcp_now(&self, packet: Vec<u8>) -> Result<()> {
        match self.inner.transport.get()? {
            AnyTransport::Direct(t) => t.send_rtcp(packet).map_err(crate::error::from_notification),
            AnyTransport::Remote("direct", r) => r.notify("transport.sendRtcp", Value::Null, packet),
            other => Err(unsupported(format!("sendRtcp() on a {} transport", other.kind()))),
        }
    }

    /// `produce()` with mediasoup's JS options (checked here wherever the transport lives).
    pub async fn produce_json(&self, options: Value) -> Result<MafaldaProducer> {
        let typed = shapes::produce(&options)?;
        let Some(remote) = self.inner.transport.get()?.remote() else { return self.produce(typed).await };
        let inner = self.inner.clone();
        control::run(move || async move {
            let router = inner.router()?;
            let (proxy, id) = remote.create("transport.produce", options).await?;
            let created = MafaldaProducer::new_remote(&router, &inner, proxy, shapes::parse(&json!(id), "id")?);
            match &inner.node {
                // In a worker process: it lives on that worker, as on a thread.
                None => {
                    router.state.lock().producers.insert(created.inner.id, inner.key);
                    router.pool.adjust(inner.key, Holdings { producers: 1, ..Holdings::default() }, false);
                }
                Some(node) if !inner.is_internal() => {
                    router.state.lock().remote_producers.insert(created.inner.id, node.clone());
                }
                Some(_) => {}
            }
            inner.children.lock().producers.insert(created.inner.id, created.inner.clone());
            Ok(created)
        })
        .await
    }

    pub async fn produce(&self, options: ProducerOptions) -> Result<MafaldaProducer> {
        let inner = self.inner.clone();
        control::run(move || async move {
            let transport = inner.transport.get()?;
            let router = inner.router()?;
            let producer = each_transport!(&transport,
                t => t.produce(options).await.map_err(from_produce_error),
                _r => Err(unsupported("typed produce() on a transport of another node")))?;
            let created = MafaldaProducer::new(&router, &inner, producer);
            router.state.lock().producers.insert(created.inner.id, inner.key);
            inner.children.lock().producers.insert(created.inner.id, created.inner.clone());
            router.pool.adjust(inner.key, Holdings { producers: 1, ..Holdings::default() }, false);
            Ok(created)
        })
        .await
    }

    /// Consumes a producer of this router wherever it lives: when it is on another
    /// node it is piped to this transport's node first, when on another worker to
    /// this transport's worker (or existing pipes are reused).
    pub async fn consume_json(&self, json_options: Value) -> Result<MafaldaConsumer> {
        let options = shapes::consume(&json_options)?;
        let inner = self.inner.clone();
        control::run(move || async move {
            let transport = inner.transport.get()?;
            let router = inner.router()?;
            let node_lease = router.acquire_node_pipe(options.producer_id, inner.node.clone()).await?;
            let remote = match transport.remote() {
                Some(remote) if inner.node.is_some() => remote,
                // On this node (a worker thread or process): piped to its worker first.
                _ => return inner.consume_here(&router, options, Some(json_options), node_lease).await,
            };
            let (proxy, id) = remote.create("transport.consume", json_options).await?;
            let ids = (shapes::parse(&json!(id), "id")?, options.producer_id);
            let created = MafaldaConsumer::new_remote(&router, &inner, proxy, ids, (None, node_lease));
            inner.children.lock().consumers.insert(created.inner.id, created.inner.clone());
            Ok(created)
        })
        .await
    }

    /// See `consume_json`.
    pub async fn consume(&self, options: ConsumerOptions) -> Result<MafaldaConsumer> {
        let inner = self.inner.clone();
        control::run(move || async move {
            let router = inner.router()?;
            let node_lease = router.acquire_node_pipe(options.producer_id, inner.node.clone()).await?;
            inner.consume_here(&router, options, None, node_lease).await
        })
        .await
    }

    /// `produceData()` with mediasoup's JS options (checked here wherever the transport lives).
    pub async fn produce_data_json(&self, options: Value) -> Result<MafaldaDataProducer> {
        let typed = shapes::produce_data(&options, self.kind() == "direct")?;
        let Some(remote) = self.inner.transport.get()?.remote() else { return self.produce_data(typed).await };
        let inner = self.inner.clone();
        control::run(move || async move {
            let router = inner.router()?;
            let (proxy, id) = remote.create("transport.produceData", options).await?;
            let created = MafaldaDataProducer::new_remote(&router, &inner, proxy, shapes::parse(&json!(id), "id")?);
            match &inner.node {
                // In a worker process: it lives on that worker, as on a thread.
                None => {
                    router.state.lock().data_producers.insert(created.inner.id, (inner.key, inner.kind == "direct"));
                }
                Some(node) if !inner.is_internal() => {
                    router.state.lock().remote_data_producers.insert(created.inner.id, node.clone());
                }
                Some(_) => {}
            }
            inner.children.lock().data_producers.insert(created.inner.id, created.inner.clone());
            Ok(created)
        })
        .await
    }

    pub async fn produce_data(&self, options: DataProducerOptions) -> Result<MafaldaDataProducer> {
        let inner = self.inner.clone();
        control::run(move || async move {
            let transport = inner.transport.get()?;
            let router = inner.router()?;
            let data_producer = each_transport!(&transport,
                t => t.produce_data(options).await.map_err(in_call("transport.produceData")),
                _r => Err(unsupported("typed produceData() on a transport of another node")))?;
            let direct = matches!(data_producer, DataProducer::Direct(_));
            let created = MafaldaDataProducer::new(&router, &inner, data_producer);
            router.state.lock().data_producers.insert(created.inner.id, (inner.key, direct));
            inner.children.lock().data_producers.insert(created.inner.id, created.inner.clone());
            Ok(created)
        })
        .await
    }

    /// `consumeData()` with mediasoup's JS options: the data producer is piped to this
    /// transport's node first when it lives on another (it gets another id there).
    pub async fn consume_data_json(&self, json_options: Value) -> Result<MafaldaDataConsumer> {
        let (data_producer_id, reliability, paused) = shapes::consume_data(&json_options)?;
        let inner = self.inner.clone();
        control::run(move || async move {
            let transport = inner.transport.get()?;
            let router = inner.router()?;
            let (node_lease, there) = router.acquire_node_data_pipe(data_producer_id, inner.node.clone()).await?;
            let remote = match transport.remote() {
                Some(remote) if inner.node.is_some() => remote,
                // On this node (a worker thread or process): piped to its worker first.
                _ => {
                    let ids = (data_producer_id, there);
                    return inner.consume_data_here(&router, ids, (reliability, paused, Some(json_options)), node_lease).await;
                }
            };
            let mut options = json_options;
            options["dataProducerId"] = json!(there);
            let (proxy, id) = remote.create("transport.consumeData", options).await?;
            let ids = (shapes::parse(&json!(id), "id")?, data_producer_id);
            let created = MafaldaDataConsumer::new_remote(&router, &inner, proxy, ids, (None, node_lease));
            inner.children.lock().data_consumers.insert(created.inner.id, created.inner.clone());
            Ok(created)
        })
        .await
    }

    /// Consumes a data producer of this router wherever it lives (piped or bridged
    /// here first when it is on another worker or node).
    pub async fn consume_data(&self, data_producer_id: DataProducerId, reliability: DataReliability, paused: bool) -> Result<MafaldaDataConsumer> {
        let inner = self.inner.clone();
        control::run(move || async move {
            let router = inner.router()?;
            let (node_lease, there) = router.acquire_node_data_pipe(data_producer_id, inner.node.clone()).await?;
            inner.consume_data_here(&router, (data_producer_id, there), (reliability, paused, None), node_lease).await
        })
        .await
    }
}

impl TransportInner {
    pub fn router(&self) -> Result<Arc<RouterInner>> {
        self.router.upgrade().ok_or_else(|| crate::error::invalid_state("Router closed"))
    }

    pub fn is_internal(&self) -> bool {
        self.internal.load(Ordering::SeqCst)
    }

    /// The data consumer on this node's transport: `ids` are the app's data producer id
    /// and the id it has on this node (another one when piped from another node). A
    /// transport in a worker process gets the app's JSON options (`json`), with the id
    /// the data producer has on its worker.
    async fn consume_data_here(
        self: &Arc<Self>,
        router: &Arc<RouterInner>,
        (app_id, here_id): (DataProducerId, DataProducerId),
        (reliability, paused, json): (DataReliability, bool, Option<Value>),
        node_lease: Option<NodePipeLease>,
    ) -> Result<MafaldaDataConsumer> {
        let transport = self.transport.get()?;
        let (lease, local_id) = router.acquire_data_pipe(here_id, self.key).await?;
        let created = match &transport {
            AnyTransport::Remote(_, remote) => {
                let mut options = json.ok_or_else(|| unsupported("typed consumeData() on a transport of a worker process"))?;
                options["dataProducerId"] = json!(local_id);
                let (proxy, id) = remote.create("transport.consumeData", options).await?;
                let ids = (shapes::parse(&json!(id), "id")?, app_id);
                MafaldaDataConsumer::new_remote(router, self, proxy, ids, (lease, node_lease))
            }
            _ => {
                let mut options = reliability.options(local_id, self.kind == "direct");
                options.paused = paused;
                let data_consumer = each_transport!(&transport,
                    t => t.consume_data(options).await.map_err(in_call("transport.consumeData")),
                    _r => unreachable!("matched above"))?;
                MafaldaDataConsumer::new(router, self, data_consumer, app_id, (lease, node_lease))
            }
        };
        self.children.lock().data_consumers.insert(created.inner.id, created.inner.clone());
        Ok(created)
    }

    /// The consumer on this node's transport, the producer piped to its worker first.
    /// A transport in a worker process gets the app's JSON options (`json`).
    async fn consume_here(
        self: &Arc<Self>,
        router: &Arc<RouterInner>,
        options: ConsumerOptions,
        json: Option<Value>,
        node_lease: Option<NodePipeLease>,
    ) -> Result<MafaldaConsumer> {
        let transport = self.transport.get()?;
        let lease = router.acquire_media_pipe(options.producer_id, self.key).await?;
        let created = match &transport {
            AnyTransport::Remote(_, remote) => {
                let json = json.ok_or_else(|| unsupported("typed consume() on a transport of a worker process"))?;
                let (proxy, id) = remote.create("transport.consume", json).await?;
                let ids = (shapes::parse(&json!(id), "id")?, options.producer_id);
                MafaldaConsumer::new_remote(router, self, proxy, ids, (lease, node_lease))
            }
            _ => {
                let consumer = each_transport!(&transport,
                    t => t.consume(options).await.map_err(from_consume_error),
                    _r => unreachable!("matched above"))?;
                MafaldaConsumer::new(router, self, consumer, lease, node_lease)
            }
        };
        self.children.lock().consumers.insert(created.inner.id, created.inner.clone());
        router.pool.adjust(self.key, Holdings { consumers: 1, ..Holdings::default() }, false);
        Ok(created)
    }

    /// Closes the children, then the transport itself.
    pub fn close(&self) {
        let Some(transport) = self.transport.take() else { return };
        let children = std::mem::take(&mut *self.children.lock());
        for (_, c) in children.consumers {
            c.close();
        }
        for (_, c) in children.data_consumers {
            c.close();
        }
        for (_, p) in children.producers {
            p.close();
        }
        for (_, p) in children.data_producers {
            p.close();
        }
        if let AnyTransport::Remote(_, remote) = &transport {
            remote.close("transport.close");
        }
        drop(transport);
        if let Some(router) = self.router.upgrade() {
            router.transport_closed(self.id, self.key, self.node.as_deref());
        }
    }
}

fn forward_transport_events(router: &Arc<RouterInner>, inner: &Arc<TransportInner>, transport: &AnyTransport) {
    let sink = router.events.clone();
    let handle = inner.handle;
    // Each worker notification becomes (handle, event name, JSON payload).
    macro_rules! forward {
        ($t:ident . $register:ident, $name:literal) => {{
            let sink = sink.clone();
            $t.$register(move |value| sink.emit(handle, $name, json!(value))).detach();
        }};
    }
    match transport {
        AnyTransport::WebRtc(t) => {
            forward!(t.on_ice_state_change, "icestatechange");
            forward!(t.on_ice_selected_tuple_change, "iceselectedtuplechange");
            forward!(t.on_dtls_state_change, "dtlsstatechange");
            forward!(t.on_sctp_state_change, "sctpstatechange");
        }
        AnyTransport::Plain(t) => {
            forward!(t.on_tuple, "tuple");
            forward!(t.on_rtcp_tuple, "rtcptuple");
            forward!(t.on_sctp_state_change, "sctpstatechange");
        }
        AnyTransport::Pipe(t) => {
            forward!(t.on_tuple, "tuple");
            forward!(t.on_sctp_state_change, "sctpstatechange");
        }
        AnyTransport::Direct(t) => {
            let sink = sink.clone();
            t.on_rtcp(move |bytes| sink.emit_bytes(handle, "rtcp", Value::Null, bytes.to_vec())).detach();
        }
        AnyTransport::Remote(..) => {}
    }
    each_transport!(transport,
        t => {
            let sink = sink.clone();
            t.on_trace(Arc::new(move |trace| sink.emit(handle, "trace", json!(trace)))).detach()
        },
        r => {
            // Its node's worker died: mediasoup says "routerclose" for what lived there.
            let weak = Arc::downgrade(inner);
            let close = Arc::new(move || weak.upgrade().into_iter().for_each(|inner| inner.close()));
            r.forward_events(sink.clone(), handle, Some(("routerclose", close)));
        });
}
