//! The publishers' side: one thread sends every published stream on 10 ms ticks
//! (video: 30 frames/s of 5 packets of 1,200 bytes = 150 packets/s; opus: one
//! 160-byte packet every 20 ms) and answers key frame requests (PLI/FIR) it reads
//! back from the workers.

use crate::clock::now_ns;
use crate::rtp::{self, Kind, Packet, StreamState};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const TICK: Duration = Duration::from_millis(10);
const FRAME_INTERVAL: Duration = Duration::from_nanos(1_000_000_000 / 30);
const PACKETS_PER_FRAME: usize = 5;
const VIDEO_PACKET_SIZE: usize = 1200;
const AUDIO_INTERVAL: Duration = Duration::from_millis(20);
const AUDIO_PACKET_SIZE: usize = 160;
/// A key frame at least this often, as encoders do, even if nobody asks.
const KEY_FRAME_INTERVAL: Duration = Duration::from_secs(2);
/// Key frame requests closer than this are served by one key frame.
const KEY_FRAME_MIN_GAP: Duration = Duration::from_millis(300);

/// Nominal packets per second of one stream of this kind.
pub fn packets_per_second(kind: Kind) -> f64 {
    match kind {
        Kind::Audio => 1.0 / AUDIO_INTERVAL.as_secs_f64(),
        Kind::Video => PACKETS_PER_FRAME as f64 / FRAME_INTERVAL.as_secs_f64(),
    }
}

/// One stream to send: its kind, SSRC and the producer transport's address.
#[derive(Debug, Clone, Copy)]
pub struct StreamSpec {
    pub kind: Kind,
    pub ssrc: u32,
    pub target: SocketAddr,
}

struct Sending {
    state: StreamState,
    target: SocketAddr,
    next_at: Instant,
    last_key_frame: Option<Instant>,
    key_frame_asked: bool,
}

struct Shared {
    inbox: Mutex<Vec<StreamSpec>>,
    stop: AtomicBool,
    tid: AtomicI32,
    /// Packets sent so far and streams added, per kind (audio, video).
    sent: [AtomicU64; 2],
    streams: [AtomicU64; 2],
}

fn slot(kind: Kind) -> usize {
    match kind {
        Kind::Audio => 0,
        Kind::Video => 1,
    }
}

pub struct Publisher {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Publisher {
    pub fn start() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind publisher socket");
        socket.set_nonblocking(true).expect("non-blocking publisher socket");
        let shared = Arc::new(Shared {
            inbox: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            tid: AtomicI32::new(0),
            sent: [AtomicU64::new(0), AtomicU64::new(0)],
            streams: [AtomicU64::new(0), AtomicU64::new(0)],
        });
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("bench-publisher".into())
            .spawn(move || run(socket, &thread_shared))
            .expect("spawn publisher thread");
        Self { shared, thread: Some(thread) }
    }

    /// Starts sending `stream` on the next tick.
    pub fn add(&self, stream: StreamSpec) {
        self.shared.streams[slot(stream.kind)].fetch_add(1, Ordering::Relaxed);
        self.shared.inbox.lock().push(stream);
    }

    /// (packets sent so far, streams) of one kind.
    pub fn sent(&self, kind: Kind) -> (u64, u64) {
        let i = slot(kind);
        (self.shared.sent[i].load(Ordering::Relaxed), self.shared.streams[i].load(Ordering::Relaxed))
    }

    pub fn tid(&self) -> i32 {
        self.shared.tid.load(Ordering::Relaxed)
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(socket: UdpSocket, shared: &Shared) {
    // SAFETY: gettid has no preconditions.
    shared.tid.store(unsafe { libc::gettid() }, Ordering::Relaxed);
    let mut streams: Vec<Sending> = Vec::new();
    let mut by_ssrc: HashMap<u32, usize> = HashMap::new();
    let mut packet = Vec::with_capacity(1500);
    let mut rtcp = [0u8; 1500];
    let mut next_tick = Instant::now();
    while !shared.stop.load(Ordering::Relaxed) {
        for spec in shared.inbox.lock().drain(..) {
            by_ssrc.insert(spec.ssrc, streams.len());
            streams.push(Sending {
                state: StreamState::new(spec.kind, spec.ssrc),
                target: spec.target,
                next_at: Instant::now(),
                last_key_frame: None,
                key_frame_asked: true,
            });
        }
        while let Ok((n, _)) = socket.recv_from(&mut rtcp) {
            for ssrc in rtp::key_frame_requests(&rtcp[..n]) {
                if let Some(&i) = by_ssrc.get(&ssrc) {
                    streams[i].key_frame_asked = true;
                }
            }
        }
        let now = Instant::now();
        for s in streams.iter_mut() {
            while s.next_at <= now {
                let sent = send_due(&socket, s, now, &mut packet);
                shared.sent[slot(s.state.kind)].fetch_add(sent, Ordering::Relaxed);
            }
        }
        next_tick += TICK;
        let now = Instant::now();
        if next_tick > now {
            std::thread::sleep(next_tick - now);
        } else {
            next_tick = now; // overloaded: do not try to catch up in a burst
        }
    }
}

/// Sends the frame (or audio packet) due at `s.next_at`; returns packets sent.
fn send_due(socket: &UdpSocket, s: &mut Sending, now: Instant, packet: &mut Vec<u8>) -> u64 {
    match s.state.kind {
        Kind::Audio => {
            rtp::build(
                Packet { stream: &mut s.state, marker: false, frame_start: false, key_frame: false, size: AUDIO_PACKET_SIZE, send_ns: now_ns() },
                packet,
            );
            let _ = socket.send_to(packet, s.target);
            s.state.timestamp = s.state.timestamp.wrapping_add(960);
            s.next_at += AUDIO_INTERVAL;
            1
        }
        Kind::Video => {
            let periodic = s.last_key_frame.is_none_or(|t| now.duration_since(t) >= KEY_FRAME_INTERVAL);
            let asked = s.key_frame_asked && s.last_key_frame.is_none_or(|t| now.duration_since(t) >= KEY_FRAME_MIN_GAP);
            let key_frame = periodic || asked;
            if key_frame {
                s.last_key_frame = Some(now);
                s.key_frame_asked = false;
            }
            for i in 0..PACKETS_PER_FRAME {
                rtp::build(
                    Packet {
                        stream: &mut s.state,
                        marker: i + 1 == PACKETS_PER_FRAME,
                        frame_start: i == 0,
                        key_frame,
                        size: VIDEO_PACKET_SIZE,
                        send_ns: now_ns(),
                    },
                    packet,
                );
                let _ = socket.send_to(packet, s.target);
            }
            s.state.timestamp = s.state.timestamp.wrapping_add(3000);
            s.state.picture_id = (s.state.picture_id + 1) & 0x7fff;
            s.next_at += FRAME_INTERVAL;
            PACKETS_PER_FRAME as u64
        }
    }
}
