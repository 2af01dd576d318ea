//! Scenario: the control plane at scale (issue 24). Two parts, each on a fresh real
//! nats-server (with its monitoring port) and a signaling-only owner in this process
//! (`least-loaded`, so that a node with a free core is the one placements go to):
//! - processes: 20 node processes (this binary with `--cluster-node`, one worker
//!   each, on 127.0.0.10, .11, ...), started in steps to see heartbeat traffic grow;
//! - simulation: 1,000 simulated nodes (`agents`: heartbeats and answers over real
//!   NATS, no workers), in steps too.
//!
//! Each measures: heartbeats per second and the nats-server's messages and CPU at
//! each step; placement decisions (`Cluster::choose` over the real node table) and
//! whole placements (a transport created on a node, calls over NATS) p50/p99; the
//! time until a new node is used (process start, first heartbeat seen, first
//! transport placed on it); `nodelost` after `kill -9` of one node (for a simulated
//! node: its heartbeats stop at once, without a bye).
//! The bench runs under `nice` on a shared 2-core machine: latencies include that.

mod agents;
mod probe;

use super::{pool_options, Scale};
use crate::child;
use crate::histogram::quantile;
use crate::media;
use crate::results::{self, Recorded};
use crate::room::Protection;
use mafalda_core::cluster::options::ClusterOptions;
use mafalda_core::router::TransportKind;
use mafalda_core::{EventSink, Mafalda, MafaldaOptions, MafaldaRouter, MafaldaTransport, Policy};
use parking_lot::Mutex;
use probe::Traffic;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;
use std::fmt::Write;
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Targets of issue 24.
const PLACEMENT_P99_MS_PROCESSES: f64 = 10.0;
const PLACEMENT_P99_MS_SIMULATED: f64 = 50.0;
const NODELOST_MARGIN_MS: f64 = 1000.0;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Part {
    /// "processes" or "simulated".
    pub what: String,
    pub nodes: usize,
    /// Heartbeat traffic at each step of the ramp.
    pub steps: Vec<Traffic>,
    /// Process start (or connection) until the owner sees every node.
    pub join_all_ms: f64,
    pub decisions: usize,
    pub decision_us_p50: f64,
    pub decision_us_p99: f64,
    pub placements: usize,
    pub placement_ms_p50: f64,
    pub placement_ms_p99: f64,
    /// A new node: start → ready (joined NATS), → first seen by the owner, → first transport placed there.
    pub new_node_ready_ms: f64,
    pub new_node_seen_ms: f64,
    pub new_node_used_ms: f64,
    pub node_timeout_ms: f64,
    pub nodelost_ms: f64,
    /// `nodelost` of nodes that were still there (before the kill): should be none.
    pub lost_without_cause: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClusterScaleResult {
    pub heartbeat_interval_ms: f64,
    /// The bench's own nice value (it shares the machine's CPU with whatever else runs).
    #[serde(default)]
    pub nice: i64,
    /// The machine's 1-minute load average at the start and at the end of the run.
    #[serde(default)]
    pub load_average: (f64, f64),
    pub processes: Part,
    pub simulated: Part,
}

/// In a process of its own.
pub fn run(scale: Scale) -> Option<ClusterScaleResult> {
    child::run("cluster-scale", scale.quick, scale.seconds(300.0, 1500.0))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    (quantile(&mut samples.clone(), 0.5), quantile(&mut samples, 0.99))
}

/// The owner: signaling only, `least-loaded`; records when it sees each node go.
struct Owner {
    mafalda: Mafalda,
    /// Made once a first node is there (its first part gives the router's capabilities).
    router: Option<MafaldaRouter>,
    lost: Arc<Mutex<Vec<(String, Instant)>>>,
}

impl Owner {
    async fn join(url: &str) -> Self {
        let lost: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
        let record = lost.clone();
        let events = EventSink::new(move |event| {
            if event.name == "nodelost" {
                record.lock().push((event.data["nodeId"].as_str().unwrap_or_default().to_string(), Instant::now()));
            }
        });
        let mut cluster = ClusterOptions::new(vec![url.to_string()], "127.0.0.1".into(), "127.0.0.1".parse().expect("IP"));
        cluster.node_id = "scale-owner".into();
        let options = MafaldaOptions { pool: pool_options(Policy::LeastLoaded, 0), cluster: Some(cluster) };
        let mafalda = Mafalda::new(options, events).expect("owner");
        mafalda.cluster().await.expect("owner joins");
        Self { router: None, mafalda, lost }
    }

    async fn nodes(&self) -> Vec<Value> {
        self.mafalda.dump().await.ok().and_then(|d| d["nodes"].as_array().cloned()).unwrap_or_default()
    }

    async fn sees(&self, node: &str) -> bool {
        self.nodes().await.iter().any(|n| n["nodeId"] == node)
    }

    async fn count(&self) -> usize {
        self.nodes().await.len()
    }

    async fn make_router(&mut self) {
        self.router = Some(self.mafalda.create_router(media::router_codecs()).await.expect("router"));
    }

    async fn transport(&self) -> Option<MafaldaTransport> {
        self.router.as_ref()?.create_transport_json(TransportKind::Plain, media::plain_transport_json(false, Protection::Rtp), None).await.ok()
    }

    /// Decisions over the owner's node table, timed one by one.
    async fn decisions(&self, count: usize) -> Vec<f64> {
        let cluster = self.mafalda.cluster().await.ok().flatten().expect("cluster");
        let holding = HashSet::new();
        (0..count)
            .map(|_| {
                let started = Instant::now();
                let _ = cluster.choose(&holding, "bench decision");
                started.elapsed().as_secs_f64() * 1e6
            })
            .collect()
    }

    /// Whole placements: a transport created on whichever node, then closed.
    async fn placements(&self, count: usize) -> Vec<f64> {
        let mut times = Vec::new();
        for _ in 0..count {
            let started = Instant::now();
            if let Some(transport) = self.transport().await {
                times.push(ms(started.elapsed()));
                transport.close();
            }
        }
        times
    }

    /// Places a transport every few ms until one lands on `node`: the time that took.
    async fn until_used(&self, node: &str, since: Instant, timeout: Duration) -> f64 {
        while since.elapsed() < timeout {
            if let Some(transport) = self.transport().await {
                let used = transport.node_id().as_deref() == Some(node);
                transport.close();
                if used {
                    return ms(since.elapsed());
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        f64::NAN
    }

    /// Time from `since` until its `nodelost` for `node`.
    async fn lost_after(&self, node: &str, since: Instant, timeout: Duration) -> f64 {
        while since.elapsed() < timeout {
            if let Some((_, at)) = self.lost.lock().iter().find(|(n, at)| n == node && *at >= since) {
                return ms(at.duration_since(since));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        f64::NAN
    }
}

async fn wait_until(mut done: impl AsyncFnMut() -> bool, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if done().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// A nats-server with monitoring, and a counter of heartbeats on it.
struct Server {
    nats: crate::nats::NatsServer,
    monitor: u16,
    heartbeats: Arc<probe::Heartbeats>,
}

impl Server {
    async fn start() -> Self {
        let monitor = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let nats = crate::nats::NatsServer::start_with(&["-m", &monitor.to_string()]).expect("nats-server (Debian's package) must be installed");
        let heartbeats = probe::count_heartbeats(&nats.url).await;
        Self { nats, monitor, heartbeats }
    }

    async fn traffic(&self, nodes: usize, window: Duration) -> Traffic {
        let t = probe::traffic(nodes, &self.heartbeats, self.monitor, self.nats.pid(), window).await;
        eprintln!(
            "[cluster-scale] {nodes} nodes: {:.0} heartbeats/s, server {:.0} msgs/s in, {:.0} out, CPU {:.1} %",
            t.heartbeats_per_second,
            t.server_in_messages_per_second,
            t.server_out_messages_per_second,
            t.server_cpu * 100.0
        );
        t
    }
}

/// A node process: this binary as `--cluster-node URL ID IP` (one worker).
struct NodeProcess {
    id: String,
    child: Child,
    ready: std::sync::mpsc::Receiver<Instant>,
}

fn spawn_node(url: &str, id: &str, ip: &str) -> NodeProcess {
    let mut child = Command::new(std::env::current_exe().expect("own binary"))
        .args(["--cluster-node", url, id, ip])
        .stdout(Stdio::piped())
        .spawn()
        .expect("node process");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, ready) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        if lines.next().and_then(Result::ok).is_some_and(|l| l.trim() == "ready") {
            let _ = tx.send(Instant::now());
        }
        for _ in lines {}
    });
    NodeProcess { id: id.to_string(), child, ready }
}

impl NodeProcess {
    async fn ready_at(&self, timeout: Duration) -> Option<Instant> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(at) = self.ready.try_recv() {
                return Some(at);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        None
    }

    /// kill -9, by its pid.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Gives every node one transport it keeps (waiting for the node's heartbeat to show
/// its worker's load), so that a new node's free core is the least loaded place.
async fn settle(owner: &Owner, nodes: usize) -> Vec<MafaldaTransport> {
    let mut kept = Vec::new();
    for _ in 0..nodes {
        let Some(transport) = owner.transport().await else { continue };
        let node = transport.node_id().unwrap_or_default();
        kept.push(transport);
        wait_until(
            async || owner.nodes().await.iter().any(|n| n["nodeId"] == node.as_str() && n["workers"].as_array().is_some_and(|w| !w.is_empty())),
            Duration::from_secs(3),
        )
        .await;
    }
    kept
}

async fn processes(scale: Scale) -> Part {
    let server = Server::start().await;
    let url = server.nats.url.clone();
    let mut owner = Owner::join(&url).await;
    let steps: Vec<usize> = scale.pick(vec![2, 4], vec![5, 10, 20]);
    let window = scale.seconds(2.0, 6.0);
    let total = *steps.last().expect("steps");
    let mut nodes: Vec<NodeProcess> = Vec::new();
    let mut traffic = Vec::new();
    let mut join_all_ms = 0.0;
    for &step in &steps {
        let started = Instant::now();
        while nodes.len() < step {
            let i = nodes.len();
            nodes.push(spawn_node(&url, &format!("scale-{i:02}"), &format!("127.0.0.{}", 10 + i)));
        }
        let joined = wait_until(async || owner.count().await == step + 1, Duration::from_secs(60)).await;
        assert!(joined, "the owner did not see {step} node processes");
        join_all_ms = ms(started.elapsed());
        // Let the heartbeats settle into their phases before counting.
        tokio::time::sleep(Duration::from_secs(1)).await;
        traffic.push(server.traffic(step + 1, window).await);
    }
    owner.make_router().await;
    let kept = settle(&owner, total).await;
    let mut part = measure_part(&owner, scale, total, traffic, join_all_ms).await;
    // A new node process.
    let since = Instant::now();
    let node = spawn_node(&url, "scale-new", &format!("127.0.0.{}", 10 + total));
    part.new_node_ready_ms = node.ready_at(Duration::from_secs(30)).await.map_or(f64::NAN, |at| ms(at.duration_since(since)));
    part.new_node_seen_ms = seen_after(&owner, "scale-new", since).await;
    part.new_node_used_ms = owner.until_used("scale-new", since, Duration::from_secs(30)).await;
    report_new_node(&part);
    nodes.push(node);
    part.lost_without_cause = owner.lost.lock().iter().map(|(n, _)| n.clone()).collect();
    // kill -9 of one of them.
    let victim = nodes.remove(1);
    let id = victim.id.clone();
    let since = Instant::now();
    victim.kill();
    let nodelost_ms = owner.lost_after(&id, since, Duration::from_secs(30)).await;
    eprintln!("[cluster-scale] processes: nodelost {nodelost_ms:.0} ms after kill -9");
    for node in nodes {
        node.kill();
    }
    std::mem::forget(kept);
    eprintln!("[cluster-scale] processes: {} nodes lost before any was killed", part.lost_without_cause.len());
    Part { what: "processes".into(), nodelost_ms, ..part }
}

async fn seen_after(owner: &Owner, node: &str, since: Instant) -> f64 {
    if wait_until(async || owner.sees(node).await, Duration::from_secs(30)).await { ms(since.elapsed()) } else { f64::NAN }
}

fn report_new_node(part: &Part) {
    eprintln!(
        "[cluster-scale] new node: joined NATS {:.0} ms, seen {:.0} ms, used {:.0} ms after its start",
        part.new_node_ready_ms, part.new_node_seen_ms, part.new_node_used_ms
    );
}

/// The figures both parts measure the same way, once every node is there.
async fn measure_part(owner: &Owner, scale: Scale, nodes: usize, steps: Vec<Traffic>, join_all_ms: f64) -> Part {
    let decisions = scale.pick(200, 2000);
    let (decision_us_p50, decision_us_p99) = percentiles(owner.decisions(decisions).await);
    let placements = scale.pick(30, 300);
    let times = owner.placements(placements).await;
    let placed = times.len();
    let (placement_ms_p50, placement_ms_p99) = percentiles(times);
    eprintln!(
        "[cluster-scale] {nodes} nodes: decision p50 {decision_us_p50:.0} µs p99 {decision_us_p99:.0} µs; placement p50 {placement_ms_p50:.2} ms p99 {placement_ms_p99:.2} ms"
    );
    let defaults = ClusterOptions::new(Vec::new(), String::new(), "127.0.0.1".parse().expect("IP"));
    Part {
        what: String::new(),
        nodes,
        steps,
        join_all_ms,
        decisions,
        decision_us_p50,
        decision_us_p99,
        placements: placed,
        placement_ms_p50,
        placement_ms_p99,
        new_node_ready_ms: f64::NAN,
        new_node_seen_ms: f64::NAN,
        new_node_used_ms: f64::NAN,
        node_timeout_ms: ms(defaults.node_timeout),
        nodelost_ms: f64::NAN,
        lost_without_cause: Vec::new(),
    }
}

/// The RTP capabilities a simulated node's router part answers with: a real router's.
async fn real_capabilities() -> Value {
    let local = Mafalda::new(pool_options(Policy::Pack, 1), EventSink::noop()).expect("local Mafalda");
    let router = local.create_router(media::router_codecs()).await.expect("local router");
    let capabilities = serde_json::to_value(router.rtp_capabilities()).expect("capabilities");
    router.close();
    local.close();
    capabilities
}

async fn simulated(scale: Scale) -> Part {
    let capabilities = Arc::new(real_capabilities().await);
    let server = Server::start().await;
    let url = server.nats.url.clone();
    let mut owner = Owner::join(&url).await;
    let steps: Vec<usize> = scale.pick(vec![50, 100], vec![250, 500, 1000]);
    let listeners = scale.pick(5, 50);
    let window = scale.seconds(2.0, 6.0);
    let total = *steps.last().expect("steps");
    let mut nodes = Vec::new();
    let mut traffic = Vec::new();
    let mut join_all_ms = 0.0;
    for &step in &steps {
        let started = Instant::now();
        while nodes.len() < step {
            let batch: Vec<_> = (nodes.len()..step.min(nodes.len() + 50))
                .map(|i| {
                    // Loads 0.10..0.90: every node busy, none full.
                    let load = 0.1 + (i * 37 % 81) as f64 / 100.0;
                    agents::start(&url, format!("sim-{i:04}"), Some(load), i < listeners, capabilities.clone())
                })
                .collect();
            nodes.extend(futures_util::future::join_all(batch).await);
        }
        let joined = wait_until(async || owner.count().await == step + 1, Duration::from_secs(60)).await;
        assert!(joined, "the owner did not see {step} simulated nodes");
        join_all_ms = ms(started.elapsed());
        tokio::time::sleep(Duration::from_secs(1)).await;
        traffic.push(server.traffic(step + 1, window).await);
    }
    owner.make_router().await;
    let mut part = measure_part(&owner, scale, total, traffic, join_all_ms).await;
    // A new simulated node with a free core: the least loaded of all.
    let since = Instant::now();
    let node = agents::start(&url, "sim-new".into(), None, false, capabilities.clone()).await;
    part.new_node_ready_ms = ms(since.elapsed());
    part.new_node_seen_ms = seen_after(&owner, "sim-new", since).await;
    part.new_node_used_ms = owner.until_used("sim-new", since, Duration::from_secs(30)).await;
    report_new_node(&part);
    nodes.push(node);
    part.lost_without_cause = owner.lost.lock().iter().map(|(n, _)| n.clone()).collect();
    let victim = nodes.remove(1);
    let id = victim.id.clone();
    let since = Instant::now();
    victim.kill();
    let nodelost_ms = owner.lost_after(&id, since, Duration::from_secs(30)).await;
    eprintln!("[cluster-scale] simulated: nodelost {nodelost_ms:.0} ms after its heartbeats stopped");
    std::mem::forget(owner);
    std::mem::forget(nodes);
    eprintln!("[cluster-scale] simulated: {} nodes lost before any was stopped", part.lost_without_cause.len());
    Part { what: "simulated".into(), nodelost_ms, ..part }
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg").ok().and_then(|l| l.split_whitespace().next()?.parse().ok()).unwrap_or(f64::NAN)
}

pub async fn measure(scale: Scale) -> ClusterScaleResult {
    let load_at_start = load_average();
    let processes = processes(scale).await;
    let simulated = simulated(scale).await;
    // Field 19 of /proc/self/stat, after the command name.
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let nice = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(16)?.parse().ok()).unwrap_or(0);
    let load_average = (load_at_start, load_average());
    ClusterScaleResult { heartbeat_interval_ms: ms(agents::HEARTBEAT_INTERVAL), nice, load_average, processes, simulated }
}

fn figure(value: f64, decimals: usize) -> String {
    if value.is_finite() { format!("{value:.decimals$}") } else { "—".into() }
}

/// The report's section (BENCHMARKS.md): the targets, both parts side by side, and
/// the kept runs of the same mode.
pub fn section(md: &mut String, recorded: &Recorded<ClusterScaleResult>, out: &Path) {
    let (r, quick) = (&recorded.result, recorded.quick);
    let (p, s) = (&r.processes, &r.simulated);
    md.push_str("## Control plane at scale (issue 24)\n\n");
    let _ = writeln!(
        md,
        "`npm run bench -- cluster-scale{}`: a real nats-server 2.9 and a signaling-only owner (`least-loaded`) in the bench process; {} node processes (one worker each, on 127.0.0.10 and up), then {} simulated nodes (heartbeats and answers over real NATS, no workers; {} of them also listen to every heartbeat). Run at nice {} on a shared 2-core machine (load average {:.1} at the start, {:.1} at the end): latencies include waiting for the CPU. Heartbeats every {:.0} ms, `nodeTimeout` {:.0} ms.\n",
        if quick { " --quick" } else { "" },
        p.nodes,
        s.nodes,
        if quick { 5 } else { 50 },
        r.nice,
        r.load_average.0,
        r.load_average.1,
        r.heartbeat_interval_ms,
        p.node_timeout_ms
    );
    md.push_str("| target | measured | verdict |\n| --- | --- | --- |\n");
    let verdict = |met: bool| if met { "met" } else { "**not met**" };
    let _ = writeln!(md, "| placement p99 < {PLACEMENT_P99_MS_PROCESSES:.0} ms with {} node processes | {} ms | {} |", p.nodes, figure(p.placement_ms_p99, 2), verdict(p.placement_ms_p99 < PLACEMENT_P99_MS_PROCESSES));
    let _ = writeln!(md, "| placement p99 < {PLACEMENT_P99_MS_SIMULATED:.0} ms with {} simulated nodes | {} ms | {} |", s.nodes, figure(s.placement_ms_p99, 2), verdict(s.placement_ms_p99 < PLACEMENT_P99_MS_SIMULATED));
    let per_node: Vec<f64> = p.steps.iter().chain(&s.steps).map(|t| t.heartbeats_per_second / t.nodes as f64).collect();
    let (low, high) = per_node.iter().fold((f64::INFINITY, 0.0f64), |(l, h), v| (l.min(*v), h.max(*v)));
    let _ = writeln!(md, "| heartbeat traffic linear in nodes | {low:.2}–{high:.2} heartbeats/s per node from {} to {} nodes | {} |", p.steps.first().map_or(0, |t| t.nodes), s.steps.last().map_or(0, |t| t.nodes), verdict(high <= low * 1.2));
    let false_alarms = p.lost_without_cause.len() + s.lost_without_cause.len();
    let _ = writeln!(md, "| no `nodelost` of a node that is still there | {} ({} processes), {} ({} simulated) | {} |", p.lost_without_cause.len(), p.nodes, s.lost_without_cause.len(), s.nodes, verdict(false_alarms == 0));
    for part in [p, s] {
        let limit = part.node_timeout_ms + NODELOST_MARGIN_MS;
        let _ = writeln!(md, "| `nodelost` ≤ nodeTimeout + 1 s ({} {}) | {} ms | {} |", part.nodes, part.what, figure(part.nodelost_ms, 0), verdict(part.nodelost_ms <= limit));
    }
    md.push_str("\n| figure | node processes | simulated nodes |\n| --- | ---: | ---: |\n");
    let row = |md: &mut String, name: &str, a: String, b: String| {
        let _ = writeln!(md, "| {name} | {a} | {b} |");
    };
    row(md, "nodes", p.nodes.to_string(), s.nodes.to_string());
    row(md, "all nodes seen by the owner after their start (last step)", format!("{} ms", figure(p.join_all_ms, 0)), format!("{} ms", figure(s.join_all_ms, 0)));
    row(md, "placement decision (`Cluster::choose`), p50 / p99", format!("{} / {} µs", figure(p.decision_us_p50, 0), figure(p.decision_us_p99, 0)), format!("{} / {} µs", figure(s.decision_us_p50, 0), figure(s.decision_us_p99, 0)));
    row(md, "whole placement (transport made on a node), p50 / p99", format!("{} / {} ms", figure(p.placement_ms_p50, 2), figure(p.placement_ms_p99, 2)), format!("{} / {} ms", figure(s.placement_ms_p50, 2), figure(s.placement_ms_p99, 2)));
    row(md, "new node: started → joined NATS", format!("{} ms", figure(p.new_node_ready_ms, 0)), format!("{} ms", figure(s.new_node_ready_ms, 0)));
    row(md, "new node: started → seen by the owner", format!("{} ms", figure(p.new_node_seen_ms, 0)), format!("{} ms", figure(s.new_node_seen_ms, 0)));
    row(md, "new node: started → first transport placed there", format!("{} ms", figure(p.new_node_used_ms, 0)), format!("{} ms", figure(s.new_node_used_ms, 0)));
    row(md, "`nodelost` after kill -9 (simulated: heartbeats stopped)", format!("{} ms", figure(p.nodelost_ms, 0)), format!("{} ms", figure(s.nodelost_ms, 0)));
    row(md, "`nodelost` of nodes still there (false alarms)", p.lost_without_cause.len().to_string(), s.lost_without_cause.len().to_string());
    md.push_str("\nHeartbeat traffic at each step (the owner and a counting client listen to every heartbeat, and so do the node processes, or the simulated listeners):\n\n");
    md.push_str("| nodes | heartbeats/s | per node | server messages in/s | out/s | nats-server CPU |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for t in p.steps.iter().chain(&s.steps) {
        let _ = writeln!(
            md,
            "| {} | {:.0} | {:.2} | {:.0} | {:.0} | {:.1} % |",
            t.nodes,
            t.heartbeats_per_second,
            t.heartbeats_per_second / t.nodes as f64,
            t.server_in_messages_per_second,
            t.server_out_messages_per_second,
            t.server_cpu * 100.0
        );
    }
    if let Some(last) = s.steps.last().filter(|t| t.server_out_messages_per_second > 0.0) {
        let per_delivery_us = last.server_cpu / last.server_out_messages_per_second * 1e6;
        let mesh = (last.nodes * last.nodes) as f64;
        let _ = writeln!(
            md,
            "\nThe nats-server spent {per_delivery_us:.1} µs of CPU per delivered message at {} nodes. Heartbeats are the part that grows faster than the cluster: with every one of {} nodes listening, as real nodes do, they would be {mesh:.0} deliveries per second, about {:.1} cores at that cost (an estimate from the figures above, not measured). Past a few hundred nodes, a longer `heartbeatInterval` divides that.",
            last.nodes,
            last.nodes,
            mesh * per_delivery_us / 1e6
        );
    }
    let runs: Vec<String> = results::history::<ClusterScaleResult>(out, "cluster-scale")
        .into_iter()
        .filter(|run| run.quick == quick)
        .map(|run| {
            let r = &run.result;
            format!(
                "{} / {} ms, decision {} µs (load {:.1})",
                figure(r.processes.placement_ms_p99, 2),
                figure(r.simulated.placement_ms_p99, 2),
                figure(r.simulated.decision_us_p99, 0),
                r.load_average.1
            )
        })
        .collect();
    if runs.len() > 1 {
        let _ = writeln!(md, "\nEvery kept run of this mode, oldest first (placement p99 with the node processes / the simulated nodes, decision p99 with the simulated nodes): {}.", runs.join("; "));
    }
    md.push('\n');
}
