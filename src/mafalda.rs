use crate::addon_dir::addon_dir;
use crate::errors::IntoNapi;
use crate::events::sink_for;
use crate::router::NativeRouter;
use crate::webrtc_server::NativeWebRtcServer;
use mafalda_core::{options, shapes, Mafalda};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

/// The worker pool and its routers.
#[napi]
pub struct NativeMafalda {
    inner: Mafalda,
}

#[napi]
impl NativeMafalda {
    /// `onEvent(handle, name, data, bytes)` receives the events of every object.
    #[napi(constructor)]
    pub fn new(options: Option<Value>, on_event: Function<'_, FnArgs<(i64, String, Value, Option<Buffer>)>, Unknown<'static>>) -> Result<Self> {
        let options = options::mafalda_options(&options.unwrap_or(Value::Null), addon_dir().as_deref()).napi()?;
        let inner = Mafalda::new(options, sink_for(on_event)?).napi()?;
        Ok(Self { inner })
    }

    #[napi(getter)]
    pub fn handle(&self) -> i64 {
        self.inner.handle() as i64
    }

    #[napi]
    pub async fn create_router(&self, media_codecs: Option<Value>) -> Result<NativeRouter> {
        let codecs = shapes::media_codecs(&media_codecs.unwrap_or(Value::Null)).napi()?;
        let router = self.inner.create_router(codecs).await.napi()?;
        Ok(NativeRouter::from(router))
    }

    /// mediasoup's `worker.createWebRtcServer({ listenInfos })`.
    #[napi(js_name = "createWebRtcServer")]
    pub async fn create_webrtc_server(&self, options: Value) -> Result<NativeWebRtcServer> {
        let o = shapes::object(&options, "options").napi()?;
        let listen_infos = shapes::listen_infos(o).napi()?;
        Ok(self.inner.create_webrtc_server(listen_infos).await.napi()?.into())
    }

    /// Resolves once this node joined its cluster (at once without one); rejects
    /// with the reason it was refused.
    #[napi]
    pub async fn ready(&self) -> Result<()> {
        self.inner.cluster().await.napi().map(drop)
    }

    /// No new placements here; resolves once nothing is left on this node.
    #[napi]
    pub async fn drain(&self) -> Result<()> {
        self.inner.drain().await.napi()
    }

    #[napi]
    pub async fn dump(&self) -> Result<Value> {
        self.inner.dump().await.napi()
    }

    /// What the metrics read besides `dump()`: placements by reason since the start,
    /// and (in a cluster) the NATS link's state, counters and call latencies.
    #[napi]
    pub async fn metrics(&self) -> Result<Value> {
        let decisions: serde_json::Map<String, Value> = self
            .inner
            .pool()
            .decision_counts()
            .into_iter()
            .filter_map(|(reason, count)| Some((serde_json::to_value(reason).ok()?.as_str()?.to_string(), Value::from(count))))
            .collect();
        let link = match self.inner.cluster().await {
            Ok(Some(cluster)) => cluster.link.stats(),
            _ => Value::Null,
        };
        Ok(serde_json::json!({ "decisions": decisions, "link": link }))
    }

    /// Samples loads and frees idle workers now.
    #[napi]
    pub fn housekeep(&self) {
        self.inner.pool().housekeep();
    }

    /// A worker for a mediasoup-shaped Worker to stand for: `{ id, pid, ... }`.
    #[napi]
    pub async fn pin_worker(&self) -> Result<Value> {
        let pinned = self.inner.pin_worker().await.napi()?;
        Ok(serde_json::to_value(pinned).unwrap_or_default())
    }

    #[napi]
    pub fn unpin_worker(&self, worker_id: String) {
        self.inner.unpin_worker(&worker_id);
    }

    /// `getrusage()` of the process worker `workerId` runs in.
    #[napi]
    pub async fn worker_resource_usage(&self, worker_id: String) -> Result<Value> {
        self.inner.worker_resource_usage(&worker_id).await.napi()
    }

    #[napi]
    pub fn simulate_worker_death(&self, worker_id: String) -> Result<()> {
        self.inner.simulate_worker_death(&worker_id).napi()
    }

    #[napi]
    pub fn close(&self) {
        self.inner.close();
    }
}
