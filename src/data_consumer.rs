use crate::errors::IntoNapi;
use mafalda_core::data_consumer::message_from_ppid;
use mafalda_core::MafaldaDataConsumer;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

#[napi]
pub struct NativeDataConsumer {
    inner: MafaldaDataConsumer,
}

impl From<MafaldaDataConsumer> for NativeDataConsumer {
    fn from(inner: MafaldaDataConsumer) -> Self {
        Self { inner }
    }
}

#[napi]
impl NativeDataConsumer {
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

    #[napi]
    pub async fn get_buffered_amount(&self) -> Result<u32> {
        self.inner.get_buffered_amount().await.napi()
    }

    #[napi]
    pub async fn set_buffered_amount_low_threshold(&self, threshold: u32) -> Result<()> {
        self.inner.set_buffered_amount_low_threshold(threshold).await.napi()
    }

    #[napi]
    pub async fn send(&self, ppid: u32, payload: Buffer) -> Result<()> {
        let message = message_from_ppid(ppid, payload.to_vec()).napi()?;
        self.inner.send(message).await.napi()
    }

    #[napi]
    pub fn close(&self) {
        self.inner.close();
    }
}
