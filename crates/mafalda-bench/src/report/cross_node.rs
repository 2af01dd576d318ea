//! The section "one MafaldaRouter across servers" of BENCHMARKS.md and its targets:
//! the hop between servers against the hop between workers (same run), loss through
//! the pipes in every kept run, the overload curve and the control plane.

use super::Target;
use crate::results::Recorded;
use crate::scenarios::cross_node::{CrossNodeResult, NodeHop};
use std::collections::BTreeSet;
use crate::window::Window;
use std::fmt::Write;

/// Issue 22: the hop between servers may cost at most this many hops between workers.
pub const HOP_RATIO_TARGET: f64 = 1.3;
/// Issue 22: consecutive runs that must lose nothing through the pipes between nodes.
pub const LOSSLESS_RUNS: usize = 5;

pub fn hop_ratio_target(latest: Option<&CrossNodeResult>, runs: &[Recorded<CrossNodeResult>]) -> Target {
    let what = "Worker CPU per piped packet between servers ≤ 1.3× the hop between workers, measured in the same run";
    let Some(n) = latest else { return Target { what, measured: "–".into(), met: None } };
    let each: Vec<String> = runs.iter().map(|r| format!("{:.2}×", r.result.node_to_worker_hop_ratio)).collect();
    Target {
        what,
        measured: format!(
            "**{:.2}×** ({:.2} µs between servers, {:.2} µs between workers){}",
            n.node_to_worker_hop_ratio,
            n.headline().map_or(0.0, |h| h.cpu_us_per_piped_packet),
            n.worker_hop_cpu_us_per_piped_packet,
            if each.len() > 1 { format!("; every kept run: {}", each.join(", ")) } else { String::new() }
        ),
        met: Some(n.node_to_worker_hop_ratio <= HOP_RATIO_TARGET),
    }
}

fn cross_loss(r: &CrossNodeResult) -> f64 {
    r.headline().map_or(1.0, |h| h.cross_node.undelivered())
}

pub fn loss_target(runs: &[Recorded<CrossNodeResult>]) -> Target {
    let what = "0 % loss through the pipes between servers (20,000 packets/s) in 5 of 5 consecutive `npm run bench -- cross-node` runs";
    if runs.is_empty() {
        return Target { what, measured: "–".into(), met: None };
    }
    let last: Vec<&Recorded<CrossNodeResult>> = runs.iter().rev().take(LOSSLESS_RUNS).collect();
    let lossless = last.iter().filter(|r| cross_loss(&r.result) == 0.0).count();
    let each: Vec<String> = last.iter().rev().map(|r| format!("{:.3} %", cross_loss(&r.result) * 100.0)).collect();
    Target {
        what,
        measured: format!(
            "**{lossless} of the last {}** lost nothing (lost or not delivered, oldest first: {}){}",
            last.len(),
            each.join(", "),
            if last.len() < LOSSLESS_RUNS { format!("; only {} runs kept", last.len()) } else { String::new() }
        ),
        met: Some(last.len() >= LOSSLESS_RUNS && lossless == LOSSLESS_RUNS),
    }
}

fn latency_table(md: &mut String, h: &NodeHop) {
    md.push_str("| one-way latency, publisher socket → subscriber socket | samples | median | p99 | max |\n| --- | ---: | ---: | ---: | ---: |\n");
    for (name, p) in [
        ("same node as the producer", h.same_node_latency),
        ("other node, through one SRTP pipe", h.cross_node_latency),
        ("**added by the hop between nodes** (same packet, paired)", h.added_latency),
    ] {
        let _ = writeln!(md, "| {name} | {} | {:.0} µs | {:.0} µs | {:.0} µs |", p.samples, p.p50_us, p.p99_us, p.max_us);
    }
}

/// "0.35 + 0.35" cores and "47 % / 48 %" of the window waiting for a CPU.
fn worker_shares(w: &Window) -> (String, String) {
    let cores: Vec<String> = w.workers.iter().map(|c| format!("{:.2}", c.cores)).collect();
    let waited: Vec<String> = w.workers.iter().map(|c| format!("{:.0} %", c.waited * 100.0)).collect();
    (cores.join(" + "), waited.join(" / "))
}

const CPU_HEADER: &str = "| CPU phase | delivered packets/s | worker CPU (cores) | workers waited for a CPU | worker CPU µs/packet | lost or not delivered | datagrams dropped at other sockets (pipes) |\n| --- | ---: | --- | --- | ---: | ---: | ---: |\n";

fn cpu_row(md: &mut String, name: &str, w: &Window) {
    let (cores, waited) = worker_shares(w);
    let _ = writeln!(
        md,
        "| {name} | {:.0} | {cores} | {waited} | {:.3} | {:.3} % | {} |",
        w.delivered_pps,
        w.worker_cpu_us_per_packet(),
        w.undelivered() * 100.0,
        w.other_socket_drops
    );
}

pub fn section(md: &mut String, n: &CrossNodeResult, runs: &[Recorded<CrossNodeResult>]) {
    md.push_str("## 5. One MafaldaRouter across servers\n\n");
    let _ = writeln!(
        md,
        "Three cluster nodes over a real nats-server (Debian's 2.9.10), in one process on loopback: the router's owner \
hosts no media (`maxWorkers: 0`, policy `spread`), two media nodes (127.0.0.2 and 127.0.0.3) run one worker each. \
Between nodes media goes over an SRTP PipeTransport pair (AEAD_AES_256_GCM) with RTX, so a hop between nodes also \
encrypts and decrypts every packet. Latency: {} subscribers on the publisher's node and {} on the other node \
receive the same packets. CPU: {} publishers, each consumed on its own node, then on the other node. In the same \
run, the same CPU phases between the two workers of one local MafaldaRouter give the yardstick.\n",
        n.latency_subscribers_per_side, n.latency_subscribers_per_side, n.cpu_publishers
    );
    for h in &n.rows {
        let _ = writeln!(md, "**Subscribers sending {}.**\n", h.protection.label());
        latency_table(md, h);
        md.push('\n');
        md.push_str(CPU_HEADER);
        cpu_row(md, "consumers on the producer's node", &h.same_node);
        cpu_row(md, "consumers on the other node (piped)", &h.cross_node);
        let _ = writeln!(
            md,
            "\nThe pipes between the nodes ({} piped producers) carried {:.0} packets/s; one hop between nodes cost \
**{:.2} µs of worker CPU per piped packet** (both ends, SRTP included).\n",
            h.pipes_in_cross_phase, h.piped_pps, h.cpu_us_per_piped_packet
        );
    }
    md.push_str("**The hop between two workers of one node, same run** (SRTP subscribers):\n\n");
    md.push_str(CPU_HEADER);
    cpu_row(md, "consumers on the producer's worker", &n.worker_hop_same);
    cpu_row(md, "consumers on the other worker (piped)", &n.worker_hop_cross);
    let _ = writeln!(
        md,
        "\nOne hop between workers cost **{:.2} µs** per piped packet: the hop between nodes cost **{:.2}×** that (target ≤ {HOP_RATIO_TARGET}×).\n",
        n.worker_hop_cpu_us_per_piped_packet, n.node_to_worker_hop_ratio
    );
    profile_table(md, n);
    overload_table(md, n);
    if runs.len() > 1 {
        md.push_str("Every kept run of this mode, oldest first (headline row):\n\n");
        md.push_str("| run | added latency p99 | lost or not delivered through the pipes | worker CPU µs per piped packet, nodes / workers | ratio | datagrams dropped at pipe sockets | workers waited for a CPU | CPU stall |\n| ---: | ---: | ---: | --- | ---: | ---: | --- | ---: |\n");
        for (i, r) in runs.iter().enumerate() {
            let Some(h) = r.result.headline() else { continue };
            let _ = writeln!(
                md,
                "| {} | {:.0} µs | {:.3} % | {:.2} / {:.2} | {:.2}× | {} | {} | {:.0} % |",
                i + 1,
                h.added_latency.p99_us,
                h.cross_node.undelivered() * 100.0,
                h.cpu_us_per_piped_packet,
                r.result.worker_hop_cpu_us_per_piped_packet,
                r.result.node_to_worker_hop_ratio,
                h.cross_node.other_socket_drops,
                worker_shares(&h.cross_node).1,
                h.cross_node.cpu_stall * 100.0
            );
        }
        md.push('\n');
    }
    md.push_str("| control plane | measured |\n| --- | --- |\n");
    let _ = writeln!(md, "| placing a transport on a media node (one NATS call), {} placements | p50 {:.2} ms, p99 {:.2} ms |", n.placements, n.placement_ms_p50, n.placement_ms_p99);
    let _ = writeln!(md, "| NATS messages per second per node, idle (heartbeat every {} ms) | {:.2} |", n.heartbeat_interval_ms, n.idle_messages_per_second_per_node);
    let _ = writeln!(
        md,
        "| NATS messages per second per node with {} participants (media flowing) | {:.2} ({:+.2} over idle per 100 participants: once joined, participants send nothing over NATS but their objects' events) |",
        n.loaded_participants,
        n.loaded_messages_per_second_per_node,
        (n.loaded_messages_per_second_per_node - n.idle_messages_per_second_per_node) * 100.0 / n.loaded_participants.max(1) as f64
    );
    let _ = writeln!(md, "| `nodelost` after `kill -9` of a node process (nodeTimeout {} ms) | {:.0} ms |", n.node_timeout_ms, n.failure_detection_ms);
    md.push_str("\nHow these scale to 100 nodes: [docs/cluster.md](docs/cluster.md).\n\n");
}

fn overload_table(md: &mut String, n: &CrossNodeResult) {
    if n.overload.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "**Overload.** The {} publishers again, each consumed on the other node (SRTP subscribers), while a CPU hog \
pinned to core 0 spins the given share of every 10 ms: loss should grow with the overload, not collapse.\n",
        n.cpu_publishers
    );
    md.push_str("| hog on core 0 | lost (gaps) | not delivered | delivered packets/s | worker CPU (cores) | workers waited for a CPU | datagrams dropped at pipe sockets | at the workers' input | CPU stall | latency p99 |\n| ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: |\n");
    for level in &n.overload {
        let w = &level.window;
        let (cores, waited) = worker_shares(w);
        let _ = writeln!(
            md,
            "| {} % | {:.3} % | {:.2} % | {:.0} | {cores} | {waited} | {} | {} | {:.0} % | {:.0} µs |",
            level.hog_duty_percent,
            w.loss * 100.0,
            w.shortfall * 100.0,
            w.delivered_pps,
            w.other_socket_drops,
            w.worker_input_drops,
            w.cpu_stall * 100.0,
            w.latency.first().map_or(0.0, |p| p.p99_us)
        );
    }
    md.push('\n');
}

/// Where the hop's CPU goes (perf, when the run was profiled): each group's samples
/// per piped packet, between nodes and between workers, and the difference.
fn profile_table(md: &mut String, n: &CrossNodeResult) {
    let (Some(node), Some(worker), Some(h)) = (&n.node_hop_profile, &n.worker_hop_profile, n.headline()) else { return };
    // perf samples the worker threads at 1999 Hz: one sample is ~500 µs of CPU.
    let per_packet = |samples: u64, packets: f64| samples as f64 * 1e6 / 1999.0 / packets.max(1.0);
    let node_packets = h.cross_node.delivered_pps * h.cross_node.seconds;
    let worker_packets = n.worker_hop_cross.delivered_pps * n.worker_hop_cross.seconds;
    md.push_str("**Where the hop's CPU goes** (`perf record -e cpu-clock` of the worker threads in the piped phases, \
symbols grouped; µs of worker CPU per piped packet, both ends):\n\n");
    md.push_str("| group | between nodes | between workers | difference |\n| --- | ---: | ---: | ---: |\n");
    let groups: BTreeSet<&String> = node.groups.keys().chain(worker.groups.keys()).collect();
    for group in groups {
        let a = per_packet(node.groups.get(group).copied().unwrap_or(0), node_packets);
        let b = per_packet(worker.groups.get(group).copied().unwrap_or(0), worker_packets);
        let _ = writeln!(md, "| {group} | {a:.2} | {b:.2} | {:+.2} |", a - b);
    }
    let (a, b) = (per_packet(node.samples, node_packets), per_packet(worker.samples, worker_packets));
    let _ = writeln!(md, "| all | {a:.2} | {b:.2} | {:+.2} |\n", a - b);
    let top: Vec<String> = node.top.iter().take(8).map(|(samples, symbol)| format!("`{symbol}` {:.1} %", *samples as f64 * 100.0 / node.samples as f64)).collect();
    let _ = writeln!(md, "Busiest symbols between nodes: {}.\n", top.join(", "));
}
