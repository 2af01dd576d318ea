//! The SRTP section of BENCHMARKS.md and its target: what each suite adds to a
//! worker's CPU per forwarded packet, on a plain mediasoup router and a MafaldaRouter,
//! and what the adapter alone takes.

use super::Target;
use crate::results::Recorded;
use crate::scenarios::srtp::{self, SrtpResult, MAFALDA, PLAIN};
use crate::srtp::Suite;
use std::fmt::Write;

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn list(values: &[f64]) -> String {
    values.iter().map(|v| format!("{v:+.2}")).collect::<Vec<_>>().join(", ")
}

/// Median µs `suite` adds per forwarded packet on `system`.
pub fn added(r: &SrtpResult, system: &str, suite: Suite) -> f64 {
    median(&r.added(system, suite))
}

pub fn target(latest: Option<&SrtpResult>, runs: &[Recorded<SrtpResult>]) -> Target {
    let what = "SRTP adds ≤ 1.5 µs (AES_CM_128_HMAC_SHA1_80) and ≤ 1.0 µs (AEAD GCM) of worker CPU per forwarded \
1,200-byte packet over plain RTP, plain mediasoup router and MafaldaRouter (median of a run's paired windows)";
    let Some(r) = latest else { return Target { what, measured: "–".into(), met: None } };
    let mut parts = Vec::new();
    let mut met = true;
    for suite in [Suite::AesCm128HmacSha1_80, Suite::AeadAes128Gcm, Suite::AeadAes256Gcm] {
        let (plain, ours) = (added(r, PLAIN, suite), added(r, MAFALDA, suite));
        met &= plain <= srtp::target_us(suite) && ours <= srtp::target_us(suite);
        parts.push(format!("{}: **{plain:+.2} µs** (plain) / **{ours:+.2} µs** (Mafalda)", suite.name()));
    }
    let mut measured = parts.join("; ");
    if runs.len() > 1 {
        let each: Vec<String> = runs
            .iter()
            .map(|run| {
                format!(
                    "{:+.2} / {:+.2}",
                    added(&run.result, PLAIN, Suite::AeadAes256Gcm),
                    added(&run.result, PLAIN, Suite::AesCm128HmacSha1_80)
                )
            })
            .collect();
        let _ = write!(measured, "; every kept run, plain router, GCM-256 / SHA1_80: {}", each.join("; "));
    }
    Target { what, measured, met: Some(met) }
}

pub fn section(md: &mut String, r: &SrtpResult, libraries: &str) {
    md.push_str("## 1. What SRTP costs a worker\n\n");
    let _ = writeln!(
        md,
        "One router, one VP8 producer (150 packets/s of 1,200 bytes), on a plain mediasoup router and on a \
MafaldaRouter (`maxWorkers` 1), one worker each, the same crate, in one process. Per suite, two sets of {} \
consumers on PlainTransports stand side by side, one plain RTP and one SRTP with the suite; {} pairs of {:.1} s \
windows alternate which set forwards (the other one paused), in the order A B, B A, A B..., so that this machine's \
drift falls on both alike. What a suite adds is the SRTP window's worker CPU per forwarded packet minus that of \
the plain RTP window beside it. One consumer in {} sends to our receiver (sequence gaps counted from the RTP \
header, which SRTP leaves in the clear; one packet in {} decrypted with the transport's keys), the others to a \
socket the kernel drops for us. The worker's crypto: {libraries}.\n",
        r.consumers,
        r.pairs_per_suite,
        r.window_seconds,
        r.watched_every,
        crate::receiver::SRTP_SAMPLE_EVERY
    );
    md.push_str("| suite | plain mediasoup: plain RTP µs/packet (median) | added over plain RTP, each pair | **median added** | MafaldaRouter: plain RTP µs/packet | added, each pair | **median added** | target |\n");
    md.push_str("| --- | ---: | --- | ---: | ---: | --- | ---: | ---: |\n");
    for suite in Suite::ALL {
        let cells = |system: &str| {
            let baseline: Vec<f64> = r.pairs_of(system, suite).map(|p| p.rtp.worker_cpu_us_per_packet()).collect();
            let added = r.added(system, suite);
            (format!("{:.2}", median(&baseline)), list(&added), format!("**{:+.2} µs**", median(&added)))
        };
        if r.pairs_of(PLAIN, suite).next().is_none() {
            continue;
        }
        let (plain, ours) = (cells(PLAIN), cells(MAFALDA));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | ≤ {:.1} µs |",
            suite.name(),
            plain.0,
            plain.1,
            plain.2,
            ours.0,
            ours.1,
            ours.2,
            srtp::target_us(suite)
        );
    }
    let windows: Vec<&crate::window::Window> = r.pairs.iter().flat_map(|p| [&p.rtp, &p.srtp]).collect();
    let decrypted: u64 = windows.iter().map(|w| w.srtp_decrypted).sum();
    let refused: u64 = windows.iter().map(|w| w.srtp_refused).sum();
    let worst_loss = windows.iter().map(|w| w.undelivered()).fold(0.0, f64::max);
    let stall = windows.iter().map(|w| w.cpu_stall).sum::<f64>() / windows.len().max(1) as f64;
    let waited = windows.iter().flat_map(|w| w.workers.iter().map(|c| c.waited)).sum::<f64>() / windows.len().max(1) as f64;
    let _ = writeln!(
        md,
        "\nThe receiver decrypted {decrypted} sampled SRTP packets ({refused} refused); the worst window lost or did not \
deliver {:.3} % of its packets; the machine's CPU stall averaged {:.0} % over the windows, and the measured worker \
waited for a CPU {:.0} % of a window on average.\n",
        worst_loss * 100.0,
        stall * 100.0,
        waited * 100.0
    );
    profile_table(md, r);
    md.push_str("The adapter alone (the worker's libsrtp 3 calls over libsrtp 2.7.0, linked into the benchmark; no \
worker, no sockets): protect and unprotect of one 1,200-byte RTP packet, the median of ");
    let _ = writeln!(md, "{} batches of {} packets, round-robin over 1 session (a hot loop) and over as many sessions as the worker above holds consumers:\n", r.adapter_batches, r.adapter_packets_per_batch);
    md.push_str("| suite | sessions | protect | unprotect |\n| --- | ---: | ---: | ---: |\n");
    for t in &r.adapter {
        let _ = writeln!(md, "| {} | {} | {:.0} ns | {:.0} ns |", t.suite.name(), t.sessions, t.protect_ns, t.unprotect_ns);
    }
    md.push('\n');
}

/// Where the capacity rows' suite comes from, for the sections that use it.
pub const BROWSER_SUITE_NOTE: &str = "Subscribers are SRTP with **AEAD_AES_256_GCM** (the headline rows): what headless \
Chromium negotiates with our WebRtcTransports (the page is the DTLS client; the worker prefers GCM), asserted from \
the page's `getStats()` `transport.srtpCipher` by `__tests__/e2e/room.e2e.test.js`. Clients that offer no GCM \
(native libwebrtc apps with default crypto options, SRTP from ffmpeg or GStreamer) get AES_CM_128_HMAC_SHA1_80: \
its row is beside it; plain RTP is the last row.";

/// With profiles (MAFALDA_BENCH_PERF): µs per forwarded packet the worker spent in each
/// group of symbols, the plain RTP window beside the SRTP one, first pair of each suite.
fn profile_table(md: &mut String, r: &SrtpResult) {
    let profiled: Vec<_> = r.pairs.iter().filter(|p| p.rtp_profile.is_some() && p.srtp_profile.is_some()).collect();
    if profiled.is_empty() {
        return;
    }
    // perf samples the worker thread at 1999 Hz of its CPU time.
    let per_packet = |samples: u64, w: &crate::window::Window| samples as f64 * 1e6 / 1999.0 / (w.delivered_pps * w.seconds).max(1.0);
    md.push_str("Where the worker's CPU went (`perf record -e cpu-clock` of the worker thread in the first pair of windows \
of each suite; µs per forwarded packet, plain RTP window → SRTP window):\n\n");
    md.push_str("| system | suite | SRTP (libsrtp, OpenSSL) | RTX and NACK | kernel | the rest of the worker | all |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for p in profiled {
        let (Some(a), Some(b)) = (&p.rtp_profile, &p.srtp_profile) else { continue };
        let group = |s: &crate::profile::Summary, w: &crate::window::Window, prefix: &str| {
            per_packet(s.groups.iter().filter(|(g, _)| g.starts_with(prefix)).map(|(_, n)| *n).sum(), w)
        };
        let cell = |prefix: &str| format!("{:.2} → {:.2}", group(a, &p.rtp, prefix), group(b, &p.srtp, prefix));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {:.2} → {:.2} |",
            p.system,
            p.suite.name(),
            cell("SRTP"),
            cell("RTX"),
            cell("kernel"),
            cell("the rest"),
            per_packet(a.samples, &p.rtp),
            per_packet(b.samples, &p.srtp)
        );
    }
    md.push('\n');
}
