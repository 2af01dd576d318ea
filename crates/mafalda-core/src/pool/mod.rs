//! The worker pool shared by every router of a `Mafalda`: starts mediasoup workers
//! lazily (at most one per allowed core), measures their CPU, asks the scheduler where
//! new objects go, and frees workers that have hosted nothing for a while.

pub mod cpu;
pub mod growth;
pub mod load;
pub mod scheduler;
pub mod usage;
pub mod webrtc_server;
pub mod worker;

use crate::error::{from_mediasoup, invalid_state, type_error, Result};
use crate::host::HostSettings;
use crate::pool::load::{blended_load, CostModel, Holdings, LoadMeter, RecentCost};
use crate::pool::scheduler::{Candidate, Placement, Policy, Reason, Scheduler, DEFAULT_ROOM_CEILING, DEFAULT_WATERMARK};
pub use crate::pool::worker::{WorkerBacking, WorkerHandle};
use mediasoup::prelude::{ListenInfo, WebRtcServer, WebRtcServerListenInfos, WebRtcServerOptions};
use mediasoup::worker::{Worker, WorkerId, WorkerSettings};
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

/// How many placement decisions `dump()` keeps.
const DECISION_LOG_LEN: usize = 64;
/// How often the number of usable cores is read again (cores added at run time).
const CORES_REFRESH: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Threads of this process, or one process per worker (the default).
    pub backing: WorkerBacking,
    /// `None`: one worker per available core, re-read while running.
    pub max_workers: Option<usize>,
    pub worker_idle_timeout: Duration,
    /// Load (fraction of one core) above which `pack` starts no new room on a worker.
    pub watermark: f64,
    /// Load up to which `pack` lets a room grow on a worker it is already on.
    pub room_ceiling: f64,
    pub policy: Policy,
    pub worker_settings: WorkerSettings,
    pub cost_model: CostModel,
    pub sample_interval: Duration,
    /// Listen infos of the WebRtcServer each worker gets when it starts (a port range
    /// lets every worker find its own port); WebRTC transports created without
    /// listen infos use the server of their worker.
    pub webrtc_server: Option<Vec<ListenInfo>>,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            backing: WorkerBacking::default(),
            max_workers: None,
            worker_idle_timeout: Duration::from_secs(30),
            watermark: DEFAULT_WATERMARK,
            room_ceiling: DEFAULT_ROOM_CEILING,
            policy: Policy::Pack,
            worker_settings: WorkerSettings::default(),
            cost_model: CostModel::default(),
            sample_interval: Duration::from_millis(500),
            webrtc_server: None,
        }
    }
}

impl PoolOptions {
    /// `maxWorkers: 0` is checked by the `Mafalda` (only a node of a cluster may host no media).
    pub fn validate(&self) -> Result<()> {
        if !(self.watermark > 0.0 && self.watermark.is_finite()) {
            return Err(type_error("watermark must be a positive number (fraction of one core)"));
        }
        // A ceiling below the watermark acts as the watermark (`Scheduler::new`).
        if !(self.room_ceiling > 0.0 && self.room_ceiling.is_finite()) {
            return Err(type_error("roomCeiling must be a positive number (fraction of one core)"));
        }
        Ok(())
    }
}

struct PooledWorker {
    key: u64,
    worker: WorkerHandle,
    /// The worker's thread (in its host process, for a process worker).
    tid: Option<i32>,
    /// From asking for it until it ran.
    start_time: Duration,
    meter: LoadMeter,
    holdings: Holdings,
    /// Cost of recent placements the CPU measurement may not show yet.
    recent: RecentCost,
    /// The pool's WebRtcServer on this worker (`PoolOptions::webrtc_server`).
    webrtc_server: Option<WebRtcServer>,
    /// Per-worker mediasoup routers (shards) living here.
    shards: usize,
    /// WebRtcServers the app created here.
    servers: usize,
    /// Placements handed out but not yet turned into a shard.
    pending: usize,
    /// mediasoup-shaped Workers of the app that stand for this one (`pin()`).
    pins: usize,
    idle_since: Option<Instant>,
}

impl PooledWorker {
    fn load(&self) -> f64 {
        blended_load(self.meter.value(), self.recent.value_at(Instant::now()))
    }

    fn hosts_nothing(&self) -> bool {
        self.shards == 0 && self.servers == 0 && self.pending == 0 && self.pins == 0 && self.holdings.is_empty()
    }

    /// CPU time of its worker thread so far, wherever it runs.
    fn cpu_time(&self) -> Option<Duration> {
        let tid = self.tid?;
        match &self.worker {
            WorkerHandle::Thread(_) => cpu::thread_cpu_time(tid),
            WorkerHandle::Process(host) => cpu::thread_cpu_time_of(host.pid(), tid),
        }
    }

    /// Frees it: a thread worker ends with its last handle, a host is told to exit.
    fn release(self) {
        if let WorkerHandle::Process(host) = &self.worker {
            host.close();
        }
    }
}

/// A worker as reported by `dump()`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerSnapshot {
    pub key: u64,
    pub id: String,
    /// Blended load (fraction of one core) the scheduler uses.
    pub load: f64,
    /// Smoothed measured CPU share of the worker thread.
    pub cpu: f64,
    /// The process it runs in (this one for a thread worker).
    pub pid: u32,
    pub tid: Option<i32>,
    /// ms from asking for it until it ran.
    pub start_ms: f64,
    /// mediasoup-shaped Workers standing for it.
    pub pins: usize,
    pub holdings: Holdings,
    pub shard_count: usize,
}

/// One placement decision with its inputs, for `dump()` and the monitor.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub at_ms: u64,
    pub subject: String,
    pub policy: Policy,
    pub watermark: f64,
    pub room_ceiling: f64,
    pub max_workers: usize,
    pub cost: f64,
    pub candidates: Vec<Candidate>,
    pub reason: Reason,
    /// Id of the chosen (or started) worker.
    pub worker_id: String,
}

struct PoolState {
    workers: Vec<PooledWorker>,
    scheduler: Scheduler,
    decisions: VecDeque<Decision>,
    /// Every decision since the start, by reason (the log above keeps the last few).
    decision_counts: Vec<(Reason, u64)>,
    max_workers: usize,
    cores_read_at: Instant,
    next_key: u64,
}

/// A worker that died on its own: which one, and how (mediasoup's
/// `[pid:…, code:…, signal:…]` for a process).
#[derive(Debug, Clone)]
pub struct WorkerDeath {
    pub key: u64,
    pub worker_id: WorkerId,
    pub pid: u32,
    pub reason: String,
}

type DeathListener = Box<dyn Fn(&WorkerDeath) + Send + Sync>;

pub(crate) struct PoolInner {
    options: PoolOptions,
    state: Mutex<PoolState>,
    placement_lock: tokio::sync::Mutex<()>,
    closed: AtomicBool,
    started_at: Instant,
    death_listener: Mutex<Option<DeathListener>>,
}

/// Cheap to clone; every clone is the same pool.
#[derive(Clone)]
pub struct WorkerPool {
    inner: Arc<PoolInner>,
}

/// A worker chosen for a new object. While it lives the worker is not reaped.
pub struct Placed {
    pub key: u64,
    pub worker: WorkerHandle,
    /// The pool's WebRtcServer on that worker, if the pool has them.
    pub webrtc_server: Option<WebRtcServer>,
    pool: Weak<PoolInner>,
}

impl Drop for Placed {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.upgrade() {
            pool.with_worker(self.key, |w| w.pending = w.pending.saturating_sub(1));
        }
    }
}

impl PoolInner {
    fn with_worker<T>(&self, key: u64, f: impl FnOnce(&mut PooledWorker) -> T) -> Option<T> {
        let mut state = self.state.lock();
        state.workers.iter_mut().find(|w| w.key == key).map(|w| {
            let result = f(w);
            if w.hosts_nothing() {
                w.idle_since.get_or_insert_with(Instant::now);
            } else {
                w.idle_since = None;
            }
            result
        })
    }
}

impl WorkerPool {
    pub fn new(options: PoolOptions) -> Result<Self> {
        options.validate()?;
        let max_workers = options.max_workers.unwrap_or_else(cpu::available_cores);
        let inner = Arc::new(PoolInner {
            state: Mutex::new(PoolState {
                workers: Vec::new(),
                scheduler: Scheduler::new(options.policy, options.watermark, options.room_ceiling),
                decisions: VecDeque::new(),
                decision_counts: Vec::new(),
                max_workers,
                cores_read_at: Instant::now(),
                next_key: 1,
            }),
            options,
            placement_lock: tokio::sync::Mutex::new(()),
            closed: AtomicBool::new(false),
            started_at: Instant::now(),
            death_listener: Mutex::new(None),
        });
        spawn_housekeeper(Arc::downgrade(&inner));
        Ok(Self { inner })
    }

    pub fn options(&self) -> &PoolOptions {
        &self.inner.options
    }

    pub fn closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    pub fn max_workers(&self) -> usize {
        self.inner.state.lock().max_workers
    }

    /// Called (from a worker or channel thread) when a worker dies on its own.
    pub fn on_worker_death(&self, listener: impl Fn(&WorkerDeath) + Send + Sync + 'static) {
        *self.inner.death_listener.lock() = Some(Box::new(listener));
    }

    /// Chooses (starting it if needed) the worker for an object of the router whose
    /// shards are on the keys of `shards` (each with the router's transports there).
    /// `reserve` is counted on the chosen worker at once so that a burst of creations
    /// sees it before any CPU figure moves.
    pub async fn place(&self, subject: String, shards: &HashMap<u64, usize>, reserve: Holdings) -> Result<Placed> {
        let _serial = self.inner.placement_lock.lock().await;
        if self.closed() {
            return Err(invalid_state("Mafalda closed"));
        }
        let model = self.inner.options.cost_model;
        let cost = reserve.cost(&model);
        let (placement, reason, candidates, max_workers) = {
            let mut state = self.inner.state.lock();
            let expected = growth::expected_consumers(state.workers.iter().map(|w| &w.holdings));
            let candidates: Vec<Candidate> = state
                .workers
                .iter()
                .map(|w| Candidate {
                    key: w.key,
                    load: w.load(),
                    has_shard: shards.contains_key(&w.key),
                    routers: w.shards + w.pending,
                    room_members: shards.get(&w.key).copied().unwrap_or(0),
                    reserved: growth::reserved(&w.holdings, expected, &model),
                })
                .collect();
            let max_workers = state.max_workers;
            let (placement, reason) = state.scheduler.place(&candidates, cost, max_workers);
            (placement, reason, candidates, max_workers)
        };
        let key = match placement {
            Placement::Existing(key) => key,
            Placement::StartNew if max_workers == 0 => {
                return Err(crate::error::unsupported(format!("{subject}: this node hosts no media (maxWorkers: 0)")))
            }
            Placement::StartNew => self.start_worker().await?,
        };
        self.hand_out(key, subject, reserve, cost, reason, candidates, max_workers)
    }

    /// Places on worker `key` because the object must live there (e.g. a transport of
    /// a WebRtcServer on that server's worker).
    pub async fn place_on(&self, key: u64, subject: String, reserve: Holdings) -> Result<Placed> {
        let _serial = self.inner.placement_lock.lock().await;
        if self.closed() {
            return Err(invalid_state("Mafalda closed"));
        }
        let cost = reserve.cost(&self.inner.options.cost_model);
        let max_workers = self.inner.state.lock().max_workers;
        self.hand_out(key, subject, reserve, cost, Reason::Pinned, Vec::new(), max_workers)
    }

    /// Books a placement on worker `key` and logs the decision.
    #[allow(clippy::too_many_arguments)]
    fn hand_out(
        &self,
        key: u64,
        subject: String,
        reserve: Holdings,
        cost: f64,
        reason: Reason,
        candidates: Vec<Candidate>,
        max_workers: usize,
    ) -> Result<Placed> {
        let mut state = self.inner.state.lock();
        let at_ms = self.inner.started_at.elapsed().as_millis() as u64;
        let policy = state.scheduler.policy;
        let (watermark, room_ceiling) = (state.scheduler.watermark, state.scheduler.room_ceiling);
        let Some(worker) = state.workers.iter_mut().find(|w| w.key == key) else {
            return Err(invalid_state("the chosen worker closed during placement"));
        };
        worker.pending += 1;
        add_holdings(&mut worker.holdings, &reserve);
        worker.recent.add(cost, Instant::now());
        worker.idle_since = None;
        let placed = Placed {
            key,
            worker: worker.worker.clone(),
            webrtc_server: worker.webrtc_server.clone(),
            pool: Arc::downgrade(&self.inner),
        };
        let worker_id = placed.worker.id().to_string();
        match state.decision_counts.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, count)) => *count += 1,
            None => state.decision_counts.push((reason, 1)),
        }
        state.decisions.push_back(Decision {
            at_ms,
            subject,
            policy,
            watermark,
            room_ceiling,
            max_workers,
            cost,
            candidates,
            reason,
            worker_id,
        });
        while state.decisions.len() > DECISION_LOG_LEN {
            state.decisions.pop_front();
        }
        Ok(placed)
    }

    async fn start_worker(&self) -> Result<u64> {
        let options = &self.inner.options;
        let started = match &options.backing {
            WorkerBacking::Thread => worker::start_thread(options.worker_settings.clone()).await?,
            WorkerBacking::Process(binary) => {
                let settings = HostSettings {
                    worker_settings: worker::worker_settings_json(&options.worker_settings),
                    webrtc_server: options.webrtc_server.clone(),
                };
                worker::start_process(binary, settings).await?
            }
        };
        let webrtc_server = match (&started.worker, &options.webrtc_server) {
            // A host makes its worker's server itself.
            (WorkerHandle::Thread(worker), Some(infos)) => Some(create_webrtc_server(worker, infos.clone()).await?),
            _ => None,
        };
        let mut state = self.inner.state.lock();
        let key = state.next_key;
        state.next_key += 1;
        let weak_pool = Arc::downgrade(&self.inner);
        match &started.worker {
            WorkerHandle::Thread(worker) => worker
                .on_dead(move |status| {
                    if let Some(pool) = weak_pool.upgrade() {
                        WorkerPool { inner: pool }.forget_dead_worker(key, format!("{status:?}"));
                    }
                })
                .detach(),
            WorkerHandle::Process(host) => host.on_exit(move |exit| {
                if let (false, Some(pool)) = (exit.expected, weak_pool.upgrade()) {
                    WorkerPool { inner: pool }.forget_dead_worker(key, exit.describe());
                }
            }),
        }
        tracing::debug!(worker = %started.worker.id(), pid = started.worker.pid(), tid = ?started.tid, "worker started");
        state.workers.push(PooledWorker {
            key,
            worker: started.worker,
            tid: started.tid,
            start_time: started.start_time,
            webrtc_server,
            meter: LoadMeter::default(),
            holdings: Holdings::default(),
            recent: RecentCost::new(self.inner.options.sample_interval * 3, Instant::now()),
            shards: 0,
            servers: 0,
            pending: 0,
            pins: 0,
            idle_since: Some(Instant::now()),
        });
        Ok(key)
    }

    /// Starts a worker now, whatever the scheduler would say, and keeps it from being
    /// freed while idle (a worker host's one worker).
    pub async fn start_dedicated_worker(&self) -> Result<WorkerSnapshot> {
        let _serial = self.inner.placement_lock.lock().await;
        let key = self.start_worker().await?;
        self.inner.with_worker(key, |w| w.pins += 1);
        self.snapshot().into_iter().find(|w| w.key == key).ok_or_else(|| invalid_state("the new worker died at once"))
    }

    /// A worker for a mediasoup-shaped `Worker` of the app to stand for (its `pid`,
    /// its `died`): one no other Worker stands for if there is one, else a new one
    /// while cores are free, else the one fewest stand for. Kept while pinned.
    pub async fn pin(&self) -> Result<WorkerSnapshot> {
        let _serial = self.inner.placement_lock.lock().await;
        if self.closed() {
            return Err(invalid_state("Mafalda closed"));
        }
        let (free, start_new) = {
            let state = self.inner.state.lock();
            let free = state.workers.iter().filter(|w| w.pins == 0).min_by(|a, b| a.load().total_cmp(&b.load())).map(|w| w.key);
            (free, free.is_none() && state.workers.len() < state.max_workers.max(1))
        };
        let key = match free {
            Some(key) => key,
            None if start_new => self.start_worker().await?,
            None => {
                let state = self.inner.state.lock();
                state.workers.iter().min_by_key(|w| w.pins).map(|w| w.key).ok_or_else(|| invalid_state("no worker to stand for"))?
            }
        };
        self.inner.with_worker(key, |w| w.pins += 1);
        self.snapshot().into_iter().find(|w| w.key == key).ok_or_else(|| invalid_state("the worker died at once"))
    }

    /// The Worker standing for `worker_id` closed.
    pub fn unpin(&self, worker_id: &str) {
        let key = self.key_of(worker_id);
        if let Some(key) = key {
            self.inner.with_worker(key, |w| w.pins = w.pins.saturating_sub(1));
        }
    }

    fn key_of(&self, worker_id: &str) -> Option<u64> {
        self.inner.state.lock().workers.iter().find(|w| w.worker.id().to_string() == worker_id).map(|w| w.key)
    }

    fn forget_dead_worker(&self, key: u64, reason: String) {
        let removed = {
            let mut state = self.inner.state.lock();
            let index = state.workers.iter().position(|w| w.key == key);
            index.map(|i| state.workers.remove(i))
        };
        if let Some(dead) = removed {
            tracing::warn!(worker = %dead.worker.id(), "worker died {reason}");
            let death = WorkerDeath { key, worker_id: dead.worker.id(), pid: dead.worker.pid(), reason };
            if let Some(listener) = self.inner.death_listener.lock().as_ref() {
                listener(&death);
            }
        }
    }

    /// `getrusage()` of the process worker `worker_id` runs in (mediasoup's
    /// `worker.getResourceUsage()`): its host's, or this process's for a thread.
    pub async fn resource_usage(&self, worker_id: &str) -> Result<Value> {
        let worker = {
            let state = self.inner.state.lock();
            state.workers.iter().find(|w| w.worker.id().to_string() == worker_id).map(|w| w.worker.clone())
        };
        match worker {
            None => Err(invalid_state(format!("no worker with id \"{worker_id}\" (closed or died)"))),
            Some(WorkerHandle::Thread(_)) => Ok(usage::resource_usage()),
            Some(WorkerHandle::Process(host)) => {
                crate::backing::peer::Peer::call(&*host, "worker.getResourceUsage", None, Value::Null, None).await
            }
        }
    }

    /// Adds (or, with `remove`, takes away) holdings counted on a worker.
    pub fn adjust(&self, key: u64, delta: Holdings, remove: bool) {
        let cost = delta.cost(&self.inner.options.cost_model);
        self.inner.with_worker(key, |w| {
            if remove {
                sub_holdings(&mut w.holdings, &delta)
            } else {
                add_holdings(&mut w.holdings, &delta);
                w.recent.add(cost, Instant::now());
            }
        });
    }

    pub fn server_opened(&self, key: u64) {
        self.inner.with_worker(key, |w| w.servers += 1);
    }

    pub fn server_closed(&self, key: u64) {
        self.inner.with_worker(key, |w| w.servers = w.servers.saturating_sub(1));
    }

    pub fn shard_opened(&self, key: u64) {
        self.inner.with_worker(key, |w| w.shards += 1);
    }

    pub fn shard_closed(&self, key: u64) {
        self.inner.with_worker(key, |w| w.shards = w.shards.saturating_sub(1));
    }

    pub fn worker_id(&self, key: u64) -> Option<WorkerId> {
        self.inner.with_worker(key, |w| w.worker.id())
    }

    /// Whether a placement on worker `key` is being turned into an object right now
    /// (its shard, new and still empty, must not be collected meanwhile).
    pub fn placing_on(&self, key: u64) -> bool {
        self.inner.state.lock().workers.iter().any(|w| w.key == key && w.pending > 0)
    }

    /// The worker behind `key` (to place objects on, or to reach its host).
    pub fn worker(&self, key: u64) -> Option<WorkerHandle> {
        self.inner.with_worker(key, |w| w.worker.clone())
    }

    pub fn snapshot(&self) -> Vec<WorkerSnapshot> {
        let state = self.inner.state.lock();
        state
            .workers
            .iter()
            .map(|w| WorkerSnapshot {
                key: w.key,
                id: w.worker.id().to_string(),
                load: w.load(),
                cpu: w.meter.value(),
                pid: w.worker.pid(),
                tid: w.tid,
                start_ms: w.start_time.as_secs_f64() * 1000.0,
                pins: w.pins,
                holdings: w.holdings,
                shard_count: w.shards,
            })
            .collect()
    }

    pub fn decisions(&self) -> Vec<Decision> {
        self.inner.state.lock().decisions.iter().cloned().collect()
    }

    /// How many placements each reason decided since the pool started.
    pub fn decision_counts(&self) -> Vec<(Reason, u64)> {
        self.inner.state.lock().decision_counts.clone()
    }

    /// Samples loads, re-reads cores and frees idle workers now (the housekeeper does
    /// this periodically; tests call it to avoid waiting).
    pub fn housekeep(&self) {
        housekeep(&self.inner);
    }

    /// Kills a worker, for failure drills and tests of worker death; it never touches
    /// another worker. A process worker gets `SIGKILL` and dies for real. A thread
    /// worker is handled as if it had died: it leaves the pool and the death listener
    /// runs, which closes every shard on it; once their last handles are dropped the
    /// real worker thread exits (its channel is in-process function calls, with
    /// nothing to cut to make the thread crash on its own).
    pub fn simulate_worker_death(&self, worker_id: &str) -> Result<()> {
        let (key, worker) = {
            let state = self.inner.state.lock();
            let found = state.workers.iter().find(|w| w.worker.id().to_string() == worker_id);
            found.map(|w| (w.key, w.worker.clone())).ok_or_else(|| type_error(format!("no worker with id \"{worker_id}\"")))?
        };
        match worker {
            WorkerHandle::Process(host) => host.signal(libc::SIGKILL),
            WorkerHandle::Thread(_) => self.forget_dead_worker(key, "(simulated)".to_string()),
        }
        Ok(())
    }

    /// Closes the pool: no more placements; workers go when their last router goes.
    pub fn close(&self) {
        if self.inner.closed.swap(true, Ordering::SeqCst) {
            return;
        }
        let workers = std::mem::take(&mut self.inner.state.lock().workers);
        for worker in workers {
            worker.release();
        }
    }
}

/// A WebRtcServer on `worker` listening on `infos` (in the given order of preference).
pub(crate) async fn create_webrtc_server(worker: &Worker, infos: Vec<ListenInfo>) -> Result<WebRtcServer> {
    let mut infos = infos.into_iter();
    let first = infos.next().ok_or_else(|| type_error("empty listenInfos array provided"))?;
    let listen_infos = infos.fold(WebRtcServerListenInfos::new(first), WebRtcServerListenInfos::insert);
    worker.create_webrtc_server(WebRtcServerOptions::new(listen_infos)).await.map_err(from_mediasoup)
}

fn add_holdings(h: &mut Holdings, d: &Holdings) {
    h.transports += d.transports;
    h.producers += d.producers;
    h.consumers += d.consumers;
    h.pipes += d.pipes;
}

fn sub_holdings(h: &mut Holdings, d: &Holdings) {
    h.transports = h.transports.saturating_sub(d.transports);
    h.producers = h.producers.saturating_sub(d.producers);
    h.consumers = h.consumers.saturating_sub(d.consumers);
    h.pipes = h.pipes.saturating_sub(d.pipes);
}

fn housekeep(pool: &PoolInner) {
    let now = Instant::now();
    let timeout = pool.options.worker_idle_timeout;
    let reaped: Vec<PooledWorker> = {
        let mut state = pool.state.lock();
        if pool.options.max_workers.is_none() && now.duration_since(state.cores_read_at) >= CORES_REFRESH {
            state.max_workers = cpu::available_cores();
            state.cores_read_at = now;
        }
        for w in state.workers.iter_mut() {
            if let Some(cpu_time) = w.cpu_time() {
                w.meter.sample(cpu_time, now);
            }
        }
        let (idle, busy): (Vec<_>, Vec<_>) = std::mem::take(&mut state.workers)
            .into_iter()
            .partition(|w| w.hosts_nothing() && w.idle_since.is_some_and(|t| now.duration_since(t) >= timeout));
        state.workers = busy;
        idle
    };
    for worker in reaped {
        tracing::debug!(worker = %worker.worker.id(), "idle worker freed");
        worker.release();
    }
}

/// One thread per pool wakes up every sample interval; it holds only a weak reference
/// and ends when the pool is closed or dropped.
fn spawn_housekeeper(pool: Weak<PoolInner>) {
    let interval = match pool.upgrade() {
        Some(p) => p.options.sample_interval,
        None => return,
    };
    std::thread::Builder::new()
        .name("mafalda-housekeeper".into())
        .spawn(move || loop {
            std::thread::sleep(interval);
            let Some(pool) = pool.upgrade() else { return };
            if pool.closed.load(Ordering::SeqCst) {
                return;
            }
            housekeep(&pool);
        })
        .expect("spawn housekeeper thread");
}
