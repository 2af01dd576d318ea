//! RTP as browsers send it, built and read by hand: header, one-byte header
//! extensions (abs-send-time, transport-wide-cc, audio level), the VP8 payload
//! descriptor and a send timestamp in the payload for latency.

/// Header extension ids the publishers declare (mediasoup's usual numbering).
pub const EXT_ABS_SEND_TIME: u8 = 4;
pub const EXT_TRANSPORT_WIDE_CC: u8 = 5;
pub const EXT_AUDIO_LEVEL: u8 = 10;

pub const OPUS_PAYLOAD_TYPE: u8 = 111;
pub const VP8_PAYLOAD_TYPE: u8 = 96;

/// Bytes of the VP8 payload descriptor we write (X=1, I=1, 15-bit picture id).
const VP8_DESCRIPTOR_LEN: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Audio,
    Video,
}

/// Everything that changes from one packet of a stream to the next.
#[derive(Debug, Clone)]
pub struct StreamState {
    pub kind: Kind,
    pub ssrc: u32,
    pub seq: u16,
    pub timestamp: u32,
    pub picture_id: u16,
    /// Shared by all streams of one sender, as in a browser's transport.
    pub transport_seq: u16,
}

impl StreamState {
    pub fn new(kind: Kind, ssrc: u32) -> Self {
        // Random-looking starts, as real senders use, so wrap-around code paths run too.
        let mix = ssrc.wrapping_mul(2_654_435_761);
        Self { kind, ssrc, seq: (mix >> 16) as u16, timestamp: mix, picture_id: (mix as u16) & 0x7fff, transport_seq: 0 }
    }
}

/// Description of one packet to build.
pub struct Packet<'a> {
    pub stream: &'a mut StreamState,
    pub marker: bool,
    /// Video only: first packet of a frame.
    pub frame_start: bool,
    pub key_frame: bool,
    pub size: usize,
    pub send_ns: u64,
}

/// abs-send-time: 6.18 fixed-point seconds, 24 bits.
fn abs_send_time(ns: u64) -> [u8; 3] {
    let value = ((ns << 18) / 1_000_000_000) & 0x00ff_ffff;
    [(value >> 16) as u8, (value >> 8) as u8, value as u8]
}

/// Writes one packet into `out` (cleared first).
pub fn build(packet: Packet<'_>, out: &mut Vec<u8>) {
    let s = packet.stream;
    out.clear();
    let payload_type = match s.kind {
        Kind::Audio => OPUS_PAYLOAD_TYPE,
        Kind::Video => VP8_PAYLOAD_TYPE,
    };
    out.push(0x90); // V=2, X=1 (header extensions follow)
    out.push(payload_type | if packet.marker { 0x80 } else { 0 });
    out.extend_from_slice(&s.seq.to_be_bytes());
    out.extend_from_slice(&s.timestamp.to_be_bytes());
    out.extend_from_slice(&s.ssrc.to_be_bytes());

    let mut ext = Vec::with_capacity(12);
    ext.push((EXT_ABS_SEND_TIME << 4) | 2);
    ext.extend_from_slice(&abs_send_time(packet.send_ns));
    ext.push((EXT_TRANSPORT_WIDE_CC << 4) | 1);
    ext.extend_from_slice(&s.transport_seq.to_be_bytes());
    if s.kind == Kind::Audio {
        ext.push(EXT_AUDIO_LEVEL << 4);
        ext.push(0x80 | 40); // voice activity, -40 dBov
    }
    while ext.len() % 4 != 0 {
        ext.push(0);
    }
    out.extend_from_slice(&[0xbe, 0xde]);
    out.extend_from_slice(&((ext.len() / 4) as u16).to_be_bytes());
    out.extend_from_slice(&ext);

    let payload_start = out.len();
    if s.kind == Kind::Video {
        // VP8 payload descriptor: X=1 (the 3.8 worker parses nothing without it), S on
        // the first packet of a frame, partition 0; I=1 with a 15-bit picture id.
        out.push(0x80 | if packet.frame_start { 0x10 } else { 0 });
        out.push(0x80);
        out.push(0x80 | ((s.picture_id >> 8) as u8 & 0x7f));
        out.push(s.picture_id as u8);
        // VP8 payload header: P bit (inverse key frame) = 0 on key frames.
        out.push(if packet.frame_start && packet.key_frame { 0x10 } else { 0x11 });
    }
    out.extend_from_slice(&packet.send_ns.to_be_bytes());
    let total = packet.size.max(out.len());
    out.resize(total, 0x5a);
    debug_assert!(out.len() >= payload_start + 8);
    s.seq = s.seq.wrapping_add(1);
    s.transport_seq = s.transport_seq.wrapping_add(1);
}

/// What a receiver needs from a forwarded packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub ssrc: u32,
    pub seq: u16,
    pub send_ns: u64,
}

/// RTCP (rtcp-mux) is told apart by its packet type 192..=223.
pub fn is_rtcp(data: &[u8]) -> bool {
    data.len() >= 2 && (192..=223).contains(&data[1])
}

/// Reads an RTP packet written by `build` and forwarded by the worker (which rewrites
/// SSRC, sequence number, extension ids and the VP8 picture id, but not our timestamp).
pub fn parse(data: &[u8], video: bool) -> Option<Received> {
    if data.len() < 12 || data[0] >> 6 != 2 || is_rtcp(data) {
        return None;
    }
    let csrc_count = usize::from(data[0] & 0x0f);
    let mut offset = 12 + 4 * csrc_count;
    if data[0] & 0x10 != 0 {
        let words = u16::from_be_bytes([*data.get(offset + 2)?, *data.get(offset + 3)?]) as usize;
        offset += 4 + 4 * words;
    }
    if video {
        offset += VP8_DESCRIPTOR_LEN + 1;
    }
    let send_ns = u64::from_be_bytes(data.get(offset..offset + 8)?.try_into().ok()?);
    Some(Received {
        ssrc: u32::from_be_bytes([data[8], data[9], data[10], data[11]]),
        seq: u16::from_be_bytes([data[2], data[3]]),
        send_ns,
    })
}

/// SSRCs of the media a compound RTCP packet asks a key frame for (PLI or FIR).
pub fn key_frame_requests(data: &[u8]) -> Vec<u32> {
    let mut asked = Vec::new();
    let mut offset = 0;
    while offset + 4 <= data.len() {
        let fmt = data[offset] & 0x1f;
        let packet_type = data[offset + 1];
        let len = (usize::from(u16::from_be_bytes([data[offset + 2], data[offset + 3]])) + 1) * 4;
        let body = &data[offset..(offset + len).min(data.len())];
        if packet_type == 206 && body.len() >= 12 {
            match fmt {
                1 => asked.push(u32::from_be_bytes([body[8], body[9], body[10], body[11]])),
                4 if body.len() >= 16 => asked.push(u32::from_be_bytes([body[12], body[13], body[14], body[15]])),
                _ => {}
            }
        }
        offset += len;
    }
    asked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(kind: Kind, key_frame: bool) -> Vec<u8> {
        let mut stream = StreamState::new(kind, 0x1234_5678);
        let mut out = Vec::new();
        build(Packet { stream: &mut stream, marker: true, frame_start: true, key_frame, size: 1200, send_ns: 42_000 }, &mut out);
        out
    }

    #[test]
    fn video_packets_carry_a_vp8_key_frame_the_worker_recognises() {
        let p = one(Kind::Video, true);
        assert_eq!(p.len(), 1200);
        assert_eq!(p[1] & 0x7f, VP8_PAYLOAD_TYPE);
        let payload = 12 + 4 + 8;
        assert_eq!(p[payload] & 0x80, 0x80, "X=1");
        assert_eq!(p[payload] & 0x10, 0x10, "S=1");
        assert_eq!(p[payload] & 0x07, 0, "PID=0");
        assert_eq!(p[payload + 4] & 0x01, 0, "P=0 on key frames");
        assert_eq!(one(Kind::Video, false)[payload + 4] & 0x01, 1);
    }

    #[test]
    fn parse_reads_back_ssrc_seq_and_send_time() {
        for (kind, video) in [(Kind::Audio, false), (Kind::Video, true)] {
            let p = one(kind, true);
            let r = parse(&p, video).unwrap();
            assert_eq!((r.ssrc, r.send_ns), (0x1234_5678, 42_000));
        }
    }

    #[test]
    fn finds_pli_and_fir_media_ssrcs_in_compound_rtcp() {
        let mut rr = vec![0x80, 201, 0, 1];
        rr.extend_from_slice(&7u32.to_be_bytes());
        let mut pli = vec![0x81, 206, 0, 2];
        pli.extend_from_slice(&1u32.to_be_bytes());
        pli.extend_from_slice(&99u32.to_be_bytes());
        let mut fir = vec![0x84, 206, 0, 4];
        fir.extend_from_slice(&1u32.to_be_bytes());
        fir.extend_from_slice(&0u32.to_be_bytes());
        fir.extend_from_slice(&77u32.to_be_bytes());
        fir.extend_from_slice(&[1, 0, 0, 0]);
        let compound = [rr, pli, fir].concat();
        assert_eq!(key_frame_requests(&compound), vec![99, 77]);
    }
}
