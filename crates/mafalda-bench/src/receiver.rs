//! The subscribers' side: a few UDP sockets that many PlainTransport consumers send
//! to (each consumer has its own SSRC, so one socket serves hundreds of them). Threads
//! drain them with `recvmmsg` and keep, per SSRC, packets received, the extended highest
//! sequence number (gaps are loss) and latency from the send time in the payload.
//!
//! An SRTP consumer's header (SSRC, sequence number) is in the clear, so counting needs
//! no decryption; its payload is not. One packet in `SRTP_SAMPLE_EVERY` of each SRTP
//! stream (every packet of a traced one) is decrypted with its transport's keys: that
//! proves the stream decrypts, and its send time gives the latency (plain RTP streams
//! give it for every packet).

use crate::clock::now_ns;
use crate::histogram::Histogram;
use crate::rtp;
use crate::srtp::{Session, Suite};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

const BATCH: usize = 64;
const MAX_PACKET: usize = 1500;
const SOCKET_BUFFER: i32 = 64 << 20;
const MAX_TRACE: usize = 2_000_000;
/// One SRTP packet in this many (by sequence number) is decrypted.
pub const SRTP_SAMPLE_EVERY: u16 = 8;

/// How a consumer's SSRC is to be read and grouped.
#[derive(Debug, Clone, Copy)]
pub struct Registration {
    pub video: bool,
    /// Latency is kept per group (e.g. same-worker vs cross-worker consumers).
    pub group: usize,
    /// Keep every (send, arrival) pair of this stream, to pair packets across groups.
    pub trace: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct StreamCount {
    pub received: u64,
    pub first_ext_seq: u64,
    pub highest_ext_seq: u64,
}

struct Stream {
    registration: Registration,
    count: StreamCount,
    started: bool,
    /// Index of its transport's SRTP session in `Tables::sessions`.
    session: Option<usize>,
}

#[derive(Default)]
struct Tables {
    streams: HashMap<u32, Stream>,
    latency: Vec<Histogram>,
    trace: HashMap<u32, Vec<(u64, u64)>>,
    sessions: Vec<Session>,
}

/// Sampled SRTP packets so far: decrypted, and refused by libsrtp.
#[derive(Debug, Clone, Copy, Default)]
pub struct SrtpSamples {
    pub decrypted: u64,
    pub failed: u64,
}

struct Shared {
    tables: Mutex<Tables>,
    stop: AtomicBool,
    unknown: AtomicU64,
    srtp_decrypted: AtomicU64,
    srtp_failed: AtomicU64,
}

pub struct Receiver {
    shared: Arc<Shared>,
    addresses: Vec<SocketAddr>,
    tids: Vec<Arc<AtomicI32>>,
    threads: Vec<JoinHandle<()>>,
}

impl Receiver {
    /// `sockets` sockets, one thread each.
    pub fn start(sockets: usize) -> Self {
        let shared = Arc::new(Shared {
            tables: Mutex::default(),
            stop: AtomicBool::new(false),
            unknown: AtomicU64::new(0),
            srtp_decrypted: AtomicU64::new(0),
            srtp_failed: AtomicU64::new(0),
        });
        let mut addresses = Vec::new();
        let mut tids = Vec::new();
        let mut threads = Vec::new();
        for i in 0..sockets.max(1) {
            let socket = UdpSocket::bind("127.0.0.1:0").expect("bind receiver socket");
            socket.set_read_timeout(Some(std::time::Duration::from_millis(50))).expect("receiver timeout");
            force_receive_buffer(&socket, SOCKET_BUFFER);
            enable_kernel_timestamps(&socket);
            addresses.push(socket.local_addr().expect("receiver address"));
            let tid = Arc::new(AtomicI32::new(0));
            tids.push(tid.clone());
            let shared = shared.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("bench-recv-{i}"))
                    .spawn(move || run(socket, &shared, &tid))
                    .expect("spawn receiver thread"),
            );
        }
        Self { shared, addresses, tids, threads }
    }

    pub fn addresses(&self) -> &[SocketAddr] {
        &self.addresses
    }

    pub fn tids(&self) -> Vec<i32> {
        self.tids.iter().map(|t| t.load(Ordering::Relaxed)).filter(|t| *t > 0).collect()
    }

    pub fn register(&self, ssrc: u32, registration: Registration) {
        let mut tables = self.shared.tables.lock();
        while tables.latency.len() <= registration.group {
            tables.latency.push(Histogram::default());
        }
        tables.streams.insert(ssrc, Stream { registration, count: StreamCount::default(), started: false, session: None });
    }

    /// Registers the streams one SRTP transport sends, decrypted with its keys
    /// (`srtpParameters`: suite and keyBase64). Plain RTP when `srtp` is None.
    pub fn register_transport(&self, srtp: Option<&(Suite, String)>, streams: &[(u32, Registration)]) {
        let session = srtp.map(|(suite, key)| Session::inbound(*suite, key).expect("the transport's SRTP keys"));
        for (ssrc, registration) in streams {
            self.register(*ssrc, *registration);
        }
        if let Some(session) = session {
            let mut tables = self.shared.tables.lock();
            let index = tables.sessions.len();
            tables.sessions.push(session);
            for (ssrc, _) in streams {
                if let Some(stream) = tables.streams.get_mut(ssrc) {
                    stream.session = Some(index);
                }
            }
        }
    }

    /// SRTP packets sampled so far (see `SRTP_SAMPLE_EVERY`).
    pub fn srtp_samples(&self) -> SrtpSamples {
        SrtpSamples {
            decrypted: self.shared.srtp_decrypted.load(Ordering::Relaxed),
            failed: self.shared.srtp_failed.load(Ordering::Relaxed),
        }
    }

    pub fn forget(&self, ssrc: u32) {
        let mut tables = self.shared.tables.lock();
        tables.streams.remove(&ssrc);
        tables.trace.remove(&ssrc);
    }

    /// Counters of every registered stream that has received something.
    pub fn counts(&self) -> HashMap<u32, StreamCount> {
        let tables = self.shared.tables.lock();
        tables.streams.iter().filter(|(_, s)| s.started).map(|(ssrc, s)| (*ssrc, s.count)).collect()
    }

    /// Latency histograms per group since the last call (then cleared).
    pub fn take_latency(&self) -> Vec<Histogram> {
        let mut tables = self.shared.tables.lock();
        let groups = tables.latency.len();
        std::mem::replace(&mut tables.latency, vec![Histogram::default(); groups])
    }

    /// (send ns, arrival ns) of a traced stream since the last call.
    pub fn take_trace(&self, ssrc: u32) -> Vec<(u64, u64)> {
        self.shared.tables.lock().trace.remove(&ssrc).unwrap_or_default()
    }

    /// Packets of SSRCs nobody registered (e.g. forwarded before `register`).
    pub fn unknown(&self) -> u64 {
        self.shared.unknown.load(Ordering::Relaxed)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Above `net.core.rmem_max` too (we run as root); a full buffer would count as loss
/// of the system under test while it is the measuring side's.
fn force_receive_buffer(socket: &UdpSocket, bytes: i32) {
    let fd = socket.as_raw_fd();
    for option in [libc::SO_RCVBUFFORCE, libc::SO_RCVBUF] {
        // SAFETY: fd is a valid socket; the value is a plain int of the right size.
        let done = unsafe {
            libc::setsockopt(fd, libc::SOL_SOCKET, option, (&bytes as *const i32).cast(), std::mem::size_of::<i32>() as u32)
        };
        if done == 0 {
            return;
        }
    }
}

/// Asks the kernel to stamp every datagram with its arrival time (CLOCK_REALTIME).
fn enable_kernel_timestamps(socket: &UdpSocket) {
    let on: i32 = 1;
    // SAFETY: fd is a valid socket; the value is a plain int of the right size.
    unsafe {
        libc::setsockopt(socket.as_raw_fd(), libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, (&on as *const i32).cast(), 4);
    }
}

/// The SCM_TIMESTAMPNS stamp of a received message, in ns.
fn kernel_timestamp(header: &libc::msghdr) -> Option<u64> {
    // SAFETY: the header comes from a successful recvmmsg; the CMSG macros walk the
    // control buffer the kernel filled, within msg_controllen.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(header);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_TIMESTAMPNS {
                let ts = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg) as *const libc::timespec);
                return Some(ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64);
            }
            cmsg = libc::CMSG_NXTHDR(header, cmsg);
        }
    }
    None
}

const CONTROL_LEN: usize = 64;

fn run(socket: UdpSocket, shared: &Shared, tid: &AtomicI32) {
    // SAFETY: gettid has no preconditions.
    tid.store(unsafe { libc::gettid() }, Ordering::Relaxed);
    let fd = socket.as_raw_fd();
    let mut buffers = vec![[0u8; MAX_PACKET]; BATCH];
    let mut iovecs: Vec<libc::iovec> = buffers
        .iter_mut()
        .map(|b| libc::iovec { iov_base: b.as_mut_ptr().cast(), iov_len: MAX_PACKET })
        .collect();
    let mut controls = vec![[0u64; CONTROL_LEN / 8]; BATCH];
    let mut decrypted = [0u8; MAX_PACKET];
    let mut headers: Vec<libc::mmsghdr> = iovecs
        .iter_mut()
        .zip(controls.iter_mut())
        .map(|(iov, control)| {
            // SAFETY: an all-zero msghdr is valid (no name); iov and control outlive it.
            let mut h: libc::mmsghdr = unsafe { std::mem::zeroed() };
            h.msg_hdr.msg_iov = iov;
            h.msg_hdr.msg_iovlen = 1;
            h.msg_hdr.msg_control = control.as_mut_ptr().cast();
            h
        })
        .collect();
    while !shared.stop.load(Ordering::Relaxed) {
        for h in headers.iter_mut() {
            h.msg_hdr.msg_controllen = CONTROL_LEN; // the kernel shrinks it to what it wrote
        }
        // SAFETY: headers point at live buffers of MAX_PACKET bytes each.
        let n = unsafe {
            libc::recvmmsg(fd, headers.as_mut_ptr(), BATCH as u32, libc::MSG_WAITFORONE, std::ptr::null_mut())
        };
        if n <= 0 {
            continue; // timeout: look at the stop flag
        }
        let woke = now_ns();
        let mut tables = shared.tables.lock();
        let tables = &mut *tables;
        for i in 0..n as usize {
            let data = &buffers[i][..headers[i].msg_len as usize];
            if rtp::is_rtcp(data) || data.len() < 12 {
                continue; // RTCP (sender reports of the consumers)
            }
            let ssrc = u32::from_be_bytes([data[8], data[9], data[10], data[11]]);
            let Some(stream) = tables.streams.get_mut(&ssrc) else {
                shared.unknown.fetch_add(1, Ordering::Relaxed);
                continue;
            };
            let seq = u16::from_be_bytes([data[2], data[3]]);
            // Plain RTP is read as it came; SRTP only in the sampled packets, decrypted
            // (every packet of a traced stream: traces pair packets across streams).
            let plain = match stream.session {
                None => Some(data),
                Some(_) if seq % SRTP_SAMPLE_EVERY != 0 && !stream.registration.trace => None,
                Some(index) => match tables.sessions[index].unprotect(data, &mut decrypted) {
                    Ok(len) => {
                        shared.srtp_decrypted.fetch_add(1, Ordering::Relaxed);
                        Some(&decrypted[..len])
                    }
                    Err(_) => {
                        shared.srtp_failed.fetch_add(1, Ordering::Relaxed);
                        None
                    }
                },
            };
            count(stream, seq);
            let Some(packet) = plain.and_then(|p| rtp::parse(p, stream.registration.video)) else { continue };
            let arrival = kernel_timestamp(&headers[i].msg_hdr).unwrap_or(woke);
            tables.latency[stream.registration.group].record_ns(arrival.saturating_sub(packet.send_ns));
            if stream.registration.trace {
                let trace = tables.trace.entry(ssrc).or_default();
                if trace.len() < MAX_TRACE {
                    trace.push((packet.send_ns, arrival));
                }
            }
        }
    }
}

/// Extends 16-bit sequence numbers over wrap-arounds and counts the packet.
fn count(stream: &mut Stream, seq: u16) {
    let c = &mut stream.count;
    if !stream.started {
        stream.started = true;
        c.first_ext_seq = u64::from(seq) + (1 << 16);
        c.highest_ext_seq = c.first_ext_seq;
        c.received = 1;
        return;
    }
    let highest = c.highest_ext_seq;
    let cycle = highest & !0xffff;
    let mut candidate = cycle | u64::from(seq);
    // Pick the candidate closest to the highest seen (handles wrap and reordering).
    if candidate + 0x8000 < highest {
        candidate += 1 << 16;
    } else if candidate > highest + 0x8000 && candidate >= 1 << 16 {
        candidate -= 1 << 16;
    }
    c.highest_ext_seq = c.highest_ext_seq.max(candidate);
    c.received += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream() -> Stream {
        Stream {
            registration: Registration { video: false, group: 0, trace: false },
            count: StreamCount::default(),
            started: false,
            session: None,
        }
    }

    #[test]
    fn sequence_numbers_extend_over_the_wrap_and_gaps_show() {
        let mut s = stream();
        for seq in [65533u16, 65534, 65535, 0, 2, 3] {
            count(&mut s, seq);
        }
        assert_eq!(s.count.received, 6);
        assert_eq!(s.count.highest_ext_seq - s.count.first_ext_seq + 1, 7, "one packet (seq 1) lost");
    }
}
