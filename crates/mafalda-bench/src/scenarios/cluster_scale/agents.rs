//! Simulated nodes: presence and answers over real NATS, no workers. Each has a
//! connection of its own, publishes the heartbeat of a one-core node every second
//! (at a phase of its own) and answers calls the way a node's agent would, with
//! canned objects: a router part with real RTP capabilities, transports with ids.
//! Some also listen to every heartbeat, as real nodes do, to load the server's fan-out.

use futures_util::StreamExt;
use mafalda_core::backing::protocol::{Call, Reply};
use mafalda_core::cluster::protocol::{calls_of, NodeInfo, WorkerInfo, HEARTBEAT};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::task::JoinHandle;

pub const HEARTBEAT_INTERVAL: Duration = Duration::from_millis(1000);

pub struct SimulatedNode {
    pub id: String,
    tasks: Vec<JoinHandle<()>>,
    _client: async_nats::Client,
}

impl SimulatedNode {
    /// Stops at once, without a bye: to the others it is a node that died.
    pub fn kill(self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn answer(call: &Call, capabilities: &Value) -> Value {
    let handle = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    match call.op.as_str() {
        "router.create" => json!({ "handle": handle, "rtpCapabilities": capabilities }),
        op if op.starts_with("router.create") => {
            json!({ "handle": handle, "id": format!("00000000-0000-4000-8000-{handle:012x}"), "data": {} })
        }
        _ => Value::Null,
    }
}

/// The simulated nodes run on a runtime of their own (two threads), apart from the
/// bench's own, which times the owner.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("agents' runtime"))
}

/// A node `id`: `load` is its one worker's (`None`: no worker yet, a free core).
pub async fn start(url: &str, id: String, load: Option<f64>, listen: bool, capabilities: Arc<Value>) -> SimulatedNode {
    let url = url.to_string();
    runtime().spawn(async move { start_here(&url, id, load, listen, capabilities).await }).await.expect("simulated node starts")
}

async fn start_here(url: &str, id: String, load: Option<f64>, listen: bool, capabilities: Arc<Value>) -> SimulatedNode {
    let client = async_nats::ConnectOptions::new()
        .name(format!("simulated {id}"))
        .connect(url)
        .await
        .expect("simulated node connects");
    let mut calls = client.subscribe(calls_of(&id)).await.expect("subscribe to calls");
    let mut tasks = Vec::new();
    let info = NodeInfo {
        node_id: id.clone(),
        incarnation: format!("{id}-1"),
        announced_address: "127.0.0.1".into(),
        listen_ip: "127.0.0.1".into(),
        max_workers: 1,
        workers: load.map(|load| vec![WorkerInfo { id: "w1".into(), load }]).unwrap_or_default(),
        shards: 0,
        draining: false,
    };
    let beat = serde_json::to_vec(&info).expect("heartbeat");
    let publisher = client.clone();
    // Phases spread over the interval, as independent servers' would be.
    let phase = Duration::from_millis(NEXT_ID.fetch_add(1, Ordering::Relaxed) * 7919 % 1000);
    tasks.push(tokio::spawn(async move {
        let _ = publisher.publish(HEARTBEAT, beat.clone().into()).await;
        tokio::time::sleep(phase).await;
        let mut every = tokio::time::interval(HEARTBEAT_INTERVAL);
        loop {
            every.tick().await;
            let _ = publisher.publish(HEARTBEAT, beat.clone().into()).await;
        }
    }));
    let replier = client.clone();
    tasks.push(tokio::spawn(async move {
        while let Some(message) = calls.next().await {
            let (Some(reply_to), Ok(call)) = (message.reply.clone(), serde_json::from_slice::<Call>(&message.payload)) else { continue };
            let body = serde_json::to_vec(&Reply::Ok(answer(&call, &capabilities))).expect("reply");
            let _ = replier.publish(reply_to, body.into()).await;
        }
    }));
    if listen {
        let mut heartbeats = client.subscribe(HEARTBEAT).await.expect("subscribe to heartbeats");
        tasks.push(tokio::spawn(async move { while heartbeats.next().await.is_some() {} }));
    }
    SimulatedNode { id, tasks, _client: client }
}
