//! The worker host's side of the local channel: what `mafalda-worker-host` runs.
//!
//! It reads how to start its worker, starts it (a pool of one worker thread), says
//! `Running`, then answers its parent's calls with the same `Agent` a cluster node
//! uses for other nodes. Calls are answered concurrently (each on the control
//! thread); notifications (RTP and messages of DirectTransports) are handled as they
//! are read, in order. The end of the channel (the parent closed it, or died) ends
//! the process at once: nothing here outlives its parent.

use crate::backing::protocol::{Call, RemoteEvent, Reply};
use crate::control;
use crate::error::{MafaldaError, Result};
use crate::events::EventSink;
use crate::host::channel::{read_frame, write_queued, Frame, Message, PROTOCOL_VERSION};
use crate::host::HostSettings;
use crate::pool::{PoolOptions, WorkerBacking, WorkerPool};
use crate::pool::usage;
use crate::serve::{Agent, Serving};
use crate::shapes;
use serde_json::Value;
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// Exit code when the worker stopped on its own without ending the process.
const WORKER_GONE: i32 = 70;

struct ChannelServing {
    pool: WorkerPool,
    agent: Arc<Agent>,
    out: mpsc::Sender<Frame>,
}

impl Serving for ChannelServing {
    fn pool(&self) -> &WorkerPool {
        &self.pool
    }

    fn localize(&self, _options: &mut Value) {}

    fn events_for(&self, _owner: &str) -> EventSink {
        let (out, agent) = (self.out.clone(), Arc::downgrade(&self.agent));
        EventSink::new(move |event| {
            let state = agent.upgrade().and_then(|a| a.state_after(event.target, event.name));
            let remote = RemoteEvent { from: "host".into(), target: event.target, name: event.name.to_string(), data: event.data, state };
            let _ = out.send(Frame::with_bytes(Message::Event { event: remote }, event.bytes));
        })
    }
}

/// The signals mediasoup's worker ignores (a terminal's hang-up, stray alarms and
/// user signals) are ignored; the others end the host, which its parent reports as
/// the worker's death. Rust's runtime catches SIGSEGV and SIGBUS to report stack
/// overflows, and a handler that returns lets a `kill -SEGV` go unnoticed: they get
/// their default back, as in mediasoup's worker.
fn set_signals() {
    for (signal, action) in [
        (libc::SIGPIPE, libc::SIG_IGN),
        (libc::SIGHUP, libc::SIG_IGN),
        (libc::SIGALRM, libc::SIG_IGN),
        (libc::SIGUSR1, libc::SIG_IGN),
        (libc::SIGUSR2, libc::SIG_IGN),
        (libc::SIGSEGV, libc::SIG_DFL),
        (libc::SIGBUS, libc::SIG_DFL),
    ] {
        // SAFETY: setting a disposition to SIG_IGN or SIG_DFL has no preconditions.
        unsafe {
            libc::signal(signal, action);
        }
    }
}

/// Serves the channel on `fd` until it ends; returns the process's exit code.
pub fn run(fd: RawFd) -> i32 {
    set_signals();
    // SAFETY: the parent gave this process the socket as `fd`, owned by nobody else here.
    let stream = unsafe { UnixStream::from_raw_fd(fd) };
    let mut input = match stream.try_clone() {
        Ok(input) => std::io::BufReader::with_capacity(64 * 1024, input),
        Err(e) => {
            eprintln!("mafalda-worker-host: fd {fd} is not the channel its pool gives it ({e}); it is started by mafalda-sfu, not by hand");
            return 2;
        }
    };
    let (out, queue) = mpsc::channel::<Frame>();
    write_in_order(stream, queue);
    let settings = match read_frame(&mut input) {
        Ok(Some(Frame { message: Message::Start { settings }, .. })) => settings,
        _ => {
            eprintln!("mafalda-worker-host: no start message on fd {fd}; it is started by mafalda-sfu, not by hand");
            return 2;
        }
    };
    let pool = match start(settings, &out) {
        Ok(pool) => pool,
        Err(e) => {
            let _ = out.send(Frame::new(Message::Failed { message: e.message }));
            drop(out);
            // Let the writer send it before the process ends.
            std::thread::sleep(Duration::from_millis(100));
            return 1;
        }
    };
    let agent = Arc::new(Agent::default());
    let ctx = Arc::new(ChannelServing { pool, agent: agent.clone(), out: out.clone() });
    loop {
        let frame = match read_frame(&mut input) {
            Ok(Some(frame)) => frame,
            // The parent closed the channel or died.
            Ok(None) | Err(_) => return 0,
        };
        let Message::Call { id, call } = frame.message else { continue };
        match id {
            None => {
                if let Err(e) = agent.notify(&call, frame.bytes.unwrap_or_default()) {
                    tracing::debug!("{}: {e}", call.op);
                }
            }
            Some(id) => answer(&agent, &ctx, id, call, frame.bytes),
        }
    }
}

/// Starts the one worker of this host and says `Running` with its thread.
fn start(settings: Value, out: &mpsc::Sender<Frame>) -> Result<WorkerPool> {
    let settings: HostSettings = serde_json::from_value(settings)
        .map_err(|e| MafaldaError::new(crate::ErrorKind::Type, format!("wrong start message: {e}")))?;
    let options = PoolOptions {
        backing: WorkerBacking::Thread,
        max_workers: Some(1),
        // The parent's pool frees this worker by closing the host.
        worker_idle_timeout: Duration::MAX,
        worker_settings: shapes::worker_settings(&settings.worker_settings)?,
        webrtc_server: settings.webrtc_server,
        ..PoolOptions::default()
    };
    let pool = WorkerPool::new(options)?;
    pool.on_worker_death(|_| std::process::exit(WORKER_GONE));
    let started = {
        let pool = pool.clone();
        block_on(async move { control::run(move || async move { pool.start_dedicated_worker().await }).await })?
    };
    let running = Message::Running { protocol: PROTOCOL_VERSION, pid: std::process::id(), worker_id: started.id, tid: started.tid };
    let _ = out.send(Frame::new(running));
    Ok(pool)
}

/// Answers call `id` on the control thread.
fn answer(agent: &Arc<Agent>, ctx: &Arc<ChannelServing>, id: u64, call: Call, bytes: Option<Vec<u8>>) {
    let (agent, ctx) = (agent.clone(), ctx.clone());
    control::spawn(move || async move {
        let result = match call.op.as_str() {
            "worker.getResourceUsage" => Ok(usage::resource_usage()),
            _ => agent.handle(&*ctx, call, bytes).await,
        };
        let reply = match result {
            Ok(value) => Reply::Ok(value),
            Err(e) => Reply::Error { kind: e.kind.class_name().into(), message: e.message },
        };
        let _ = ctx.out.send(Frame::new(Message::Reply { id, reply }));
    });
}

fn write_in_order(stream: UnixStream, queue: mpsc::Receiver<Frame>) {
    std::thread::Builder::new()
        .name("mafalda-host-out".into())
        .spawn(move || {
            if write_queued(&stream, &queue).is_err() {
                // The parent is gone.
                std::process::exit(0);
            }
        })
        .expect("spawn channel writer thread");
}

/// Runs a future to completion on this (non-runtime) thread.
fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("start runtime").block_on(future)
}
