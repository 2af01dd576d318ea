//! mediasoup's JavaScript option shapes (3.x, up to 3.14) read into the options of
//! the mediasoup crate, by domain: `listen` (listen infos), `transports` (transport
//! options and connect parameters), `media` (codecs, RTP parameters and capabilities,
//! produce and consume), `data` (data producers and consumers), `observers` (RTP
//! observers), `worker` (worker settings). Bad shapes are `TypeError`s naming the
//! option; inputs are only read, never changed. This room knows only mediasoup's
//! types: the pool's and the cluster's options are read in `options.rs`.

pub mod data;
pub mod listen;
pub mod media;
pub mod observers;
pub mod transports;
pub mod worker;

pub use data::*;
pub use listen::*;
pub use media::*;
pub use observers::*;
pub use transports::*;
pub use worker::*;

use crate::error::{type_error, Result};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::net::IpAddr;

pub(crate) type Object = Map<String, Value>;

pub(crate) fn empty() -> &'static Object {
    static EMPTY: std::sync::OnceLock<Object> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Object::new)
}

/// `undefined`/`null` read as `{}`; anything else must be an object.
pub fn object<'a>(value: &'a Value, what: &str) -> Result<&'a Object> {
    match value {
        Value::Null => Ok(empty()),
        Value::Object(o) => Ok(o),
        _ => Err(type_error(format!("{what} must be an object"))),
    }
}

pub(crate) fn field<'a>(o: &'a Object, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| !v.is_null())
}

pub(crate) fn opt_bool(o: &Object, key: &str) -> Result<Option<bool>> {
    field(o, key)
        .map(|v| v.as_bool().ok_or_else(|| type_error(format!("{key} must be a boolean"))))
        .transpose()
}

pub(crate) fn opt_u64(o: &Object, key: &str, max: u64) -> Result<Option<u64>> {
    field(o, key)
        .map(|v| {
            v.as_u64()
                .filter(|n| *n <= max)
                .ok_or_else(|| type_error(format!("{key} must be an integer between 0 and {max}")))
        })
        .transpose()
}

pub(crate) fn opt_f64(o: &Object, key: &str) -> Result<Option<f64>> {
    field(o, key)
        .map(|v| v.as_f64().ok_or_else(|| type_error(format!("{key} must be a number"))))
        .transpose()
}

pub(crate) fn opt_str<'a>(o: &'a Object, key: &str) -> Result<Option<&'a str>> {
    field(o, key)
        .map(|v| v.as_str().ok_or_else(|| type_error(format!("{key} must be a string"))))
        .transpose()
}

/// Deserializes one option with serde; the error names the option.
pub fn parse<T: DeserializeOwned>(value: &Value, what: &str) -> Result<T> {
    serde_json::from_value(value.clone()).map_err(|e| type_error(format!("invalid {what}: {e}")))
}

pub(crate) fn required<'a>(o: &'a Object, key: &str) -> Result<&'a Value> {
    field(o, key).ok_or_else(|| type_error(format!("missing {key}")))
}

pub(crate) fn ip(value: &Value, what: &str) -> Result<IpAddr> {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| type_error(format!("{what} must be an IP address string")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use mediasoup::prelude::Protocol;
    use serde_json::json;

    #[test]
    fn reads_mediasoup_codec_shapes() {
        let codecs = media_codecs(&json!([
            { "kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2 },
            { "kind": "video", "mimeType": "video/VP8", "clockRate": 90000, "parameters": { "x-google-start-bitrate": 1000 } }
        ]))
        .unwrap();
        assert_eq!(codecs.len(), 2);
    }

    #[test]
    fn bad_shapes_are_type_errors_naming_the_option() {
        let e = media_codecs(&json!("x")).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Type, "if given, mediaCodecs must be an array"));
        let e = webrtc_transport_options(&json!({}), None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type);
        let e = plain_transport_options(&json!({ "listenInfo": { "ip": "not-an-ip" } })).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type);
    }

    #[test]
    fn listen_infos_keep_every_field_mediasoup_has() {
        let info = listen_info(
            &json!({
                "protocol": "tcp", "ip": "127.0.0.1", "announcedAddress": "media.example.com",
                "portRange": { "min": 40000, "max": 40010 }, "flags": { "ipv6Only": true },
                "sendBufferSize": 1048576, "recvBufferSize": 2097152, "exposeInternalIp": true
            }),
            "listenInfo",
        )
        .unwrap();
        assert_eq!(info.protocol, Protocol::Tcp);
        assert_eq!(info.announced_address.as_deref(), Some("media.example.com"));
        assert_eq!(info.port_range, Some(40000..=40010));
        assert_eq!(info.flags.map(|f| (f.ipv6_only, f.udp_reuse_port)), Some((true, false)));
        assert_eq!((info.send_buffer_size, info.recv_buffer_size), (Some(1048576), Some(2097152)));
        assert!(info.expose_internal_ip);
        let e = listen_info(&json!({ "ip": "127.0.0.1", "portRange": { "min": 5, "max": 4 } }), "listenInfo").unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Type, "wrong listenInfo.portRange (min must be at least 1 and not greater than max)"));
    }

    #[test]
    fn a_webrtc_transport_needs_listen_infos_or_a_server() {
        let e = webrtc_transport_options(&json!({ "listenInfos": [] }), None).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Type, "listenInfos must be a non-empty array"));
        let o = webrtc_transport_options(&json!({ "listenInfos": [{ "ip": "127.0.0.1" }], "iceConsentTimeout": 5 }), None).unwrap();
        assert_eq!(o.ice_consent_timeout, 5);
    }
}
