use crate::errors::IntoNapi;
use mafalda_core::data_consumer::message_from_ppid;
use mafalda_core::MafaldaDataProducer;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

#[napi]
pub struct NativeDataProducer {
    inner: MafaldaDataProducer,
}

impl From<MafaldaDataProducer> for NativeDataProducer {
    fn from(inner: MafaldaDataProducer) -> Self {
        Self { inner }
    }
}

#[napi]
impl NativeDataProducer {
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
    pub async fn dump(&self) -> Result<Value> {
        self.inner.dump().await.napi()
    }

    #[napi]
    pub async fn get_stats(&self) -> Result<Value> {
        self.inner.get_stats().await.napi()
    }

    /// `ppid` 51 string, 53 binary, 56/57 empty string/binary (WebRTC PPIDs). Fire and
    /// forget, in the order of the calls.
    #[napi]
    pub fn send(&self, ppid: u32, payload: Buffer) -> Result<()> {
        let message = message_from_ppid(ppid, payload.to_vec()).napi()?;
        self.inner.send_in_order(message).napi()
    }

    #[napi]
    pub fn close(&self) {
        self.inner.close();
    }
}
