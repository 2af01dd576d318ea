use crate::consumer::NativeConsumer;
use crate::data_consumer::NativeDataConsumer;
use crate::data_producer::NativeDataProducer;
use crate::errors::IntoNapi;
use crate::native_class::native_class;
use crate::producer::NativeProducer;
use mafalda_core::{shapes, MafaldaTransport};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

native_class!(NativeTransport wraps MafaldaTransport);

#[napi]
impl NativeTransport {
    /// "webrtc", "plain", "pipe" or "direct".
    #[napi(getter)]
    pub fn kind(&self) -> String {
        self.inner.kind().to_string()
    }

    #[napi(getter)]
    pub fn worker_id(&self) -> Option<String> {
        self.inner.worker_id()
    }

    /// Node of the cluster it lives on; `null`: this one.
    #[napi(getter)]
    pub fn node_id(&self) -> Option<String> {
        self.inner.node_id()
    }

    /// Connects with the parameters of this transport's kind; resolves to the new state.
    #[napi]
    pub async fn connect(&self, params: Value) -> Result<Value> {
        self.inner.connect_json(params).await.napi()
    }

    #[napi]
    pub async fn restart_ice(&self) -> Result<Value> {
        self.inner.restart_ice().await.napi()
    }

    #[napi]
    pub async fn set_max_incoming_bitrate(&self, bitrate: u32) -> Result<()> {
        self.inner.set_max_incoming_bitrate(bitrate.into()).await.napi()
    }

    #[napi]
    pub async fn set_max_outgoing_bitrate(&self, bitrate: u32) -> Result<()> {
        self.inner.set_max_outgoing_bitrate(bitrate.into()).await.napi()
    }

    #[napi]
    pub async fn set_min_outgoing_bitrate(&self, bitrate: u32) -> Result<()> {
        self.inner.set_min_outgoing_bitrate(bitrate.into()).await.napi()
    }

    #[napi]
    pub async fn enable_trace_event(&self, types: Value) -> Result<()> {
        let types = shapes::parse(&types, "types").napi()?;
        self.inner.enable_trace_event(types).await.napi()
    }

    #[napi]
    pub async fn send_rtcp(&self, packet: Buffer) -> Result<()> {
        self.inner.send_rtcp(packet.to_vec()).await.napi()
    }

    #[napi]
    pub async fn produce(&self, options: Value) -> Result<NativeProducer> {
        Ok(self.inner.produce_json(options).await.napi()?.into())
    }

    #[napi]
    pub async fn consume(&self, options: Value) -> Result<NativeConsumer> {
        Ok(self.inner.consume_json(options).await.napi()?.into())
    }

    #[napi]
    pub async fn produce_data(&self, options: Option<Value>) -> Result<NativeDataProducer> {
        Ok(self.inner.produce_data_json(options.unwrap_or(Value::Null)).await.napi()?.into())
    }

    #[napi]
    pub async fn consume_data(&self, options: Value) -> Result<NativeDataConsumer> {
        Ok(self.inner.consume_data_json(options).await.napi()?.into())
    }
}
