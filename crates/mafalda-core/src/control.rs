//! The control thread.
//!
//! mediasoup-rust's transport and observer futures are not `Send`, while the napi
//! binding (and any tokio server) needs `Send` futures. Every control-plane operation
//! of the core therefore runs on one dedicated thread with a local task set; callers
//! get a `Send` future that waits for the result. Media never touches this thread.

use crate::error::{MafaldaError, ErrorKind, Result};
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

type Job = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()>>> + Send>;

fn jobs() -> &'static UnboundedSender<Job> {
    static JOBS: OnceLock<UnboundedSender<Job>> = OnceLock::new();
    JOBS.get_or_init(|| {
        let (sender, mut receiver) = unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("mafalda-control".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("control runtime");
                let local = tokio::task::LocalSet::new();
                local.block_on(&runtime, async move {
                    while let Some(job) = receiver.recv().await {
                        tokio::task::spawn_local(job());
                    }
                });
            })
            .expect("spawn control thread");
        sender
    })
}

/// Runs `task` on the control thread and waits for its result.
pub async fn run<F, Fut, T>(task: F) -> Result<T>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<T>> + 'static,
    T: Send + 'static,
{
    let (result_sender, result_receiver) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        Box::pin(async move {
            let _ = result_sender.send(task().await);
        })
    });
    jobs()
        .send(job)
        .map_err(|_| MafaldaError::new(ErrorKind::Other, "mafalda control thread is gone"))?;
    result_receiver
        .await
        .map_err(|_| MafaldaError::new(ErrorKind::Other, "internal error: control task panicked"))?
}

/// Fire-and-forget variant, for work started from worker callbacks.
pub fn spawn<F, Fut>(task: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + 'static,
{
    let _ = jobs().send(Box::new(move || Box::pin(task())));
}
