//! The baseline: one router on one worker, straight through the mediasoup crate,
//! as a plain mediasoup application would run a room.

use crate::media;
use crate::room::{Protection, Published, Room, Subscriber};
use crate::rtp::Kind;
use mafalda_core::pool::cpu;
use mafalda_core::mediasoup::prelude::*;
use mafalda_core::mediasoup::worker::WorkerSettings;
use mafalda_core::mediasoup::worker_manager::WorkerManager;
use serde_json::Value;
use std::collections::HashSet;
use std::net::SocketAddr;

pub struct PlainRoom {
    // Field order is drop order: objects first, the worker last.
    publishers: Vec<(PlainTransport, Vec<Producer>)>,
    subscribers: Vec<Option<(PlainTransport, Vec<Consumer>)>>,
    capabilities: Value,
    router: Router,
    worker: Worker,
    _manager: WorkerManager,
    tid: Option<i32>,
}

impl PlainRoom {
    pub async fn new() -> Self {
        let manager = WorkerManager::new();
        // The new worker's thread is the one that was not there before.
        let before: HashSet<i32> = cpu::threads_named(cpu::WORKER_THREAD_COMM).into_iter().collect();
        let worker = manager.create_worker(WorkerSettings::default()).await.expect("start a mediasoup worker");
        let started: Vec<i32> =
            cpu::threads_named(cpu::WORKER_THREAD_COMM).into_iter().filter(|t| !before.contains(t)).collect();
        let router = worker.create_router(RouterOptions::new(media::router_codecs())).await.expect("create router");
        let capabilities = media::subscriber_capabilities(&router.rtp_capabilities());
        Self {
            publishers: Vec::new(),
            subscribers: Vec::new(),
            capabilities,
            router,
            tid: (started.len() == 1).then(|| started[0]),
            worker,
            _manager: manager,
        }
    }

    /// (worker id, thread id) of the one worker.
    pub fn worker_threads(&self) -> Vec<(String, i32)> {
        self.tid.map(|tid| (self.worker.id().to_string(), tid)).into_iter().collect()
    }
}

impl Room for PlainRoom {
    async fn publish(&mut self, streams: &[(Kind, u32)]) -> Published {
        let transport =
            self.router.create_plain_transport(media::plain_transport_options(true, Protection::Rtp)).await.expect("publisher transport");
        let mut producers = Vec::new();
        let mut described = Vec::new();
        for (kind, ssrc) in streams {
            let producer = transport.produce(media::produce_options(*kind, *ssrc)).await.expect("produce");
            described.push((*kind, producer.id().to_string(), *ssrc));
            producers.push(producer);
        }
        let tuple = transport.tuple();
        let target = SocketAddr::new(tuple.local_address().parse().expect("an IP listen address"), tuple.local_port());
        self.publishers.push((transport, producers));
        Published { producers: described, target, worker_id: self.worker.id().to_string() }
    }

    async fn add_subscriber(&mut self, to: SocketAddr, protection: Protection) -> Subscriber {
        let transport =
            self.router.create_plain_transport(media::plain_transport_options(false, protection)).await.expect("subscriber transport");
        let srtp_parameters = serde_json::to_value(transport.srtp_parameters()).expect("srtp parameters serialize");
        transport.connect(media::connect_to(to, Some(&srtp_parameters))).await.expect("connect subscriber transport");
        self.subscribers.push(Some((transport, Vec::new())));
        Subscriber { index: self.subscribers.len() - 1, worker_id: self.worker.id().to_string(), srtp: media::srtp_key(&srtp_parameters) }
    }

    async fn consume(&mut self, index: usize, producers: &[(Kind, String, u32)]) -> Vec<(Kind, u32)> {
        let Some((transport, consumers)) = self.subscribers[index].as_mut() else { return Vec::new() };
        let mut created = Vec::new();
        for (kind, producer_id, _) in producers {
            let consumer = transport.consume(media::consume_options(producer_id, &self.capabilities)).await.expect("consume");
            let ssrc = consumer.rtp_parameters().encodings[0].ssrc.expect("consumer SSRC");
            created.push((*kind, ssrc));
            consumers.push(consumer);
        }
        created
    }

    fn close_subscriber(&mut self, index: usize) {
        self.subscribers[index] = None;
    }

    async fn set_paused(&mut self, index: usize, paused: bool) {
        let Some((_, consumers)) = self.subscribers[index].as_ref() else { return };
        for consumer in consumers {
            if paused { consumer.pause().await } else { consumer.resume().await }.expect("pause or resume a consumer");
        }
    }
}
