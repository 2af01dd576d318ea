//! The target end of a media pipe whose last lease went, until its worker closed it.
//!
//! A pipe producer keeps the source producer's id on the target worker, and the
//! mediasoup crate closes it on drop by a request that it sends later, from a task of
//! its own executor. A new pipe of that producer to that worker made before the worker
//! handled that close is refused: "a Producer with same producerId already exists" (same
//! PipeTransport) or "Channel request handler with ID ... already exists" (a new pair).
//! So the old end is kept here, and the next pipe of the same producer there waits
//! until the worker no longer has it. Between nodes it is the same: the piped producer
//! takes the id on the target node (`produce({ id })`), so a `PipeEnd` is either a
//! PipeTransport of this process or a node pair's target end (`node_pipes.rs`).

use mediasoup::prelude::*;
use std::time::Duration;
use tokio::sync::OnceCell;

/// Between two looks at the target PipeTransport: its close is usually handled before
/// the first look's answer, so this is rarely waited.
const LOOK_AGAIN: Duration = Duration::from_millis(2);

/// A close that never comes (the crate handle kept alive elsewhere, a stuck worker)
/// stops the wait; the new pipe then fails with the worker's error, as before.
const GIVE_UP: Duration = Duration::from_secs(5);

/// An end a pipe producer lived on, asked whether its worker still has it.
pub(crate) trait PipeEnd {
    /// `false` once the worker no longer has producer `id` there, or cannot tell (the
    /// end, its worker or its node is gone).
    async fn still_has(&self, id: &ProducerId) -> bool;
}

impl PipeEnd for PipeTransport {
    async fn still_has(&self, id: &ProducerId) -> bool {
        self.dump().await.is_ok_and(|dump| dump.producer_ids.contains(id))
    }
}

pub(crate) struct ClosingPipe<E: PipeEnd = PipeTransport> {
    /// The end of the old pipe producer, asked whether it still has it (held: when the
    /// pair closed too, it stays open to be asked).
    target: E,
    producer_id: ProducerId,
    gone: OnceCell<()>,
}

impl<E: PipeEnd> ClosingPipe<E> {
    pub fn new(target: E, producer_id: ProducerId) -> Self {
        Self { target, producer_id, gone: OnceCell::new() }
    }

    /// Resolves once the worker has closed the old pipe producer, or cannot tell (its
    /// transport or worker is gone). Concurrent callers share one wait.
    pub async fn gone(&self) {
        self.gone
            .get_or_init(|| async {
                let still_there = async {
                    while self.target.still_has(&self.producer_id).await {
                        tokio::time::sleep(LOOK_AGAIN).await;
                    }
                };
                let _ = tokio::time::timeout(GIVE_UP, still_there).await;
            })
            .await;
    }
}
