//! Scenario: what SRTP costs. One router, one VP8 producer (150 packets/s of 1,200
//! bytes), on a plain mediasoup router and on a MafaldaRouter (one worker each, the
//! same crate), in one process. Per SRTP suite the worker offers, two sets of N
//! consumers on PlainTransports stand side by side, one plain RTP, one SRTP; paired
//! windows alternate which set forwards (the other set is paused), in the order
//! A B B A A B ..., so that the machine's drift (this VM's noise moves a window's CPU
//! by ±25 %) falls on both alike. What a suite adds is the SRTP window's worker CPU
//! per forwarded packet minus that of the plain RTP window next to it.
//! Then the adapter alone: protect and unprotect of one packet per suite (no worker).

use super::Scale;
use crate::child;
use crate::mafalda_room::{self, MafaldaRoom};
use crate::plain_room::PlainRoom;
use crate::publisher::{Publisher, StreamSpec};
use crate::receiver::{Receiver, Registration};
use crate::profile::{self, Profile, Summary};
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

/// The SRTP suites to measure; `MAFALDA_BENCH_SRTP_ONLY=AEAD_AES_256_GCM,...` keeps
/// some (to profile one of them with perf).
pub fn suites() -> Vec<Suite> {
    match std::env::var("MAFALDA_BENCH_SRTP_ONLY") {
        Ok(only) => Suite::ALL.into_iter().filter(|s| only.split(',').any(|name| name == s.name())).collect(),
        Err(_) => Suite::ALL.to_vec(),
    }
}

/// One pair of neighbouring windows: the plain RTP set forwarding, then (or before)
/// the SRTP set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pair {
    pub system: String,
    pub suite: Suite,
    pub rtp: Window,
    pub srtp: Window,
    /// With `MAFALDA_BENCH_PERF`, the first pair of a suite is profiled (perf, the
    /// worker thread): where each window's CPU went, by group of symbols.
    #[serde(default)]
    pub rtp_profile: Option<Summary>,
    #[serde(default)]
    pub srtp_profile: Option<Summary>,
}

impl Pair {
    /// µs of worker CPU per forwarded packet the suite added over plain RTP.
    pub fn added_us(&self) -> f64 {
        self.srtp.worker_cpu_us_per_packet() - self.rtp.worker_cpu_us_per_packet()
    }
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
    pub pairs_per_suite: usize,
    pub window_seconds: f64,
    pub pairs: Vec<Pair>,
    pub adapter: Vec<AdapterTiming>,
    pub adapter_packets_per_batch: usize,
    pub adapter_batches: usize,
}

impl SrtpResult {
    pub fn pairs_of<'a>(&'a self, system: &'a str, suite: Suite) -> impl Iterator<Item = &'a Pair> + 'a {
        self.pairs.iter().filter(move |p| p.system == system && p.suite == suite)
    }

    /// What `suite` added over plain RTP on `system`, per pair of windows.
    pub fn added(&self, system: &str, suite: Suite) -> Vec<f64> {
        self.pairs_of(system, suite).map(Pair::added_us).collect()
    }
}

struct Plan {
    consumers: usize,
    watched_every: usize,
    pairs: usize,
    settle: Duration,
    window: Duration,
    adapter_packets: usize,
    adapter_batches: usize,
}

fn plan(scale: Scale) -> Plan {
    Plan {
        consumers: scale.pick(40, 200),
        watched_every: 5,
        pairs: scale.pick(2, 10),
        settle: scale.seconds(0.3, 0.5),
        window: scale.seconds(0.7, 1.5),
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
    let rigs = Rigs { receiver: &receiver, sink: &sink, publisher: &publisher, plan: &plan };

    let mut pairs = Vec::new();
    // Each system's plain RTP set stays for the whole run; one SRTP set per suite.
    let mut plain_rtp = rigs.subscribe(&mut plain, &plain_video, Protection::Rtp).await;
    let mut our_rtp = rigs.subscribe(&mut ours, &our_video, Protection::Rtp).await;
    for suite in suites() {
        for system in [PLAIN, MAFALDA] {
            let measured = if system == PLAIN {
                rigs.pairs(&mut plain, &plain_video, &plain_threads, &mut plain_rtp, suite, system).await
            } else {
                rigs.pairs(&mut ours, &our_video, &our_threads, &mut our_rtp, suite, system).await
            };
            pairs.extend(measured);
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
        pairs_per_suite: plan.pairs,
        window_seconds: plan.window.as_secs_f64(),
        pairs,
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

/// N consumers of one protection: their subscriber indices and the watched streams.
struct ConsumerSet {
    subscribers: Vec<usize>,
    watched: Vec<(Kind, u32)>,
}

/// What every window shares: the measuring side and the plan.
struct Rigs<'a> {
    receiver: &'a Receiver,
    sink: &'a Sink,
    publisher: &'a Publisher,
    plan: &'a Plan,
}

impl Rigs<'_> {
    /// N consumers of the video with `protection` (one in `watched_every` to the receiver).
    async fn subscribe<R: Room>(&self, room: &mut R, video: &(Vec<(Kind, String, u32)>, u16), protection: Protection) -> ConsumerSet {
        let mut set = ConsumerSet { subscribers: Vec::new(), watched: Vec::new() };
        for i in 0..self.plan.consumers {
            let watch = i % self.plan.watched_every == 0;
            let to = if watch { self.receiver.addresses()[0] } else { self.sink.address() };
            let (subscriber, consumers) = room.subscribe(to, protection, &video.0).await;
            if watch {
                let streams: Vec<(u32, Registration)> =
                    consumers.iter().map(|(kind, ssrc)| (*ssrc, Registration { video: *kind == Kind::Video, group: 0, trace: false })).collect();
                self.receiver.register_transport(subscriber.srtp.as_ref(), &streams);
                set.watched.extend(consumers);
            }
            set.subscribers.push(subscriber.index);
        }
        set
    }

    async fn set_paused<R: Room>(&self, room: &mut R, set: &ConsumerSet, paused: bool) {
        for index in &set.subscribers {
            room.set_paused(*index, paused).await;
        }
    }

    /// One window with `set` forwarding and the other set paused; profiled as
    /// `profile_name` when one is given (and MAFALDA_BENCH_PERF is set).
    async fn window<R: Room>(
        &self,
        room: &mut R,
        forwarding: &ConsumerSet,
        paused: &ConsumerSet,
        input_port: u16,
        threads: &[(String, i32)],
        profile_name: Option<&str>,
    ) -> Window {
        self.set_paused(room, paused, true).await;
        self.set_paused(room, forwarding, false).await;
        tokio::time::sleep(self.plan.settle).await;
        let watch = Watch {
            receiver: self.receiver,
            streams: &forwarding.watched,
            workers: threads,
            generator: [self.receiver.tids(), vec![self.publisher.tid()]].concat(),
            all_streams: forwarding.subscribers.len(),
            publisher: self.publisher,
            receiver_ports: self.receiver.addresses().iter().map(|a| a.port()).collect(),
            worker_input_ports: vec![input_port],
        };
        let profile = profile_name.map(|name| Profile::start(name, &threads.iter().map(|(_, tid)| *tid).collect::<Vec<_>>()));
        let window = window::measure(&watch, self.plan.window).await;
        drop(profile);
        window
    }

    /// The suite's SRTP set beside the system's plain RTP set, `plan.pairs` pairs of
    /// windows in the order A B, B A, A B...; then the SRTP set closes.
    async fn pairs<R: Room>(
        &self,
        room: &mut R,
        video: &(Vec<(Kind, String, u32)>, u16),
        threads: &[(String, i32)],
        rtp: &mut ConsumerSet,
        suite: Suite,
        system: &str,
    ) -> Vec<Pair> {
        let srtp = self.subscribe(room, video, Protection::Srtp(suite)).await;
        let mut pairs = Vec::new();
        let names = [format!("srtp-{}-{}-rtp", system.replace(' ', "-"), suite.name()), format!("srtp-{}-{}-srtp", system.replace(' ', "-"), suite.name())];
        for i in 0..self.plan.pairs {
            let profiled = |which: usize| (i == 0).then(|| names[which].as_str());
            let (rtp_window, srtp_window) = if i % 2 == 0 {
                let a = self.window(room, rtp, &srtp, video.1, threads, profiled(0)).await;
                (a, self.window(room, &srtp, rtp, video.1, threads, profiled(1)).await)
            } else {
                let b = self.window(room, &srtp, rtp, video.1, threads, profiled(1)).await;
                (self.window(room, rtp, &srtp, video.1, threads, profiled(0)).await, b)
            };
            let (rtp_profile, srtp_profile) =
                if i == 0 { (profile::summary(&names[0]), profile::summary(&names[1])) } else { (None, None) };
            let pair = Pair { system: system.to_string(), suite, rtp: rtp_window, srtp: srtp_window, rtp_profile, srtp_profile };
            eprintln!(
                "[srtp] {system} {}: plain RTP {:.3} µs/packet, SRTP {:.3} µs/packet: {:+.3} µs; loss {:.3} % / {:.3} %, decrypted {} refused {}",
                suite.name(),
                pair.rtp.worker_cpu_us_per_packet(),
                pair.srtp.worker_cpu_us_per_packet(),
                pair.added_us(),
                pair.rtp.undelivered() * 100.0,
                pair.srtp.undelivered() * 100.0,
                pair.srtp.srtp_decrypted,
                pair.srtp.srtp_refused
            );
            pairs.push(pair);
        }
        for index in &srtp.subscribers {
            room.close_subscriber(*index);
        }
        for (_, ssrc) in &srtp.watched {
            self.receiver.forget(*ssrc);
        }
        pairs
    }
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
