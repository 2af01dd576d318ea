//! `HostProcess`: one worker host, a child process running one mediasoup worker,
//! seen from the pool.
//!
//! Started with a Unix socket pair: the child gets its end as fd 3 and asks the
//! kernel to kill it when this process dies (and exits when the channel closes), so
//! no host outlives its parent. The first message says how to start the worker; the
//! host answers `Running` (its pid, its worker id and worker thread) or `Failed`.
//! Then calls go out with an id and get exactly one reply; events come back routed
//! to the proxy of their object. Three threads per host: one writes (calls come from
//! any thread and are sent in order), one reads and, at the end of the stream,
//! collects the exit status, one passes the host's stderr on.

use crate::backing::peer::{CallFuture, Peer};
use crate::backing::protocol::{Call, Reply};
use crate::backing::remote::RemoteObject;
use crate::error::{invalid_state, ErrorKind, MafaldaError, Result};
use crate::host::channel::{read_frame, write_queued, Frame, Message, PROTOCOL_VERSION};
use mediasoup::prelude::ListenInfo;
use mediasoup::worker::WorkerId;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Weak};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// The fd the host reads its channel from.
pub const CHANNEL_FD: i32 = 3;

/// A host that says nothing for this long after its start is given up.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A call a live host has not answered within this is given up (mediasoup's channel
/// gives up after 15 s and more): a stuck worker must not hang its callers forever.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// A host asked to close (its channel shut) and still there after this is killed.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// The owner of everything a host serves, in its calls.
const OWNER: &str = "parent";

/// Lines of the host's stderr kept to explain a failed start.
const STDERR_TAIL: usize = 8;

/// What a host needs to start its worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostSettings {
    /// mediasoup's JS shape (`logLevel`, `logTags`, `rtcMinPort`, ...).
    pub worker_settings: Value,
    /// The worker's WebRtcServer, if the pool gives each worker one.
    pub webrtc_server: Option<Vec<ListenInfo>>,
}

/// How a host ended.
#[derive(Debug, Clone)]
pub struct HostExit {
    pub pid: u32,
    pub code: Option<i32>,
    pub signal: Option<i32>,
    /// The pool closed it (not a death).
    pub expected: bool,
}

impl HostExit {
    /// mediasoup's wording: `[pid:…, code:…, signal:…]`.
    pub fn describe(&self) -> String {
        let code = self.code.map_or("null".to_string(), |c| c.to_string());
        let signal = self.signal.map_or("null".to_string(), signal_name);
        format!("[pid:{}, code:{code}, signal:{signal}]", self.pid)
    }
}

/// `SIGKILL` for 9, as Node names signals.
pub fn signal_name(signal: i32) -> String {
    let name = match signal {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGUSR1 => "SIGUSR1",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGUSR2 => "SIGUSR2",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        _ => return format!("signal {signal}"),
    };
    name.to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Life {
    Running,
    /// The pool shut its channel: the exit that follows is not a death.
    Closing,
    Ended,
}

type ExitListener = Box<dyn FnOnce(HostExit) + Send>;

/// The exit listener until the host exits, then how it exited.
enum ExitWatch {
    Waiting(Option<ExitListener>),
    Exited(HostExit),
}

/// What the reader thread shares with the pool side.
struct Shared {
    pid: u32,
    pending: Mutex<HashMap<u64, (String, oneshot::Sender<Result<Value>>)>>,
    routes: Mutex<HashMap<u64, Weak<RemoteObject>>>,
    life: Mutex<Life>,
    on_exit: Mutex<ExitWatch>,
    stderr_tail: Mutex<VecDeque<String>>,
    /// The host's stderr reached its end (it exited): its tail is complete.
    stderr_done: AtomicBool,
}

pub struct HostProcess {
    shared: Arc<Shared>,
    binary: PathBuf,
    worker_id: WorkerId,
    /// The worker's thread in the host, for its CPU time.
    tid: Option<i32>,
    outgoing: Mutex<Option<mpsc::Sender<Frame>>>,
    next_id: AtomicU64,
    /// From spawn to `Running`.
    start_time: Duration,
}

impl std::fmt::Debug for HostProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HostProcess(pid {})", self.shared.pid)
    }
}

fn start_error(binary: &Path, reason: impl std::fmt::Display) -> MafaldaError {
    MafaldaError::new(ErrorKind::Other, format!("the worker host {} failed to start: {reason}", binary.display()))
}

impl HostProcess {
    /// Starts a host and waits until its worker runs. Call it from a thread that
    /// lives as long as the pool (the control thread): the kernel's "kill me when my
    /// parent dies" watches the thread that started the child.
    pub async fn start(binary: &Path, settings: &HostSettings) -> Result<Arc<Self>> {
        let begun = Instant::now();
        let (ours, theirs) = UnixStream::pair().map_err(|e| start_error(binary, format!("no socket pair ({e})")))?;
        let mut child = spawn(binary, &theirs).map_err(|e| start_error(binary, e))?;
        drop(theirs);
        let pid = child.id();
        let shared = Arc::new(Shared {
            pid,
            pending: Mutex::new(HashMap::new()),
            routes: Mutex::new(HashMap::new()),
            life: Mutex::new(Life::Running),
            on_exit: Mutex::new(ExitWatch::Waiting(None)),
            stderr_tail: Mutex::new(VecDeque::new()),
            stderr_done: AtomicBool::new(false),
        });
        if let Some(stderr) = child.stderr.take() {
            pass_stderr_on(stderr, shared.clone());
        }
        let reading = ours.try_clone().map_err(|e| start_error(binary, format!("socket ({e})")))?;
        let (outgoing, queue) = mpsc::channel::<Frame>();
        write_in_order(ours, queue);
        let start = Message::Start { settings: serde_json::to_value(settings).unwrap_or_default() };
        let _ = outgoing.send(Frame::new(start));
        let (started, running) = oneshot::channel();
        read_until_exit(reading, child, shared.clone(), started);
        let first = tokio::time::timeout(START_TIMEOUT, running).await;
        if !matches!(first, Ok(Ok(Ok(_)))) {
            // What it said on its way out explains why.
            for _ in 0..50 {
                if shared.stderr_done.load(Ordering::SeqCst) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        let failure = |reason: String| {
            let tail: Vec<String> = shared.stderr_tail.lock().iter().cloned().collect();
            let reason = if tail.is_empty() { reason } else { format!("{reason}; it said: {}", tail.join(" / ")) };
            start_error(binary, reason)
        };
        let running = match first {
            Err(_) => {
                kill(pid, libc::SIGKILL);
                return Err(failure(format!("no answer within {} s", START_TIMEOUT.as_secs())));
            }
            Ok(Err(_)) => return Err(failure("its channel closed before it answered".into())),
            Ok(Ok(Err(reason))) => return Err(failure(reason)),
            Ok(Ok(Ok(running))) => running,
        };
        let Message::Running { protocol, worker_id, tid, .. } = running else { unreachable!("only Running is passed on") };
        if protocol != PROTOCOL_VERSION {
            kill(pid, libc::SIGKILL);
            return Err(start_error(binary, format!("it speaks protocol {protocol}, this pool {PROTOCOL_VERSION} (a binary of another version)")));
        }
        let worker_id: WorkerId = worker_id.parse().map_err(|_| start_error(binary, format!("it named its worker \"{worker_id}\"")))?;
        Ok(Arc::new(Self {
            shared,
            binary: binary.to_path_buf(),
            worker_id,
            tid,
            outgoing: Mutex::new(Some(outgoing)),
            next_id: AtomicU64::new(1),
            start_time: begun.elapsed(),
        }))
    }

    pub fn pid(&self) -> u32 {
        self.shared.pid
    }

    pub fn worker_id(&self) -> WorkerId {
        self.worker_id
    }

    pub fn tid(&self) -> Option<i32> {
        self.tid
    }

    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// From spawn until its worker ran.
    pub fn start_time(&self) -> Duration {
        self.start_time
    }

    pub fn alive(&self) -> bool {
        *self.shared.life.lock() != Life::Ended
    }

    /// Called once when the host exits (at once if it has already).
    pub fn on_exit(&self, listener: impl FnOnce(HostExit) + Send + 'static) {
        let exited = {
            let mut watch = self.shared.on_exit.lock();
            match &*watch {
                ExitWatch::Exited(exit) => Some(exit.clone()),
                ExitWatch::Waiting(_) => {
                    *watch = ExitWatch::Waiting(Some(Box::new(listener)));
                    return;
                }
            }
        };
        if let Some(exit) = exited {
            listener(exit);
        }
    }

    /// Sends `signal` to the host (a drill, or `kill -9` from a test).
    pub fn signal(&self, signal: i32) {
        if self.alive() {
            kill(self.shared.pid, signal);
        }
    }

    /// Closes the channel: the host exits, which is then no death. One that is
    /// still there after a grace period is killed.
    pub fn close(&self) {
        {
            let mut life = self.shared.life.lock();
            if *life != Life::Running {
                return;
            }
            *life = Life::Closing;
        }
        // Dropping the sender ends the writer, which shuts the socket.
        drop(self.outgoing.lock().take());
        let shared = self.shared.clone();
        std::thread::Builder::new()
            .name("mafalda-host-reap".into())
            .spawn(move || {
                std::thread::sleep(CLOSE_GRACE);
                if *shared.life.lock() != Life::Ended {
                    kill(shared.pid, libc::SIGKILL);
                }
            })
            .ok();
    }

    fn send(&self, frame: Frame) -> bool {
        self.outgoing.lock().as_ref().is_some_and(|out| out.send(frame).is_ok())
    }

    fn closed_error(&self, op: &str) -> MafaldaError {
        invalid_state(format!("{op}: the object or its worker is closed (worker process {})", self.shared.pid))
    }
}

impl Drop for HostProcess {
    fn drop(&mut self) {
        self.close();
    }
}

impl Peer for HostProcess {
    fn name(&self) -> String {
        format!("worker process {}", self.shared.pid)
    }

    fn node(&self) -> Option<&str> {
        None
    }

    fn call(&self, op: &str, target: Option<u64>, args: Value, bytes: Option<Vec<u8>>) -> CallFuture {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (answer, answered) = oneshot::channel();
        self.shared.pending.lock().insert(id, (op.to_string(), answer));
        let call = Call { from: OWNER.into(), op: op.to_string(), target, args };
        let closed = self.closed_error(op);
        if !self.alive() || !self.send(Frame::with_bytes(Message::Call { id: Some(id), call }, bytes)) {
            self.shared.pending.lock().remove(&id);
            return Box::pin(async move { Err(closed) });
        }
        let (shared, op, pid) = (self.shared.clone(), op.to_string(), self.shared.pid);
        Box::pin(async move {
            match tokio::time::timeout(CALL_TIMEOUT, answered).await {
                Ok(answer) => answer.unwrap_or(Err(closed)),
                Err(_) => {
                    shared.pending.lock().remove(&id);
                    Err(MafaldaError::new(ErrorKind::Other, format!("{op}: worker process {pid} did not answer within {} s", CALL_TIMEOUT.as_secs())))
                }
            }
        })
    }

    fn notify(&self, op: &str, target: u64, args: Value, bytes: Vec<u8>) -> Result<()> {
        let call = Call { from: OWNER.into(), op: op.to_string(), target: Some(target), args };
        if self.alive() && self.send(Frame::with_bytes(Message::Call { id: None, call }, Some(bytes))) {
            Ok(())
        } else {
            Err(self.closed_error(op))
        }
    }

    fn route(&self, object: &Arc<RemoteObject>) {
        self.shared.routes.lock().insert(object.handle, Arc::downgrade(object));
        if !self.alive() {
            object.mark_gone();
        }
    }

    fn unroute(&self, handle: u64) {
        self.shared.routes.lock().remove(&handle);
    }
}

fn kill(pid: u32, signal: i32) {
    // SAFETY: kill has no memory effects; a pid that is gone gives ESRCH.
    unsafe {
        libc::kill(pid as libc::pid_t, signal);
    }
}

/// The child: its channel on fd 3, stdin and stdout closed (a stray print must not
/// reach the channel), stderr passed on. In the child, between fork and exec, only
/// async-signal-safe calls.
fn spawn(binary: &Path, channel: &UnixStream) -> std::io::Result<Child> {
    let fd = channel.as_raw_fd();
    // SAFETY: getpid has no preconditions.
    let parent = unsafe { libc::getpid() };
    let mut command = Command::new(binary);
    command.arg("--channel-fd").arg(CHANNEL_FD.to_string()).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    // SAFETY: dup2, prctl, getppid and _exit are async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            if libc::dup2(fd, CHANNEL_FD) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Killed with its parent, even by kill -9 of the parent.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent died before that took effect: never start as an orphan.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    command.spawn()
}

fn write_in_order(stream: UnixStream, queue: mpsc::Receiver<Frame>) {
    std::thread::Builder::new()
        .name("mafalda-host-out".into())
        .spawn(move || {
            let _ = write_queued(&stream, &queue);
            // No more calls: the host sees the end of its channel and exits.
            let _ = stream.shutdown(std::net::Shutdown::Write);
        })
        .expect("spawn host writer thread");
}

type Started = oneshot::Sender<std::result::Result<Message, String>>;

/// Reads replies and events until the stream ends, then reaps the child and tells
/// whoever listens how it ended.
fn read_until_exit(stream: UnixStream, mut child: Child, shared: Arc<Shared>, started: Started) {
    std::thread::Builder::new()
        .name("mafalda-host-in".into())
        .spawn(move || {
            let mut stream = BufReader::with_capacity(64 * 1024, stream);
            let mut started = Some(started);
            loop {
                let frame = match read_frame(&mut stream) {
                    Ok(Some(frame)) => frame,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(pid = shared.pid, "worker host channel broken: {e}");
                        break;
                    }
                };
                match frame.message {
                    Message::Running { .. } => {
                        if let Some(started) = started.take() {
                            let _ = started.send(Ok(frame.message));
                        }
                    }
                    Message::Failed { message } => {
                        if let Some(started) = started.take() {
                            let _ = started.send(Err(message));
                        }
                    }
                    Message::Reply { id, reply } => {
                        let pending = shared.pending.lock().remove(&id);
                        if let Some((_, answer)) = pending {
                            let _ = answer.send(match reply {
                                Reply::Ok(value) => Ok(value),
                                Reply::Error { kind, message } => Err(MafaldaError::new(ErrorKind::from_class_name(&kind), message)),
                            });
                        }
                    }
                    Message::Event { event } => {
                        let object = shared.routes.lock().get(&event.target).and_then(Weak::upgrade);
                        if let Some(object) = object {
                            object.deliver(&event.name, &event.data, frame.bytes.as_deref(), event.state);
                        }
                    }
                    Message::Start { .. } | Message::Call { .. } => {}
                }
            }
            let status = child.wait().ok();
            let expected = {
                let mut life = shared.life.lock();
                let expected = *life == Life::Closing;
                *life = Life::Ended;
                expected
            };
            if let Some(started) = started.take() {
                let how = status.map_or("it ended".to_string(), |s| exit_words(&s));
                let _ = started.send(Err(format!("{how} before its worker was running")));
            }
            ended(&shared, status, expected);
        })
        .expect("spawn host reader thread");
}

fn exit_words(status: &ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("it exited with code {code}"),
        (_, Some(signal)) => format!("it was killed by {}", signal_name(signal)),
        _ => "it ended".to_string(),
    }
}

/// Every call still waiting fails, every proxy is gone, and the listener hears it.
fn ended(shared: &Shared, status: Option<ExitStatus>, expected: bool) {
    let pending: Vec<(String, oneshot::Sender<Result<Value>>)> = shared.pending.lock().drain().map(|(_, p)| p).collect();
    for (op, answer) in pending {
        let _ = answer.send(Err(invalid_state(format!("{op}: the object or its worker is closed (worker process {} ended)", shared.pid))));
    }
    let objects: Vec<Arc<RemoteObject>> = shared.routes.lock().drain().filter_map(|(_, o)| o.upgrade()).collect();
    for object in objects {
        object.mark_gone();
    }
    let exit = HostExit {
        pid: shared.pid,
        code: status.and_then(|s| s.code()),
        signal: status.and_then(|s| s.signal()),
        expected,
    };
    if !expected {
        tracing::warn!("worker process died {}", exit.describe());
    }
    let listener = match std::mem::replace(&mut *shared.on_exit.lock(), ExitWatch::Exited(exit.clone())) {
        ExitWatch::Waiting(listener) => listener,
        ExitWatch::Exited(_) => None,
    };
    if let Some(listener) = listener {
        listener(exit);
    }
}

/// The host's stderr goes to ours, and its last lines explain a failed start.
fn pass_stderr_on(stderr: std::process::ChildStderr, shared: Arc<Shared>) {
    std::thread::Builder::new()
        .name("mafalda-host-err".into())
        .spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                eprintln!("[worker process {}] {line}", shared.pid);
                let mut tail = shared.stderr_tail.lock();
                if tail.len() == STDERR_TAIL {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
            shared.stderr_done.store(true, Ordering::SeqCst);
        })
        .expect("spawn host stderr thread");
}
