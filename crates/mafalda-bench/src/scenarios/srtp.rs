//! Scenario: what SRTP costs. One router, one VP8 producer (150 packets/s of 1,200
//! bytes), N consumers on PlainTransports, once per protection the worker offers
//! (plain RTP and its four SRTP suites), on a plain mediasoup router and on a
//! MafaldaRouter (one worker each, the same crate), in one process. Rounds repeat
//! the whole set in a rotated order, so that the machine's drift falls on every
//! protection alike; SRTP's cost is a window's worker CPU per forwarded packet minus
//! that of plain RTP on the same router in the same round.
//! Then the adapter alone: protect and unprotect of one packet per suite (no worker).

use super::Scale;
use crate::child;
use crate::mafalda_room::{self, MafaldaRoom};
use crate::plain_room::PlainRoom;
use crate::publisher::{Publisher, StreamSpec};
use crate::receiver::{Receiver, Registration};
use crate::room::{Protection, Room};
use crate::rtp::Kind;
use crate::sink::Sink;
use crate::srtp::{Session, Suite};
use crate::window::{self, Watch, Window};
use mafalda_core::{EventSink, Mafalda, Policy};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

pub const PLAIN: &str = "plain mediasoup";
pub const MAFALDA: &str = "MafaldaRouter";

/// Targets of issue 22: what SRTP may add per 1,200-byte packet over plain RTP.
pub const SHA1_TARGET_US: f64 = 1.5;
pub const GCM_TARGET_US: f64 = 1.0;

pub fn target_us(suite: Suite) -> f64 {
    match suite {
        Suite::AeadAes128Gcm | Suite::AeadAes256Gcm => GCM_TARGET_US,
        Suite::AesCm128HmacSha1_80 | Suite::AesCm128HmacSha1_32 => SHA1_TARGET_US,
    }
}

/// Every protection, plain RTP first; `MAFALDA_BENCH_SRTP_ONLY=RTP,AEAD_AES_256_GCM`
/// keeps some (to profile one of them with perf).
pub fn protections() -> Vec<Protection> {
    let all = std::iter::once(Protection::Rtp).chain(Suite::ALL.into_iter().map(Protection::Srtp));
    match std::env::var("MAFALDA_BENCH_SRTP_ONLY") {
        Ok(only) => all.filter(|p| only.split(',').any(|name| Protection::parse(name) == Some(*p))).collect(),
        Err(_) => all.collect(),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measured {
    pub system: String,
    pub protection: Protection,
    pub round: usize,
    pub window: Window,
}

/// The adapter alone, per suite: ns per call, median of `repeats` batches.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdapterTiming {
    pub suite: Suite,
    pub packet_bytes: usize,
    /// Sessions the packets go round-robin over (1: a hot loop; N: as a worker's N consumers).
    pub sessions: usize,
    pub protect_ns: f64,
    pub unprotect_ns: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SrtpResult {
    /// The crypto the worker runs on, read from the linked libraries.
    pub libraries: String,
    pub consumers: usize,
    pub watched_every: usize,
    pub rounds: usize,
    pub window_seconds: f64,
    pub measured: Vec<Measured>,
    pub adapter: Vec<AdapterTiming>,
    pub adapter_packets_per_batch: usize,
    pub adapter_batches: usize,
}

impl SrtpResult {
    /// Worker CPU µs per forwarded packet of `system` with `protection` in each round.
    pub fn per_round(&self, system: &str, protection: Protection) -> Vec<f64> {
        (0..self.rounds)
            .filter_map(|round| {
                self.measured
                    .iter()
                    .find(|m| m.system == system && m.protection == protection && m.round == round)
                    .map(|m| m.window.worker_cpu_us_per_packet())
            })
            .collect()
    }

    /// What `suite` added over plain RTP, per round (same router, same round).
    pub fn added_per_round(&self, system: &str, suite: Suite) -> Vec<f64> {
        let plain = self.per_round(system, Protection::Rtp);
        let srtp = self.per_round(system, Protection::Srtp(suite));
        plain.iter().zip(srtp).map(|(p, s)| s - p).collect()
    }
}

struct Plan {
    consumers: usize,
    watched_every: usize,
    rounds: usize,
    settle: Duration,
    window: Duration,
    adapter_packets: usize,
    adapter_batches: usize,
}

fn plan(scale: Scale) -> Plan {
    Plan {
        consumers: scale.pick(40, 200),
        watched_every: 5,
        rounds: scale.pick(1, 3),
        settle: scale.seconds(0.5, 1.5),
        window: scale.seconds(1.0, 5.0),
        adapter_packets: scale.pick(2_000, 20_000),
        adapter_batches: scale.pick(3, 9),
    }
}

/// In a process of its own.
pub fn run(scale: Scale) -> Option<SrtpResult> {
    child::run("srtp", scale.quick, scale.seconds(180.0, 1200.0))
}

pub async fn measure(scale: Scale) -> SrtpResult {
    let plan = plan(scale);
    let receiver = Receiver::start(1);
    let sink = Sink::open();
    let publisher = Publisher::start();
    let mut plain = PlainRoom::new().await;
    let plain_threads = plain.worker_threads();
    let mafalda = Mafalda::new(super::pool_options(Policy::Pack, 1), EventSink::noop()).expect("Mafalda");
    let mut ours = MafaldaRoom::new(&mafalda).await;
    let plain_video = publish_video(&mut plain, &publisher, 0x5a00_0001).await;
    let our_video = publish_video(&mut ours, &publisher, 0x5a00_0002).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let our_threads = mafalda_room::worker_threads(&mafalda);

    let protections = protections();
    let mut measured = Vec::new();
    for round in 0..plan.rounds {
        for i in 0..protections.len() {
            let protection = protections[(i + round) % protections.len()];
            for system in [PLAIN, MAFALDA] {
                let window = if system == PLAIN {
                    one_window(&mut plain, &plain_video, &plain_threads, protection, &receiver, &sink, &publisher, &plan).await
                } else {
                    one_window(&mut ours, &our_video, &our_threads, protection, &receiver, &sink, &publisher, &plan).await
                };
                eprintln!(
                    "[srtp] round {round} {system} {}: {:.3} µs/packet, {:.0} packets/s, loss {:.3} %, decrypted {} refused {}",
                    protection.label(),
                    window.worker_cpu_us_per_packet(),
                    window.delivered_pps,
                    window.loss * 100.0,
                    window.srtp_decrypted,
                    window.srtp_refused
                );
                measured.push(Measured { system: system.to_string(), protection, round, window });
            }
        }
    }
    let mut adapter = time_adapter(plan.adapter_packets, plan.adapter_batches, 1);
    adapter.extend(time_adapter(plan.adapter_packets, plan.adapter_batches, plan.consumers));
    // The child process exits next; teardown is not measured.
    std::mem::forget(plain);
    ours.forget();
    std::mem::forget(mafalda);
    drop(publisher);
    drop(receiver);
    drop(sink);
    let versions = mafalda_core::versions::native_versions();
    SrtpResult {
        libraries: format!("{} on {} ({})", versions.libsrtp, versions.libsrtp_crypto, versions.openssl),
        consumers: plan.consumers,
        watched_every: plan.watched_every,
        rounds: plan.rounds,
        window_seconds: plan.window.as_secs_f64(),
        measured,
        adapter,
        adapter_packets_per_batch: plan.adapter_packets,
        adapter_batches: plan.adapter_batches,
    }
}

/// A VP8 producer fed by the publisher: (producer id, SSRC) and its input port.
async fn publish_video<R: Room>(room: &mut R, publisher: &Publisher, ssrc: u32) -> (Vec<(Kind, String, u32)>, u16) {
    let published = room.publish(&[(Kind::Video, ssrc)]).await;
    publisher.add(StreamSpec { kind: Kind::Video, ssrc, target: published.target });
    (published.producers, published.target.port())
}

/// N consumers of the video with `protection`, one window, then they close.
#[allow(clippy::too_many_arguments)]
async fn one_window<R: Room>(
    room: &mut R,
    video: &(Vec<(Kind, String, u32)>, u16),
    threads: &[(String, i32)],
    protection: Protection,
    receiver: &Receiver,
    sink: &Sink,
    publisher: &Publisher,
    plan: &Plan,
) -> Window {
    let (producers, input_port) = video;
    let mut subscribers = Vec::new();
    let mut watched = Vec::new();
    for i in 0..plan.consumers {
        let watch = i % plan.watched_every == 0;
        let to = if watch { receiver.addresses()[0] } else { sink.address() };
        let (subscriber, consumers) = room.subscribe(to, protection, producers).await;
        if watch {
            let streams: Vec<(u32, Registration)> =
                consumers.iter().map(|(kind, ssrc)| (*ssrc, Registration { video: *kind == Kind::Video, group: 0, trace: false })).collect();
            receiver.register_transport(subscriber.srtp.as_ref(), &streams);
            watched.extend(consumers);
        }
        subscribers.push(subscriber.index);
    }
    tokio::time::sleep(plan.settle).await;
    let watch = Watch {
        receiver,
        streams: &watched,
        workers: threads,
        generator: [receiver.tids(), vec![publisher.tid()]].concat(),
        all_streams: plan.consumers * producers.len(),
        publisher,
        receiver_ports: receiver.addresses().iter().map(|a| a.port()).collect(),
        worker_input_ports: vec![*input_port],
    };
    let window = window::measure(&watch, plan.window).await;
    for index in subscribers {
        room.close_subscriber(index);
    }
    for (_, ssrc) in &watched {
        receiver.forget(*ssrc);
    }
    window
}

/// A 1,200-byte RTP packet (a VP8 packet's size) with sequence number `seq`.
fn packet(seq: u16) -> Vec<u8> {
    let mut packet = vec![0x80, 96, (seq >> 8) as u8, seq as u8, 0, 0, 0x30, 0x39, 0x5a, 0x00, 0x00, 0x03];
    packet.extend((0..1188u32).map(|i| (i * 31) as u8));
    packet
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// protect and unprotect of `packets` packets of 1,200 bytes per batch, `batches`
/// times per suite, round-robin over `sessions` sessions (one per consumer, as a
/// worker holds them); the median batch, per call.
fn time_adapter(packets: usize, batches: usize, sessions: usize) -> Vec<AdapterTiming> {
    let key: Vec<u8> = (0..46u8).map(|b| b.wrapping_mul(37)).collect();
    let plain: Vec<Vec<u8>> = (0..packets).map(|i| packet((i / sessions) as u16)).collect();
    let mut timings = Vec::new();
    for suite in Suite::ALL {
        let master = &key[..suite.key_and_salt_len()];
        let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, master);
        let (mut protect, mut unprotect) = (Vec::new(), Vec::new());
        let mut wire = vec![vec![0u8; 1300]; packets];
        let mut lengths = vec![0usize; packets];
        let mut out = [0u8; 1300];
        for _ in 0..batches {
            // Fresh sessions per batch: the sequence numbers start over.
            let mut senders: Vec<Session> = (0..sessions).map(|_| Session::outbound(suite, master).expect("outbound session")).collect();
            let mut receivers: Vec<Session> = (0..sessions).map(|_| Session::inbound(suite, &encoded).expect("inbound session")).collect();
            let started = Instant::now();
            for (i, p) in plain.iter().enumerate() {
                lengths[i] = senders[i % sessions].protect(p, &mut wire[i]).expect("protect");
            }
            protect.push(started.elapsed().as_secs_f64() * 1e9 / packets as f64);
            let started = Instant::now();
            for (i, (w, len)) in wire.iter().zip(&lengths).enumerate() {
                receivers[i % sessions].unprotect(&w[..*len], &mut out).expect("unprotect");
            }
            unprotect.push(started.elapsed().as_secs_f64() * 1e9 / packets as f64);
        }
        let timing = AdapterTiming {
            suite,
            packet_bytes: 1200,
            sessions,
            protect_ns: median(&mut protect),
            unprotect_ns: median(&mut unprotect),
        };
        eprintln!(
            "[srtp] adapter {} ({sessions} sessions): protect {:.0} ns, unprotect {:.0} ns",
            suite.name(),
            timing.protect_ns,
            timing.unprotect_ns
        );
        timings.push(timing);
    }
    timings
}

#[cfg(test)]
mod tests {
    #[test]
    #[ignore]
    fn adapter_timing_probe() {
        for sessions in [1, 20, 200, 2000] {
            super::time_adapter(20_000, 5, sessions);
        }
    }
}
