//! The cluster: this node's membership in a NATS-coordinated set of media servers.
//!
//! - `options`: what the app configures; `link`: the NATS connection and calls;
//! - `protocol`: subjects and messages; `presence`: the node table (heartbeats, timeouts);
//! - `placement`: which node takes a new transport (the scheduler lifted to nodes);
//! - `addresses`: a transport's IPs become its node's;
//! - `node_peer`: the seam's `Peer` for the objects of another node.
//!
//! The parts this node hosts for routers owned elsewhere are served by `serve::Agent`
//! (the same serving code a worker host runs); the proxies of objects on other nodes
//! are the seam's `RemoteObject`s. Everything here runs on the control thread, like
//! the rest of the control plane.

pub mod addresses;
pub mod link;
pub mod node_peer;
pub mod options;
pub mod placement;
pub mod presence;
pub mod protocol;

use crate::backing::nodes::Nodes;
use crate::backing::peer::Peer;
use crate::backing::protocol::{Call, RemoteEvent, Reply};
use crate::backing::remote::RemoteObject;
use crate::cluster::addresses::localize;
use crate::cluster::link::Link;
use crate::cluster::node_peer::NodePeer;
use crate::cluster::options::ClusterOptions;
use crate::cluster::placement::{choose_node, NodeCandidate, NodeReason};
use crate::cluster::presence::{Change, NodeTable};
use crate::cluster::protocol::*;
use crate::error::{type_error, MafaldaError, Result};
use crate::events::EventSink;
use crate::pool::WorkerPool;
use crate::serve::{Agent, Serving};
use futures_util::StreamExt;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// What the cluster tells the `Mafalda` that owns it.
pub struct ClusterHooks {
    pub node_added: Box<dyn Fn(&NodeInfo) + Send + Sync>,
    /// A node is lost: close what lived there; returns the ids of the routers it touched.
    pub node_lost: Box<dyn Fn(&str) -> Vec<String> + Send + Sync>,
    pub event: Box<dyn Fn(&'static str, Value) + Send + Sync>,
}

pub struct Cluster {
    pub options: ClusterOptions,
    pub link: Link,
    incarnation: String,
    pub(crate) pool: WorkerPool,
    nodes: Mutex<NodeTable>,
    spread_turn: AtomicUsize,
    draining: AtomicBool,
    routes: Mutex<HashMap<(String, u64), Weak<RemoteObject>>>,
    pub agent: Agent,
    hooks: ClusterHooks,
    short_of_capacity: AtomicBool,
    /// Since when the NATS connection has been down (at the last sweeps).
    offline_since: Mutex<Option<Instant>>,
    closed: AtomicBool,
    decisions: Mutex<std::collections::VecDeque<Value>>,
    /// Itself, for the peers and sinks it hands out.
    me: Weak<Cluster>,
}

impl Cluster {
    /// Joins: connects, subscribes, then announces itself. Must run on the control thread.
    pub async fn start(options: ClusterOptions, pool: WorkerPool, hooks: ClusterHooks) -> Result<Arc<Self>> {
        if !valid_node_id(&options.node_id) {
            return Err(type_error(format!(
                "cluster.nodeId \"{}\" must be 1-128 letters, digits, '-' or '_'",
                options.node_id
            )));
        }
        let link = Link::connect(&options).await?;
        let subscribe = |subject: String| {
            let client = link.client.clone();
            async move {
                client.subscribe(subject.clone()).await.map_err(|e| {
                    MafaldaError::new(crate::ErrorKind::Other, format!("cluster: cannot subscribe to {subject}: {e}"))
                })
            }
        };
        let heartbeats = subscribe(HEARTBEAT.into()).await?;
        let byes = subscribe(BYE.into()).await?;
        let calls = subscribe(calls_of(&options.node_id)).await?;
        let events = subscribe(events_of(&options.node_id)).await?;
        let cluster = Arc::new_cyclic(|me| Self {
            options,
            link,
            incarnation: uuid::Uuid::new_v4().to_string(),
            pool,
            nodes: Mutex::new(NodeTable::default()),
            spread_turn: AtomicUsize::new(0),
            draining: AtomicBool::new(false),
            routes: Mutex::new(HashMap::new()),
            agent: Agent::default(),
            hooks,
            short_of_capacity: AtomicBool::new(false),
            offline_since: Mutex::new(None),
            closed: AtomicBool::new(false),
            decisions: Mutex::new(Default::default()),
            me: me.clone(),
        });
        cluster.spawn_loops(heartbeats, byes, calls, events);
        cluster.link.publish(HEARTBEAT.into(), &cluster.self_info());
        Ok(cluster)
    }

    pub fn node_id(&self) -> &str {
        &self.options.node_id
    }

    fn self_arc(&self) -> Weak<Cluster> {
        self.me.clone()
    }

    fn self_info(&self) -> NodeInfo {
        let snapshot = self.pool.snapshot();
        NodeInfo {
            node_id: self.options.node_id.clone(),
            incarnation: self.incarnation.clone(),
            announced_address: self.options.announced_address.clone(),
            listen_ip: self.options.listen_ip.to_string(),
            max_workers: self.pool.max_workers(),
            workers: snapshot.iter().map(|w| WorkerInfo { id: w.id.clone(), load: w.load }).collect(),
            shards: snapshot.iter().map(|w| w.shard_count).sum(),
            draining: self.draining.load(Ordering::SeqCst),
        }
    }

    /// Every node this one knows, itself first.
    pub fn nodes(&self) -> Vec<(NodeInfo, bool)> {
        let mut all = vec![(self.self_info(), true)];
        all.extend(self.nodes.lock().all().into_iter().map(|n| (n, false)));
        all
    }

    /// The node a new transport of a router (holding parts on `holding`) goes to;
    /// the decision is kept for `dump()`.
    pub fn choose(&self, holding: &HashSet<String>, subject: &str) -> Result<(String, NodeReason)> {
        let policy = self.pool.options().policy;
        let candidates: Vec<NodeCandidate> = self
            .nodes()
            .into_iter()
            .map(|(n, is_self)| NodeCandidate {
                holds_router: is_self || holding.contains(&n.node_id),
                node_id: n.node_id,
                is_self,
                max_workers: n.max_workers,
                loads: n.workers.iter().map(|w| w.load).collect(),
                draining: n.draining,
            })
            .collect();
        let turn = if policy == crate::Policy::Spread { self.spread_turn.fetch_add(1, Ordering::SeqCst) } else { 0 };
        let chosen = choose_node(policy, self.pool.options().watermark, &candidates, turn).ok_or_else(|| {
            MafaldaError::new(
                crate::ErrorKind::Other,
                format!("no node of the cluster can take media ({} known, all draining or signaling-only)", candidates.len()),
            )
        })?;
        let mut decisions = self.decisions.lock();
        if decisions.len() == 50 {
            decisions.pop_front();
        }
        decisions.push_back(json!({ "subject": subject, "nodeId": chosen.0, "reason": chosen.1, "candidates": candidates }));
        Ok(chosen)
    }

    /// The last node placements, with their inputs.
    pub fn decisions(&self) -> Vec<Value> {
        self.decisions.lock().iter().cloned().collect()
    }

    pub fn set_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.link.publish(HEARTBEAT.into(), &self.self_info());
    }

    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    pub(crate) fn route_events(&self, node: &str, object: &Arc<RemoteObject>) {
        self.routes.lock().insert((node.to_string(), object.handle), Arc::downgrade(object));
    }

    pub(crate) fn unroute_events(&self, node: &str, handle: u64) {
        self.routes.lock().remove(&(node.to_string(), handle));
    }

    /// Says bye (others drop this node at once) and stops answering.
    pub fn close(&self) {
        if self.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        let bye = Bye { node_id: self.options.node_id.clone(), incarnation: self.incarnation.clone() };
        let client = self.link.client.clone();
        let body = serde_json::to_vec(&bye).unwrap_or_default();
        crate::control::spawn(move || async move {
            let _ = client.publish(BYE, body.into()).await;
            let _ = client.flush().await;
        });
    }

    fn apply(self: &Arc<Self>, changes: Vec<Change>) {
        for change in changes {
            match change {
                Change::Added(id) => {
                    tracing::info!(node = %id, "cluster: node added");
                    if let Some(info) = self.nodes.lock().get(&id).cloned() {
                        (self.hooks.node_added)(&info);
                    }
                }
                Change::Lost(id) => {
                    tracing::warn!(node = %id, "cluster: node lost");
                    let proxies: Vec<Arc<RemoteObject>> = {
                        let mut routes = self.routes.lock();
                        let lost: Vec<(String, u64)> = routes.keys().filter(|(n, _)| *n == id).cloned().collect();
                        lost.iter().filter_map(|k| routes.remove(k)).filter_map(|w| w.upgrade()).collect()
                    };
                    for proxy in &proxies {
                        proxy.mark_gone();
                    }
                    self.agent.owner_lost(&id);
                    let routers = (self.hooks.node_lost)(&id);
                    (self.hooks.event)("nodelost", json!({ "nodeId": id, "routers": routers }));
                }
            }
        }
    }

    /// Lost nodes, parts hosted for owners that never showed up, and the capacity alarm.
    /// While this node cannot reach NATS it hears nobody: that says nothing about the
    /// others, so nobody is declared lost until the link is back and they had a timeout's time.
    ///
    /// Back online after less than `nodeTimeout`, nobody has had time to declare us
    /// lost: everyone gets a fresh timeout. After longer, the others have dropped us
    /// (and what we had on them): we drop them too, and we meet again as new nodes.
    fn sweep(self: &Arc<Self>) {
        if !self.link.connected() {
            self.offline_since.lock().get_or_insert_with(Instant::now);
            return;
        }
        let outage = self.offline_since.lock().take();
        if let Some(since) = outage {
            tracing::info!("cluster: NATS reachable again after {} ms", since.elapsed().as_millis());
            if since.elapsed() < self.options.node_timeout {
                self.nodes.lock().forgive(Instant::now());
            } else {
                let changes = self.nodes.lock().clear();
                self.apply(changes);
            }
        }
        let changes = self.nodes.lock().sweep(Instant::now(), self.options.node_timeout);
        self.apply(changes);
        for owner in self.agent.owners_older_than(self.options.node_timeout) {
            if owner != self.node_id() && self.nodes.lock().get(&owner).is_none() {
                tracing::warn!(node = %owner, "cluster: closing parts of an owner that is not in the cluster");
                self.agent.owner_lost(&owner);
            }
        }
        let free: f64 = self
            .nodes()
            .iter()
            .filter(|(n, _)| !n.draining)
            .map(|(n, _)| (n.max_workers as f64 - n.workers.iter().map(|w| w.load.min(1.0)).sum::<f64>()).max(0.0))
            .sum();
        let short = free < self.options.min_free_cores;
        if short && !self.short_of_capacity.swap(true, Ordering::SeqCst) {
            (self.hooks.event)(
                "needmoreservers",
                json!({ "freeCores": free, "threshold": self.options.min_free_cores, "nodes": self.nodes().len() }),
            );
        } else if !short {
            self.short_of_capacity.store(false, Ordering::SeqCst);
        }
    }

    fn spawn_loops(
        self: &Arc<Self>,
        mut heartbeats: async_nats::Subscriber,
        mut byes: async_nats::Subscriber,
        mut calls: async_nats::Subscriber,
        mut events: async_nats::Subscriber,
    ) {
        let weak = Arc::downgrade(self);
        crate::control::spawn(move || async move {
            while let Some(message) = heartbeats.next().await {
                let Some(this) = weak.upgrade() else { break };
                match serde_json::from_slice::<NodeInfo>(&message.payload) {
                    Ok(info) if info.node_id == this.options.node_id => {
                        if info.incarnation != this.incarnation {
                            tracing::error!(node = %info.node_id, "cluster: another node uses this node's id");
                        }
                    }
                    Ok(info) => {
                        let changes = this.nodes.lock().observe(info, Instant::now());
                        this.apply(changes);
                    }
                    Err(e) => tracing::warn!("cluster: dropped a malformed heartbeat: {e}"),
                }
            }
        });
        let weak = Arc::downgrade(self);
        crate::control::spawn(move || async move {
            while let Some(message) = byes.next().await {
                let Some(this) = weak.upgrade() else { break };
                match serde_json::from_slice::<Bye>(&message.payload) {
                    Ok(bye) => {
                        let change = this.nodes.lock().remove(&bye.node_id, &bye.incarnation);
                        this.apply(change.into_iter().collect());
                    }
                    Err(e) => tracing::warn!("cluster: dropped a malformed bye: {e}"),
                }
            }
        });
        let weak = Arc::downgrade(self);
        crate::control::spawn(move || async move {
            while let Some(message) = calls.next().await {
                let Some(this) = weak.upgrade() else { break };
                let Some(reply_to) = message.reply.clone() else { continue };
                crate::control::spawn(move || async move {
                    let reply = match serde_json::from_slice::<Call>(&message.payload) {
                        Ok(call) => match this.agent.handle(&*this, call, None).await {
                            Ok(value) => Reply::Ok(value),
                            Err(e) => Reply::Error { kind: e.kind.class_name().into(), message: e.message },
                        },
                        Err(e) => {
                            tracing::warn!("cluster: dropped a malformed call: {e}");
                            Reply::Error { kind: "TypeError".into(), message: format!("malformed call: {e}") }
                        }
                    };
                    if let Ok(body) = serde_json::to_vec(&reply) {
                        let _ = this.link.client.publish(reply_to, body.into()).await;
                    }
                });
            }
        });
        let weak = Arc::downgrade(self);
        crate::control::spawn(move || async move {
            while let Some(message) = events.next().await {
                let Some(this) = weak.upgrade() else { break };
                match serde_json::from_slice::<RemoteEvent>(&message.payload) {
                    Ok(event) => {
                        let proxy = this.routes.lock().get(&(event.from.clone(), event.target)).and_then(Weak::upgrade);
                        if let Some(proxy) = proxy {
                            proxy.deliver(&event.name, &event.data, None, event.state);
                        }
                    }
                    Err(e) => tracing::warn!("cluster: dropped a malformed event: {e}"),
                }
            }
        });
        let weak = Arc::downgrade(self);
        let beat = self.options.heartbeat_interval;
        let tick = (beat / 2).min(Duration::from_millis(250));
        crate::control::spawn(move || async move {
            let mut last_beat = Instant::now();
            loop {
                tokio::time::sleep(tick).await;
                let Some(this) = weak.upgrade() else { break };
                if this.closed.load(Ordering::SeqCst) {
                    break;
                }
                if last_beat.elapsed() >= beat {
                    last_beat = Instant::now();
                    this.link.publish(HEARTBEAT.into(), &this.self_info());
                }
                this.sweep();
            }
        });
    }
}

/// The router sees the cluster through the seam only.
impl Nodes for Cluster {
    fn node_id(&self) -> &str {
        &self.options.node_id
    }

    fn draining(&self) -> bool {
        Cluster::draining(self)
    }

    fn choose(&self, holding: &HashSet<String>, subject: &str) -> Result<String> {
        Cluster::choose(self, holding, subject).map(|(node, _)| node)
    }

    fn localize(&self, options: &mut Value) {
        localize(options, &self.options.listen_ip.to_string(), &self.options.announced_address);
    }

    fn peer(&self, node: &str) -> Arc<dyn Peer> {
        Arc::new(NodePeer::new(self.self_arc(), node))
    }
}

/// What this node serves to other nodes' routers.
impl Serving for Cluster {
    fn pool(&self) -> &WorkerPool {
        &self.pool
    }

    fn localize(&self, options: &mut Value) {
        Nodes::localize(self, options);
    }

    /// To the owner's events subject (binary events, RTP of direct transports, do
    /// not cross nodes).
    fn events_for(&self, owner: &str) -> EventSink {
        let link = self.link.clone();
        let me = self.options.node_id.clone();
        let subject = events_of(owner);
        let agent = self.self_arc();
        EventSink::new(move |event| {
            if event.bytes.is_none() {
                let state = agent.upgrade().and_then(|c| c.agent.state_after(event.target, event.name));
                let body = RemoteEvent { from: me.clone(), target: event.target, name: event.name.to_string(), data: event.data, state };
                link.publish(subject.clone(), &body);
            }
        })
    }
}
