//! The local channel between the pool and a worker host: one Unix stream socket,
//! length-prefixed messages. Each frame is a JSON header and an optional binary
//! payload (RTP or a data message of a DirectTransport):
//!
//! `u32 header length | u32 payload length | header (JSON) | payload` (little endian).
//!
//! Both ends use this file and nothing else knows the framing.

use crate::backing::protocol::{Call, RemoteEvent, Reply};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{self, Read, Write};

/// Bumped whenever a message changes: a host of another version is refused at start.
pub const PROTOCOL_VERSION: u32 = 1;

/// A frame larger than this is a broken peer, not a message.
const MAX_FRAME: usize = 64 * 1024 * 1024;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "camelCase")]
pub enum Message {
    /// Pool → host, first: how to start its worker.
    Start { settings: Value },
    /// Host → pool, first: the worker runs (or `Failed`).
    #[serde(rename_all = "camelCase")]
    Running { protocol: u32, pid: u32, worker_id: String, tid: Option<i32> },
    /// Host → pool: the worker could not start; the host exits.
    Failed { message: String },
    /// Pool → host: a call; without `id` nothing is answered (a notification).
    Call { id: Option<u64>, call: Call },
    /// Host → pool: the answer to the call `id`.
    Reply { id: u64, reply: Reply },
    /// Host → pool: an event of a hosted object.
    Event { event: RemoteEvent },
}

/// A message with its binary payload, if any.
#[derive(Debug)]
pub struct Frame {
    pub message: Message,
    pub bytes: Option<Vec<u8>>,
}

impl Frame {
    pub fn new(message: Message) -> Self {
        Self { message, bytes: None }
    }

    pub fn with_bytes(message: Message, bytes: Option<Vec<u8>>) -> Self {
        Self { message, bytes }
    }
}

/// Writes the frames of `queue` as they come, those already waiting in one write:
/// a burst (RTP or messages of a DirectTransport, sent in a loop) reaches the other
/// side together, as it would reach a worker thread's channel. Ends with the queue.
pub fn write_queued(out: impl Write, queue: &std::sync::mpsc::Receiver<Frame>) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(64 * 1024, out);
    while let Ok(frame) = queue.recv() {
        write_frame(&mut out, &frame)?;
        while let Ok(frame) = queue.try_recv() {
            write_frame(&mut out, &frame)?;
        }
        out.flush()?;
    }
    Ok(())
}

pub fn write_frame(out: &mut impl Write, frame: &Frame) -> io::Result<()> {
    let header = serde_json::to_vec(&frame.message).map_err(io::Error::other)?;
    let payload = frame.bytes.as_deref().unwrap_or(&[]);
    let mut buffer = Vec::with_capacity(8 + header.len() + payload.len());
    buffer.extend_from_slice(&(header.len() as u32).to_le_bytes());
    buffer.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    buffer.extend_from_slice(&header);
    buffer.extend_from_slice(payload);
    out.write_all(&buffer)
}

/// The next frame; `Ok(None)` at the end of the stream (the other side is gone).
pub fn read_frame(input: &mut impl Read) -> io::Result<Option<Frame>> {
    let mut lengths = [0u8; 8];
    match input.read_exact(&mut lengths) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let header_len = u32::from_le_bytes(lengths[..4].try_into().expect("4 bytes")) as usize;
    let payload_len = u32::from_le_bytes(lengths[4..].try_into().expect("4 bytes")) as usize;
    if header_len + payload_len > MAX_FRAME {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("frame of {} bytes", header_len + payload_len)));
    }
    let mut header = vec![0u8; header_len];
    input.read_exact(&mut header)?;
    let message = serde_json::from_slice(&header).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let bytes = if payload_len > 0 {
        let mut payload = vec![0u8; payload_len];
        input.read_exact(&mut payload)?;
        Some(payload)
    } else {
        None
    };
    Ok(Some(Frame { message, bytes }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn frames_cross_with_their_payload_and_the_end_is_told_apart() {
        let mut wire = Vec::new();
        let call = Call { from: "parent".into(), op: "producer.send".into(), target: Some(7), args: json!({}) };
        write_frame(&mut wire, &Frame::with_bytes(Message::Call { id: None, call }, Some(vec![0x80, 1, 2]))).unwrap();
        write_frame(&mut wire, &Frame::new(Message::Failed { message: "no".into() })).unwrap();
        let mut input = wire.as_slice();
        let first = read_frame(&mut input).unwrap().unwrap();
        assert!(matches!(&first.message, Message::Call { id: None, call } if call.op == "producer.send" && call.target == Some(7)));
        assert_eq!(first.bytes, Some(vec![0x80, 1, 2]));
        let second = read_frame(&mut input).unwrap().unwrap();
        assert!(matches!(second.message, Message::Failed { message } if message == "no"));
        assert_eq!(second.bytes, None);
        assert!(read_frame(&mut input).unwrap().is_none());
    }

    #[test]
    fn a_frame_cut_short_is_an_error_not_an_end() {
        let mut wire = Vec::new();
        write_frame(&mut wire, &Frame::new(Message::Failed { message: "cut".into() })).unwrap();
        wire.truncate(wire.len() - 2);
        assert!(read_frame(&mut wire.as_slice()).is_err());
    }
}
