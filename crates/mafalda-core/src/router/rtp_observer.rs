//! `MafaldaRtpObserver`: an audio level or active speaker observer on one shard.
//! `add_producer()` accepts any producer of the router; one living on another worker
//! is piped into the observer's shard for as long as it is observed.

use crate::control;
use crate::error::{from_mediasoup, Result};
use crate::events::{next_handle, Handle};
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
}

macro_rules! each_observer {
    ($o:expr, $x:ident => $body:expr) => {
        match $o {
            AnyObserver::AudioLevel($x) => $body,
            AnyObserver::ActiveSpeaker($x) => $body,
        }
    };
}

pub(crate) struct ObserverInner {
    pub handle: Handle,
    pub id: RtpObserverId,
    pub key: u64,
    observer: Slot<AnyObserver>,
    /// Observed producers, with the lease of their pipe when piped in.
    members: Mutex<HashMap<ProducerId, Option<PipeLease>>>,
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
        }
        Self {
            inner: Arc::new(ObserverInner {
                handle,
                id: each_observer!(&observer, o => o.id()),
                key,
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
        control::run(move || async move { each_observer!(o, o => o.pause().await).map_err(from_mediasoup) }).await
    }

    pub async fn resume(&self) -> Result<()> {
        let o = self.inner.observer.get()?;
        control::run(move || async move { each_observer!(o, o => o.resume().await).map_err(from_mediasoup) }).await
    }

    pub async fn add_producer(&self, producer_id: ProducerId) -> Result<()> {
        let inner = self.inner.clone();
        control::run(move || async move {
            let observer = inner.observer.get()?;
            let router = inner.router.upgrade().ok_or_else(|| crate::error::invalid_state("Router closed"))?;
            let lease = router.acquire_media_pipe(producer_id, inner.key).await?;
            each_observer!(observer, o => o.add_producer(RtpObserverAddProducerOptions::new(producer_id)).await)
                .map_err(from_mediasoup)?;
            inner.members.lock().insert(producer_id, lease);
            Ok(())
        })
        .await
    }

    pub async fn remove_producer(&self, producer_id: ProducerId) -> Result<()> {
        let inner = self.inner.clone();
        control::run(move || async move {
            let observer = inner.observer.get()?;
            let result = each_observer!(observer, o => o.remove_producer(producer_id).await).map_err(from_mediasoup);
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
        drop(observer);
        drop(members);
        if let Some(router) = self.router.upgrade() {
            router.observer_closed(self.id, self.key);
        }
    }
}
