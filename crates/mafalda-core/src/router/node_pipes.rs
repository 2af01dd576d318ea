//! Pipes between nodes, with reference counts, as `pipes` does between workers.
//!
//! A consumer on node B of a producer whose home is node A needs the producer on B:
//! one pipe per (producer, target node) serves every consumer there, over one SRTP
//! PipeTransport pair (with RTX) per (source node, target node) of this router. Both
//! ends are transports of this router (`internal`: not the app's) made through the
//! same `MafaldaTransport` calls as the app's, so an end on this node and an end on
//! another node are handled alike: the pipe consumer is `consume()` on the source
//! end, the piped producer `produce({ id })` on the target end, and on the target
//! node the producer then lives in that node's part like any other (its workers pipe
//! it further among themselves). SCTP data producers go the same way (`consumeData`
//! on the source end, `produceData` on the target end, over the pair's SCTP
//! association); there the piped one has an id of its own, which consumers there use.
//!
//! The piped producer keeps the source's id on the target node, so a media pipe's slot
//! outlives its last lease until the target end no longer has it, and a new pipe of
//! that producer to that node waits for it (`pipe_close.rs`): a close travels to the
//! other node and its worker as a later request, which a new pipe must not overtake.

use crate::control;
use crate::error::{ErrorKind, MafaldaError, Result};
use crate::router::pipe_close::{ClosingPipe, PipeEnd};
use crate::router::transport::MafaldaTransport;
use crate::router::{RouterInner, RouterState, Target, TransportKind};
use crate::{MafaldaConsumer, MafaldaDataConsumer, MafaldaDataProducer, MafaldaProducer};
use mediasoup::prelude::*;
use serde_json::{json, Value};
use std::sync::{Arc, Weak};
use tokio::sync::OnceCell;

/// (what is piped, target node).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum NodePipeKey {
    Media(ProducerId, String),
    Data(DataProducerId, String),
}

pub(crate) struct NodePipeSlot {
    pub from: String,
    pub to: String,
    refs: usize,
    piped: Arc<OnceCell<NodePiped>>,
    /// The previous pipe of this key, until its piped producer is gone from the target.
    closing: Option<Arc<ClosingPipe<NodeEnd>>>,
}

/// The two ends of one (data) producer's pipe; dropping it closes both, consumer first.
pub(crate) enum NodePiped {
    Media { consumer: MafaldaConsumer, producer: MafaldaProducer },
    Data { consumer: MafaldaDataConsumer, producer: MafaldaDataProducer },
}

impl Drop for NodePiped {
    fn drop(&mut self) {
        match self {
            NodePiped::Media { consumer, producer } => {
                consumer.close();
                producer.close();
            }
            NodePiped::Data { consumer, producer } => {
                consumer.close();
                producer.close();
            }
        }
    }
}

pub(crate) struct NodePair {
    source: MafaldaTransport,
    target: MafaldaTransport,
}

impl Drop for NodePair {
    fn drop(&mut self) {
        self.source.close();
        self.target.close();
    }
}

pub(crate) struct NodePairEntry {
    users: usize,
    pair: Arc<OnceCell<NodePair>>,
}

/// A node pair's target end, for a closing pipe to ask (held: the pair stays open
/// while asked, even once its last pipe is gone).
pub(crate) struct NodeEnd(Arc<OnceCell<NodePair>>);

impl PipeEnd for NodeEnd {
    /// Asks the transport itself, here or through a call to its node: the same dump.
    async fn still_has(&self, id: &ProducerId) -> bool {
        let Some(pair) = self.0.get() else { return false };
        let id = id.to_string();
        pair.target.dump().await.is_ok_and(|dump| {
            dump["producerIds"].as_array().is_some_and(|ids| ids.iter().any(|p| p.as_str() == Some(id.as_str())))
        })
    }
}

/// Keeps one node pipe open while held.
pub(crate) struct NodePipeLease {
    router: Weak<RouterInner>,
    key: NodePipeKey,
}

impl Drop for NodePipeLease {
    fn drop(&mut self) {
        if let Some(router) = self.router.upgrade() {
            router.release_node_pipe(&self.key);
        }
    }
}

/// One pipe socket carries every stream of a node pair (as between workers).
const PIPE_SOCKET_BUFFER: u32 = 4 * 1024 * 1024;

impl RouterState {
    /// Removes (for the caller to drop) every node pipe and pair touching `node`.
    pub(crate) fn take_node_pipes_of(&mut self, node: &str) -> (Vec<NodePipeSlot>, Vec<NodePairEntry>) {
        let keys: Vec<NodePipeKey> =
            self.node_pipes.iter().filter(|(_, s)| s.from == node || s.to == node).map(|(k, _)| k.clone()).collect();
        let pipes = keys.iter().filter_map(|k| self.node_pipes.remove(k)).collect();
        let pair_keys: Vec<(String, String)> =
            self.node_pairs.keys().filter(|(f, t)| f == node || t == node).cloned().collect();
        let pairs = pair_keys.iter().filter_map(|k| self.node_pairs.remove(k)).collect();
        (pipes, pairs)
    }
}

fn not_found(id: ProducerId) -> MafaldaError {
    MafaldaError::new(ErrorKind::Other, format!("Producer with id \"{id}\" not found"))
}

impl RouterInner {
    /// The node a producer was produced on (`None`: unknown to this router).
    pub(crate) fn home_of(&self, producer_id: &ProducerId) -> Option<String> {
        let cluster = self.cluster.as_ref()?;
        let state = self.state.lock();
        if let Some(node) = state.remote_producers.get(producer_id) {
            return Some(node.clone());
        }
        state.producers.contains_key(producer_id).then(|| cluster.node_id().to_string())
    }

    /// Makes producer `producer_id` available on node `to` (`None`: this node).
    /// `None` when it is there already, or when there is no cluster.
    pub(crate) async fn acquire_node_pipe(self: &Arc<Self>, producer_id: ProducerId, to: Option<String>) -> Result<Option<NodePipeLease>> {
        let Some(cluster) = self.cluster.clone() else { return Ok(None) };
        let to = to.unwrap_or_else(|| cluster.node_id().to_string());
        let from = match self.home_of(&producer_id) {
            Some(from) => from,
            // Unknown here: the consume on this node reports it.
            None if to == cluster.node_id() => return Ok(None),
            None => return Err(not_found(producer_id)),
        };
        if from == to {
            return Ok(None);
        }
        let (lease, piped, pair, closing) = self.take_node_lease(NodePipeKey::Media(producer_id, to.clone()), &from, &to);
        let this = self.clone();
        piped
            .get_or_try_init(|| async move {
                // The previous pipe of this producer there must be closed there first:
                // the new one takes the same id.
                if let Some(closing) = closing {
                    closing.gone().await;
                }
                let pair = pair.get_or_try_init(|| this.create_node_pair(&from, &to)).await?;
                this.pipe_across(pair, producer_id).await
            })
            .await?;
        Ok(Some(lease))
    }

    /// The node a data producer was produced on, and whether it is a DirectTransport's.
    fn home_of_data(&self, id: &DataProducerId) -> Option<(String, bool)> {
        let cluster = self.cluster.as_ref()?;
        let state = self.state.lock();
        if let Some(node) = state.remote_data_producers.get(id) {
            return Some((node.clone(), false));
        }
        state.data_producers.get(id).map(|(_, direct)| (cluster.node_id().to_string(), *direct))
    }

    /// Makes data producer `id` available on node `to` (`None`: this node): the lease,
    /// if piped, and the id it has there.
    pub(crate) async fn acquire_node_data_pipe(
        self: &Arc<Self>,
        id: DataProducerId,
        to: Option<String>,
    ) -> Result<(Option<NodePipeLease>, DataProducerId)> {
        let Some(cluster) = self.cluster.clone() else { return Ok((None, id)) };
        let to = to.unwrap_or_else(|| cluster.node_id().to_string());
        let (from, direct) = match self.home_of_data(&id) {
            Some(home) => home,
            None if to == cluster.node_id() => return Ok((None, id)),
            None => return Err(MafaldaError::new(ErrorKind::Other, format!("DataProducer with id \"{id}\" not found"))),
        };
        if from == to {
            return Ok((None, id));
        }
        if direct {
            return Err(crate::error::unsupported("a DirectTransport's data producer cannot be consumed on another node (it has no SCTP stream to pipe)"));
        }
        let (lease, piped, pair, _) = self.take_node_lease(NodePipeKey::Data(id, to.clone()), &from, &to);
        let this = self.clone();
        let piped = piped
            .get_or_try_init(|| async move {
                let pair = pair.get_or_try_init(|| this.create_node_pair(&from, &to)).await?;
                this.pipe_data_across(pair, id).await
            })
            .await?;
        let there = match piped {
            NodePiped::Data { producer, .. } => producer.inner.id,
            NodePiped::Media { .. } => id,
        };
        Ok((Some(lease), there))
    }

    /// Takes a reference on the (key) pipe and, for its first user, on its node pair;
    /// with the previous pipe of the key while it is still closing.
    #[allow(clippy::type_complexity)]
    fn take_node_lease(
        self: &Arc<Self>,
        key: NodePipeKey,
        from: &str,
        to: &str,
    ) -> (NodePipeLease, Arc<OnceCell<NodePiped>>, Arc<OnceCell<NodePair>>, Option<Arc<ClosingPipe<NodeEnd>>>) {
        let (from, to) = (from.to_string(), to.to_string());
        let (piped, pair, closing) = {
            let mut state = self.state.lock();
            let slot = state.node_pipes.entry(key.clone()).or_insert_with(|| NodePipeSlot {
                from: from.clone(),
                to: to.clone(),
                refs: 0,
                piped: Arc::new(OnceCell::new()),
                closing: None,
            });
            // A slot kept for its closing pipe has no user either.
            let first = slot.refs == 0;
            slot.refs += 1;
            let (piped, closing) = (slot.piped.clone(), slot.closing.clone());
            let entry = state
                .node_pairs
                .entry((from.clone(), to.clone()))
                .or_insert_with(|| NodePairEntry { users: 0, pair: Arc::new(OnceCell::new()) });
            if first {
                entry.users += 1;
            }
            (piped, entry.pair.clone(), closing)
        };
        (NodePipeLease { router: Arc::downgrade(self), key }, piped, pair, closing)
    }

    async fn create_node_pair(self: &Arc<Self>, from: &str, to: &str) -> Result<NodePair> {
        let options = json!({
            "listenInfo": {
                "protocol": "udp", "ip": "0.0.0.0",
                "sendBufferSize": PIPE_SOCKET_BUFFER, "recvBufferSize": PIPE_SOCKET_BUFFER
            },
            // Between hosts the stream crosses a real network: encrypted, with retransmissions.
            "enableSrtp": true,
            "enableRtx": true,
            // Data producers cross over the pair's SCTP association.
            "enableSctp": true,
        });
        let end = |node: &str| {
            let (this, node, options) = (self.clone(), node.to_string(), options.clone());
            async move {
                let transport = this.create_transport_on(Target::Node(node), TransportKind::Pipe, options, None).await?;
                transport.inner.internal.store(true, std::sync::atomic::Ordering::SeqCst);
                Ok::<_, MafaldaError>(transport)
            }
        };
        let source = end(from).await?;
        let target = match end(to).await {
            Ok(target) => target,
            Err(e) => {
                source.close();
                return Err(e);
            }
        };
        let pair = NodePair { source, target };
        let address = |t: &MafaldaTransport| -> Result<Value> {
            let data = t.data()?;
            let tuple = &data["tuple"];
            Ok(json!({
                "ip": tuple["localAddress"].as_str().or(tuple["localIp"].as_str()),
                "port": tuple["localPort"],
                "srtpParameters": data["srtpParameters"],
            }))
        };
        let (to_source, to_target) = (address(&pair.target)?, address(&pair.source)?);
        pair.source.connect_json(to_source).await?;
        pair.target.connect_json(to_target).await?;
        Ok(pair)
    }

    async fn pipe_across(self: &Arc<Self>, pair: &NodePair, producer_id: ProducerId) -> Result<NodePiped> {
        let consumer = pair.source.consume_json(json!({ "producerId": producer_id })).await?;
        let c = consumer.data()?;
        let produced = pair
            .target
            .produce_json(json!({
                "id": producer_id,
                "kind": c["kind"],
                "rtpParameters": c["rtpParameters"],
                "paused": c["producerPaused"],
            }))
            .await;
        // A target end that fails leaves no source end behind.
        let producer = produced.inspect_err(|_| consumer.close())?;
        // The source producer's pause, resume and close travel to the piped producer.
        let target = producer.clone();
        consumer.on_producer_state(Arc::new(move |name| {
            let target = target.clone();
            crate::control::spawn(move || async move {
                let _ = match name {
                    "producerpause" => target.pause().await,
                    "producerresume" => target.resume().await,
                    _ => {
                        target.close();
                        Ok(())
                    }
                };
            });
        }));
        Ok(NodePiped::Media { consumer, producer })
    }

    async fn pipe_data_across(self: &Arc<Self>, pair: &NodePair, id: DataProducerId) -> Result<NodePiped> {
        let consumer = pair.source.consume_data_json(json!({ "dataProducerId": id })).await?;
        let c = consumer.data()?;
        let produced = pair
            .target
            .produce_data_json(json!({
                "sctpStreamParameters": c["sctpStreamParameters"],
                "label": c["label"],
                "protocol": c["protocol"],
            }))
            .await;
        // A target end that fails leaves no source end behind.
        let producer = produced.inspect_err(|_| consumer.close())?;
        let target = producer.clone();
        consumer.on_data_producer_close(Arc::new(move || {
            let target = target.clone();
            crate::control::spawn(move || async move { target.close() });
        }));
        Ok(NodePiped::Data { consumer, producer })
    }

    fn release_node_pipe(self: &Arc<Self>, key: &NodePipeKey) {
        let (piped, slot, pair, closing) = {
            let mut state = self.state.lock();
            let RouterState { node_pipes, node_pairs, .. } = &mut *state;
            let Some(slot) = node_pipes.get_mut(key) else { return };
            slot.refs = slot.refs.saturating_sub(1);
            if slot.refs > 0 {
                return;
            }
            let pair_key = (slot.from.clone(), slot.to.clone());
            // A media pipe that was made leaves its piped producer closing on the target.
            let closing = match key {
                NodePipeKey::Media(producer_id, _) if slot.piped.initialized() => node_pairs
                    .get(&pair_key)
                    .map(|p| Arc::new(ClosingPipe::new(NodeEnd(p.pair.clone()), *producer_id))),
                _ => None,
            };
            if let Some(closing) = &closing {
                slot.closing = Some(closing.clone());
            }
            // The slot stays while a closing pipe (this one or an earlier one) is pending.
            let (piped, slot) = if slot.closing.is_some() {
                (Some(std::mem::replace(&mut slot.piped, Arc::new(OnceCell::new()))), None)
            } else {
                (None, node_pipes.remove(key))
            };
            let pair_done = node_pairs.get_mut(&pair_key).is_some_and(|p| {
                p.users = p.users.saturating_sub(1);
                p.users == 0
            });
            let pair = pair_done.then(|| node_pairs.remove(&pair_key)).flatten();
            (piped, slot, pair, closing)
        };
        // Closes both ends of the pipe (the close of the target end is sent first, before
        // any look at it); then the pair, unless a closing pipe holds it.
        drop(piped);
        drop(slot);
        drop(pair);
        if let Some(closing) = closing {
            // Forgotten once gone there, unless a newer pipe of the key took the slot.
            let (router, key) = (Arc::downgrade(self), key.clone());
            control::spawn(move || async move {
                closing.gone().await;
                let Some(router) = router.upgrade() else { return };
                let done = {
                    let mut state = router.state.lock();
                    match state.node_pipes.get_mut(&key) {
                        Some(slot) if slot.closing.as_ref().is_some_and(|c| Arc::ptr_eq(c, &closing)) => {
                            if slot.refs == 0 {
                                state.node_pipes.remove(&key).map(|slot| (Some(slot), None))
                            } else {
                                Some((None, slot.closing.take()))
                            }
                        }
                        _ => None,
                    }
                };
                // Dropped here, out of the lock: the held pair closes its transports.
                drop(done);
                drop(closing);
                router.collect_empty_shards();
            });
        }
        self.collect_empty_shards();
    }

    /// (from node, to node, (data) producer id, is data) per live node pipe.
    pub(crate) fn node_pipe_summaries(&self) -> Vec<(String, String, String, bool)> {
        let state = self.state.lock();
        state
            .node_pipes
            .iter()
            .filter(|(_, s)| s.piped.initialized())
            .map(|(key, s)| {
                let (id, data) = match key {
                    NodePipeKey::Media(id, _) => (id.to_string(), false),
                    NodePipeKey::Data(id, _) => (id.to_string(), true),
                };
                (s.from.clone(), s.to.clone(), id, data)
            })
            .collect()
    }
}
