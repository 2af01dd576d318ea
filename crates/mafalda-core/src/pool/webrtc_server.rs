//! `MafaldaWebRtcServer`: a WebRtcServer the app created (mediasoup's
//! `worker.createWebRtcServer()`). It lives on one pool worker, chosen by the
//! scheduler; the WebRTC transports created on it are placed on that worker, since a
//! server's sockets belong to its worker. The pool's own per-worker servers
//! (`PoolOptions::webrtc_server`) are not these: they come and go with their worker.
//! On a process worker the server lives in the worker's host, as its objects do.

use crate::backing::peer::Peer;
use crate::backing::remote::created;
use crate::backing::{local_or_remote, Backing};
use crate::control;
use crate::error::{from_mediasoup, Result};
use crate::events::{next_handle, Handle};
use crate::pool::load::Holdings;
use crate::pool::{create_webrtc_server, WorkerHandle, WorkerPool};
use crate::slot::Slot;
use mediasoup::prelude::{ListenInfo, WebRtcServer};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) struct ServerInner {
    handle: Handle,
    id: String,
    /// Pool key of the worker the server lives on.
    pub key: u64,
    pub server: Slot<Backing<WebRtcServer>>,
    pool: WorkerPool,
}

#[derive(Clone)]
pub struct MafaldaWebRtcServer {
    pub(crate) inner: Arc<ServerInner>,
}

impl MafaldaWebRtcServer {
    pub(crate) async fn create(pool: WorkerPool, listen_infos: Vec<ListenInfo>) -> Result<Self> {
        control::run(move || async move {
            let placed = pool.place("webrtc server".to_string(), &HashMap::new(), Holdings::default()).await?;
            let (id, server) = match &placed.worker {
                WorkerHandle::Thread(worker) => {
                    let server = create_webrtc_server(worker, listen_infos).await?;
                    (server.id().to_string(), Backing::Local(server))
                }
                WorkerHandle::Process(host) => {
                    let op = "worker.createWebRtcServer";
                    let args = serde_json::json!({ "listenInfos": listen_infos });
                    let peer: Arc<dyn Peer> = host.clone();
                    let (remote, id) = created(&peer, op, host.call(op, None, args, None).await?)?;
                    (id, Backing::Remote(remote))
                }
            };
            pool.server_opened(placed.key);
            Ok(Self {
                inner: Arc::new(ServerInner {
                    handle: next_handle(),
                    id,
                    key: placed.key,
                    server: Slot::new("WebRtcServer", server),
                    pool: pool.clone(),
                }),
            })
        })
        .await
    }

    pub fn handle(&self) -> Handle {
        self.inner.handle
    }

    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// Id of the worker the server lives on.
    pub fn worker_id(&self) -> Option<String> {
        self.inner.pool.worker_id(self.inner.key).map(|id| id.to_string())
    }

    pub fn closed(&self) -> bool {
        self.inner.server.is_closed()
    }

    pub fn data(&self) -> Result<Value> {
        self.inner.server.get().map(|_| Value::Null)
    }

    pub async fn dump(&self) -> Result<Value> {
        local_or_remote!(self.inner.server, "webRtcServer.dump", Value::Null, |server| {
            server.dump().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_mediasoup)
        })
    }

    pub async fn get_stats(&self) -> Result<Value> {
        self.dump().await
    }

    /// Lets the server go: it closes once the transports using it are closed too
    /// (the JS layer closes them first, as mediasoup does).
    pub fn close(&self) {
        if let Some(server) = self.inner.server.take() {
            self.inner.pool.server_closed(self.inner.key);
            match server {
                Backing::Local(server) => control::spawn(move || async move { drop(server) }),
                Backing::Remote(remote) => remote.close("webRtcServer.close"),
            }
        }
    }
}
