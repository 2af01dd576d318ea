//! The media every room uses, in mediasoup's JavaScript shapes: router codecs,
//! the publishers' RTP parameters and the subscribers' RTP capabilities.

use crate::room::Protection;
use crate::rtp::{self, Kind};
use crate::srtp::Suite;
use mafalda_core::mediasoup::prelude::*;
use mafalda_core::shapes;
use serde_json::{json, Value};

pub fn router_codecs() -> Vec<RtpCodecCapability> {
    shapes::media_codecs(&json!([
        { "kind": "audio", "mimeType": "audio/opus", "clockRate": 48000, "channels": 2 },
        { "kind": "video", "mimeType": "video/VP8", "clockRate": 90000 }
    ]))
    .expect("valid router codecs")
}

fn header_extensions(kind: Kind) -> Value {
    let mut extensions = vec![
        json!({ "uri": "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", "id": rtp::EXT_ABS_SEND_TIME }),
        json!({ "uri": "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", "id": rtp::EXT_TRANSPORT_WIDE_CC }),
    ];
    if kind == Kind::Audio {
        extensions.push(json!({ "uri": "urn:ietf:params:rtp-hdrext:ssrc-audio-level", "id": rtp::EXT_AUDIO_LEVEL }));
    }
    Value::Array(extensions)
}

/// What a browser-like publisher declares for one stream (mediasoup's JS shape).
pub fn produce_json(kind: Kind, ssrc: u32) -> Value {
    let (kind_name, codec) = match kind {
        Kind::Audio => ("audio", json!({ "mimeType": "audio/opus", "payloadType": rtp::OPUS_PAYLOAD_TYPE, "clockRate": 48000, "channels": 2 })),
        Kind::Video => (
            "video",
            json!({
                "mimeType": "video/VP8", "payloadType": rtp::VP8_PAYLOAD_TYPE, "clockRate": 90000,
                "rtcpFeedback": [{ "type": "nack" }, { "type": "nack", "parameter": "pli" }, { "type": "ccm", "parameter": "fir" }]
            }),
        ),
    };
    json!({
        "kind": kind_name,
        "rtpParameters": {
            "codecs": [codec],
            "headerExtensions": header_extensions(kind),
            "encodings": [{ "ssrc": ssrc }],
            "rtcp": { "cname": format!("publisher-{ssrc}"), "reducedSize": true }
        }
    })
}

pub fn produce_options(kind: Kind, ssrc: u32) -> ProducerOptions {
    shapes::produce(&produce_json(kind, ssrc)).expect("valid producer options")
}

/// The router's capabilities without bandwidth estimation (transport-cc, REMB): our
/// subscribers send no feedback, and a blind estimator would only add probing traffic.
pub fn subscriber_capabilities(router: &RtpCapabilitiesFinalized) -> Value {
    let mut caps = serde_json::to_value(router).expect("capabilities serialize");
    if let Some(codecs) = caps["codecs"].as_array_mut() {
        for codec in codecs {
            if let Some(feedback) = codec["rtcpFeedback"].as_array_mut() {
                feedback.retain(|fb| !matches!(fb["type"].as_str(), Some("transport-cc" | "goog-remb")));
            }
        }
    }
    if let Some(extensions) = caps["headerExtensions"].as_array_mut() {
        extensions.retain(|e| !e["uri"].as_str().is_some_and(|u| u.contains("transport-wide-cc")));
    }
    caps
}

pub fn consume_json(producer_id: &str, capabilities: &Value) -> Value {
    json!({ "producerId": producer_id, "rtpCapabilities": capabilities })
}

pub fn consume_options(producer_id: &str, capabilities: &Value) -> ConsumerOptions {
    shapes::consume(&consume_json(producer_id, capabilities)).expect("valid consumer options")
}

pub fn plain_transport_json(comedia: bool, protection: Protection) -> Value {
    let mut options = json!({ "listenInfo": { "protocol": "udp", "ip": "127.0.0.1" }, "rtcpMux": true, "comedia": comedia });
    if let Some(suite) = protection.suite() {
        options["enableSrtp"] = json!(true);
        options["srtpCryptoSuite"] = json!(suite.name());
    }
    options
}

pub fn plain_transport_options(comedia: bool, protection: Protection) -> PlainTransportOptions {
    shapes::plain_transport_options(&plain_transport_json(comedia, protection)).expect("valid plain transport options")
}

/// Connects to `address`. An SRTP transport also wants the keys of what it receives:
/// our subscribers send nothing, so its own parameters do.
pub fn connect_json(address: std::net::SocketAddr, srtp_parameters: Option<&Value>) -> Value {
    let mut parameters = json!({ "ip": address.ip().to_string(), "port": address.port() });
    if let Some(srtp) = srtp_parameters.filter(|p| !p.is_null()) {
        parameters["srtpParameters"] = srtp.clone();
    }
    parameters
}

pub fn connect_to(
    address: std::net::SocketAddr,
    srtp_parameters: Option<&Value>,
) -> mafalda_core::mediasoup::plain_transport::PlainTransportRemoteParameters {
    shapes::plain_connect(&connect_json(address, srtp_parameters)).expect("valid connect parameters")
}

/// (suite, keyBase64) of a transport's `srtpParameters` in mediasoup's JS shape.
pub fn srtp_key(srtp_parameters: &Value) -> Option<(Suite, String)> {
    let suite = Suite::parse(srtp_parameters["cryptoSuite"].as_str()?)?;
    Some((suite, srtp_parameters["keyBase64"].as_str()?.to_string()))
}
