use crate::errors::IntoNapi;
use crate::rtp_observer::NativeRtpObserver;
use crate::transport::NativeTransport;
use crate::webrtc_server::NativeWebRtcServer;
use mafalda_core::router::WebRtcListen;
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
    /// have them; else on the pool's WebRtcServer of the worker it is placed on.
    #[napi(js_name = "createWebRtcTransport", ts_return_type = "Promise<NativeTransport>")]
    pub fn create_webrtc_transport<'env>(
        &self,
        env: &'env Env,
        options: Value,
        web_rtc_server: Option<&NativeWebRtcServer>,
    ) -> Result<PromiseRaw<'env, NativeTransport>> {
        let listen = match web_rtc_server {
            Some(server) => WebRtcListen::Server(server.core()),
            None if options.get("listenInfos").is_some_and(|v| !v.is_null()) => WebRtcListen::Own,
            None => WebRtcListen::PoolServer,
        };
        let router = self.inner.clone();
        env.spawn_future(async move {
            let build = move |server| shapes::webrtc_transport_options(&options, server);
            Ok(router.create_webrtc_transport(listen, build).await.napi()?.into())
        })
    }

    #[napi]
    pub async fn create_plain_transport(&self, options: Value) -> Result<NativeTransport> {
        let options = shapes::plain_transport_options(&options).napi()?;
        Ok(self.inner.create_plain_transport(options).await.napi()?.into())
    }

    #[napi]
    pub async fn create_pipe_transport(&self, options: Value) -> Result<NativeTransport> {
        let options = shapes::pipe_transport_options(&options).napi()?;
        Ok(self.inner.create_pipe_transport(options).await.napi()?.into())
    }

    #[napi]
    pub async fn create_direct_transport(&self, options: Option<Value>) -> Result<NativeTransport> {
        let options = shapes::direct_transport_options(&options.unwrap_or(Value::Null)).napi()?;
        Ok(self.inner.create_direct_transport(options).await.napi()?.into())
    }

    #[napi]
    pub async fn create_audio_level_observer(&self, options: Option<Value>) -> Result<NativeRtpObserver> {
        let options = shapes::audio_level_observer_options(&options.unwrap_or(Value::Null)).napi()?;
        Ok(self.inner.create_audio_level_observer(options).await.napi()?.into())
    }

    #[napi]
    pub async fn create_active_speaker_observer(&self, options: Option<Value>) -> Result<NativeRtpObserver> {
        let options = shapes::active_speaker_observer_options(&options.unwrap_or(Value::Null)).napi()?;
        Ok(self.inner.create_active_speaker_observer(options).await.napi()?.into())
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
