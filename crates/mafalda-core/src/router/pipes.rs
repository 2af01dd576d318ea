//! Cross-worker piping with reference counts.
//!
//! A consumer (or an RTP observer) on worker B of a producer that lives on worker A
//! needs the producer piped from shard A to shard B. One pipe per (producer, target
//! shard) serves every consumer there, and one PipeTransport pair per (source shard,
//! target shard) carries every such pipe. Each user holds a `PipeLease`; the last
//! lease to go closes the pipe consumer and producer together, and the last pipe of
//! a pair closes the pair. Concurrent first users share one in-flight creation (a
//! `OnceCell`), so nothing is created twice.
//!
//! The pair is built here rather than with `Router::pipe_producer_to_router()` of the
//! mediasoup crate: its pair always listens on 127.0.0.1 with the crate's options,
//! while ours sets larger socket buffers (one pipe socket carries every stream of a
//! shard pair) and reference-counts each pipe. Data producers of a DirectTransport
//! have no SCTP stream parameters to pipe with; they are bridged through a
//! DirectTransport on each side instead. Between two process workers the same
//! pair, pipes and bridges are made by calls to their hosts (`hosted_pipes.rs`).

use crate::backing::Backing;
use crate::control;
use crate::error::{in_call, ErrorKind, MafaldaError, Result};
use crate::pool::load::Holdings;
use crate::pool::WorkerPool;
use crate::router::hosted_pipes::{bridge_hosted_data, create_hosted_pair, pipe_hosted_data, pipe_hosted_media, HostedEnd, HostedPair};
use crate::router::pipe_close::{ClosingPipe, PipeEnd};
use crate::router::RouterInner;
use mediasoup::prelude::*;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use tokio::sync::OnceCell;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PipeKey {
    Media(ProducerId, u64),
    Data(DataProducerId, u64),
}

/// The PipeTransport pair between two shards of one router.
pub(crate) enum PipePair {
    Thread { local: PipeTransport, remote: PipeTransport },
    Hosted(HostedPair),
}

impl PipePair {
    async fn create(source: Backing<Router>, target: Backing<Router>) -> Result<Self> {
        match (source, target) {
            (Backing::Local(source), Backing::Local(target)) => create_pipe_pair(source, target).await,
            (Backing::Remote(source), Backing::Remote(target)) => create_hosted_pair(source, target).await.map(PipePair::Hosted),
            _ => Err(MafaldaError::new(ErrorKind::Other, "a pipe between a worker thread and a worker process")),
        }
    }

    /// The end a piped producer lives on, to ask whether it is still there.
    fn target_end(&self) -> PairEnd {
        match self {
            PipePair::Thread { remote, .. } => PairEnd::Thread(remote.clone()),
            PipePair::Hosted(pair) => PairEnd::Hosted(pair.remote.clone()),
        }
    }
}

/// The target end of a pair, held open while a closing pipe's producer is asked for.
pub(crate) enum PairEnd {
    Thread(PipeTransport),
    Hosted(Arc<HostedEnd>),
}

impl PipeEnd for PairEnd {
    async fn still_has(&self, id: &ProducerId) -> bool {
        match self {
            PairEnd::Thread(transport) => transport.still_has(id).await,
            PairEnd::Hosted(end) => end.still_has(id).await,
        }
    }
}

pub(crate) struct PairEntry {
    pub users: usize,
    pub pair: Arc<OnceCell<PipePair>>,
}

/// A handle that a worker callback may close: it is taken out and dropped on the
/// control thread, never inside the callback.
type Closable<T> = Arc<Mutex<Option<T>>>;

fn close_later<T: Send + 'static>(closable: &Closable<T>) {
    let taken = closable.lock().take();
    if taken.is_some() {
        control::spawn(move || async move { drop(taken) });
    }
}

/// Held for their `Drop`: while held, the pipe's two ends stay open. Fields drop in
/// order, consumer end first, so both ends close together.
#[allow(dead_code)]
pub(crate) enum Piped {
    HostedMedia { pipe_consumer: Arc<HostedEnd>, pipe_producer: Arc<HostedEnd> },
    HostedData { pipe_data_consumer: Arc<HostedEnd>, pipe_data_producer: Arc<HostedEnd>, target_id: DataProducerId },
    HostedBridge {
        bridge_consumer: Arc<HostedEnd>,
        bridge_producer: Arc<HostedEnd>,
        target_id: DataProducerId,
        _out: Arc<HostedEnd>,
        _in: Arc<HostedEnd>,
    },
    Media { pipe_consumer: Consumer, pipe_producer: Closable<Producer> },
    Data {
        pipe_data_consumer: DataConsumer,
        pipe_data_producer: Closable<DataProducer>,
        /// Id of the piped data producer on the target shard.
        target_id: DataProducerId,
    },
    Bridge {
        bridge_consumer: DataConsumer,
        bridge_producer: Closable<DataProducer>,
        /// Id of the bridged data producer on the target shard.
        target_id: DataProducerId,
        _out: DirectTransport,
        _in: DirectTransport,
    },
}

/// A pipe that exists, counted in its source worker's holdings for exactly as long as
/// it lives: however its slot goes (last lease, worker lost, router closed, or a
/// creation that finishes after its slot is gone), the count goes with it.
pub(crate) struct LivePipe {
    pub piped: Piped,
    _holding: PipeHolding,
}

struct PipeHolding {
    pool: WorkerPool,
    worker: u64,
}

impl PipeHolding {
    fn new(pool: WorkerPool, worker: u64) -> Self {
        pool.adjust(worker, pipe_holdings(), false);
        Self { pool, worker }
    }
}

impl Drop for PipeHolding {
    fn drop(&mut self) {
        self.pool.adjust(self.worker, pipe_holdings(), true);
    }
}

pub(crate) struct PipeSlot {
    pub from: u64,
    pub to: u64,
    pub refs: usize,
    pub piped: Arc<OnceCell<LivePipe>>,
}

/// Keeps one pipe open while held.
pub(crate) struct PipeLease {
    router: Weak<RouterInner>,
    key: PipeKey,
}

impl Drop for PipeLease {
    fn drop(&mut self) {
        if let Some(router) = self.router.upgrade() {
            router.release_pipe(self.key);
        }
    }
}

fn pipe_holdings() -> Holdings {
    Holdings { pipes: 1, ..Holdings::default() }
}

fn not_found(what: &str, id: impl std::fmt::Display) -> MafaldaError {
    MafaldaError::new(ErrorKind::Other, format!("{what} with id \"{id}\" not found"))
}

/// Socket buffers of a pipe: one pipe socket carries every piped stream of a shard
/// pair, so the kernel's default receive buffer overflows in bursts.
pub(crate) const PIPE_SOCKET_BUFFER: u32 = 4 * 1024 * 1024;

async fn create_pipe_pair(source: Router, target: Router) -> Result<PipePair> {
    let mut listen = crate::shapes::udp_listen_info([127, 0, 0, 1].into());
    listen.send_buffer_size = Some(PIPE_SOCKET_BUFFER);
    listen.recv_buffer_size = Some(PIPE_SOCKET_BUFFER);
    let mut options = PipeTransportOptions::new(listen);
    options.enable_sctp = true;
    let local = source.create_pipe_transport(options.clone()).await.map_err(in_call("router.pipe (between workers)"))?;
    let remote = target.create_pipe_transport(options).await.map_err(in_call("router.pipe (between workers)"))?;
    let (l, r) = (local.tuple(), remote.tuple());
    local
        .connect(PipeTransportRemoteParameters { ip: local_ip(&r)?, port: r.local_port(), srtp_parameters: None })
        .await
        .map_err(in_call("router.pipe (between workers)"))?;
    remote
        .connect(PipeTransportRemoteParameters { ip: local_ip(&l)?, port: l.local_port(), srtp_parameters: None })
        .await
        .map_err(in_call("router.pipe (between workers)"))?;
    Ok(PipePair::Thread { local, remote })
}

fn local_ip(tuple: &mediasoup::types::data_structures::TransportTuple) -> Result<std::net::IpAddr> {
    tuple.local_address().parse().map_err(|_| MafaldaError::new(ErrorKind::Other, format!("pipe transport listens on a non-IP address {}", tuple.local_address())))
}

async fn pipe_media(pair: &PipePair, producer_id: ProducerId) -> Result<Piped> {
    let (local, remote) = match pair {
        PipePair::Thread { local, remote } => (local, remote),
        PipePair::Hosted(pair) => return pipe_hosted_media(pair, producer_id).await,
    };
    let pipe_consumer = local
        .consume(ConsumerOptions::new(producer_id, RtpCapabilities::default()))
        .await
        .map_err(in_call("router.pipe (between workers)"))?;
    let mut options =
        ProducerOptions::new_pipe_transport(producer_id, pipe_consumer.kind(), pipe_consumer.rtp_parameters().clone());
    options.paused = pipe_consumer.producer_paused();
    let pipe_producer: Closable<Producer> =
        Arc::new(Mutex::new(Some(remote.produce(options).await.map_err(in_call("router.pipe (between workers)"))?)));
    // The source producer's pause, resume and close travel to the piped producer.
    for (pause, register) in [(true, 0), (false, 1)] {
        let target = pipe_producer.clone();
        let callback = move || {
            if let Some(p) = target.lock().clone() {
                control::spawn(move || async move {
                    let _ = if pause { p.pause().await } else { p.resume().await };
                });
            }
        };
        if register == 0 {
            pipe_consumer.on_producer_pause(callback).detach();
        } else {
            pipe_consumer.on_producer_resume(callback).detach();
        }
    }
    let target = pipe_producer.clone();
    pipe_consumer.on_producer_close(move || close_later(&target)).detach();
    request_key_frame_when_media_flows(&pipe_consumer);
    Ok(Piped::Media { pipe_consumer, pipe_producer })
}

/// Pipes an SCTP data producer over the shards' own pair (not the crate's
/// `pipe_data_producer_to_router()`: closing its cached pair from a data consumer's
/// close handler deadlocked the crate's executor). The piped data producer gets a new
/// id: the crate lets only itself choose one.
async fn pipe_data(pair: &PipePair, data_producer_id: DataProducerId) -> Result<Piped> {
    let (local, remote) = match pair {
        PipePair::Thread { local, remote } => (local, remote),
        PipePair::Hosted(pair) => return pipe_hosted_data(pair, data_producer_id).await,
    };
    let pipe_data_consumer = local
        .consume_data(DataConsumerOptions::new_sctp(data_producer_id))
        .await
        .map_err(in_call("router.pipe (between workers)"))?;
    let parameters = pipe_data_consumer
        .sctp_stream_parameters()
        .ok_or_else(|| MafaldaError::new(ErrorKind::Other, "pipe data consumer without SCTP stream parameters"))?;
    let mut options = DataProducerOptions::new_sctp(parameters);
    options.label = pipe_data_consumer.label().clone();
    options.protocol = pipe_data_consumer.protocol().clone();
    let producer = remote.produce_data(options).await.map_err(in_call("router.pipe (between workers)"))?;
    let target_id = producer.id();
    let pipe_data_producer: Closable<DataProducer> = Arc::new(Mutex::new(Some(producer)));
    let target = pipe_data_producer.clone();
    pipe_data_consumer.on_data_producer_close(move || close_later(&target)).detach();
    Ok(Piped::Data { pipe_data_consumer, pipe_data_producer, target_id })
}

/// Forwards the messages of a DirectTransport data producer to a new direct data
/// producer on the target shard, in order, through the control thread.
async fn bridge_data(source: Backing<Router>, target: Backing<Router>, data_producer_id: DataProducerId) -> Result<Piped> {
    let (source, target) = match (source, target) {
        (Backing::Local(source), Backing::Local(target)) => (source, target),
        (Backing::Remote(source), Backing::Remote(target)) => return bridge_hosted_data(source, target, data_producer_id).await,
        _ => return Err(MafaldaError::new(ErrorKind::Other, "a bridge between a worker thread and a worker process")),
    };
    let out = source.create_direct_transport(DirectTransportOptions::default()).await.map_err(in_call("router.pipe (between workers)"))?;
    let bridge_consumer = out
        .consume_data(DataConsumerOptions::new_direct(data_producer_id, None))
        .await
        .map_err(in_call("router.pipe (between workers)"))?;
    let input = target.create_direct_transport(DirectTransportOptions::default()).await.map_err(in_call("router.pipe (between workers)"))?;
    let producer = input.produce_data(DataProducerOptions::new_direct()).await.map_err(in_call("router.pipe (between workers)"))?;
    let target_id = producer.id();
    let bridge_producer: Closable<DataProducer> = Arc::new(Mutex::new(Some(producer)));
    // Each message is a worker notification sent at once, so order is kept.
    let forward_to = bridge_producer.clone();
    bridge_consumer
        .on_message(move |message| {
            if let Some(DataProducer::Direct(direct)) = &*forward_to.lock() {
                let _ = direct.send(message.clone(), None, None, None);
            }
        })
        .detach();
    let target = bridge_producer.clone();
    bridge_consumer.on_data_producer_close(move || close_later(&target)).detach();
    Ok(Piped::Bridge { bridge_consumer, bridge_producer, target_id, _out: out, _in: input })
}

impl RouterInner {
    /// Makes producer `producer_id` available on the shard of worker `to`.
    /// `None` when it already lives there.
    pub(crate) async fn acquire_media_pipe(self: &Arc<Self>, producer_id: ProducerId, to: u64) -> Result<Option<PipeLease>> {
        let from = *self.state.lock().producers.get(&producer_id).ok_or_else(|| not_found("Producer", producer_id))?;
        if from == to {
            return Ok(None);
        }
        let (lease, piped, pair) = self.take_lease(PipeKey::Media(producer_id, to), from, to);
        let (source, target) = (self.shard_router(from)?, self.shard_router(to)?);
        let pool = self.pool.clone();
        let closing = self.state.lock().pipe_closings.get(&PipeKey::Media(producer_id, to)).cloned();
        piped
            .get_or_try_init(|| async move {
                // The previous pipe of this producer here must be closed in the worker
                // first: the new one takes the same id (see pipe_close.rs).
                if let Some(closing) = closing {
                    closing.gone().await;
                }
                let pair = pair.get_or_try_init(|| PipePair::create(source, target)).await?;
                let piped = pipe_media(pair, producer_id).await?;
                Ok::<_, MafaldaError>(LivePipe { piped, _holding: PipeHolding::new(pool, from) })
            })
            .await?;
        Ok(Some(lease))
    }

    /// Makes a data producer available on the shard of worker `to`. Returns the lease
    /// (if piped) and the id to consume there (a bridged data producer gets a new one).
    pub(crate) async fn acquire_data_pipe(
        self: &Arc<Self>,
        data_producer_id: DataProducerId,
        to: u64,
    ) -> Result<(Option<PipeLease>, DataProducerId)> {
        let (from, direct) = *self
            .state
            .lock()
            .data_producers
            .get(&data_producer_id)
            .ok_or_else(|| not_found("DataProducer", data_producer_id))?;
        if from == to {
            return Ok((None, data_producer_id));
        }
        let (lease, piped, pair) = self.take_lease(PipeKey::Data(data_producer_id, to), from, to);
        let (source, target) = (self.shard_router(from)?, self.shard_router(to)?);
        let pool = self.pool.clone();
        let piped = piped
            .get_or_try_init(|| async move {
                let piped = if direct {
                    bridge_data(source, target, data_producer_id).await?
                } else {
                    let pair = pair.get_or_try_init(|| PipePair::create(source, target)).await?;
                    pipe_data(pair, data_producer_id).await?
                };
                Ok::<_, MafaldaError>(LivePipe { piped, _holding: PipeHolding::new(pool, from) })
            })
            .await?;
        let target_id = match &piped.piped {
            Piped::Bridge { target_id, .. }
            | Piped::Data { target_id, .. }
            | Piped::HostedData { target_id, .. }
            | Piped::HostedBridge { target_id, .. } => *target_id,
            Piped::Media { .. } | Piped::HostedMedia { .. } => data_producer_id,
        };
        Ok((Some(lease), target_id))
    }

    fn take_lease(self: &Arc<Self>, key: PipeKey, from: u64, to: u64) -> (PipeLease, Arc<OnceCell<LivePipe>>, Arc<OnceCell<PipePair>>) {
        let mut state = self.state.lock();
        let mut new_slot = false;
        let slot = state.pipes.entry(key).or_insert_with(|| {
            new_slot = true;
            PipeSlot { from, to, refs: 0, piped: Arc::new(OnceCell::new()) }
        });
        slot.refs += 1;
        let piped = slot.piped.clone();
        let pair_entry = state
            .pipe_pairs
            .entry((from, to))
            .or_insert_with(|| PairEntry { users: 0, pair: Arc::new(OnceCell::new()) });
        if new_slot {
            pair_entry.users += 1;
        }
        (PipeLease { router: Arc::downgrade(self), key }, piped, pair_entry.pair.clone())
    }

    fn release_pipe(self: &Arc<Self>, key: PipeKey) {
        let (slot, pair, closing) = {
            let mut state = self.state.lock();
            let last = state.pipes.get_mut(&key).is_some_and(|slot| {
                slot.refs = slot.refs.saturating_sub(1);
                slot.refs == 0
            });
            let Some(slot) = last.then(|| state.pipes.remove(&key)).flatten() else { return };
            let closing = match key {
                PipeKey::Media(producer_id, _) if slot.piped.initialized() => state
                    .pipe_pairs
                    .get(&(slot.from, slot.to))
                    .and_then(|p| p.pair.get())
                    .map(|pair| Arc::new(ClosingPipe::new(pair.target_end(), producer_id))),
                _ => None,
            };
            if let Some(closing) = &closing {
                state.pipe_closings.insert(key, closing.clone());
            }
            let pair_done = state.pipe_pairs.get_mut(&(slot.from, slot.to)).is_some_and(|p| {
                p.users = p.users.saturating_sub(1);
                p.users == 0
            });
            let pair = pair_done.then(|| state.pipe_pairs.remove(&(slot.from, slot.to))).flatten();
            (slot, pair, closing)
        };
        drop(slot);
        drop(pair);
        if let Some(closing) = closing {
            // Forgotten once the worker closed it (a newer one of the same key stays).
            let router = Arc::downgrade(self);
            control::spawn(move || async move {
                closing.gone().await;
                if let Some(router) = router.upgrade() {
                    let mut state = router.state.lock();
                    if state.pipe_closings.get(&key).is_some_and(|c| Arc::ptr_eq(c, &closing)) {
                        state.pipe_closings.remove(&key);
                    }
                }
            });
        }
        self.collect_empty_shards();
    }

    /// (from worker key, to worker key, producer id, is data) per live pipe.
    pub(crate) fn pipe_summaries(&self) -> Vec<(u64, u64, String, bool)> {
        let state = self.state.lock();
        state
            .pipes
            .iter()
            .filter(|(_, slot)| slot.piped.initialized())
            .map(|(key, slot)| match key {
                PipeKey::Media(id, _) => (slot.from, slot.to, id.to_string(), false),
                PipeKey::Data(id, _) => (slot.from, slot.to, id.to_string(), true),
            })
            .collect()
    }
}

/// A pipe consumer that asks for a key frame before its producer has seen any RTP
/// leaves video black; ask again the first time it reports a score (media flows).
fn request_key_frame_when_media_flows(pipe_consumer: &Consumer) {
    if pipe_consumer.kind() != MediaKind::Video {
        return;
    }
    let weak = pipe_consumer.downgrade();
    let asked = AtomicBool::new(false);
    pipe_consumer
        .on_score(move |score| {
            if score.producer_score > 0 && !asked.swap(true, Ordering::SeqCst) {
                if let Some(consumer) = weak.upgrade() {
                    control::spawn(move || async move {
                        let _ = consumer.request_key_frame().await;
                    });
                }
            }
        })
        .detach();
}
