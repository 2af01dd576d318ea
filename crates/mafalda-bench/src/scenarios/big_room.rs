//! Scenario 1: one big room. One publisher (opus + VP8), subscribers added in steps
//! while the traffic flows, until more than 1 % of packets are lost or not delivered
//! (a saturated worker first delays, then drops; confirmed by a second window) or the
//! step limit. One subscriber in five is watched (its packets counted); the others
//! send to a kernel-side sink, so that the 2-core machine's CPU goes to the workers.
//! Plain mediasoup (one router, one worker) against
//! a MafaldaRouter (pack, maxWorkers 2), in the same run, once per subscriber
//! protection: SRTP as Chromium negotiates it (the headline), SRTP with
//! AES_CM_128_HMAC_SHA1_80, and plain RTP.

use super::{pool_options, Scale};
use crate::child;
use crate::mafalda_room::{self, MafaldaRoom};
use crate::plain_room::PlainRoom;
use crate::publisher::{Publisher, StreamSpec};
use crate::receiver::{Receiver, Registration};
use crate::room::{Protection, Room};
use crate::rtp::Kind;
use crate::sink::Sink;
use crate::window::{self, Watch, Window};
use mafalda_core::{EventSink, Mafalda, Policy};
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const LOSS_LIMIT: f64 = 0.01;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Step {
    pub subscribers: usize,
    /// Workers that host at least one subscriber.
    pub workers_with_subscribers: usize,
    pub pipes: usize,
    pub window: Window,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ramp {
    pub system: String,
    pub steps: Vec<Step>,
    /// Largest tested N whose window lost less than 1 %.
    pub max_subscribers_under_limit: usize,
    pub stopped_because: String,
}

fn plain_rtp() -> Protection {
    Protection::Rtp
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BigRoomResult {
    /// What the subscribers' transports send.
    #[serde(default = "plain_rtp")]
    pub protection: Protection,
    pub step: usize,
    pub max_subscribers: usize,
    pub window_seconds: f64,
    pub plain: Ramp,
    pub mafalda: Ramp,
}

pub(crate) struct Plan {
    /// One subscriber in `watch_every` is watched; the others send to a sink.
    watch_every: usize,
    step: usize,
    max: usize,
    settle: Duration,
    window: Duration,
}

pub(crate) fn plan(scale: Scale) -> Plan {
    Plan {
        watch_every: scale.pick(2, 5),
        step: scale.pick(40, 50),
        max: scale.pick(120, 3000),
        settle: scale.seconds(0.8, 1.5),
        window: scale.seconds(1.2, 3.0),
    }
}

/// Per protection (the capacity rows, headline first), both systems, each in a
/// process of its own, one after the other.
pub fn run(scale: Scale) -> Vec<BigRoomResult> {
    Protection::CAPACITY_ROWS.iter().map(|protection| run_protection(scale, *protection)).collect()
}

fn run_protection(scale: Scale, protection: Protection) -> BigRoomResult {
    let plan = plan(scale);
    let timeout = scale.seconds(120.0, 1800.0);
    let failed = |system: &str| Ramp {
        system: system.to_string(),
        steps: Vec::new(),
        max_subscribers_under_limit: 0,
        stopped_because: "the run failed (see its log)".to_string(),
    };
    let key = protection.key();
    eprintln!("[big-room] {}: plain mediasoup, one router on one worker", protection.label());
    let plain = child::run(&format!("big-room-plain:{key}"), scale.quick, timeout).unwrap_or_else(|| failed(PLAIN));
    eprintln!("[big-room] {}: MafaldaRouter, pack, maxWorkers 2", protection.label());
    let mafalda = child::run(&format!("big-room-mafalda:{key}"), scale.quick, timeout).unwrap_or_else(|| failed(MAFALDA));
    BigRoomResult { protection, step: plan.step, max_subscribers: plan.max, window_seconds: plan.window.as_secs_f64(), plain, mafalda }
}

/// The headline row of a run: subscribers as browsers are (SRTP, Chromium's suite).
pub fn headline(results: &[BigRoomResult]) -> Option<&BigRoomResult> {
    results.iter().find(|r| r.protection == Protection::BROWSER).or(results.first())
}

/// The row of one protection, if it was run.
pub fn row(results: &[BigRoomResult], protection: Protection) -> Option<&BigRoomResult> {
    results.iter().find(|r| r.protection == protection)
}

const PLAIN: &str = "plain mediasoup";
const MAFALDA: &str = "MafaldaRouter (pack, 2 workers)";

pub async fn ramp_plain(scale: Scale, protection: Protection) -> Ramp {
    let mut room = PlainRoom::new().await;
    let threads = room.worker_threads();
    let result = ramp(PLAIN, &mut room, protection, &plan(scale), || threads.clone(), || async { 0 }).await;
    std::mem::forget(room); // the child process exits next; teardown is not measured
    result
}

pub async fn ramp_mafalda(scale: Scale, protection: Protection) -> Ramp {
    let mafalda = Mafalda::new(pool_options(Policy::Pack, 2), EventSink::noop()).expect("Mafalda");
    let mut room = MafaldaRoom::new(&mafalda).await;
    let result = ramp(
        MAFALDA,
        &mut room,
        protection,
        &plan(scale),
        || mafalda_room::worker_threads(&mafalda),
        || mafalda_room::pipe_count(&mafalda),
    )
    .await;
    std::mem::forget(room); // the child process exits next; teardown is not measured
    std::mem::forget(mafalda);
    result
}

pub(crate) async fn ramp<R, T, P, F>(system: &str, room: &mut R, protection: Protection, plan: &Plan, threads: T, pipes: P) -> Ramp
where
    R: Room,
    T: Fn() -> Vec<(String, i32)>,
    P: Fn() -> F,
    F: std::future::Future<Output = usize>,
{
    let receiver = Receiver::start(2);
    let sink = Sink::open();
    let publisher = Publisher::start();
    let published = room.publish(&[(Kind::Audio, 0x0a0d_1000), (Kind::Video, 0x0b1d_2000)]).await;
    for (kind, _, ssrc) in &published.producers {
        publisher.add(StreamSpec { kind: *kind, ssrc: *ssrc, target: published.target });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut streams: Vec<(Kind, u32)> = Vec::new();
    let mut all_streams = 0;
    let mut subscriber_workers: Vec<String> = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    let mut over_limit_once = false;
    let stopped_because;
    loop {
        for _ in 0..plan.step {
            let index = subscriber_workers.len();
            let watched = index % plan.watch_every == 0;
            let to = if watched { receiver.addresses()[(index / plan.watch_every) % receiver.addresses().len()] } else { sink.address() };
            let (subscriber, consumers) = room.subscribe(to, protection, &published.producers).await;
            all_streams += consumers.len();
            if watched {
                let registrations: Vec<(u32, Registration)> =
                    consumers.iter().map(|(kind, ssrc)| (*ssrc, Registration { video: *kind == Kind::Video, group: 0, trace: false })).collect();
                receiver.register_transport(subscriber.srtp.as_ref(), &registrations);
                streams.extend(consumers);
            }
            subscriber_workers.push(subscriber.worker_id);
        }
        tokio::time::sleep(plan.settle).await;
        let workers = threads();
        let watch = Watch {
            receiver: &receiver,
            streams: &streams,
            workers: &workers,
            generator: [receiver.tids(), vec![publisher.tid()]].concat(),
            all_streams,
            publisher: &publisher,
            receiver_ports: receiver.addresses().iter().map(|a| a.port()).collect(),
            worker_input_ports: vec![published.target.port()],
        };
        let window = window::measure(&watch, plan.window).await;
        let mut hosting: Vec<&String> = subscriber_workers.iter().collect();
        hosting.sort();
        hosting.dedup();
        let step = Step {
            subscribers: subscriber_workers.len(),
            workers_with_subscribers: hosting.len(),
            pipes: pipes().await,
            window,
        };
        eprintln!(
            "[big-room] {system} ({}): N={} loss={:.3}% short={:.2}% delivered={:.0} pps workers={:?} silent={} rx-drops={} in-drops={} stall={:.0}% srtp-samples={}/{}",
            protection.label(),
            step.subscribers,
            step.window.loss * 100.0,
            step.window.shortfall * 100.0,
            step.window.delivered_pps,
            step.window.workers.iter().map(|w| (w.cores * 100.0).round() / 100.0).collect::<Vec<_>>(),
            step.window.silent_streams,
            step.window.receiver_socket_drops,
            step.window.worker_input_drops,
            step.window.cpu_stall * 100.0,
            step.window.srtp_decrypted,
            step.window.srtp_decrypted + step.window.srtp_refused,
        );
        let over = step.window.undelivered() > LOSS_LIMIT;
        steps.push(step);
        if over && over_limit_once {
            stopped_because = "over 1 % of packets lost or not delivered in two consecutive windows".to_string();
            break;
        }
        over_limit_once = over;
        if subscriber_workers.len() >= plan.max {
            stopped_because = format!("reached the step limit of {} subscribers", plan.max);
            break;
        }
    }
    let max_subscribers_under_limit = max_under_limit(&steps);
    drop(publisher);
    drop(receiver);
    drop(sink);
    Ramp { system: system.to_string(), steps, max_subscribers_under_limit, stopped_because }
}

/// The largest N below the first N whose loss stayed over the limit for good: a single
/// noisy window over the limit followed by a good one does not end the ramp.
fn max_under_limit(steps: &[Step]) -> usize {
    let first_failure = steps
        .windows(2)
        .position(|w| w[0].window.undelivered() > LOSS_LIMIT && w[1].window.undelivered() > LOSS_LIMIT)
        .unwrap_or(steps.len());
    steps[..first_failure].iter().filter(|s| s.window.undelivered() <= LOSS_LIMIT).map(|s| s.subscribers).max().unwrap_or(0)
}
