use crate::errors::IntoNapi;
use mafalda_core::{shapes, MafaldaRtpObserver};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

#[napi]
pub struct NativeRtpObserver {
    inner: MafaldaRtpObserver,
}

impl From<MafaldaRtpObserver> for NativeRtpObserver {
    fn from(inner: MafaldaRtpObserver) -> Self {
        Self { inner }
    }
}

#[napi]
impl NativeRtpObserver {
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.inner.id()
    }

    #[napi(getter)]
    pub fn handle(&self) -> i64 {
        self.inner.handle() as i64
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
    pub async fn add_producer(&self, producer_id: String) -> Result<()> {
        let id = shapes::parse(&Value::String(producer_id), "producerId").napi()?;
        self.inner.add_producer(id).await.napi()
    }

    #[napi]
    pub async fn remove_producer(&self, producer_id: String) -> Result<()> {
        let id = shapes::parse(&Value::String(producer_id), "producerId").napi()?;
        self.inner.remove_producer(id).await.napi()
    }

    #[napi]
    pub fn close(&self) {
        self.inner.close();
    }
}
