use crate::errors::IntoNapi;
use mafalda_core::{shapes, MafaldaProducer};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

#[napi]
pub struct NativeProducer {
    inner: MafaldaProducer,
}

impl From<MafaldaProducer> for NativeProducer {
    fn from(inner: MafaldaProducer) -> Self {
        Self { inner }
    }
}

#[napi]
impl NativeProducer {
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.inner.id()
    }

    #[napi(getter)]
    pub fn handle(&self) -> i64 {
        self.inner.handle() as i64
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
    pub fn send(&self, rtp_packet: Buffer) -> Result<()> {
        self.inner.send_in_order(rtp_packet.to_vec()).napi()
    }

    #[napi]
    pub fn close(&self) {
        self.inner.close();
    }
}
