//! `MafaldaWebRtcServer`: a WebRtcServer the app created (mediasoup's
//! `worker.createWebRtcServer()`). It lives on one pool worker, chosen by the
//! scheduler; the WebRTC transports created on it are placed on that worker, since a
//! server's sockets belong to its worker. The pool's own per-worker servers
//! (`PoolOptions::webrtc_server`) are not these: they come and go with their worker.

use crate::control;
use crate::error::{from_mediasoup, Result};
use crate::events::{next_handle, Handle};
use crate::pool::load::Holdings;
use crate::pool::{create_webrtc_server, WorkerPool};
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
    pub server: Slot<WebRtcServer>,
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
            let server = create_webrtc_server(&placed.worker, listen_infos).await?;
            pool.server_opened(placed.key);
            Ok(Self {
                inner: Arc::new(ServerInner {
                    handle: next_handle(),
                    id: server.id().to_string(),
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
        let server = self.inner.server.get()?;
        control::run(move || async move {
            server.dump().await.map(|d| serde_json::to_value(d).unwrap_or_default()).map_err(from_mediasoup)
        })
        .await
    }

    pub async fn get_stats(&self) -> Result<Value> {
        self.dump().await
    }

    /// Lets the server go: it closes once the transports using it are closed too
    /// (the JS layer closes them first, as mediasoup does).
    pub fn close(&self) {
        if let Some(server) = self.inner.server.take() {
            self.inner.pool.server_closed(self.inner.key);
            control::spawn(move || async move { drop(server) });
        }
    }
}
