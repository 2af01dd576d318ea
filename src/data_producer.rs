use crate::errors::IntoNapi;
use crate::native_class::native_class;
use mafalda_core::router::data_consumer::message_from_ppid;
use mafalda_core::MafaldaDataProducer;
use napi::bindgen_prelude::*;
use napi_derive::napi;

native_class!(NativeDataProducer wraps MafaldaDataProducer, pausable);

#[napi]
impl NativeDataProducer {
    /// `ppid` 51 string, 53 binary, 56/57 empty string/binary (WebRTC PPIDs). Fire and
    /// forget, in the order of the calls.
    #[napi]
    pub fn send(&self, ppid: u32, payload: Buffer) -> Result<()> {
        let message = message_from_ppid(ppid, payload.to_vec()).napi()?;
        self.inner.send(message).napi()
    }

}
