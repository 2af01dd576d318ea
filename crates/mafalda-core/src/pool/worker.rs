//! A worker of the pool, whichever its backing: a thread of this process (the
//! mediasoup crate's `Worker`) or a worker host process (`HostProcess`).

use crate::backing::peer::Peer;
use crate::error::{from_mediasoup, Result};
use crate::host::{HostProcess, HostSettings};
use crate::pool::cpu;
use mediasoup::worker::{Worker, WorkerId, WorkerSettings};
use mediasoup::worker_manager::WorkerManager;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Where the pool runs its workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkerBacking {
    /// Threads of this process: one address space, so a worker that aborts ends it.
    Thread,
    /// One child process per worker, the host binary at this path: a worker that
    /// dies takes only its own objects with it.
    Process(PathBuf),
}

impl Default for WorkerBacking {
    fn default() -> Self {
        WorkerBacking::Process(crate::host::binary::default_host_binary())
    }
}

#[derive(Clone, Debug)]
pub enum WorkerHandle {
    Thread(Worker),
    Process(Arc<HostProcess>),
}

impl WorkerHandle {
    pub fn id(&self) -> WorkerId {
        match self {
            WorkerHandle::Thread(w) => w.id(),
            WorkerHandle::Process(h) => h.worker_id(),
        }
    }

    /// The process the worker runs in (this one for a thread).
    pub fn pid(&self) -> u32 {
        match self {
            WorkerHandle::Thread(_) => std::process::id(),
            WorkerHandle::Process(h) => h.pid(),
        }
    }

    pub fn host(&self) -> Option<&Arc<HostProcess>> {
        match self {
            WorkerHandle::Thread(_) => None,
            WorkerHandle::Process(h) => Some(h),
        }
    }

    /// Where a process worker's objects are reached (its host), as the seam sees it;
    /// `None` for a thread, whose objects are this process's.
    pub fn peer(&self) -> Option<Arc<dyn Peer>> {
        self.host().map(|h| h.clone() as Arc<dyn Peer>)
    }
}

/// A worker just started, with its thread (for its CPU time) and its start time.
pub struct Started {
    pub worker: WorkerHandle,
    pub tid: Option<i32>,
    pub start_time: Duration,
}

/// One process-wide manager: it owns the executor thread mediasoup's channels run on.
fn worker_manager() -> &'static WorkerManager {
    static MANAGER: OnceLock<WorkerManager> = OnceLock::new();
    MANAGER.get_or_init(WorkerManager::new)
}

/// Worker threads are started one at a time in the whole process, so that the new
/// thread can be told apart from the others (they all share one truncated name).
fn worker_start_lock() -> &'static tokio::sync::Mutex<()> {
    static LOCK: OnceLock<tokio::sync::Mutex<()>> = OnceLock::new();
    LOCK.get_or_init(|| tokio::sync::Mutex::new(()))
}

pub async fn start_thread(settings: WorkerSettings) -> Result<Started> {
    let _one_at_a_time = worker_start_lock().lock().await;
    let begun = std::time::Instant::now();
    let before: std::collections::HashSet<i32> = cpu::threads_named(cpu::WORKER_THREAD_COMM).into_iter().collect();
    let worker = worker_manager().create_worker(settings).await.map_err(from_mediasoup)?;
    let started: Vec<i32> = cpu::threads_named(cpu::WORKER_THREAD_COMM).into_iter().filter(|tid| !before.contains(tid)).collect();
    let tid = (started.len() == 1).then(|| started[0]);
    Ok(Started { worker: WorkerHandle::Thread(worker), tid, start_time: begun.elapsed() })
}

pub async fn start_process(binary: &std::path::Path, settings: HostSettings) -> Result<Started> {
    let host = HostProcess::start(binary, &settings).await?;
    let (tid, start_time) = (host.tid(), host.start_time());
    Ok(Started { worker: WorkerHandle::Process(host), tid, start_time })
}

/// The settings in mediasoup's JS shape, as a worker host reads them
/// (`shapes::worker_settings`).
pub fn worker_settings_json(settings: &WorkerSettings) -> Value {
    let mut shape = json!({
        "logLevel": settings.log_level,
        "logTags": settings.log_tags,
        "rtcMinPort": settings.rtc_port_range.start(),
        "rtcMaxPort": settings.rtc_port_range.end(),
    });
    if let Some(files) = &settings.dtls_files {
        shape["dtlsCertificateFile"] = json!(files.certificate);
        shape["dtlsPrivateKeyFile"] = json!(files.private_key);
    }
    shape
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_settings_cross_to_a_host_unchanged() {
        let mut settings = WorkerSettings::default();
        settings.log_level = mediasoup::worker::WorkerLogLevel::Warn;
        settings.log_tags = vec![mediasoup::worker::WorkerLogTag::Ice];
        settings.rtc_port_range = 20000..=20099;
        let shape = worker_settings_json(&settings);
        assert_eq!(shape, json!({ "logLevel": "warn", "logTags": ["ice"], "rtcMinPort": 20000, "rtcMaxPort": 20099 }));
        let read = crate::shapes::worker_settings(&shape).unwrap();
        assert_eq!(read.log_level, settings.log_level);
        assert_eq!(read.log_tags, settings.log_tags);
        assert_eq!(read.rtc_port_range, settings.rtc_port_range);
    }
}
