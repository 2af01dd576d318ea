use crate::errors::IntoNapi;
use crate::native_class::native_class;
use mafalda_core::{shapes, MafaldaConsumer};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

native_class!(NativeConsumer wraps MafaldaConsumer, pausable);

#[napi]
impl NativeConsumer {
    /// Whether its producer was piped in from another worker.
    #[napi(getter)]
    pub fn piped(&self) -> bool {
        self.inner.piped()
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
    pub async fn enable_trace_event(&self, types: Value) -> Result<()> {
        let types = shapes::parse(&types, "types").napi()?;
        self.inner.enable_trace_event(types).await.napi()
    }
}
