use crate::errors::IntoNapi;
use crate::native_class::native_class;
use mafalda_core::router::data_consumer::message_from_ppid;
use mafalda_core::MafaldaDataConsumer;
use napi::bindgen_prelude::*;
use napi_derive::napi;

native_class!(NativeDataConsumer wraps MafaldaDataConsumer, pausable);

#[napi]
impl NativeDataConsumer {
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
}
