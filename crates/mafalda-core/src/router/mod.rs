//! `MafaldaRouter`: one logical mediasoup Router made of shards on several workers.
//!
//! It places each new transport with the pool's scheduler, creates a shard on the
//! chosen worker on demand, keeps the directory of where every producer lives, and
//! closes shards that no longer hold anything.

pub(crate) mod capabilities;
pub mod consumer;
pub mod data_consumer;
pub mod data_producer;
pub(crate) mod hosted;
pub(crate) mod hosted_pipes;
pub(crate) mod node_pipes;
pub(crate) mod parts;
pub(crate) mod pipe_close;
pub(crate) mod pipes;
pub mod producer;
pub mod rtp_observer;
pub(crate) mod shard;
pub mod transport;

use crate::backing::nodes::Nodes;
use crate::backing::Backing;
use crate::control;
use crate::error::{from_request, in_call, invalid_state, unsupported, Result};
use crate::router::node_pipes::{NodePairEntry, NodePipeKey, NodePipeSlot};
use crate::router::parts::Part;
use crate::shapes;
use mediasoup::worker::CreateRouterError;
use crate::events::{next_handle, EventSink, Handle};
use crate::pool::load::Holdings;
use crate::router::pipe_close::ClosingPipe;
use crate::router::pipes::{PairEnd, PairEntry, PipeKey, PipeSlot};
use crate::pool::{Placed, WorkerPool};
use crate::router::rtp_observer::{AnyObserver, MafaldaRtpObserver, ObserverInner};
use crate::router::shard::Shard;
use crate::router::transport::{AnyTransport, MafaldaTransport, TransportInner};
use crate::pool::webrtc_server::MafaldaWebRtcServer;
use mediasoup::prelude::*;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

pub(crate) struct RouterState {
    pub shards: HashMap<u64, Shard>,
    /// Where each app-visible producer of this router lives (worker key).
    pub producers: HashMap<ProducerId, u64>,
    /// Where each data producer lives, and whether it is a DirectTransport's.
    pub data_producers: HashMap<DataProducerId, (u64, bool)>,
    pub pipes: HashMap<PipeKey, PipeSlot>,
    pub pipe_pairs: HashMap<(u64, u64), PairEntry>,
    /// Media pipes whose last lease went, until their worker closed them.
    pub pipe_closings: HashMap<PipeKey, Arc<ClosingPipe<PairEnd>>>,
    pub transports: HashMap<TransportId, Arc<TransportInner>>,
    pub observers: HashMap<RtpObserverId, Arc<ObserverInner>>,
    /// Parts of this router on other nodes, by node id.
    pub parts: HashMap<String, Part>,
    /// Home node of each app producer produced on another node.
    pub remote_producers: HashMap<ProducerId, String>,
    /// Home node of each app data producer produced on another node.
    pub remote_data_producers: HashMap<DataProducerId, String>,
    pub node_pipes: HashMap<NodePipeKey, NodePipeSlot>,
    pub node_pairs: HashMap<(String, String), NodePairEntry>,
}

pub(crate) struct RouterInner {
    pub handle: Handle,
    pub id: String,
    pub pool: WorkerPool,
    pub events: EventSink,
    /// Set on the router an app created in a cluster (parts hosted for other nodes have none).
    pub cluster: Option<Arc<dyn Nodes>>,
    pub(crate) media_codecs: Vec<RtpCodecCapability>,
    rtp_capabilities: Mutex<Option<RtpCapabilitiesFinalized>>,
    pub state: Mutex<RouterState>,
    pub(crate) shard_creation: tokio::sync::Mutex<()>,
    closed: AtomicBool,
    /// Called once when the router closes (the `Mafalda` registry forgets it).
    on_close: Mutex<Option<Box<dyn FnOnce(&str) + Send>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    WebRtc,
    Plain,
    Pipe,
    Direct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObserverKind {
    AudioLevel,
    ActiveSpeaker,
}

/// Which node a new transport goes to.
pub(crate) enum Target {
    /// The cluster's placement decides (this node without a cluster).
    Choose,
    Node(String),
}

/// Where a new WebRtcTransport listens.
pub enum WebRtcListen {
    /// Its own sockets (listen infos).
    Own,
    /// The pool's WebRtcServer of whichever worker it is placed on.
    PoolServer,
    /// A WebRtcServer the app created: the transport goes to that server's worker.
    Server(MafaldaWebRtcServer),
}

/// Cheap to clone; every clone is the same router.
#[derive(Clone)]
pub struct MafaldaRouter {
    pub(crate) inner: Arc<RouterInner>,
}

impl MafaldaRouter {
    pub(crate) async fn create(
        pool: WorkerPool,
        events: EventSink,
        media_codecs: Vec<RtpCodecCapability>,
        on_close: Box<dyn FnOnce(&str) + Send>,
    ) -> Result<Self> {
        Self::create_in(pool, events, media_codecs, on_close, None).await
    }

    /// With a cluster, the router's first part may be on another node (when this one
    /// hosts no media or drains).
    pub(crate) async fn create_in(
        pool: WorkerPool,
        events: EventSink,
        media_codecs: Vec<RtpCodecCapability>,
        on_close: Box<dyn FnOnce(&str) + Send>,
        cluster: Option<Arc<dyn Nodes>>,
    ) -> Result<Self> {
        let inner = Arc::new(RouterInner {
            handle: next_handle(),
            id: uuid::Uuid::new_v4().to_string(),
            pool,
            events,
            cluster: cluster.clone(),
            media_codecs,
            rtp_capabilities: Mutex::new(None),
            state: Mutex::new(RouterState {
                shards: HashMap::new(),
                producers: HashMap::new(),
                data_producers: HashMap::new(),
                pipes: HashMap::new(),
                pipe_pairs: HashMap::new(),
                pipe_closings: HashMap::new(),
                transports: HashMap::new(),
                observers: HashMap::new(),
                parts: HashMap::new(),
                remote_producers: HashMap::new(),
                remote_data_producers: HashMap::new(),
                node_pipes: HashMap::new(),
                node_pairs: HashMap::new(),
            }),
            shard_creation: tokio::sync::Mutex::new(()),
            closed: AtomicBool::new(false),
            on_close: Mutex::new(Some(on_close)),
        });
        // The first shard is created at once: it validates the codecs with a real
        // worker and gives the router its RTP capabilities.
        if let Some(cluster) = cluster.filter(|c| inner.pool.max_workers() == 0 || c.draining()) {
            let node = cluster.choose(&HashSet::new(), &format!("router {}", inner.id))?;
            let capabilities = inner.first_part(&cluster, &node).await?;
            *inner.rtp_capabilities.lock() = Some(shapes::parse(&capabilities, "rtpCapabilities")?);
            return Ok(Self { inner });
        }
        let placed = inner.place("router".to_string(), Holdings::default()).await?;
        let capabilities = match inner.ensure_shard(&placed).await? {
            Backing::Local(router) => router.rtp_capabilities().clone(),
            Backing::Remote(part) => shapes::parse(&part.data(), "rtpCapabilities")?,
        };
        *inner.rtp_capabilities.lock() = Some(capabilities);
        Ok(Self { inner })
    }

    pub fn handle(&self) -> Handle {
        self.inner.handle
    }

    pub fn id(&self) -> &str {
        &self.inner.id
    }

    pub fn closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    pub fn rtp_capabilities(&self) -> RtpCapabilitiesFinalized {
        self.inner.rtp_capabilities.lock().clone().unwrap_or_default()
    }

    /// A transport of `kind` from mediasoup's JS options, on the node the cluster
    /// chooses (this one without a cluster, or with a WebRtcServer of the app's).
    pub async fn create_transport_json(
        &self,
        kind: TransportKind,
        options: Value,
        server: Option<MafaldaWebRtcServer>,
    ) -> Result<MafaldaTransport> {
        let this = self.inner.clone();
        control::run(move || async move { this.create_transport_on(Target::Choose, kind, options, server).await }).await
    }

    /// `build` makes the options once the worker is known, from the WebRtcServer the
    /// transport listens on (none: its own listen infos).
    pub async fn create_webrtc_transport(
        &self,
        listen: WebRtcListen,
        build: impl FnOnce(Option<WebRtcServer>) -> Result<WebRtcTransportOptions> + Send + 'static,
    ) -> Result<MafaldaTransport> {
        let this = self.inner.clone();
        control::run(move || async move {
            let (placed, server) = match listen {
                WebRtcListen::Own => (this.place_transport("webrtc transport").await?, None),
                WebRtcListen::PoolServer => {
                    let placed = this.place_transport("webrtc transport").await?;
                    let server = placed.webrtc_server.clone().ok_or_else(|| {
                        crate::error::type_error("missing webRtcServer, listenInfos and listenIps (one of them is mandatory)")
                    });
                    (placed, Some(server))
                }
                WebRtcListen::Server(server) => {
                    let Backing::Local(handle) = server.inner.server.get()? else {
                        return Err(unsupported("typed WebRTC transport options on a WebRtcServer of a worker process"));
                    };
                    let subject = "webrtc transport (on its WebRtcServer's worker)".to_string();
                    let placed = this.pool.place_on(server.inner.key, format!("{subject} of router {}", this.id), Holdings { transports: 1, ..Holdings::default() }).await?;
                    (placed, Some(Ok(handle)))
                }
            };
            let options = match server.transpose().and_then(build) {
                Ok(options) => options,
                Err(e) => return this.register_transport(placed, Err(e)),
            };
            let router = this.ensure_thread_shard_or_release(&placed).await?;
            let result = router.create_webrtc_transport(options).await;
            this.register_transport(placed, result.map(|t| (t.id(), AnyTransport::WebRtc(t))).map_err(from_request("router.createWebRtcTransport")))
        })
        .await
    }

    pub async fn create_plain_transport(&self, options: PlainTransportOptions) -> Result<MafaldaTransport> {
        let this = self.inner.clone();
        control::run(move || async move {
            let placed = this.place_transport("plain transport").await?;
            let router = this.ensure_thread_shard_or_release(&placed).await?;
            let result = router.create_plain_transport(options).await;
            this.register_transport(placed, result.map(|t| (t.id(), AnyTransport::Plain(t))).map_err(from_request("router.createPlainTransport")))
        })
        .await
    }

    pub async fn create_pipe_transport(&self, options: PipeTransportOptions) -> Result<MafaldaTransport> {
        let this = self.inner.clone();
        control::run(move || async move {
            let placed = this.place_transport("pipe transport").await?;
            let router = this.ensure_thread_shard_or_release(&placed).await?;
            let result = router.create_pipe_transport(options).await;
            this.register_transport(placed, result.map(|t| (t.id(), AnyTransport::Pipe(t))).map_err(from_request("router.createPipeTransport")))
        })
        .await
    }

    pub async fn create_direct_transport(&self, options: DirectTransportOptions) -> Result<MafaldaTransport> {
        let this = self.inner.clone();
        control::run(move || async move {
            let placed = this.place_transport("direct transport").await?;
            let router = this.ensure_thread_shard_or_release(&placed).await?;
            let result = router.create_direct_transport(options).await;
            this.register_transport(placed, result.map(|t| (t.id(), AnyTransport::Direct(t))).map_err(from_request("router.createDirectTransport")))
        })
        .await
    }

    /// An RTP observer from mediasoup's JS options, on the node the cluster chooses
    /// (this one without a cluster).
    pub async fn create_observer_json(&self, kind: ObserverKind, options: Value) -> Result<MafaldaRtpObserver> {
        let this = self.inner.clone();
        control::run(move || async move {
            // Bad arguments are TypeErrors here, wherever the observer then goes.
            match kind {
                ObserverKind::AudioLevel => drop(shapes::audio_level_observer_options(&options)?),
                ObserverKind::ActiveSpeaker => drop(shapes::active_speaker_observer_options(&options)?),
            }
            if let Some(cluster) = this.cluster.clone() {
                let holding: HashSet<String> = this.state.lock().parts.keys().cloned().collect();
                let node = cluster.choose(&holding, &format!("rtp observer of router {}", this.id))?;
                if node != cluster.node_id() {
                    return this.create_remote_observer(&cluster, &node, kind, options).await;
                }
            }
            if this.hosted_workers() {
                return this.create_hosted_observer(kind, options).await;
            }
            let router = MafaldaRouter { inner: this };
            match kind {
                ObserverKind::AudioLevel => router.create_audio_level_observer(shapes::audio_level_observer_options(&options)?).await,
                ObserverKind::ActiveSpeaker => router.create_active_speaker_observer(shapes::active_speaker_observer_options(&options)?).await,
            }
        })
        .await
    }

    pub async fn create_audio_level_observer(&self, options: AudioLevelObserverOptions) -> Result<MafaldaRtpObserver> {
        let this = self.inner.clone();
        control::run(move || async move {
            let placed = this.place("audio level observer".into(), Holdings::default()).await?;
            let router = this.ensure_thread_shard(&placed).await?;
            let observer = router.create_audio_level_observer(options).await.map_err(from_request("router.createAudioLevelObserver"))?;
            Ok(this.register_observer(placed.key, AnyObserver::AudioLevel(observer)))
        })
        .await
    }

    pub async fn create_active_speaker_observer(&self, options: ActiveSpeakerObserverOptions) -> Result<MafaldaRtpObserver> {
        let this = self.inner.clone();
        control::run(move || async move {
            let placed = this.place("active speaker observer".into(), Holdings::default()).await?;
            let router = this.ensure_thread_shard(&placed).await?;
            let observer = router.create_active_speaker_observer(options).await.map_err(from_request("router.createActiveSpeakerObserver"))?;
            Ok(this.register_observer(placed.key, AnyObserver::ActiveSpeaker(observer)))
        })
        .await
    }

    /// Whether `producer_id` (wherever it lives in this router) can be consumed with
    /// the given capabilities.
    pub fn can_consume(&self, producer_id: &ProducerId, rtp_capabilities: &RtpCapabilities) -> bool {
        let state = self.inner.state.lock();
        // Produced elsewhere (another node, a worker process): decided here on its
        // consumable parameters.
        let by_parameters = || {
            state.transports.values().find_map(|t| t.children.lock().producers.get(producer_id).cloned()).is_some_and(|p| {
                crate::router::producer::MafaldaProducer { inner: p }
                    .data()
                    .is_ok_and(|data| crate::router::capabilities::can_consume(&data["consumableRtpParameters"], rtp_capabilities))
            })
        };
        let Some(key) = state.producers.get(producer_id) else {
            return state.remote_producers.contains_key(producer_id) && by_parameters();
        };
        match state.shards.get(key).map(|shard| &shard.router) {
            Some(Backing::Local(router)) => router.can_consume(producer_id, rtp_capabilities),
            Some(Backing::Remote(_)) => by_parameters(),
            None => false,
        }
    }

    /// Live view in the shape of mediasoup's `router.dump()`, plus the shards.
    pub async fn dump(&self) -> Result<Value> {
        let this = self.inner.clone();
        control::run(move || async move { Ok(this.dump().await) }).await
    }

    /// Closes every transport, observer, pipe and shard of this router.
    pub fn close(&self) {
        self.inner.close();
    }

    pub(crate) fn from_inner(inner: Arc<RouterInner>) -> Self {
        Self { inner }
    }
}

impl RouterInner {
    pub fn check_open(&self) -> Result<()> {
        if self.closed.load(Ordering::SeqCst) {
            Err(invalid_state("Router closed"))
        } else {
            Ok(())
        }
    }

    pub async fn place(&self, what: String, reserve: Holdings) -> Result<Placed> {
        self.check_open()?;
        let shards: HashMap<u64, usize> = self.state.lock().shards.iter().map(|(k, s)| (*k, s.transports.len())).collect();
        self.pool.place(format!("{what} of router {}", self.id), &shards, reserve).await
    }

    pub(crate) async fn create_transport_on(
        self: &Arc<Self>,
        target: Target,
        kind: TransportKind,
        mut options: Value,
        server: Option<MafaldaWebRtcServer>,
    ) -> Result<MafaldaTransport> {
        self.check_open()?;
        // Bad arguments are TypeErrors here, wherever the transport then goes.
        let own_listen = ["listenInfos", "listenIps"].iter().any(|k| options.get(*k).is_some_and(|v| !v.is_null()));
        match kind {
            TransportKind::WebRtc if server.is_none() && own_listen => drop(shapes::webrtc_transport_options(&options, None)?),
            TransportKind::Plain => drop(shapes::plain_transport_options(&options)?),
            TransportKind::Pipe => drop(shapes::pipe_transport_options(&options)?),
            TransportKind::Direct => drop(shapes::direct_transport_options(&options)?),
            TransportKind::WebRtc => {}
        }
        if let Some(cluster) = self.cluster.clone() {
            let here = cluster.node_id().to_string();
            let node = match target {
                Target::Node(node) => node,
                // A WebRtcServer's transports stay with its sockets; direct ones with the app.
                Target::Choose if server.is_some() || kind == TransportKind::Direct => here.clone(),
                Target::Choose => {
                    let holding: HashSet<String> = self.state.lock().parts.keys().cloned().collect();
                    cluster.choose(&holding, &format!("{} transport of router {}", kind.name(), self.id))?
                }
            };
            if node != here {
                return self.create_remote_transport(&cluster, &node, kind, options).await;
            }
            if self.pool.max_workers() == 0 {
                return Err(unsupported(format!("this node hosts no media (maxWorkers: 0): a {} transport must go to another node", kind.name())));
            }
            cluster.localize(&mut options);
        }
        if self.hosted_workers() {
            return self.create_hosted_transport(kind, options, server).await;
        }
        let router = MafaldaRouter { inner: self.clone() };
        match kind {
            TransportKind::WebRtc => {
                let listen = match server {
                    Some(server) => WebRtcListen::Server(server),
                    None if own_listen => WebRtcListen::Own,
                    None => WebRtcListen::PoolServer,
                };
                router.create_webrtc_transport(listen, move |server| shapes::webrtc_transport_options(&options, server)).await
            }
            TransportKind::Plain => router.create_plain_transport(shapes::plain_transport_options(&options)?).await,
            TransportKind::Pipe => router.create_pipe_transport(shapes::pipe_transport_options(&options)?).await,
            TransportKind::Direct => router.create_direct_transport(shapes::direct_transport_options(&options)?).await,
        }
    }

    async fn place_transport(&self, what: &str) -> Result<Placed> {
        self.place(what.to_string(), Holdings { transports: 1, ..Holdings::default() }).await
    }

    /// Whether this router's workers are processes, reached through their hosts.
    pub(crate) fn hosted_workers(&self) -> bool {
        matches!(self.pool.options().backing, crate::pool::WorkerBacking::Process(_))
    }

    pub(crate) async fn ensure_shard_or_release(self: &Arc<Self>, placed: &Placed) -> Result<Backing<Router>> {
        self.ensure_shard(placed).await.inspect_err(|_| {
            self.pool.adjust(placed.key, Holdings { transports: 1, ..Holdings::default() }, true);
        })
    }

    async fn ensure_thread_shard_or_release(self: &Arc<Self>, placed: &Placed) -> Result<Router> {
        let shard = self.ensure_shard_or_release(placed).await?;
        thread_shard(shard).inspect_err(|_| {
            self.pool.adjust(placed.key, Holdings { transports: 1, ..Holdings::default() }, true);
        })
    }

    async fn ensure_thread_shard(self: &Arc<Self>, placed: &Placed) -> Result<Router> {
        thread_shard(self.ensure_shard(placed).await?)
    }

    /// The shard of this router on the placed worker, created if missing: a router of
    /// the worker thread, or a part in the worker's host process.
    pub async fn ensure_shard(self: &Arc<Self>, placed: &Placed) -> Result<Backing<Router>> {
        let _one_at_a_time = self.shard_creation.lock().await;
        self.check_open()?;
        if let Some(shard) = self.state.lock().shards.get(&placed.key) {
            return Ok(shard.router.clone());
        }
        let worker = match (&placed.worker, placed.worker.peer()) {
            (crate::pool::WorkerHandle::Thread(worker), _) => worker,
            (_, Some(host)) => return self.create_hosted_shard(placed, host).await,
            (_, None) => return Err(invalid_state("a worker process without its host")),
        };
        let router = worker
            .create_router(RouterOptions::new(self.media_codecs.clone()))
            .await
            .map_err(|error| match error {
                // mediasoup reports codecs it cannot handle as UnsupportedError.
                CreateRouterError::FailedRtpCapabilitiesGeneration(e) => unsupported(e.to_string()),
                other => in_call("router.create")(other),
            })?;
        let weak = Arc::downgrade(self);
        let key = placed.key;
        let on_worker_close = router.on_worker_close(move || {
            if let Some(inner) = weak.upgrade() {
                control::spawn(move || async move { inner.shard_lost(key) });
            }
        });
        self.state.lock().shards.insert(
            key,
            Shard {
                key,
                worker_id: placed.worker.id(),
                router_id: router.id().to_string(),
                router: Backing::Local(router.clone()),
                transports: HashSet::new(),
                observers: 0,
                _on_worker_close: Some(on_worker_close),
            },
        );
        self.pool.shard_opened(key);
        Ok(Backing::Local(router))
    }

    pub fn shard_router(&self, key: u64) -> Result<Backing<Router>> {
        self.state
            .lock()
            .shards
            .get(&key)
            .map(|s| s.router.clone())
            .ok_or_else(|| invalid_state("shard closed"))
    }

    pub(crate) fn register_transport(self: &Arc<Self>, placed: Placed, created: Result<(TransportId, AnyTransport)>) -> Result<MafaldaTransport> {
        let (id, transport) = match created {
            Ok(t) => t,
            Err(e) => {
                self.pool.adjust(placed.key, Holdings { transports: 1, ..Holdings::default() }, true);
                self.collect_empty_shards();
                return Err(e);
            }
        };
        let created = MafaldaTransport::new(self, placed.key, id, transport);
        let mut state = self.state.lock();
        if let Some(shard) = state.shards.get_mut(&placed.key) {
            shard.transports.insert(created.inner.id);
        }
        state.transports.insert(created.inner.id, created.inner.clone());
        Ok(created)
    }

    pub(crate) fn register_observer(self: &Arc<Self>, key: u64, observer: AnyObserver) -> MafaldaRtpObserver {
        let created = MafaldaRtpObserver::new(self, key, observer);
        self.add_observer(key, created)
    }

    pub(crate) fn add_observer(self: &Arc<Self>, key: u64, created: MafaldaRtpObserver) -> MafaldaRtpObserver {
        let mut state = self.state.lock();
        if let Some(shard) = state.shards.get_mut(&key) {
            shard.observers += 1;
        }
        state.observers.insert(created.inner.id, created.inner.clone());
        created
    }

    pub fn transport_closed(&self, id: TransportId, key: u64, node: Option<&str>) {
        {
            let mut state = self.state.lock();
            state.transports.remove(&id);
            if let Some(node) = node {
                if let Some(part) = state.parts.get_mut(node) {
                    part.transports.remove(&id);
                }
            } else if let Some(shard) = state.shards.get_mut(&key) {
                shard.transports.remove(&id);
            }
        }
        if node.is_none() {
            self.pool.adjust(key, Holdings { transports: 1, ..Holdings::default() }, true);
        }
        self.collect_empty_shards();
    }

    pub fn observer_closed(&self, id: RtpObserverId, key: u64, node: Option<&str>) {
        {
            let mut state = self.state.lock();
            state.observers.remove(&id);
            if let Some(node) = node {
                if let Some(part) = state.parts.get_mut(node) {
                    part.observers.remove(&id);
                }
            } else if let Some(shard) = state.shards.get_mut(&key) {
                shard.observers = shard.observers.saturating_sub(1);
            }
        }
        self.collect_empty_shards();
    }

    pub fn producer_closed(&self, id: &ProducerId) {
        self.state.lock().producers.remove(id);
        let observers: Vec<Arc<ObserverInner>> = self.state.lock().observers.values().cloned().collect();
        for observer in observers {
            observer.forget_producer(id);
        }
        self.collect_empty_shards();
    }

    pub fn remote_producer_closed(&self, id: &ProducerId) {
        self.state.lock().remote_producers.remove(id);
        self.collect_empty_shards();
    }

    pub fn remote_data_producer_closed(&self, id: &DataProducerId) {
        self.state.lock().remote_data_producers.remove(id);
        self.collect_empty_shards();
    }

    pub fn data_producer_closed(&self, id: &DataProducerId) {
        self.state.lock().data_producers.remove(id);
        self.collect_empty_shards();
    }

    /// Closes shards that hold no transport, observer or pipe, keeping at least one
    /// (an empty router still owns a real mediasoup router, as in mediasoup).
    pub fn collect_empty_shards(&self) {
        let closed: Vec<Shard> = {
            let mut state = self.state.lock();
            let piped: HashSet<u64> = state.pipes.values().flat_map(|p| [p.from, p.to]).collect();
            // A shard made for a placement still being carried out holds nothing yet.
            let empty: Vec<u64> = state
                .shards
                .values()
                .filter(|s| s.holds_nothing() && !piped.contains(&s.key) && !self.pool.placing_on(s.key))
                .map(|s| s.key)
                .collect();
            let keep_one = empty.len() == state.shards.len();
            empty
                .into_iter()
                .skip(usize::from(keep_one))
                .filter_map(|key| state.shards.remove(&key))
                .collect()
        };
        for shard in closed {
            self.pool.shard_closed(shard.key);
            drop(shard);
        }
        self.collect_empty_parts();
    }

    /// The worker under a shard died: everything on it is gone. Tell each
    /// transport and observer there, as mediasoup says "routerclose".
    pub(crate) fn shard_lost(&self, key: u64) {
        let (shard, transports, observers, pipes) = {
            let mut state = self.state.lock();
            let shard = state.shards.remove(&key);
            let transports: Vec<Arc<TransportInner>> =
                state.transports.values().filter(|t| t.key == key).cloned().collect();
            let observers: Vec<Arc<ObserverInner>> =
                state.observers.values().filter(|o| o.key == key).cloned().collect();
            state.producers.retain(|_, k| *k != key);
            state.data_producers.retain(|_, (k, _)| *k != key);
            let lost_pipes: Vec<PipeKey> =
                state.pipes.iter().filter(|(_, p)| p.from == key || p.to == key).map(|(k, _)| *k).collect();
            let pipes: Vec<PipeSlot> = lost_pipes.iter().filter_map(|k| state.pipes.remove(k)).collect();
            let lost_pairs: Vec<(u64, u64)> = state.pipe_pairs.keys().filter(|(f, t)| *f == key || *t == key).copied().collect();
            let pairs: Vec<PairEntry> = lost_pairs.iter().filter_map(|k| state.pipe_pairs.remove(k)).collect();
            (shard, transports, observers, (pipes, pairs))
        };
        if shard.is_some() {
            self.pool.shard_closed(key);
        }
        self.close_lost(transports, observers);
        drop(pipes);
        drop(shard);
        self.collect_empty_shards();
    }

    /// What lived on a lost worker or node closes, as mediasoup tells it: "routerclose"
    /// (our own pipe ends between nodes close without telling the app).
    pub(crate) fn close_lost(&self, transports: Vec<Arc<TransportInner>>, observers: Vec<Arc<ObserverInner>>) {
        for transport in transports {
            if !transport.is_internal() {
                self.events.emit(transport.handle, "routerclose", Value::Null);
            }
            transport.close();
        }
        for observer in observers {
            self.events.emit(observer.handle, "routerclose", Value::Null);
            observer.close();
        }
    }

    pub fn close(&self) {
        if self.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        let (transports, observers) = {
            let state = self.state.lock();
            (
                state.transports.values().cloned().collect::<Vec<_>>(),
                state.observers.values().cloned().collect::<Vec<_>>(),
            )
        };
        for transport in transports {
            transport.close();
        }
        for observer in observers {
            observer.close();
        }
        let (shards, pipes, node_pipes, parts) = {
            let mut state = self.state.lock();
            state.producers.clear();
            state.data_producers.clear();
            state.remote_producers.clear();
            state.remote_data_producers.clear();
            let pipes = (std::mem::take(&mut state.pipes), std::mem::take(&mut state.pipe_pairs));
            let node_pipes = (std::mem::take(&mut state.node_pipes), std::mem::take(&mut state.node_pairs));
            (std::mem::take(&mut state.shards), pipes, node_pipes, std::mem::take(&mut state.parts))
        };
        drop(pipes);
        drop(node_pipes);
        drop(parts);
        for (key, shard) in shards {
            self.pool.shard_closed(key);
            drop(shard);
        }
        let on_close = self.on_close.lock().take();
        if let Some(on_close) = on_close {
            on_close(&self.id);
        }
    }

    /// The shards as `dump()` reports them: worker, mediasoup router id, transports.
    pub fn shard_summaries(&self) -> Vec<(u64, String, Vec<String>)> {
        let state = self.state.lock();
        state
            .shards
            .values()
            .map(|s| (s.key, s.router_id.clone(), s.transports.iter().map(|t| t.to_string()).collect()))
            .collect()
    }

    async fn dump(self: &Arc<Self>) -> Value {
        let (transports, observers, shards, parts) = {
            let state = self.state.lock();
            (
                state.transports.values().filter(|t| !t.is_internal()).cloned().collect::<Vec<_>>(),
                state.observers.values().cloned().collect::<Vec<_>>(),
                state
                    .shards
                    .values()
                    .map(|s| (s.worker_id.to_string(), (s.router_id.clone(), s.router.clone()), s.transports.len()))
                    .collect::<Vec<_>>(),
                state.parts.iter().map(|(node, p)| json!({ "nodeId": node, "transportCount": p.transports.len() })).collect::<Vec<_>>(),
            )
        };
        let mut map_producer_consumers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut map_consumer_producer: BTreeMap<String, String> = BTreeMap::new();
        let mut map_data_producer_consumers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut map_data_consumer_producer: BTreeMap<String, String> = BTreeMap::new();
        let mut map_producer_observers: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for transport in &transports {
            let children = transport.children.lock();
            for producer in children.producers.values() {
                map_producer_consumers.entry(producer.id.to_string()).or_default();
            }
            for data_producer in children.data_producers.values() {
                map_data_producer_consumers.entry(data_producer.id.to_string()).or_default();
            }
        }
        for transport in &transports {
            let children = transport.children.lock();
            for consumer in children.consumers.values() {
                let (c, p) = (consumer.id.to_string(), consumer.producer_id.to_string());
                map_producer_consumers.entry(p.clone()).or_default().push(c.clone());
                map_consumer_producer.insert(c, p);
            }
            for data_consumer in children.data_consumers.values() {
                let (c, p) = (data_consumer.id.to_string(), data_consumer.data_producer_id.to_string());
                map_data_producer_consumers.entry(p.clone()).or_default().push(c.clone());
                map_data_consumer_producer.insert(c, p);
            }
        }
        for observer in &observers {
            for producer_id in observer.producer_ids() {
                map_producer_observers.entry(producer_id.to_string()).or_default().push(observer.id.to_string());
            }
        }
        let mut shard_dumps = Vec::new();
        for (worker_id, (router_id, router), app_transports) in shards {
            let transport_ids: Option<Vec<String>> = match router {
                Backing::Local(router) => router.dump().await.ok().map(|d| d.transport_ids.iter().map(|t| t.to_string()).collect()),
                Backing::Remote(part) => part.call("router.dump", Value::Null).await.ok().and_then(|d| shapes::parse(&d["transportIds"], "transportIds").ok()),
            };
            shard_dumps.push(json!({
                "workerId": worker_id,
                "routerId": router_id,
                "appTransportCount": app_transports,
                "transportIds": transport_ids,
            }));
        }
        json!({
            "id": self.id,
            "transportIds": transports.iter().map(|t| t.id.to_string()).collect::<Vec<_>>(),
            "rtpObserverIds": observers.iter().map(|o| o.id.to_string()).collect::<Vec<_>>(),
            "mapProducerIdConsumerIds": map_producer_consumers,
            "mapConsumerIdProducerId": map_consumer_producer,
            "mapProducerIdObserverIds": map_producer_observers,
            "mapDataProducerIdDataConsumerIds": map_data_producer_consumers,
            "mapDataConsumerIdDataProducerId": map_data_consumer_producer,
            "shards": shard_dumps,
            "parts": parts,
            "nodePipes": self
                .node_pipe_summaries()
                .into_iter()
                .map(|(from, to, id, data)| node_pipe_json(&from, &to, &id, data))
                .collect::<Vec<_>>(),
        })
    }
}

pub(crate) type WeakRouter = Weak<RouterInner>;

/// The typed (Rust) creations take mediasoup's option structs, which cannot cross to
/// a worker host; the JSON ones (the binding's) go everywhere.
fn thread_shard(shard: Backing<Router>) -> Result<Router> {
    match shard {
        Backing::Local(router) => Ok(router),
        Backing::Remote(_) => Err(unsupported("typed options need a pool of worker threads (workerBacking 'thread'); use the JSON calls")),
    }
}

/// One pipe between nodes as `dump()` shows it.
pub(crate) fn node_pipe_json(from: &str, to: &str, id: &str, data: bool) -> Value {
    let key = if data { "dataProducerId" } else { "producerId" };
    json!({ "fromNodeId": from, "toNodeId": to, key: id })
}
