//! Cross-worker piping with reference counts.
//!
//! A consumer (or an RTP observer) on worker B of a producer that lives on worker A
//! needs the producer piped from shard A to shard B. One pipe per (producer, target
//! shard) serves every consumer there; each user holds a `PipeLease`, and the last
//! lease to go closes the pipe consumer and producer (mediasoup then closes the
//! PipeTransport pair once it carries nothing). Concurrent first users share one
//! in-flight creation, so a pair is never created twice.

use crate::control;
use crate::error::{from_mediasoup, MafaldaError, ErrorKind, Result};
use crate::load::Holdings;
use crate::router::RouterInner;
use mediasoup::prelude::*;
use std::sync::{Arc, Weak};
use tokio::sync::OnceCell;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PipeKey {
    Media(ProducerId, u64),
    Data(DataProducerId, u64),
}

/// Held for their `Drop`: while held, the pipe consumer and producer stay open.
#[allow(dead_code)]
pub(crate) enum Piped {
    Media { pipe_consumer: Consumer, pipe_producer: Producer },
    Data { pipe_data_consumer: DataConsumer, pipe_data_producer: DataProducer },
}

pub(crate) struct PipeSlot {
    pub from: u64,
    pub to: u64,
    pub refs: usize,
    pub piped: Arc<OnceCell<Piped>>,
}

/// Keeps one pipe open while held.
pub(crate) struct PipeLease {
    router: Weak<RouterInner>,
    key: PipeKey,
}

impl Drop for PipeLease {
    fn drop(&mut self) {
        if let Some(router) = self.router.upgrade() {
            router.release_pipe(self.key);
        }
    }
}

fn pipe_holdings() -> Holdings {
    Holdings { pipes: 1, ..Holdings::default() }
}

impl RouterInner {
    /// Makes producer `producer_id` available on the shard of worker `to`.
    /// `None` when it already lives there.
    pub(crate) async fn acquire_media_pipe(self: &Arc<Self>, producer_id: ProducerId, to: u64) -> Result<Option<PipeLease>> {
        let from = {
            let state = self.state.lock();
            match state.producers.get(&producer_id) {
                Some(from) => *from,
                None => {
                    return Err(MafaldaError::new(
                        ErrorKind::Other,
                        format!("Producer with id \"{producer_id}\" not found"),
                    ))
                }
            }
        };
        if from == to {
            return Ok(None);
        }
        let (lease, cell) = self.take_lease(PipeKey::Media(producer_id, to), from, to);
        let source = self.shard_router(from)?;
        let target = self.shard_router(to)?;
        let pool = self.pool.clone();
        cell.get_or_try_init(|| async move {
            let pair = source
                .pipe_producer_to_router(producer_id, PipeToRouterOptions::new(target))
                .await
                .map_err(from_mediasoup)?;
            pool.adjust(from, pipe_holdings(), false);
            let pipe_producer = pair.pipe_producer.into_inner();
            request_key_frame_when_media_flows(&pair.pipe_consumer);
            Ok::<_, MafaldaError>(Piped::Media { pipe_consumer: pair.pipe_consumer, pipe_producer })
        })
        .await?;
        Ok(Some(lease))
    }

    /// Same as `acquire_media_pipe`, for data producers.
    pub(crate) async fn acquire_data_pipe(self: &Arc<Self>, data_producer_id: DataProducerId, to: u64) -> Result<Option<PipeLease>> {
        let from = {
            let state = self.state.lock();
            match state.data_producers.get(&data_producer_id) {
                Some(from) => *from,
                None => {
                    return Err(MafaldaError::new(
                        ErrorKind::Other,
                        format!("DataProducer with id \"{data_producer_id}\" not found"),
                    ))
                }
            }
        };
        if from == to {
            return Ok(None);
        }
        let (lease, cell) = self.take_lease(PipeKey::Data(data_producer_id, to), from, to);
        let source = self.shard_router(from)?;
        let target = self.shard_router(to)?;
        let pool = self.pool.clone();
        cell.get_or_try_init(|| async move {
            let pair = source
                .pipe_data_producer_to_router(data_producer_id, PipeToRouterOptions::new(target))
                .await
                .map_err(from_mediasoup)?;
            pool.adjust(from, pipe_holdings(), false);
            Ok::<_, MafaldaError>(Piped::Data {
                pipe_data_consumer: pair.pipe_data_consumer,
                pipe_data_producer: pair.pipe_data_producer.into_inner(),
            })
        })
        .await?;
        Ok(Some(lease))
    }

    fn take_lease(self: &Arc<Self>, key: PipeKey, from: u64, to: u64) -> (PipeLease, Arc<OnceCell<Piped>>) {
        let mut state = self.state.lock();
        let slot = state
            .pipes
            .entry(key)
            .or_insert_with(|| PipeSlot { from, to, refs: 0, piped: Arc::new(OnceCell::new()) });
        slot.refs += 1;
        (PipeLease { router: Arc::downgrade(self), key }, slot.piped.clone())
    }

    fn release_pipe(&self, key: PipeKey) {
        let removed = {
            let mut state = self.state.lock();
            let last = match state.pipes.get_mut(&key) {
                Some(slot) => {
                    slot.refs = slot.refs.saturating_sub(1);
                    slot.refs == 0
                }
                None => false,
            };
            if last { state.pipes.remove(&key) } else { None }
        };
        if let Some(slot) = removed {
            if slot.piped.initialized() {
                self.pool.adjust(slot.from, pipe_holdings(), true);
            }
            drop(slot);
            self.collect_empty_shards();
        }
    }

    /// (from worker key, to worker key, producer ids, data producer ids) per pipe.
    pub(crate) fn pipe_summaries(&self) -> Vec<(u64, u64, String, bool)> {
        let state = self.state.lock();
        state
            .pipes
            .iter()
            .filter(|(_, slot)| slot.piped.initialized())
            .map(|(key, slot)| match key {
                PipeKey::Media(id, _) => (slot.from, slot.to, id.to_string(), false),
                PipeKey::Data(id, _) => (slot.from, slot.to, id.to_string(), true),
            })
            .collect()
    }
}

/// A pipe consumer that asks for a key frame before its producer has seen any RTP
/// leaves video black; ask again the first time it reports a score (media flows).
fn request_key_frame_when_media_flows(pipe_consumer: &Consumer) {
    if pipe_consumer.kind() != MediaKind::Video {
        return;
    }
    let weak = pipe_consumer.downgrade();
    let asked = std::sync::atomic::AtomicBool::new(false);
    pipe_consumer
        .on_score(move |score| {
            if score.producer_score > 0 && !asked.swap(true, std::sync::atomic::Ordering::SeqCst) {
                if let Some(consumer) = weak.upgrade() {
                    control::spawn(move || async move {
                        let _ = consumer.request_key_frame().await;
                    });
                }
            }
        })
        .detach();
}
