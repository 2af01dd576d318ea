//! A router's parts on other nodes: one remote `MafaldaRouter` per node that holds
//! some of its transports. To the router a part is what a shard is on this node: made
//! on demand, closed when it holds nothing, lost with its node.

use crate::backing::nodes::Nodes;
use crate::backing::remote::RemoteObject;
use crate::error::{MafaldaError, Result};
use crate::router::hosted::{create_observer_op, create_transport_op};
use crate::router::transport::{AnyTransport, MafaldaTransport, TransportInner};
use crate::router::rtp_observer::{MafaldaRtpObserver, ObserverInner};
use crate::router::{ObserverKind, RouterInner, TransportKind};
use mediasoup::prelude::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;

pub(crate) struct Part {
    pub router: Arc<RemoteObject>,
    /// Transports of ours there (the app's and pipe ends).
    pub transports: HashSet<TransportId>,
    pub observers: HashSet<RtpObserverId>,
    /// Objects being made there: until they are registered the part holds nothing, yet
    /// must not be collected.
    pub creating: usize,
}

/// An object being made in a part: keeps the part from being collected while held.
pub(crate) struct PartCreation {
    router: std::sync::Weak<RouterInner>,
    node: String,
    finished: std::sync::atomic::AtomicBool,
}

impl PartCreation {
    fn release(&self) {
        let Some(router) = self.router.upgrade() else { return };
        let mut state = router.state.lock();
        if let Some(part) = state.parts.get_mut(&self.node) {
            part.creating = part.creating.saturating_sub(1);
        }
    }

    /// The creation is over (it failed): the part may be collected from now on.
    fn done(&self) {
        self.finished.store(true, std::sync::atomic::Ordering::SeqCst);
        self.release();
    }
}

impl Drop for PartCreation {
    fn drop(&mut self) {
        if !self.finished.load(std::sync::atomic::Ordering::SeqCst) {
            self.release();
        }
    }
}

impl Drop for Part {
    fn drop(&mut self) {
        self.router.close("router.close");
    }
}

impl RouterInner {
    /// This router's part on `node`, created there if missing, kept while the
    /// returned creation is held.
    async fn ensure_part(self: &Arc<Self>, cluster: &Arc<dyn Nodes>, node: &str) -> Result<(Arc<RemoteObject>, PartCreation)> {
        let _one_at_a_time = self.shard_creation.lock().await;
        self.check_open()?;
        let creation = || PartCreation { router: Arc::downgrade(self), node: node.to_string(), finished: Default::default() };
        if let Some(part) = self.state.lock().parts.get_mut(node) {
            part.creating += 1;
            return Ok((part.router.clone(), creation()));
        }
        let args = json!({ "routerId": self.id, "mediaCodecs": self.media_codecs });
        let peer = cluster.peer(node);
        let reply = peer.call("router.create", None, args, None).await?;
        let handle = reply["handle"]
            .as_u64()
            .ok_or_else(|| MafaldaError::new(crate::ErrorKind::Other, format!("node {node} answered router.create without a handle")))?;
        let router = RemoteObject::new(peer, handle, reply["rtpCapabilities"].clone());
        let part = Part { router: router.clone(), transports: HashSet::new(), observers: HashSet::new(), creating: 1 };
        self.state.lock().parts.insert(node.to_string(), part);
        Ok((router, creation()))
    }

    /// The rtpCapabilities of a router made on `node` (a router whose own node hosts no media).
    pub(crate) async fn first_part(self: &Arc<Self>, cluster: &Arc<dyn Nodes>, node: &str) -> Result<Value> {
        Ok(self.ensure_part(cluster, node).await?.0.data())
    }

    /// A transport of this router on `node`, created by its part there. `options`
    /// are the app's (its IPs become that node's there).
    pub(crate) async fn create_remote_transport(
        self: &Arc<Self>,
        cluster: &Arc<dyn Nodes>,
        node: &str,
        kind: TransportKind,
        options: Value,
    ) -> Result<MafaldaTransport> {
        if kind == TransportKind::Direct {
            return Err(crate::error::unsupported("a DirectTransport on another node (its messages would cross NATS)"));
        }
        let (part, creation) = self.ensure_part(cluster, node).await?;
        let op = create_transport_op(kind);
        let (remote, id) = self.create_in_part(part, &creation, op, options).await?;
        let id: TransportId = crate::shapes::parse(&json!(id), "id")?;
        let transport = MafaldaTransport::new(self, 0, id, AnyTransport::Remote(kind.name(), remote));
        let mut state = self.state.lock();
        if let Some(part) = state.parts.get_mut(node) {
            part.transports.insert(id);
        }
        state.transports.insert(id, transport.inner.clone());
        Ok(transport)
    }

    /// An RTP observer of this router on `node`, created by its part there.
    pub(crate) async fn create_remote_observer(
        self: &Arc<Self>,
        cluster: &Arc<dyn Nodes>,
        node: &str,
        kind: ObserverKind,
        options: Value,
    ) -> Result<MafaldaRtpObserver> {
        let (part, creation) = self.ensure_part(cluster, node).await?;
        let op = create_observer_op(kind);
        let (remote, id) = self.create_in_part(part, &creation, op, options).await?;
        let id: RtpObserverId = crate::shapes::parse(&json!(id), "id")?;
        let observer = MafaldaRtpObserver::new_remote(self, 0, Some(node.to_string()), remote, id);
        let mut state = self.state.lock();
        if let Some(part) = state.parts.get_mut(node) {
            part.observers.insert(id);
        }
        state.observers.insert(id, observer.inner.clone());
        Ok(observer)
    }

    /// `op` on the part creates an object there; a part that then holds nothing
    /// (the creation failed) is closed again.
    async fn create_in_part(&self, part: Arc<RemoteObject>, creation: &PartCreation, op: &str, options: Value) -> Result<(Arc<RemoteObject>, String)> {
        part.create(op, options).await.inspect_err(|_| {
            creation.done();
            self.collect_empty_shards();
        })
    }

    /// Closes parts that hold nothing.
    pub(crate) fn collect_empty_parts(&self) {
        let empty: Vec<Part> = {
            let mut state = self.state.lock();
            let nodes: Vec<String> = state
                .parts
                .iter()
                .filter(|(_, p)| p.transports.is_empty() && p.observers.is_empty() && p.creating == 0)
                .map(|(n, _)| n.clone())
                .collect();
            nodes.iter().filter_map(|n| state.parts.remove(n)).collect()
        };
        drop(empty);
    }

    /// `node` is lost: what lived there closes as for a dead worker (transports emit
    /// `routerclose`); pipes from it close (consumers elsewhere get `producerclose`
    /// from their own workers), and pipes to it stop. Whether this router had anything there.
    pub(crate) fn node_lost(&self, node: &str) -> bool {
        let (part, transports, observers, pipes) = {
            let mut state = self.state.lock();
            let part = state.parts.remove(node);
            let transports: Vec<Arc<TransportInner>> =
                state.transports.values().filter(|t| t.node.as_deref() == Some(node)).cloned().collect();
            let observers: Vec<Arc<ObserverInner>> =
                state.observers.values().filter(|o| o.node.as_deref() == Some(node)).cloned().collect();
            state.remote_producers.retain(|_, n| n != node);
            state.remote_data_producers.retain(|_, n| n != node);
            let pipes = state.take_node_pipes_of(node);
            (part, transports, observers, pipes)
        };
        if let Some(part) = &part {
            part.router.mark_gone();
        }
        let affected = part.is_some() || !transports.is_empty() || !observers.is_empty();
        self.close_lost(transports, observers);
        drop(pipes);
        drop(part);
        self.collect_empty_shards();
        affected
    }
}

impl TransportKind {
    pub fn name(self) -> &'static str {
        match self {
            TransportKind::WebRtc => "webrtc",
            TransportKind::Plain => "plain",
            TransportKind::Pipe => "pipe",
            TransportKind::Direct => "direct",
        }
    }
}
