//! Scenario 6: what worker isolation costs. The same measurements with the pool's
//! workers as threads of the process and as processes of their own (`mafalda-worker-
//! host`, the default), in one run, each backing in a child process of the bench:
//! - worker start: from asking the pool for a worker until it runs (a fresh pool each time);
//! - control calls: `createWebRtcTransport`, `produce`, `consume`, the JSON calls the
//!   binding makes (for a process worker: over the local channel to its host), p50/p99;
//! - memory per worker: the RSS a worker adds (a thread: this process's, before and
//!   after; a process: its host's own RSS);
//! - forwarded packets per worker-core: one worker, the big-room ramp (opus + VP8,
//!   subscribers added in steps) up to the last step under 1 % loss; delivered packets
//!   per second over the CPU of the worker thread (in its host, for a process);
//! - kill -9 to `workerdied` (processes only): how soon the pool knows.

use super::big_room::{self, Ramp, LOSS_LIMIT};
use super::Scale;
use crate::child;
use crate::histogram::{Histogram, Percentiles};
use crate::mafalda_room::{self, MafaldaRoom};
use crate::media;
use crate::room::Protection;
use crate::rtp::Kind;
use mafalda_core::router::TransportKind;
use mafalda_core::{Event, EventSink, Mafalda, Policy, PoolOptions, WorkerBacking};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackingResult {
    /// "thread" or "process".
    pub backing: String,
    /// From asking for a worker until it runs, µs.
    pub worker_start: Percentiles,
    pub create_webrtc_transport: Percentiles,
    pub produce: Percentiles,
    pub consume: Percentiles,
    /// RSS one worker adds, KiB.
    pub memory_kib_per_worker: f64,
    pub ramp: Ramp,
    /// At the step under 1 % loss that delivered most.
    pub delivered_pps: f64,
    pub worker_cores: f64,
    pub pps_per_worker_core: f64,
    /// kill -9 of the worker's process until `workerdied` (processes only), µs.
    pub kill_to_died: Option<Percentiles>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IsolationResult {
    pub calls: usize,
    pub starts: usize,
    pub thread: Option<BackingResult>,
    pub process: Option<BackingResult>,
}

/// Each backing in a process of its own, one after the other.
pub fn run(scale: Scale) -> IsolationResult {
    let timeout = scale.seconds(180.0, 1800.0);
    eprintln!("[isolation] worker threads");
    let thread = child::run("isolation:thread", scale.quick, timeout);
    eprintln!("[isolation] worker processes");
    let process = child::run("isolation:process", scale.quick, timeout);
    IsolationResult { calls: calls(scale), starts: starts(scale), thread, process }
}

fn calls(scale: Scale) -> usize {
    scale.pick(100, 1000)
}

fn starts(scale: Scale) -> usize {
    scale.pick(5, 30)
}

fn options(backing: &WorkerBacking) -> PoolOptions {
    PoolOptions {
        backing: backing.clone(),
        max_workers: Some(1),
        policy: Policy::Pack,
        sample_interval: Duration::from_millis(100),
        ..PoolOptions::default()
    }
}

/// `thread` or `process`: the backing this child measures.
pub fn backing_named(name: &str) -> Option<WorkerBacking> {
    match name {
        "thread" => Some(WorkerBacking::Thread),
        "process" => Some(WorkerBacking::default()),
        _ => None,
    }
}

pub async fn measure(backing: WorkerBacking, scale: Scale) -> BackingResult {
    let name = if backing == WorkerBacking::Thread { "thread" } else { "process" };
    let worker_start = worker_start(&backing, starts(scale)).await;
    let (create_webrtc_transport, produce, consume) = control_calls(&backing, calls(scale)).await;
    let memory_kib_per_worker = memory_per_worker(&backing).await;
    let kill_to_died = match backing {
        WorkerBacking::Process(_) => Some(kill_to_died(&backing, scale.pick(3, 20)).await),
        WorkerBacking::Thread => None,
    };
    let ramp = forwarding(&backing, name, scale).await;
    let best = ramp
        .steps
        .iter()
        .filter(|s| s.window.undelivered() <= LOSS_LIMIT)
        .max_by(|a, b| a.window.delivered_pps.total_cmp(&b.window.delivered_pps));
    let (delivered_pps, worker_cores) = best.map_or((0.0, 0.0), |s| (s.window.delivered_pps, s.window.workers.iter().map(|w| w.cores).sum()));
    let pps_per_worker_core = if worker_cores > 0.0 { delivered_pps / worker_cores } else { 0.0 };
    eprintln!(
        "[isolation] {name}: start p50 {:.0} µs; createWebRtcTransport p50/p99 {:.0}/{:.0} µs, produce {:.0}/{:.0}, consume {:.0}/{:.0}; {:.0} KiB per worker; {:.0} pps per worker-core",
        worker_start.p50_us,
        create_webrtc_transport.p50_us,
        create_webrtc_transport.p99_us,
        produce.p50_us,
        produce.p99_us,
        consume.p50_us,
        consume.p99_us,
        memory_kib_per_worker,
        pps_per_worker_core
    );
    BackingResult {
        backing: name.to_string(),
        worker_start,
        create_webrtc_transport,
        produce,
        consume,
        memory_kib_per_worker,
        ramp,
        delivered_pps,
        worker_cores,
        pps_per_worker_core,
        kill_to_died,
    }
}

async fn worker_start(backing: &WorkerBacking, starts: usize) -> Percentiles {
    let mut histogram = Histogram::default();
    for _ in 0..starts {
        let mafalda = Mafalda::new(options(backing), EventSink::noop()).expect("Mafalda");
        let asked = Instant::now();
        mafalda.pin_worker().await.expect("a worker");
        histogram.record_ns(asked.elapsed().as_nanos() as u64);
        mafalda.close();
        // The worker thread (or host) goes before the next one starts.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    histogram.percentiles()
}

async fn control_calls(backing: &WorkerBacking, calls: usize) -> (Percentiles, Percentiles, Percentiles) {
    let mafalda = Mafalda::new(options(backing), EventSink::noop()).expect("Mafalda");
    let router = mafalda.create_router(media::router_codecs()).await.expect("router");
    let capabilities = media::subscriber_capabilities(&router.rtp_capabilities());
    let timed = |histogram: &mut Histogram, since: Instant| histogram.record_ns(since.elapsed().as_nanos() as u64);
    let (mut webrtc, mut produce, mut consume) = (Histogram::default(), Histogram::default(), Histogram::default());
    let mut kept = Vec::new();
    for _ in 0..calls {
        let options = json!({ "listenInfos": [{ "protocol": "udp", "ip": "127.0.0.1" }] });
        let since = Instant::now();
        kept.push(router.create_transport_json(TransportKind::WebRtc, options, None).await.expect("createWebRtcTransport"));
        timed(&mut webrtc, since);
    }
    let plain = |comedia| router.create_transport_json(TransportKind::Plain, media::plain_transport_json(comedia, Protection::Rtp), None);
    let (send, recv) = (plain(true).await.expect("send transport"), plain(false).await.expect("receive transport"));
    let mut producers = Vec::new();
    for i in 0..calls {
        let since = Instant::now();
        producers.push(send.produce_json(media::produce_json(Kind::Audio, 0x0150_0000 + i as u32)).await.expect("produce"));
        timed(&mut produce, since);
    }
    let mut consumers = Vec::new();
    for producer in &producers {
        let since = Instant::now();
        consumers.push(recv.consume_json(media::consume_json(&producer.id(), &capabilities)).await.expect("consume"));
        timed(&mut consume, since);
    }
    mafalda.close();
    (webrtc.percentiles(), produce.percentiles(), consume.percentiles())
}

fn rss_kib(pid: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0.0)
}

async fn memory_per_worker(backing: &WorkerBacking) -> f64 {
    let mafalda = Mafalda::new(options(backing), EventSink::noop()).expect("Mafalda");
    let before = rss_kib("self");
    let worker = mafalda.pin_worker().await.expect("a worker");
    let _router = mafalda.create_router(media::router_codecs()).await.expect("router");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let added = match backing {
        WorkerBacking::Thread => rss_kib("self") - before,
        WorkerBacking::Process(_) => rss_kib(&worker.pid.to_string()),
    };
    mafalda.close();
    added
}

async fn kill_to_died(backing: &WorkerBacking, kills: usize) -> Percentiles {
    let mut histogram = Histogram::default();
    for _ in 0..kills {
        let died: Arc<Mutex<Option<Instant>>> = Arc::default();
        let seen = died.clone();
        let events = EventSink::new(move |event: Event| {
            if event.name == "workerdied" {
                seen.lock().get_or_insert_with(Instant::now);
            }
        });
        let mafalda = Mafalda::new(options(backing), events).expect("Mafalda");
        let worker = mafalda.pin_worker().await.expect("a worker");
        let killed = Instant::now();
        // SAFETY: kill has no memory effects; the pid is a worker host this pool started.
        unsafe { libc::kill(worker.pid as libc::pid_t, libc::SIGKILL) };
        while died.lock().is_none() && killed.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        if let Some(at) = *died.lock() {
            histogram.record_ns(at.duration_since(killed).as_nanos() as u64);
        }
        mafalda.close();
    }
    histogram.percentiles()
}

/// The big-room ramp on one worker of this backing.
async fn forwarding(backing: &WorkerBacking, name: &str, scale: Scale) -> Ramp {
    let mafalda = Mafalda::new(options(backing), EventSink::noop()).expect("Mafalda");
    let mut room = MafaldaRoom::new(&mafalda).await;
    let system = format!("MafaldaRouter, one worker {name}");
    let ramp = big_room::ramp(&system, &mut room, Protection::BROWSER, &big_room::plan(scale), || mafalda_room::worker_threads(&mafalda), || async { 0 }).await;
    // The child process exits next; teardown is not measured.
    room.forget();
    std::mem::forget(mafalda);
    ramp
}
