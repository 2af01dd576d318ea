//! Module-level functions of mediasoup's API that need no worker.

use mafalda_core::mediasoup::supported_rtp_capabilities::get_supported_rtp_capabilities;
use napi_derive::napi;
use serde_json::Value;

/// The RTP capabilities this worker generation supports, in mediasoup's JS shape.
#[napi]
pub fn supported_rtp_capabilities() -> Value {
    serde_json::to_value(get_supported_rtp_capabilities()).unwrap_or_default()
}

/// `{ openssl, libuv, libsrtp, libsrtpCrypto }`: the versions the worker runs on, read from the
/// linked libraries of this process.
#[napi]
pub fn native_versions() -> Value {
    serde_json::to_value(mafalda_core::versions::native_versions()).unwrap_or_default()
}
