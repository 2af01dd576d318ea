//! `Mafalda`: the entry point. One worker pool, many routers sharing it.

use crate::backing::nodes::Nodes;
use crate::cluster::options::ClusterOptions;
use crate::cluster::{Cluster, ClusterHooks};
use crate::control;
use crate::error::{invalid_state, MafaldaError, Result};
use crate::events::{next_handle, EventSink, Handle};
use crate::options::MafaldaOptions;
use crate::pool::{WorkerPool, WorkerSnapshot};
use crate::router::{MafaldaRouter, RouterInner};
use crate::pool::webrtc_server::MafaldaWebRtcServer;
use mediasoup::prelude::{ListenInfo, RtpCodecCapability};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

struct MafaldaInner {
    handle: Handle,
    pool: WorkerPool,
    cluster_options: Option<ClusterOptions>,
    events: EventSink,
    routers: Mutex<HashMap<String, Arc<RouterInner>>>,
    closed: AtomicBool,
    /// Joined once, on the control thread, by the first `cluster()` (started at once).
    cluster: tokio::sync::OnceCell<std::result::Result<Arc<Cluster>, MafaldaError>>,
}

#[derive(Clone)]
pub struct Mafalda {
    inner: Arc<MafaldaInner>,
}

impl Mafalda {
    pub fn new(options: impl Into<MafaldaOptions>, events: EventSink) -> Result<Self> {
        let options = options.into();
        options.validate()?;
        let pool = WorkerPool::new(options.pool)?;
        let inner = Arc::new(MafaldaInner {
            handle: next_handle(),
            pool: pool.clone(),
            cluster_options: options.cluster,
            events,
            routers: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
            cluster: tokio::sync::OnceCell::new(),
        });
        let weak = Arc::downgrade(&inner);
        pool.on_worker_death(move |death| {
            let key = death.key;
            let Some(inner) = weak.upgrade() else { return };
            let mut routers: Vec<Arc<RouterInner>> = inner.routers.lock().values().cloned().collect();
            if let Some(Ok(cluster)) = inner.cluster.get() {
                routers.extend(cluster.agent.routers());
            }
            let affected: Vec<_> = routers.into_iter().filter(|r| r.state.lock().shards.contains_key(&key)).collect();
            let router_ids: Vec<String> = affected.iter().map(|r| r.id.clone()).collect();
            // What lived on the worker closes (a real death also gets here through each
            // shard's worker-close handler; the second pass finds nothing left).
            for router in affected {
                control::spawn(move || async move { router.shard_lost(key) });
            }
            inner.events.emit(
                inner.handle,
                "workerdied",
                json!({ "workerId": death.worker_id.to_string(), "pid": death.pid, "reason": death.reason, "routerIds": router_ids }),
            );
        });
        let mafalda = Self { inner };
        if mafalda.inner.cluster_options.is_some() {
            // Join now; whoever needs the cluster waits for the same attempt.
            let joining = mafalda.clone();
            control::spawn(move || async move {
                if let Err(e) = joining.cluster().await {
                    tracing::error!("{e}");
                    joining.inner.events.emit(joining.inner.handle, "clustererror", json!({ "message": e.message }));
                }
            });
        }
        Ok(mafalda)
    }

    /// The cluster this node joined (`None` without the option); the join's error if refused.
    pub async fn cluster(&self) -> Result<Option<Arc<Cluster>>> {
        let Some(options) = self.inner.cluster_options.clone() else { return Ok(None) };
        let inner = self.inner.clone();
        control::run(move || async move {
            let weak = Arc::downgrade(&inner);
            let joined = inner
                .cluster
                .get_or_init(|| Cluster::start(options, inner.pool.clone(), hooks(weak)))
                .await
                .clone();
            joined.map(Some)
        })
        .await
    }

    /// Takes no new placements here; resolves once nothing (no transport) is left on
    /// this node's workers.
    pub async fn drain(&self) -> Result<()> {
        let Some(cluster) = self.cluster().await? else {
            return Err(invalid_state("drain() is for a node of a cluster (no cluster option)"));
        };
        cluster.set_draining();
        loop {
            let busy = self.inner.pool.snapshot().iter().any(|w| w.holdings.transports > 0);
            if !busy {
                return Ok(());
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Target handle of the Mafalda-level events (`workerdied`).
    pub fn handle(&self) -> Handle {
        self.inner.handle
    }

    pub fn closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    pub fn pool(&self) -> &WorkerPool {
        &self.inner.pool
    }

    pub async fn create_router(&self, media_codecs: Vec<RtpCodecCapability>) -> Result<MafaldaRouter> {
        if self.closed() {
            return Err(invalid_state("Mafalda closed"));
        }
        let inner = self.inner.clone();
        let cluster = self.cluster().await?;
        control::run(move || async move {
            let weak = Arc::downgrade(&inner);
            let router = MafaldaRouter::create_in(
                inner.pool.clone(),
                inner.events.clone(),
                media_codecs,
                Box::new(move |id: &str| {
                    if let Some(inner) = weak.upgrade() {
                        inner.routers.lock().remove(id);
                    }
                }),
                cluster.map(|c| c as Arc<dyn Nodes>),
            )
            .await?;
            inner.routers.lock().insert(router.id().to_string(), router.inner.clone());
            Ok(router)
        })
        .await
    }

    /// A WebRtcServer on a worker the scheduler chooses (mediasoup's
    /// `worker.createWebRtcServer()`).
    pub async fn create_webrtc_server(&self, listen_infos: Vec<ListenInfo>) -> Result<MafaldaWebRtcServer> {
        if self.closed() {
            return Err(invalid_state("Mafalda closed"));
        }
        MafaldaWebRtcServer::create(self.inner.pool.clone(), listen_infos).await
    }

    /// A worker for a mediasoup-shaped `Worker` of the app to stand for: its pid is
    /// the Worker's `pid`, its death the Worker's `died` (see `WorkerPool::pin`).
    pub async fn pin_worker(&self) -> Result<WorkerSnapshot> {
        if self.closed() {
            return Err(invalid_state("Mafalda closed"));
        }
        let pool = self.inner.pool.clone();
        control::run(move || async move { pool.pin().await }).await
    }

    pub fn unpin_worker(&self, worker_id: &str) {
        self.inner.pool.unpin(worker_id);
    }

    /// mediasoup's `worker.getResourceUsage()` of worker `worker_id`.
    pub async fn worker_resource_usage(&self, worker_id: &str) -> Result<Value> {
        let (pool, worker_id) = (self.inner.pool.clone(), worker_id.to_string());
        control::run(move || async move { pool.resource_usage(&worker_id).await }).await
    }

    pub fn routers(&self) -> Vec<MafaldaRouter> {
        self.inner.routers.lock().values().cloned().map(MafaldaRouter::from_inner).collect()
    }

    /// Workers with their load, the shards (per router) and outgoing pipes on each,
    /// and the last placement decisions with their inputs.
    pub async fn dump(&self) -> Result<Value> {
        let pool = self.inner.pool.clone();
        let routers: Vec<Arc<RouterInner>> = self
            .inner
            .routers
            .lock()
            .values()
            .filter(|r| r.check_open().is_ok())
            .cloned()
            .collect();
        let mut shards: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
        let mut pipes: BTreeMap<(u64, u64), (Vec<String>, Vec<String>)> = BTreeMap::new();
        for router in &routers {
            for (key, shard_router_id, transport_ids) in router.shard_summaries() {
                shards.entry(key).or_default().push(json!({
                    "routerId": router.id,
                    "shardRouterId": shard_router_id,
                    "transportIds": transport_ids,
                }));
            }
            for (from, to, id, is_data) in router.pipe_summaries() {
                let entry = pipes.entry((from, to)).or_default();
                if is_data { entry.1.push(id) } else { entry.0.push(id) }
            }
        }
        let snapshot = pool.snapshot();
        let worker_id = |key: u64| snapshot.iter().find(|w| w.key == key).map(|w| w.id.clone());
        let workers: Vec<Value> = snapshot
            .iter()
            .map(|w| {
                let outgoing: Vec<Value> = pipes
                    .iter()
                    .filter(|((from, _), _)| *from == w.key)
                    .map(|((_, to), (producer_ids, data_producer_ids))| {
                        json!({
                            "fromWorkerId": w.id,
                            "toWorkerId": worker_id(*to),
                            "producerIds": producer_ids,
                            "dataProducerIds": data_producer_ids,
                        })
                    })
                    .collect();
                json!({
                    "id": w.id,
                    "load": w.load,
                    "cpu": w.cpu,
                    "pid": w.pid,
                    "tid": w.tid,
                    "startMs": w.start_ms,
                    "holdings": w.holdings,
                    "shards": shards.get(&w.key).cloned().unwrap_or_default(),
                    "pipes": outgoing,
                })
            })
            .collect();
        let options = pool.options();
        let cluster = match self.inner.cluster.get() {
            Some(Ok(cluster)) => Some(cluster.clone()),
            _ => None,
        };
        let nodes: Option<Vec<Value>> = cluster.as_ref().map(|c| {
            c.nodes()
                .into_iter()
                .map(|(n, is_self)| {
                    let workers: Vec<Value> = if is_self {
                        workers.clone()
                    } else {
                        n.workers.iter().map(|w| json!({ "id": w.id, "load": w.load })).collect()
                    };
                    json!({
                        "nodeId": n.node_id,
                        "announcedAddress": n.announced_address,
                        "listenIp": n.listen_ip,
                        "self": is_self,
                        "draining": n.draining,
                        "maxWorkers": n.max_workers,
                        "shards": n.shards,
                        "workers": workers,
                    })
                })
                .collect()
        });
        let node_pipes: Vec<Value> = routers
            .iter()
            .flat_map(|r| {
                let id = r.id.clone();
                r.node_pipe_summaries()
                    .into_iter()
                    .map(move |(from, to, p, data)| {
                        let mut pipe = crate::router::node_pipe_json(&from, &to, &p, data);
                        pipe["routerId"] = json!(id);
                        pipe
                    })
            })
            .collect();
        Ok(json!({
            "nodeId": cluster.as_ref().map(|c| c.node_id().to_string()),
            "nodes": nodes,
            "nodePipes": node_pipes,
            "nodeDecisions": cluster.as_ref().map(|c| c.decisions()),
            "workerBacking": match options.backing {
                crate::pool::WorkerBacking::Thread => "thread",
                crate::pool::WorkerBacking::Process(_) => "process",
            },
            "policy": options.policy,
            "watermark": options.watermark,
            "roomCeiling": options.room_ceiling,
            "maxWorkers": pool.max_workers(),
            "workerIdleTimeout": options.worker_idle_timeout.as_millis() as u64,
            "workers": workers,
            "routerIds": routers.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
            "decisions": pool.decisions(),
        }))
    }

    /// See `WorkerPool::simulate_worker_death`.
    pub fn simulate_worker_death(&self, worker_id: &str) -> Result<()> {
        self.inner.pool.simulate_worker_death(worker_id)
    }

    /// Closes every router, then the pool (its workers go with their last router).
    pub fn close(&self) {
        if self.inner.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        let routers: Vec<Arc<RouterInner>> = self.inner.routers.lock().drain().map(|(_, r)| r).collect();
        for router in routers {
            router.close();
        }
        if let Some(Ok(cluster)) = self.inner.cluster.get() {
            cluster.close();
        }
        self.inner.pool.close();
    }
}

/// What the cluster tells this `Mafalda`: nodes come and go; a lost node's share of
/// every router closes as a dead worker's would.
fn hooks(weak: std::sync::Weak<MafaldaInner>) -> ClusterHooks {
    let (added, lost, event) = (weak.clone(), weak.clone(), weak);
    ClusterHooks {
        node_added: Box::new(move |info| {
            if let Some(inner) = added.upgrade() {
                inner.events.emit(
                    inner.handle,
                    "nodeadded",
                    json!({ "nodeId": info.node_id, "announcedAddress": info.announced_address }),
                );
            }
        }),
        node_lost: Box::new(move |node| {
            let Some(inner) = lost.upgrade() else { return Vec::new() };
            let routers: Vec<Arc<RouterInner>> = inner.routers.lock().values().cloned().collect();
            routers.into_iter().filter(|r| r.node_lost(node)).map(|r| r.id.clone()).collect()
        }),
        event: Box::new(move |name, data| {
            if let Some(inner) = event.upgrade() {
                inner.events.emit(inner.handle, name, data);
            }
        }),
    }
}
