use crate::errors::IntoNapi;
use mafalda_core::{shapes, MafaldaConsumer};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

#[napi]
pub struct NativeConsumer {
    inner: MafaldaConsumer,
}

impl From<MafaldaConsumer> for NativeConsumer {
    fn from(inner: MafaldaConsumer) -> Self {
        Self { inner }
    }
}

#[napi]
impl NativeConsumer {
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.inner.id()
    }

    #[napi(getter)]
    pub fn handle(&self) -> i64 {
        self.inner.handle() as i64
    }

    /// Whether its producer was piped in from another worker.
    #[napi(getter)]
    pub fn piped(&self) -> bool {
        self.inner.piped()
    }

    #[napi]
    pub fn data(&self) -> Result<Value> {
        self.inner.data().napi()
    }

    #[napi]
    pub async fn pause(&self) -> Result<()> {
        self.inner.pause().await.napi()
    }

    #[napi]
    pub async fn resume(&self) -> Result<()> {
        self.inner.resume().await.napi()
    }

    #[napi]
    pub async fn set_preferred_layers(&self, layers: Value) -> Result<()> {
        let layers = shapes::consumer_layers(&layers).napi()?;
        self.inner.set_preferred_layers(layers).await.napi()
    }

    #[napi]
    pub async fn set_priority(&self, priority: u32) -> Result<()> {
        self.inner.set_priority(priority.min(255) as u8).await.napi()
    }

    #[napi]
    pub async fn unset_priority(&self) -> Result<()> {
        self.inner.unset_priority().await.napi()
    }

    #[napi]
    pub async fn request_key_frame(&self) -> Result<()> {
        self.inner.request_key_frame().await.napi()
    }

    #[napi]
    pub async fn dump(&self) -> Result<Value> {
        self.inner.dump().await.napi()
    }

    #[napi]
    pub async fn get_stats(&self) -> Result<Value> {
        self.inner.get_stats().await.napi()
    }

    #[napi]
    pub async fn enable_trace_event(&self, types: Value) -> Result<()> {
        let types = shapes::parse(&types, "types").napi()?;
        self.inner.enable_trace_event(types).await.napi()
    }

    #[napi]
    pub fn close(&self) {
        self.inner.close();
    }
}
