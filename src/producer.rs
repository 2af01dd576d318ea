use crate::errors::IntoNapi;
use crate::native_class::native_class;
use mafalda_core::{shapes, MafaldaProducer};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

native_class!(NativeProducer wraps MafaldaProducer, pausable);

#[napi]
impl NativeProducer {
    #[napi]
    pub async fn enable_trace_event(&self, types: Value) -> Result<()> {
        let types = shapes::parse(&types, "types").napi()?;
        self.inner.enable_trace_event(types).await.napi()
    }

    #[napi]
    pub fn send(&self, rtp_packet: Buffer) -> Result<()> {
        self.inner.send(rtp_packet.to_vec()).napi()
    }
}
