//! The system under test across servers: a `MafaldaRouter` of a signaling-only node
//! whose transports the cluster places on media nodes. The scenario's nodes are
//! `Mafalda`s of this process on their own loopback addresses, joined through a real
//! nats-server; calls between them go over NATS exactly as between machines.

use crate::media;
use crate::room::{Published, Room, Subscriber};
use crate::rtp::Kind;
use mafalda_core::router::TransportKind;
use mafalda_core::{Mafalda, MafaldaConsumer, MafaldaProducer, MafaldaRouter, MafaldaTransport};
use serde_json::Value;
use std::net::SocketAddr;

pub struct ClusterRoom {
    owner: Mafalda,
    router: MafaldaRouter,
    capabilities: Value,
    publishers: Vec<(MafaldaTransport, Vec<MafaldaProducer>)>,
    published: Vec<Published>,
    subscribers: Vec<Option<(MafaldaTransport, Vec<MafaldaConsumer>)>>,
}

impl ClusterRoom {
    pub async fn new(owner: &Mafalda) -> Self {
        let router = owner.create_router(media::router_codecs()).await.expect("create MafaldaRouter");
        let capabilities = media::subscriber_capabilities(&router.rtp_capabilities());
        Self { owner: owner.clone(), router, capabilities, publishers: Vec::new(), published: Vec::new(), subscribers: Vec::new() }
    }

    /// What has been published, for subscribing more.
    pub fn published(&self) -> Vec<Published> {
        self.published.clone()
    }

    /// Hands its objects over without closing them (the process exits next).
    pub fn forget(self) {
        std::mem::forget(self);
    }

    /// A transport of the room, placed by the cluster (the node it went to is its "worker").
    pub async fn transport(&self, comedia: bool) -> MafaldaTransport {
        self.router
            .create_transport_json(TransportKind::Plain, media::plain_transport_json(comedia), None)
            .await
            .expect("plain transport on a node")
    }
}

fn address_of(transport: &MafaldaTransport) -> SocketAddr {
    let data = transport.data().expect("transport data");
    let ip = data["tuple"]["localAddress"].as_str().and_then(|a| a.parse().ok()).expect("local address");
    let port = data["tuple"]["localPort"].as_u64().expect("local port") as u16;
    SocketAddr::new(ip, port)
}

impl Room for ClusterRoom {
    async fn publish(&mut self, streams: &[(Kind, u32)]) -> Published {
        let transport = self.transport(true).await;
        let mut producers = Vec::new();
        let mut described = Vec::new();
        for (kind, ssrc) in streams {
            let producer = transport.produce_json(media::produce_json(*kind, *ssrc)).await.expect("produce");
            described.push((*kind, producer.id(), *ssrc));
            producers.push(producer);
        }
        let target = address_of(&transport);
        let worker_id = transport.node_id().unwrap_or_default();
        self.publishers.push((transport, producers));
        let published = Published { producers: described, target, worker_id };
        self.published.push(published.clone());
        published
    }

    async fn add_subscriber(&mut self, to: SocketAddr) -> Subscriber {
        let transport = self.transport(false).await;
        transport.connect_json(media::connect_json(to)).await.expect("connect subscriber transport");
        let worker_id = transport.node_id().unwrap_or_default();
        self.subscribers.push(Some((transport, Vec::new())));
        Subscriber { index: self.subscribers.len() - 1, worker_id }
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

    async fn pipe_count(&self) -> usize {
        let dump = self.owner.dump().await.expect("dump");
        dump["nodePipes"].as_array().map_or(0, Vec::len)
    }
}
