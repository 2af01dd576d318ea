//! The worker generation change (mediasoup 3.8 / crate 0.8.5 → today's worker / crate
//! 0.33.1) side by side: the 3.8 figures are those of the last full run on that worker
//! (BENCHMARKS.md at commit 65bd244, 2026-11-30, a 2-core AMD EPYC VM), the others come
//! from this run's results.

use crate::scenarios::big_room::BigRoomResult;
use crate::scenarios::pipe_hop::PipeHopResult;
use std::fmt::Write;

/// Measured on the 3.8 worker, same scenarios and scales.
struct Worker38 {
    plain_us_per_packet_light: f64,
    plain_max_subscribers: usize,
    mafalda_max_subscribers: usize,
    pipe_added_p99_us: f64,
    pipe_cpu_us_per_packet: f64,
    pipe_loss_percent: f64,
    pipe_socket_drops: u64,
}

const WORKER_3_8: Worker38 = Worker38 {
    // Mean of the plain router's steps N = 50..400 (7.00 6.99 6.89 7.16 7.33 7.93 6.98 7.03).
    plain_us_per_packet_light: 7.16,
    plain_max_subscribers: 800,
    mafalda_max_subscribers: 1050,
    pipe_added_p99_us: 558.0,
    pipe_cpu_us_per_packet: 10.42,
    pipe_loss_percent: 1.763,
    pipe_socket_drops: 3526,
};

/// Steps of at most this many subscribers average the per-packet cost: well under one
/// core, where this noisy machine disturbs it least.
const LIGHT_LOAD_SUBSCRIBERS: usize = 400;

fn plain_us_per_packet_light(b: &BigRoomResult) -> Option<f64> {
    let costs: Vec<f64> = b
        .plain
        .steps
        .iter()
        .filter(|s| s.subscribers <= LIGHT_LOAD_SUBSCRIBERS)
        .map(|s| s.window.worker_cpu_us_per_packet())
        .collect();
    (!costs.is_empty()).then(|| costs.iter().sum::<f64>() / costs.len() as f64)
}

pub fn section(md: &mut String, big: Option<&BigRoomResult>, hop: Option<&PipeHopResult>) {
    if big.is_none() && hop.is_none() {
        return;
    }
    let w = WORKER_3_8;
    md.push_str("## Worker generations: 3.8 (crate 0.8.5) and today's (crate 0.33.1)\n\n");
    md.push_str("The 3.8 column is the last full run on that worker (BENCHMARKS.md at commit 65bd244: same scenarios and scales, on a 2-core AMD EPYC virtual machine of this workplace); the other column is this run, on the machine named above. Where the processors differ, read the differences with care.\n\n");
    md.push_str("| figure | 3.8 worker | today's worker |\n| --- | ---: | ---: |\n");
    if let Some(b) = big {
        if let Some(now) = plain_us_per_packet_light(b) {
            let _ = writeln!(
                md,
                "| plain mediasoup router: worker CPU per delivered packet (mean of N ≤ {LIGHT_LOAD_SUBSCRIBERS}) | {:.2} µs | {now:.2} µs ({:+.0} %) |",
                w.plain_us_per_packet_light,
                (now / w.plain_us_per_packet_light - 1.0) * 100.0
            );
        }
        let _ = writeln!(
            md,
            "| plain mediasoup router: subscribers at < 1 % loss | {} | {} |",
            w.plain_max_subscribers, b.plain.max_subscribers_under_limit
        );
        let _ = writeln!(
            md,
            "| MafaldaRouter on 2 workers: subscribers at < 1 % loss | {} | {} |",
            w.mafalda_max_subscribers, b.mafalda.max_subscribers_under_limit
        );
    }
    if let Some(h) = hop {
        let _ = writeln!(md, "| one pipe hop: added latency p99 | {:.0} µs | {:.0} µs |", w.pipe_added_p99_us, h.added_latency.p99_us);
        let _ = writeln!(md, "| one pipe hop: worker CPU per piped packet | {:.2} µs | {:.2} µs |", w.pipe_cpu_us_per_packet, h.cpu_us_per_piped_packet);
        let _ = writeln!(
            md,
            "| consumers through pipes at {:.0} packets/s: loss (datagrams dropped at pipe sockets) | {:.3} % ({}) | {:.3} % ({}) |",
            h.piped_pps,
            w.pipe_loss_percent,
            w.pipe_socket_drops,
            h.cross_worker.loss * 100.0,
            h.cross_worker.other_socket_drops
        );
    }
    md.push_str("\nThe pipe sockets of the 3.8 worker had the kernel's default buffers; today's take the 4 MiB Mafalda asks for (`listenInfo.recvBufferSize`/`sendBufferSize`, capped by `net.core.rmem_max`/`wmem_max`).\n\n");
}
