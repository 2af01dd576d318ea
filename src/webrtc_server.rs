use crate::native_class::native_class;
use mafalda_core::MafaldaWebRtcServer;
use napi_derive::napi;

native_class!(NativeWebRtcServer wraps MafaldaWebRtcServer);

#[napi]
impl NativeWebRtcServer {
    /// Id of the pool worker the server lives on.
    #[napi(getter)]
    pub fn worker_id(&self) -> Option<String> {
        self.inner.worker_id()
    }
}

impl NativeWebRtcServer {
    pub(crate) fn core(&self) -> MafaldaWebRtcServer {
        self.inner.clone()
    }
}
