//! The system under test: a `MafaldaRouter`, whose transports the pool's scheduler
//! places on workers (pipes appear when a consumer's producer lives elsewhere).

use crate::media;
use crate::room::{Published, Room, Subscriber};
use crate::rtp::Kind;
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
}

/// (worker id, thread id) of every running worker of the pool.
pub fn worker_threads(mafalda: &Mafalda) -> Vec<(String, i32)> {
    mafalda.pool().snapshot().into_iter().filter_map(|w| w.tid.map(|tid| (w.id, tid))).collect()
}

/// Piped producers, summed over every worker pair.
pub async fn pipe_count(mafalda: &Mafalda) -> usize {
    let dump = mafalda.dump().await.expect("dump");
    dump["workers"]
        .as_array()
        .map(|workers| {
            workers
                .iter()
                .flat_map(|w| w["pipes"].as_array().cloned().unwrap_or_default())
                .map(|p| p["producerIds"].as_array().map_or(0, Vec::len))
                .sum()
        })
        .unwrap_or(0)
}

impl Room for MafaldaRoom {
    async fn publish(&mut self, streams: &[(Kind, u32)]) -> Published {
        let transport = self.router.create_plain_transport(media::plain_transport_options(true)).await.expect("publisher transport");
        let mut producers = Vec::new();
        let mut described = Vec::new();
        for (kind, ssrc) in streams {
            let producer = transport.produce(media::produce_options(*kind, *ssrc)).await.expect("produce");
            described.push((*kind, producer.id(), *ssrc));
            producers.push(producer);
        }
        let data = transport.data().expect("transport data");
        let port = data["tuple"]["localPort"].as_u64().expect("local port") as u16;
        let worker_id = transport.worker_id().unwrap_or_default();
        self.publishers.push((transport, producers));
        Published { producers: described, target: SocketAddr::from(([127, 0, 0, 1], port)), worker_id }
    }

    async fn add_subscriber(&mut self, to: SocketAddr) -> Subscriber {
        let transport = self.router.create_plain_transport(media::plain_transport_options(false)).await.expect("subscriber transport");
        transport.connect_plain(media::connect_to(to)).await.expect("connect subscriber transport");
        let worker_id = transport.worker_id().unwrap_or_default();
        self.subscribers.push(Some((transport, Vec::new())));
        Subscriber { index: self.subscribers.len() - 1, worker_id }
    }

    async fn consume(&mut self, index: usize, producers: &[(Kind, String, u32)]) -> Vec<(Kind, u32)> {
        let Some((transport, consumers)) = self.subscribers[index].as_mut() else { return Vec::new() };
        let mut created = Vec::new();
        for (kind, producer_id, _) in producers {
            let consumer = transport.consume(media::consume_options(producer_id, &self.capabilities)).await.expect("consume");
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
        pipe_count(&self.mafalda).await
    }
}
