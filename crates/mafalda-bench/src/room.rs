//! One SFU room as the scenarios drive it, whatever runs it: a plain mediasoup router
//! (`PlainRoom`) or a `MafaldaRouter` (`MafaldaRoom`). Publishers send into comedia
//! PlainTransports; each subscriber gets a PlainTransport connected to a receiver socket.

use crate::rtp::Kind;
use std::net::SocketAddr;

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
}

pub trait Room {
    async fn publish(&mut self, streams: &[(Kind, u32)]) -> Published;

    /// A subscriber transport sending to `to`, consuming nothing yet.
    async fn add_subscriber(&mut self, to: SocketAddr) -> Subscriber;

    /// Consumes `producers` on subscriber `index`; returns the consumers' (kind, SSRC).
    async fn consume(&mut self, index: usize, producers: &[(Kind, String, u32)]) -> Vec<(Kind, u32)>;

    /// Closes subscriber `index` with its consumers.
    fn close_subscriber(&mut self, index: usize);

    /// Producers piped between workers (or nodes) right now.
    async fn pipe_count(&self) -> usize {
        0
    }

    async fn subscribe(&mut self, to: SocketAddr, producers: &[(Kind, String, u32)]) -> (Subscriber, Vec<(Kind, u32)>) {
        let subscriber = self.add_subscriber(to).await;
        let consumers = self.consume(subscriber.index, producers).await;
        (subscriber, consumers)
    }
}
