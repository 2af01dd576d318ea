//! Scenario 4: one MafaldaRouter across servers. Three nodes over a real nats-server,
//! in this process: a signaling-only owner of the router (`maxWorkers: 0`, `spread`)
//! and two media nodes on 127.0.0.2 and 127.0.0.3 with one worker each, so a node is
//! a "side" as a worker is in the pipe-hop scenario.
//! - Media, per subscriber protection (browsers' SRTP, the headline, then plain RTP):
//!   the pipe-hop phases with nodes as sides: added latency of one hop between nodes
//!   (SRTP pipe), worker CPU per piped packet, loss with K publishers piped (K = 100:
//!   20,000 packets/s through the pipe in a full run).
//! - The hop between two workers of one node, in the same run (the pipe-hop CPU
//!   phases on a local MafaldaRouter), as the yardstick of the hop between nodes.
//! - Overload: the K piped publishers again while a CPU hog pinned to core 0 spins a
//!   growing share of it; loss, drops at the pipe sockets and the workers' CPU at
//!   each level.
//! - Control plane: time to place a transport on a media node (a call over NATS, p50/p99);
//!   NATS messages per second per node (subject `mafalda.>`), idle and with
//!   participants; time until `nodelost` after `kill -9` of a node process (a child).

use super::pipe_hop::{cpu_phases, latency_phase, CpuPhases};
use super::{pool_options, Scale};
use crate::child;
use crate::histogram::{quantile, Percentiles};
use crate::hog::Hog;
use crate::mafalda_room::{self, MafaldaRoom};
use crate::nats::NatsServer;
use crate::profile::{self, Summary};
use crate::publisher::{Publisher, StreamSpec};
use crate::receiver::{Receiver, Registration};
use crate::room::{Protection, Room};
use crate::rtp::Kind;
use crate::window::{self, Watch, Window};
use futures_util::StreamExt;
use mafalda_core::cluster::options::ClusterOptions;
use mafalda_core::MafaldaOptions;
use mafalda_core::{EventSink, Mafalda, Policy};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SAME: usize = 0;
const CROSS: usize = 1;
const NODES: usize = 3;

/// The subscriber protections of the media rows: browsers' SRTP first (the headline).
pub const ROWS: [Protection; 2] = [Protection::BROWSER, Protection::Rtp];

/// Duty (%) of the hog on core 0 at each overload level.
pub const HOG_DUTIES: [u32; 6] = [0, 20, 40, 60, 80, 100];

/// The hop between nodes with subscribers of one protection.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeHop {
    pub protection: Protection,
    pub same_node_latency: Percentiles,
    pub cross_node_latency: Percentiles,
    /// Arrival through the pipe between nodes minus arrival on the publisher's node.
    pub added_latency: Percentiles,
    pub same_node: Window,
    pub cross_node: Window,
    pub piped_pps: f64,
    pub pipes_in_cross_phase: usize,
    pub cpu_us_per_piped_packet: f64,
}

/// One level of the overload curve: the K piped publishers with the hog at `duty` %.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Overload {
    pub hog_duty_percent: u32,
    pub window: Window,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrossNodeResult {
    pub latency_subscribers_per_side: usize,
    pub cpu_publishers: usize,
    /// Per subscriber protection, headline first.
    pub rows: Vec<NodeHop>,
    /// The hop between two workers of one node, same run, same K, browsers' SRTP
    /// subscribers: worker CPU per piped packet.
    pub worker_hop_cpu_us_per_piped_packet: f64,
    pub worker_hop_same: Window,
    pub worker_hop_cross: Window,
    /// The headline's hop between nodes over the hop between workers.
    pub node_to_worker_hop_ratio: f64,
    pub overload: Vec<Overload>,
    /// With `MAFALDA_BENCH_PERF`: perf profiles of the workers in the piped phases of
    /// the headline row (between nodes) and of the hop between workers.
    #[serde(default)]
    pub node_hop_profile: Option<Summary>,
    #[serde(default)]
    pub worker_hop_profile: Option<Summary>,
    pub placements: usize,
    pub placement_ms_p50: f64,
    pub placement_ms_p99: f64,
    pub heartbeat_interval_ms: u64,
    pub idle_messages_per_second_per_node: f64,
    pub loaded_participants: usize,
    pub loaded_messages_per_second_per_node: f64,
    pub node_timeout_ms: u64,
    pub failure_detection_ms: f64,
}

impl CrossNodeResult {
    pub fn headline(&self) -> Option<&NodeHop> {
        self.rows.iter().find(|r| r.protection == Protection::BROWSER).or(self.rows.first())
    }
}

/// In a process of its own.
pub fn run(scale: Scale) -> Option<CrossNodeResult> {
    child::run("cross-node", scale.quick, scale.seconds(300.0, 1500.0))
}

fn cluster_options(nats: &str, node_id: &str, ip: &str) -> ClusterOptions {
    let mut options = ClusterOptions::new(vec![nats.to_string()], ip.to_string(), ip.parse().expect("loopback IP"));
    options.node_id = node_id.to_string();
    options
}

fn node(nats: &str, node_id: &str, ip: &str, max_workers: usize, events: EventSink) -> Mafalda {
    let options = MafaldaOptions { pool: pool_options(Policy::Spread, max_workers), cluster: Some(cluster_options(nats, node_id, ip)) };
    Mafalda::new(options, events).expect("Mafalda node")
}

/// `mafalda-bench --cluster-node URL ID IP`: a media node in a process of its own,
/// for the kill -9 measurement. Prints `ready` once joined, then serves until killed.
pub fn serve_node(nats: &str, node_id: &str, ip: &str) -> ! {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    runtime.block_on(async {
        let mafalda = node(nats, node_id, ip, 1, EventSink::noop());
        mafalda.cluster().await.expect("join the cluster");
        println!("ready");
        loop {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    })
}

/// Counts every message on `mafalda.>` (heartbeats, byes, calls, events).
async fn count_messages(nats: &str) -> Arc<AtomicU64> {
    let count = Arc::new(AtomicU64::new(0));
    let client = async_nats::connect(nats).await.expect("counting client");
    let mut subscriber = client.subscribe("mafalda.>").await.expect("subscribe");
    let counter = count.clone();
    tokio::spawn(async move {
        let _client = client;
        while subscriber.next().await.is_some() {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    count
}

async fn rate_per_node(count: &AtomicU64, window: Duration) -> f64 {
    let before = count.load(Ordering::Relaxed);
    tokio::time::sleep(window).await;
    (count.load(Ordering::Relaxed) - before) as f64 / window.as_secs_f64() / NODES as f64
}

async fn until(mut done: impl FnMut() -> bool, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while !done() {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

async fn node_count(owner: &Mafalda) -> usize {
    owner.dump().await.ok().and_then(|d| d["nodes"].as_array().map(Vec::len)).unwrap_or(0)
}

pub async fn measure(scale: Scale) -> CrossNodeResult {
    let nats = NatsServer::start().expect("nats-server (Debian's package) must be installed");
    let lost: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let record = lost.clone();
    let events = EventSink::new(move |event| {
        if event.name == "nodelost" {
            let node = event.data["nodeId"].as_str().unwrap_or_default().to_string();
            record.lock().push((node, Instant::now()));
        }
    });
    let owner = node(&nats.url, "bench-signaling", "127.0.0.1", 0, events);
    let a = node(&nats.url, "bench-a", "127.0.0.2", 1, EventSink::noop());
    let b = node(&nats.url, "bench-b", "127.0.0.3", 1, EventSink::noop());
    let count = count_messages(&nats.url).await;
    for m in [&owner, &a, &b] {
        m.cluster().await.expect("join");
    }
    let defaults = cluster_options(&nats.url, "x", "127.0.0.1");
    let mut joined = false;
    for _ in 0..200 {
        if node_count(&owner).await == NODES {
            joined = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(joined, "the three nodes did not see each other");
    let idle = rate_per_node(&count, scale.seconds(3.0, 10.0)).await;
    eprintln!("[cross-node] idle: {idle:.2} NATS messages/s per node");

    // Placement of a transport on a media node: one call over NATS (plus the part, once).
    let room = MafaldaRoom::new(&owner).await;
    let placements = scale.pick(20, 200);
    let mut times = Vec::new();
    for _ in 0..placements {
        let started = Instant::now();
        let transport = room.transport(false, Protection::Rtp).await;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        transport.close();
    }
    let (placement_ms_p50, placement_ms_p99) = (quantile(&mut times.clone(), 0.5), quantile(&mut times, 0.99));
    eprintln!("[cross-node] placement on a media node: p50 {placement_ms_p50:.2} ms, p99 {placement_ms_p99:.2} ms");

    // Media, with nodes as the sides, once per subscriber protection.
    let receiver = Receiver::start(1);
    let node_workers = || {
        let mut threads = mafalda_room::worker_threads(&a);
        threads.extend(mafalda_room::worker_threads(&b));
        threads
    };
    let per_side = scale.pick(5, 10);
    let k = scale.pick(20, 100);
    let mut rows = Vec::new();
    let mut rooms = vec![room];
    for protection in ROWS {
        // A publisher of its own: the streams of an earlier row stop with it.
        let publisher = Publisher::start();
        let mut latency_room = MafaldaRoom::new(&owner).await;
        let (latency_window, added_latency) =
            latency_phase(&mut latency_room, &receiver, &publisher, &node_workers, per_side, protection, scale).await;
        let mut cpu_room = MafaldaRoom::new(&owner).await;
        let phases = cpu_phases(&mut cpu_room, &receiver, &publisher, &node_workers, k, protection, scale, "node-hop").await;
        log_phases("between nodes", protection, &phases);
        let (cpu_us_per_piped_packet, _) = phases.piped_cost();
        rows.push(NodeHop {
            protection,
            same_node_latency: latency_window.latency.get(SAME).copied().unwrap_or_default(),
            cross_node_latency: latency_window.latency.get(CROSS).copied().unwrap_or_default(),
            added_latency,
            same_node: phases.same,
            cross_node: phases.cross,
            piped_pps: phases.piped_pps,
            pipes_in_cross_phase: phases.pipes_in_cross_phase,
            cpu_us_per_piped_packet,
        });
        rooms.push(latency_room);
        rooms.push(cpu_room);
    }

    // The hop between two workers of one node, in this same run.
    let local = Mafalda::new(pool_options(Policy::Spread, 2), EventSink::noop()).expect("Mafalda");
    let worker_hop = {
        let publisher = Publisher::start();
        let mut room = MafaldaRoom::new(&local).await;
        let local_workers = || mafalda_room::worker_threads(&local);
        let phases = cpu_phases(&mut room, &receiver, &publisher, &local_workers, k, Protection::BROWSER, scale, "worker-hop").await;
        log_phases("between workers", Protection::BROWSER, &phases);
        rooms.push(room);
        phases
    };
    let (worker_hop_cpu_us_per_piped_packet, _) = worker_hop.piped_cost();
    let node_to_worker_hop_ratio =
        rows.first().map_or(0.0, |r| r.cpu_us_per_piped_packet) / worker_hop_cpu_us_per_piped_packet.max(1e-9);
    eprintln!(
        "[cross-node] hop between nodes {:.2} µs, between workers {:.2} µs per piped packet: {node_to_worker_hop_ratio:.2}×",
        rows.first().map_or(0.0, |r| r.cpu_us_per_piped_packet),
        worker_hop_cpu_us_per_piped_packet
    );

    // Overload: the K publishers piped between nodes while a hog spins on core 0; the
    // NATS traffic with these participants is measured while they flow.
    let publisher = Publisher::start();
    let mut overload_room = MafaldaRoom::new(&owner).await;
    let (overload, loaded_participants, loaded) =
        overload_curve(&mut overload_room, &receiver, &publisher, &node_workers, k, &count, scale).await;
    rooms.push(overload_room);

    // kill -9 of a node process.
    let failure_detection_ms = kill_a_node(&nats.url, &owner, &lost).await;
    eprintln!("[cross-node] nodelost {failure_detection_ms:.0} ms after kill -9 (nodeTimeout {} ms)", defaults.node_timeout.as_millis());

    // The child process exits next; teardown is not measured.
    for room in rooms {
        room.forget();
    }
    std::mem::forget(owner);
    std::mem::forget(a);
    std::mem::forget(b);
    std::mem::forget(local);
    drop(publisher);
    drop(receiver);
    CrossNodeResult {
        latency_subscribers_per_side: per_side,
        cpu_publishers: k,
        rows,
        worker_hop_cpu_us_per_piped_packet,
        worker_hop_same: worker_hop.same,
        worker_hop_cross: worker_hop.cross,
        node_to_worker_hop_ratio,
        overload,
        node_hop_profile: profile::summary(&format!("node-hop-cross-{}", Protection::BROWSER.key())),
        worker_hop_profile: profile::summary(&format!("worker-hop-cross-{}", Protection::BROWSER.key())),
        placements,
        placement_ms_p50,
        placement_ms_p99,
        heartbeat_interval_ms: defaults.heartbeat_interval.as_millis() as u64,
        idle_messages_per_second_per_node: idle,
        loaded_participants,
        loaded_messages_per_second_per_node: loaded,
        node_timeout_ms: defaults.node_timeout.as_millis() as u64,
        failure_detection_ms,
    }
}

fn log_phases(hop: &str, protection: Protection, phases: &CpuPhases) {
    eprintln!(
        "[cross-node] {hop} ({}): cpu same={:.3} µs/pkt cross={:.3} µs/pkt loss same={:.3}% cross={:.3}% pipes={} pipe-socket drops={} workers {:?} cores, waited {:?}",
        protection.label(),
        phases.same.worker_cpu_us_per_packet(),
        phases.cross.worker_cpu_us_per_packet(),
        phases.same.loss * 100.0,
        phases.cross.loss * 100.0,
        phases.pipes_in_cross_phase,
        phases.cross.other_socket_drops,
        phases.cross.workers.iter().map(|w| (w.cores * 100.0).round() / 100.0).collect::<Vec<_>>(),
        phases.cross.workers.iter().map(|w| (w.waited * 100.0).round() / 100.0).collect::<Vec<_>>()
    );
}

/// K publishers on one media node, each consumed by a subscriber on the other one
/// (browsers' SRTP), one window per hog duty; then, with them still flowing, NATS
/// messages per node. Returns (levels, participants, messages/s per node).
async fn overload_curve(
    room: &mut MafaldaRoom,
    receiver: &Receiver,
    publisher: &Publisher,
    workers: &dyn Fn() -> Vec<(String, i32)>,
    k: usize,
    count: &AtomicU64,
    scale: Scale,
) -> (Vec<Overload>, usize, f64) {
    let to = receiver.addresses()[0];
    let mut publishers = Vec::new();
    for i in 0..k as u32 {
        let p = room.publish(&[(Kind::Audio, 0x0e00_0000 + 2 * i), (Kind::Video, 0x0e00_0001 + 2 * i)]).await;
        for (kind, _, ssrc) in &p.producers {
            publisher.add(StreamSpec { kind: *kind, ssrc: *ssrc, target: p.target });
        }
        publishers.push(p);
    }
    let mut streams = Vec::new();
    let mut consumed = vec![false; publishers.len()];
    while consumed.iter().any(|c| !c) {
        let subscriber = room.add_subscriber(to, Protection::BROWSER).await;
        // Each publisher is consumed on the other node; a subscriber that landed on the
        // node of every publisher still waiting stays idle.
        let Some(i) = (0..publishers.len()).find(|i| !consumed[*i] && publishers[*i].worker_id != subscriber.worker_id) else { continue };
        consumed[i] = true;
        let consumers = room.consume(subscriber.index, &publishers[i].producers).await;
        let registrations: Vec<(u32, Registration)> =
            consumers.iter().map(|(kind, ssrc)| (*ssrc, Registration { video: *kind == Kind::Video, group: 0, trace: false })).collect();
        receiver.register_transport(subscriber.srtp.as_ref(), &registrations);
        streams.extend(consumers);
    }
    let threads = workers();
    let watch = Watch {
        publisher,
        receiver,
        streams: &streams,
        workers: &threads,
        generator: [receiver.tids(), vec![publisher.tid()]].concat(),
        all_streams: streams.len(),
        receiver_ports: receiver.addresses().iter().map(|a| a.port()).collect(),
        worker_input_ports: publishers.iter().map(|p| p.target.port()).collect(),
    };
    tokio::time::sleep(scale.seconds(1.0, 2.0)).await;
    let mut levels = Vec::new();
    for duty in HOG_DUTIES {
        let hog = Hog::start(0, duty);
        tokio::time::sleep(scale.seconds(0.5, 1.0)).await;
        let window = window::measure(&watch, scale.seconds(2.0, 5.0)).await;
        drop(hog);
        eprintln!(
            "[cross-node] overload, hog {duty:3} % of core 0: loss {:.3} %, not delivered {:.2} %, pipe-socket drops {}, workers {:?} cores, waited {:?}, stall {:.0} %",
            window.loss * 100.0,
            window.shortfall * 100.0,
            window.other_socket_drops,
            window.workers.iter().map(|w| (w.cores * 100.0).round() / 100.0).collect::<Vec<_>>(),
            window.workers.iter().map(|w| (w.waited * 100.0).round() / 100.0).collect::<Vec<_>>(),
            window.cpu_stall * 100.0
        );
        levels.push(Overload { hog_duty_percent: duty, window });
        // Let queues drain before the next level.
        tokio::time::sleep(scale.seconds(0.5, 1.5)).await;
    }
    let loaded = rate_per_node(count, scale.seconds(3.0, 10.0)).await;
    let participants = 2 * publishers.len();
    eprintln!("[cross-node] with {participants} participants: {loaded:.2} NATS messages/s per node");
    (levels, participants, loaded)
}

/// Starts a node process, waits until the owner sees it, kills it with SIGKILL and
/// times the owner's `nodelost`.
async fn kill_a_node(nats: &str, owner: &Mafalda, lost: &Mutex<Vec<(String, Instant)>>) -> f64 {
    use std::io::BufRead;
    let exe = std::env::current_exe().expect("own binary");
    let mut child = std::process::Command::new(exe)
        .args(["--cluster-node", nats, "bench-victim", "127.0.0.4"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("node process");
    let stdout = child.stdout.take().expect("child stdout");
    let mut line = String::new();
    let _ = std::io::BufReader::new(stdout).read_line(&mut line);
    assert_eq!(line.trim(), "ready", "the node process did not join");
    let mut seen = false;
    for _ in 0..400 {
        if node_count(owner).await == NODES + 1 {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(seen, "the owner did not see the node process");
    let killed_at = Instant::now();
    child.kill().expect("kill -9");
    let _ = child.wait();
    let detected = until(|| lost.lock().iter().any(|(n, _)| n == "bench-victim"), Duration::from_secs(30)).await;
    assert!(detected, "no nodelost within 30 s");
    let at = lost.lock().iter().find(|(n, _)| n == "bench-victim").map(|(_, at)| *at).expect("recorded");
    at.duration_since(killed_at).as_secs_f64() * 1e3
}
