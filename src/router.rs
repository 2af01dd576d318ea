use crate::errors::IntoNapi;
use crate::rtp_observer::NativeRtpObserver;
use crate::transport::NativeTransport;
use crate::webrtc_server::NativeWebRtcServer;
use mafalda_core::router::{ObserverKind, TransportKind};
use mafalda_core::{shapes, MafaldaRouter};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

#[napi]
pub struct NativeRouter {
    inner: MafaldaRouter,
}

impl From<MafaldaRouter> for NativeRouter {
    fn from(inner: MafaldaRouter) -> Self {
        Self { inner }
    }
}

#[napi]
impl NativeRouter {
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_string()
    }

    #[napi(getter)]
    pub fn handle(&self) -> i64 {
        self.inner.handle() as i64
    }

    #[napi(getter)]
    pub fn rtp_capabilities(&self) -> Value {
        serde_json::to_value(self.inner.rtp_capabilities()).unwrap_or_default()
    }

    /// On `webRtcServer` when given; else on its own `listenInfos` when the options
    /// have them; else on the pool's WebRtcServer of the worker it is placed on. In a
    /// cluster, on the node the placement chooses.
    #[napi(js_name = "createWebRtcTransport", ts_return_type = "Promise<NativeTransport>")]
    pub fn create_webrtc_transport<'env>(
        &self,
        env: &'env Env,
        options: Value,
        web_rtc_server: Option<&NativeWebRtcServer>,
    ) -> Result<PromiseRaw<'env, NativeTransport>> {
        let server = web_rtc_server.map(|s| s.core());
        let router = self.inner.clone();
        env.spawn_future(async move {
            Ok(router.create_transport_json(TransportKind::WebRtc, options, server).await.napi()?.into())
        })
    }

    #[napi]
    pub async fn create_plain_transport(&self, options: Value) -> Result<NativeTransport> {
        Ok(self.inner.create_transport_json(TransportKind::Plain, options, None).await.napi()?.into())
    }

    #[napi]
    pub async fn create_pipe_transport(&self, options: Value) -> Result<NativeTransport> {
        Ok(self.inner.create_transport_json(TransportKind::Pipe, options, None).await.napi()?.into())
    }

    #[napi]
    pub async fn create_direct_transport(&self, options: Option<Value>) -> Result<NativeTransport> {
        let options = options.unwrap_or(Value::Null);
        Ok(self.inner.create_transport_json(TransportKind::Direct, options, None).await.napi()?.into())
    }

    #[napi]
    pub async fn create_audio_level_observer(&self, options: Option<Value>) -> Result<NativeRtpObserver> {
        let options = options.unwrap_or(Value::Null);
        Ok(self.inner.create_observer_json(ObserverKind::AudioLevel, options).await.napi()?.into())
    }

    #[napi]
    pub async fn create_active_speaker_observer(&self, options: Option<Value>) -> Result<NativeRtpObserver> {
        let options = options.unwrap_or(Value::Null);
        Ok(self.inner.create_observer_json(ObserverKind::ActiveSpeaker, options).await.napi()?.into())
    }

    #[napi]
    pub fn can_consume(&self, producer_id: String, rtp_capabilities: Value) -> Result<bool> {
        let id = shapes::parse(&Value::String(producer_id), "producerId").napi()?;
        let caps = shapes::rtp_capabilities(&rtp_capabilities).napi()?;
        Ok(self.inner.can_consume(&id, &caps))
    }

    #[napi]
    pub async fn dump(&self) -> Result<Value> {
        self.inner.dump().await.napi()
    }

    #[napi]
    pub fn close(&self) {
        self.inner.close();
    }
}
