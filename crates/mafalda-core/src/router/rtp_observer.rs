//! `MafaldaRtpObserver`: an audio level or active speaker observer on one shard (of
//! this node or, in a cluster, of another node's part). `add_producer()` accepts any
//! producer of the router; one living on another worker (or node) is piped into the
//! observer's shard (or node) for as long as it is observed.

use crate::control;
use crate::error::{from_request, Result};
use crate::events::{next_handle, Handle};
use crate::backing::remote::RemoteObject;
use crate::router::node_pipes::NodePipeLease;
use crate::router::pipes::PipeLease;
use crate::router::{RouterInner, WeakRouter};
use crate::slot::Slot;
use mediasoup::prelude::*;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone)]
pub enum AnyObserver {
    AudioLevel(AudioLevelObserver),
    ActiveSpeaker(ActiveSpeakerObserver),
    /// An observer of this router in a worker process or on another node.
    Remote(Arc<RemoteObject>),
}

/// `$body` with the mediasoup observer of this node; `$remote` for one of another node.
macro_rules! each_observer {
    ($o:expr, $x:ident => $body:expr, $r:ident => $remote:expr) => {
        match $o {
            AnyObserver::AudioLevel($x) => $body,
            AnyObserver::ActiveSpeaker($x) => $body,
            AnyObserver::Remote($r) => $remote,
        }
    };
}

/// What keeps an observed producer on the observer's shard: pipes between workers
/// and between nodes.
type Membership = (Option<PipeLease>, Option<NodePipeLease>);

pub(crate) struct ObserverInner {
    pub handle: Handle,
    pub id: RtpObserverId,
    pub key: u64,
    /// The node it lives on; `None`: this one.
    pub node: Option<String>,
    observer: Slot<AnyObserver>,
    /// Observed producers, with the leases of their pipes when piped in.
    members: Mutex<HashMap<ProducerId, Membership>>,
    router: WeakRouter,
}

#[derive(Clone)]
pub struct MafaldaRtpObserver {
    pub(crate) inner: Arc<ObserverInner>,
}

impl MafaldaRtpObserver {
    pub(crate) fn new(router: &Arc<RouterInner>, key: u64, observer: AnyObserver) -> Self {
        let handle = next_handle();
        let sink = router.events.clone();
        match &observer {
            AnyObserver::AudioLevel(o) => {
                let volumes_sink = sink.clone();
                o.on_volumes(move |volumes| {
                    let volumes: Vec<Value> = volumes
                        .iter()
                        .map(|v| json!({ "producerId": v.producer.id(), "volume": v.volume }))
                        .collect();
                    volumes_sink.emit(handle, "volumes", Value::Array(volumes));
                })
                .detach();
                o.on_silence(move || sink.emit(handle, "silence", Value::Null)).detach();
            }
            AnyObserver::ActiveSpeaker(o) => {
                o.on_dominant_speaker(move |speaker| {
                    sink.emit(handle, "dominantspeaker", json!({ "producerId": speaker.producer.id() }))
                })
                .detach();
            }
            AnyObserver::Remote(_) => {}
        }
        let id = match &observer {
            AnyObserver::AudioLevel(o) => o.id(),
            AnyObserver::ActiveSpeaker(o) => o.id(),
            AnyObserver::Remote(_) => unreachable!("remote observers are made by new_remote"),
        };
        Self::with(router, handle, id, key, None, observer)
    }

    /// An observer in worker process `key` (no `node`) or on another node; its events
    /// come back through `remote`, and a node's worker dying closes it ("routerclose").
    pub(crate) fn new_remote(router: &Arc<RouterInner>, key: u64, node: Option<String>, remote: Arc<RemoteObject>, id: RtpObserverId) -> Self {
        let handle = next_handle();
        let created = Self::with(router, handle, id, key, node, AnyObserver::Remote(remote.clone()));
        let weak = Arc::downgrade(&created.inner);
        let close = Arc::new(move || weak.upgrade().into_iter().for_each(|inner| inner.close()));
        remote.forward_events(router.events.clone(), handle, Some(("routerclose", close)));
        created
    }

    fn with(router: &Arc<RouterInner>, handle: Handle, id: RtpObserverId, key: u64, node: Option<String>, observer: AnyObserver) -> Self {
        Self {
            inner: Arc::new(ObserverInner {
                handle,
                id,
                key,
                node,
                observer: Slot::new("RtpObserver", observer),
                members: Mutex::new(HashMap::new()),
                router: Arc::downgrade(router),
            }),
        }
    }

    pub fn handle(&self) -> Handle {
        self.inner.handle
    }

    pub fn id(&self) -> String {
        self.inner.id.to_string()
    }

    pub fn closed(&self) -> bool {
        self.inner.observer.is_closed()
    }

    pub async fn pause(&self) -> Result<()> {
        let o = self.inner.observer.get()?;
        control::run(move || async move {
            each_observer!(o, o => o.pause().await.map_err(from_request("rtpObserver.pause")), r => r.call("rtpObserver.pause", Value::Null).await.map(drop))
        })
        .await
    }

    pub async fn resume(&self) -> Result<()> {
        let o = self.inner.observer.get()?;
        control::run(move || async move {
            each_observer!(o, o => o.resume().await.map_err(from_request("rtpObserver.resume")), r => r.call("rtpObserver.resume", Value::Null).await.map(drop))
        })
        .await
    }

    pub async fn add_producer(&self, producer_id: ProducerId) -> Result<()> {
        let inner = self.inner.clone();
        control::run(move || async move {
            let observer = inner.observer.get()?;
            let router = inner.router.upgrade().ok_or_else(|| crate::error::invalid_state("Router closed"))?;
            let node_lease = router.acquire_node_pipe(producer_id, inner.node.clone()).await?;
            // On this node the producer is piped to the observer's worker first.
            let lease = match inner.node {
                None => router.acquire_media_pipe(producer_id, inner.key).await?,
                Some(_) => None,
            };
            each_observer!(observer,
                o => o.add_producer(RtpObserverAddProducerOptions::new(producer_id)).await.map_err(from_request("rtpObserver.addProducer")),
                r => r.call("rtpObserver.addProducer", json!({ "producerId": producer_id })).await.map(drop))?;
            inner.members.lock().insert(producer_id, (lease, node_lease));
            Ok(())
        })
        .await
    }

    pub async fn remove_producer(&self, producer_id: ProducerId) -> Result<()> {
        let inner = self.inner.clone();
        control::run(move || async move {
            let observer = inner.observer.get()?;
            let result = each_observer!(observer,
                o => o.remove_producer(producer_id).await.map_err(from_request("rtpObserver.removeProducer")),
                r => r.call("rtpObserver.removeProducer", json!({ "producerId": producer_id })).await.map(drop));
            inner.forget_producer(&producer_id);
            result
        })
        .await
    }

    pub fn close(&self) {
        self.inner.close();
    }
}

impl ObserverInner {
    pub fn producer_ids(&self) -> Vec<ProducerId> {
        self.members.lock().keys().copied().collect()
    }

    /// Drops the membership (and its pipe) of a producer that left or closed.
    pub fn forget_producer(&self, producer_id: &ProducerId) {
        let lease = self.members.lock().remove(producer_id);
        drop(lease);
    }

    pub fn close(&self) {
        let Some(observer) = self.observer.take() else { return };
        let members = std::mem::take(&mut *self.members.lock());
        if let AnyObserver::Remote(remote) = &observer {
            remote.close("rtpObserver.close");
        }
        drop(observer);
        drop(members);
        if let Some(router) = self.router.upgrade() {
            router.observer_closed(self.id, self.key, self.node.as_deref());
        }
    }
}
