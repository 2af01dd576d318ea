//! The target end of a media pipe whose last lease went, until its worker closed it.
//!
//! A pipe producer keeps the source producer's id on the target worker, and the
//! mediasoup crate closes it on drop by a request that it sends later, from a task of
//! its own executor. A new pipe of that producer to that worker made before the worker
//! handled that close is refused: "a Producer with same producerId already exists" (same
//! PipeTransport) or "Channel request handler with ID ... already exists" (a new pair).
//! So the old end is kept here, and the next pipe of the same producer there waits
//! until the worker no longer has it.

use mediasoup::prelude::*;
use std::time::Duration;
use tokio::sync::OnceCell;

/// Between two looks at the target PipeTransport: its close is usually handled before
/// the first look's answer, so this is rarely waited.
const LOOK_AGAIN: Duration = Duration::from_millis(2);

/// A close that never comes (the crate handle kept alive elsewhere, a stuck worker)
/// stops the wait; the new pipe then fails with the worker's error, as before.
const GIVE_UP: Duration = Duration::from_secs(5);

pub(crate) struct ClosingPipe {
    /// The PipeTransport of the old pipe producer, asked whether it still has it (held:
    /// when the pair closed too, it stays open to be asked).
    target: PipeTransport,
    producer_id: ProducerId,
    gone: OnceCell<()>,
}

impl ClosingPipe {
    pub fn new(target: PipeTransport, producer_id: ProducerId) -> Self {
        Self { target, producer_id, gone: OnceCell::new() }
    }

    /// Resolves once the worker has closed the old pipe producer, or cannot tell (its
    /// transport or worker is gone). Concurrent callers share one wait.
    pub async fn gone(&self) {
        self.gone
            .get_or_init(|| async {
                let still_there = async {
                    while self.target.dump().await.is_ok_and(|dump| dump.producer_ids.contains(&self.producer_id)) {
                        tokio::time::sleep(LOOK_AGAIN).await;
                    }
                };
                let _ = tokio::time::timeout(GIVE_UP, still_there).await;
            })
            .await;
    }
}
