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
//! it further among themselves).

use crate::error::{ErrorKind, MafaldaError, Result};
use crate::router::transport::MafaldaTransport;
use crate::router::{RouterInner, RouterState, Target, TransportKind};
use crate::{MafaldaConsumer, MafaldaProducer};
use mediasoup::prelude::*;
use serde_json::{json, Value};
use std::sync::{Arc, Weak};
use tokio::sync::OnceCell;

type PipeKey = (ProducerId, String);

pub(crate) struct NodePipeSlot {
    pub from: String,
    pub to: String,
    refs: usize,
    piped: Arc<OnceCell<NodePiped>>,
}

/// The two ends of one producer's pipe; dropping it closes both, consumer first.
pub(crate) struct NodePiped {
    consumer: MafaldaConsumer,
    producer: MafaldaProducer,
}

impl Drop for NodePiped {
    fn drop(&mut self) {
        self.consumer.close();
        self.producer.close();
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

/// Keeps one node pipe open while held.
pub(crate) struct NodePipeLease {
    router: Weak<RouterInner>,
    key: PipeKey,
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
        let keys: Vec<PipeKey> =
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
        let key = (producer_id, to.clone());
        let (piped, pair) = {
            let mut state = self.state.lock();
            let mut new_slot = false;
            let slot = state.node_pipes.entry(key.clone()).or_insert_with(|| {
                new_slot = true;
                NodePipeSlot { from: from.clone(), to: to.clone(), refs: 0, piped: Arc::new(OnceCell::new()) }
            });
            slot.refs += 1;
            let piped = slot.piped.clone();
            let entry = state
                .node_pairs
                .entry((from.clone(), to.clone()))
                .or_insert_with(|| NodePairEntry { users: 0, pair: Arc::new(OnceCell::new()) });
            if new_slot {
                entry.users += 1;
            }
            (piped, entry.pair.clone())
        };
        let lease = NodePipeLease { router: Arc::downgrade(self), key };
        let this = self.clone();
        piped
            .get_or_try_init(|| async move {
                let pair = pair.get_or_try_init(|| this.create_node_pair(&from, &to)).await?;
                this.pipe_across(pair, producer_id).await
            })
            .await?;
        Ok(Some(lease))
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
        let producer = match produced {
            Ok(producer) => producer,
            Err(e) => {
                consumer.close();
                return Err(e);
            }
        };
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
        Ok(NodePiped { consumer, producer })
    }

    fn release_node_pipe(&self, key: &PipeKey) {
        let (slot, pair) = {
            let mut state = self.state.lock();
            let last = state.node_pipes.get_mut(key).is_some_and(|slot| {
                slot.refs = slot.refs.saturating_sub(1);
                slot.refs == 0
            });
            let Some(slot) = last.then(|| state.node_pipes.remove(key)).flatten() else { return };
            let pair_key = (slot.from.clone(), slot.to.clone());
            let pair_done = state.node_pairs.get_mut(&pair_key).is_some_and(|p| {
                p.users = p.users.saturating_sub(1);
                p.users == 0
            });
            let pair = pair_done.then(|| state.node_pairs.remove(&pair_key)).flatten();
            (slot, pair)
        };
        drop(slot);
        drop(pair);
        self.collect_empty_shards();
    }

    /// (from node, to node, producer id) per live node pipe.
    pub(crate) fn node_pipe_summaries(&self) -> Vec<(String, String, String)> {
        let state = self.state.lock();
        state
            .node_pipes
            .iter()
            .filter(|(_, s)| s.piped.initialized())
            .map(|((id, _), s)| (s.from.clone(), s.to.clone(), id.to_string()))
            .collect()
    }
}
