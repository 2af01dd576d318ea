//! Scenario 4: one MafaldaRouter across servers. Three nodes over a real nats-server,
//! in this process: a signaling-only owner of the router (`maxWorkers: 0`, `spread`)
//! and two media nodes on 127.0.0.2 and 127.0.0.3 with one worker each, so a node is
//! a "side" as a worker is in the pipe-hop scenario.
//! - Media: the pipe-hop phases with nodes as sides: added latency of one hop between
//!   nodes (SRTP pipe), worker CPU per piped packet, loss with K publishers piped
//!   (K = 100: 20,000 packets/s through the pipe in a full run).
//! - Control plane: time to place a transport on a media node (a call over NATS, p50/p99);
//!   NATS messages per second per node (subject `mafalda.>`), idle and with
//!   participants; time until `nodelost` after `kill -9` of a node process (a child).

use super::pipe_hop::{cpu_phases, latency_phase};
use super::{pool_options, Scale};
use crate::child;
use crate::histogram::{quantile, Percentiles};
use crate::mafalda_room::{self, MafaldaRoom};
use crate::nats::NatsServer;
use crate::publisher::Publisher;
use crate::receiver::Receiver;
use crate::room::{Protection, Room};
use crate::window::Window;
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

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CrossNodeResult {
    pub latency_subscribers_per_side: usize,
    pub same_node_latency: Percentiles,
    pub cross_node_latency: Percentiles,
    /// Arrival through the pipe between nodes minus arrival on the publisher's node.
    pub added_latency: Percentiles,
    pub cpu_publishers: usize,
    pub same_node: Window,
    pub cross_node: Window,
    pub piped_pps: f64,
    pub pipes_in_cross_phase: usize,
    pub cpu_us_per_piped_packet: f64,
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

/// In a process of its own.
pub fn run(scale: Scale) -> Option<CrossNodeResult> {
    child::run("cross-node", scale.quick, scale.seconds(180.0, 900.0))
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
    let mut room = MafaldaRoom::new(&owner).await;
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

    // Media, with nodes as the sides.
    let receiver = Receiver::start(1);
    let publisher = Publisher::start();
    let workers = || {
        let mut threads = mafalda_room::worker_threads(&a);
        threads.extend(mafalda_room::worker_threads(&b));
        threads
    };
    let per_side = scale.pick(5, 10);
    let (latency_window, added_latency) = latency_phase(&mut room, &receiver, &publisher, &workers, per_side, scale).await;
    let k = scale.pick(20, 100);
    let mut cpu_room = MafaldaRoom::new(&owner).await;
    let phases = cpu_phases(&mut cpu_room, &receiver, &publisher, &workers, k, scale).await;
    let (cpu_us_per_piped_packet, _) = phases.piped_cost();
    eprintln!(
        "[cross-node] cpu same={:.3} µs/pkt cross={:.3} µs/pkt loss same={:.3}% cross={:.3}% pipes={}",
        phases.same.worker_cpu_us_per_packet(),
        phases.cross.worker_cpu_us_per_packet(),
        phases.same.loss * 100.0,
        phases.cross.loss * 100.0,
        phases.pipes_in_cross_phase
    );

    // Steady state with participants: the K publishers still send; K subscribers watch them.
    let to = receiver.addresses()[0];
    let published = cpu_room.published();
    for p in &published {
        cpu_room.subscribe(to, Protection::Rtp, &p.producers).await;
    }
    tokio::time::sleep(scale.seconds(1.0, 2.0)).await;
    let loaded_participants = 2 * published.len();
    let loaded = rate_per_node(&count, scale.seconds(3.0, 10.0)).await;
    eprintln!("[cross-node] with {loaded_participants} participants: {loaded:.2} NATS messages/s per node");

    // kill -9 of a node process.
    let failure_detection_ms = kill_a_node(&nats.url, &owner, &lost).await;
    eprintln!("[cross-node] nodelost {failure_detection_ms:.0} ms after kill -9 (nodeTimeout {} ms)", defaults.node_timeout.as_millis());

    // The child process exits next; teardown is not measured.
    room.forget();
    cpu_room.forget();
    std::mem::forget(owner);
    std::mem::forget(a);
    std::mem::forget(b);
    drop(publisher);
    drop(receiver);
    CrossNodeResult {
        latency_subscribers_per_side: per_side,
        same_node_latency: latency_window.latency.get(SAME).copied().unwrap_or_default(),
        cross_node_latency: latency_window.latency.get(CROSS).copied().unwrap_or_default(),
        added_latency,
        cpu_publishers: k,
        same_node: phases.same,
        cross_node: phases.cross,
        piped_pps: phases.piped_pps,
        pipes_in_cross_phase: phases.pipes_in_cross_phase,
        cpu_us_per_piped_packet,
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
