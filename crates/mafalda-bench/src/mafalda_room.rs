//! The system under test: a `MafaldaRouter`, whose transports the pool's scheduler
//! places on workers (pipes appear when a consumer's producer lives elsewhere). In a
//! cluster the router's owner places them on nodes, and a node is a subscriber's
//! "worker": the calls are the JSON ones the app's go through, so they cross NATS
//! exactly as between machines.

use crate::media;
use crate::room::{Protection, Published, Room, Subscriber};
use crate::rtp::Kind;
use mafalda_core::router::TransportKind;
use mafalda_core::{Mafalda, MafaldaConsumer, MafaldaProducer, MafaldaRouter, MafaldaTransport};
use serde_json::Value;
use std::net::SocketAddr;

pub struct MafaldaRoom {
    mafalda: Mafalda,
    router: MafaldaRouter,
    capabilities: Value,
    publishers: Vec<(MafaldaTransport, Vec<MafaldaProducer>)>,
    subscribers: Vec<Option<(MafaldaTransport, Vec<MafaldaConsumer>)>>,
}

impl MafaldaRoom {
    pub async fn new(mafalda: &Mafalda) -> Self {
        let router = mafalda.create_router(media::router_codecs()).await.expect("create MafaldaRouter");
        let capabilities = media::subscriber_capabilities(&router.rtp_capabilities());
        Self { mafalda: mafalda.clone(), router, capabilities, publishers: Vec::new(), subscribers: Vec::new() }
    }

    /// Hands its objects over without closing them (the process exits next).
    pub fn forget(self) {
        std::mem::forget(self);
    }

    /// A transport of the room, placed by the pool (or, in a cluster, on a node).
    pub async fn transport(&self, comedia: bool, protection: Protection) -> MafaldaTransport {
        self.router
            .create_transport_json(TransportKind::Plain, media::plain_transport_json(comedia, protection), None)
            .await
            .expect("plain transport")
    }
}

/// Where a transport is: its node in a cluster, else its worker.
fn side_of(transport: &MafaldaTransport) -> String {
    transport.node_id().or_else(|| transport.worker_id()).unwrap_or_default()
}

fn address_of(transport: &MafaldaTransport) -> SocketAddr {
    let data = transport.data().expect("transport data");
    let ip = data["tuple"]["localAddress"].as_str().and_then(|a| a.parse().ok()).expect("local address");
    let port = data["tuple"]["localPort"].as_u64().expect("local port") as u16;
    SocketAddr::new(ip, port)
}

/// (worker id, thread id) of every running worker of the pool.
pub fn worker_threads(mafalda: &Mafalda) -> Vec<(String, i32)> {
    mafalda.pool().snapshot().into_iter().filter_map(|w| w.tid.map(|tid| (w.id, tid))).collect()
}

/// Piped producers, summed over every worker pair, plus those piped between nodes
/// (none without a cluster).
pub async fn pipe_count(mafalda: &Mafalda) -> usize {
    let dump = mafalda.dump().await.expect("dump");
    let between_workers: usize = dump["workers"]
        .as_array()
        .map(|workers| {
            workers
                .iter()
                .flat_map(|w| w["pipes"].as_array().cloned().unwrap_or_default())
                .map(|p| p["producerIds"].as_array().map_or(0, Vec::len))
                .sum()
        })
        .unwrap_or(0);
    between_workers + dump["nodePipes"].as_array().map_or(0, Vec::len)
}

impl Room for MafaldaRoom {
    async fn publish(&mut self, streams: &[(Kind, u32)]) -> Published {
        let transport = self.transport(true, Protection::Rtp).await;
        let mut producers = Vec::new();
        let mut described = Vec::new();
        for (kind, ssrc) in streams {
            let producer = transport.produce_json(media::produce_json(*kind, *ssrc)).await.expect("produce");
            described.push((*kind, producer.id(), *ssrc));
            producers.push(producer);
        }
        let published = Published { producers: described, target: address_of(&transport), worker_id: side_of(&transport) };
        self.publishers.push((transport, producers));
        published
    }

    async fn add_subscriber(&mut self, to: SocketAddr, protection: Protection) -> Subscriber {
        let transport = self.transport(false, protection).await;
        let srtp_parameters = transport.data().expect("transport data")["srtpParameters"].clone();
        transport.connect_json(media::connect_json(to, Some(&srtp_parameters))).await.expect("connect subscriber transport");
        let worker_id = side_of(&transport);
        self.subscribers.push(Some((transport, Vec::new())));
        Subscriber { index: self.subscribers.len() - 1, worker_id, srtp: media::srtp_key(&srtp_parameters) }
    }

    async fn consume(&mut self, index: usize, producers: &[(Kind, String, u32)]) -> Vec<(Kind, u32)> {
        let Some((transport, consumers)) = self.subscribers[index].as_mut() else { return Vec::new() };
        let mut created = Vec::new();
        for (kind, producer_id, _) in producers {
            let consumer = transport.consume_json(media::consume_json(producer_id, &self.capabilities)).await.expect("consume");
            let data = consumer.data().expect("consumer data");
            let ssrc = data["rtpParameters"]["encodings"][0]["ssrc"].as_u64().expect("consumer SSRC") as u32;
            created.push((*kind, ssrc));
            consumers.push(consumer);
        }
        created
    }

    fn close_subscriber(&mut self, index: usize) {
        if let Some((transport, _)) = self.subscribers[index].take() {
            transport.close();
        }
    }

    async fn set_paused(&mut self, index: usize, paused: bool) {
        let Some((_, consumers)) = self.subscribers[index].as_ref() else { return };
        for consumer in consumers {
            if paused { consumer.pause().await } else { consumer.resume().await }.expect("pause or resume a consumer");
        }
    }

    async fn pipe_count(&self) -> usize {
        pipe_count(&self.mafalda).await
    }
}
