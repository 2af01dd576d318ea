//! One SFU room as the scenarios drive it, whatever runs it: a plain mediasoup router
//! (`PlainRoom`) or a `MafaldaRouter` (`MafaldaRoom`). Publishers send into comedia
//! PlainTransports; each subscriber gets a PlainTransport connected to a receiver
//! socket, sending plain RTP or, as a browser's WebRtcTransport does, SRTP.

use crate::rtp::Kind;
use crate::srtp::Suite;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// What a subscriber's transport sends: plain RTP, or SRTP with a crypto suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Protection {
    #[serde(rename = "RTP")]
    Rtp,
    #[serde(rename = "SRTP")]
    Srtp(Suite),
}

impl Protection {
    /// What headless Chromium negotiates with our WebRtcTransports
    /// (`__tests__/e2e/room.e2e.test.js` asserts it): the headline of every capacity figure.
    pub const BROWSER: Protection = Protection::Srtp(Suite::AeadAes256Gcm);
    /// What clients that offer no GCM get (native libwebrtc apps by default, ffmpeg, GStreamer).
    pub const NO_GCM: Protection = Protection::Srtp(Suite::AesCm128HmacSha1_80);

    pub fn label(self) -> &'static str {
        match self {
            Protection::Rtp => "plain RTP",
            Protection::Srtp(suite) => suite.name(),
        }
    }

    /// A short name for task names and file names: "RTP" or the suite's name.
    pub fn key(self) -> &'static str {
        match self {
            Protection::Rtp => "RTP",
            Protection::Srtp(suite) => suite.name(),
        }
    }

    /// The inverse of `label` and `key`.
    pub fn parse(label: &str) -> Option<Protection> {
        match label {
            "RTP" | "plain RTP" => Some(Protection::Rtp),
            name => Suite::parse(name).map(Protection::Srtp),
        }
    }

    /// The capacity figures' rows: the browser's suite first, then SHA1_80, then plain RTP.
    pub const CAPACITY_ROWS: [Protection; 3] = [Protection::BROWSER, Protection::NO_GCM, Protection::Rtp];

    pub fn suite(self) -> Option<Suite> {
        match self {
            Protection::Rtp => None,
            Protection::Srtp(suite) => Some(suite),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Published {
    /// (kind, producer id, SSRC we send with).
    pub producers: Vec<(Kind, String, u32)>,
    /// Where the publisher sends RTP to.
    pub target: SocketAddr,
    pub worker_id: String,
}

#[derive(Debug, Clone)]
pub struct Subscriber {
    pub index: usize,
    pub worker_id: String,
    /// The transport's own `srtpParameters` (suite, keyBase64): what decrypts its packets.
    pub srtp: Option<(Suite, String)>,
}

pub trait Room {
    async fn publish(&mut self, streams: &[(Kind, u32)]) -> Published;

    /// A subscriber transport sending to `to`, consuming nothing yet.
    async fn add_subscriber(&mut self, to: SocketAddr, protection: Protection) -> Subscriber;

    /// Consumes `producers` on subscriber `index`; returns the consumers' (kind, SSRC).
    async fn consume(&mut self, index: usize, producers: &[(Kind, String, u32)]) -> Vec<(Kind, u32)>;

    /// Closes subscriber `index` with its consumers.
    fn close_subscriber(&mut self, index: usize);

    /// Pauses (or resumes) every consumer of subscriber `index`: a paused consumer
    /// forwards nothing.
    async fn set_paused(&mut self, index: usize, paused: bool);

    /// Producers piped between workers (or nodes) right now.
    async fn pipe_count(&self) -> usize {
        0
    }

    async fn subscribe(
        &mut self,
        to: SocketAddr,
        protection: Protection,
        producers: &[(Kind, String, u32)],
    ) -> (Subscriber, Vec<(Kind, u32)>) {
        let subscriber = self.add_subscriber(to, protection).await;
        let consumers = self.consume(subscriber.index, producers).await;
        (subscriber, consumers)
    }
}
