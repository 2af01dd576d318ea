//! Codecs, RTP parameters and capabilities, and the options of produce and consume.

use crate::error::{type_error, Result};
use crate::shapes::*;
use mediasoup::prelude::*;
use serde_json::Value;

pub fn media_codecs(value: &Value) -> Result<Vec<RtpCodecCapability>> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(codecs) => codecs
            .iter()
            .map(|codec| {
                // mediasoup ignores rtcpFeedback of router codecs; the crate wants it well formed.
                let mut codec = codec.clone();
                canonicalize_mime_type(&mut codec);
                let mime_type = codec.get("mimeType").cloned().unwrap_or(Value::Null);
                if serde_json::from_value::<mediasoup::types::rtp_parameters::MimeType>(mime_type.clone()).is_err() {
                    let shown = mime_type.as_str().map(str::to_string).unwrap_or_else(|| mime_type.to_string());
                    return Err(crate::error::unsupported(format!("media codec not supported [mimeType:{shown}]")));
                }
                if let Some(o) = codec.as_object_mut() {
                    o.entry("rtcpFeedback").or_insert_with(|| Value::Array(vec![]));
                    o.entry("parameters").or_insert_with(|| Value::Object(Object::new()));
                }
                parse(&codec, "media codec")
            })
            .collect(),
        _ => Err(type_error("if given, mediaCodecs must be an array")),
    }
}

/// The mime types the crate knows, in its spelling.
const MIME_TYPES: &[&str] = &[
    "audio/opus", "audio/multiopus", "audio/PCMU", "audio/PCMA", "audio/ISAC", "audio/G722", "audio/iLBC", "audio/SILK",
    "audio/CN", "audio/telephone-event", "audio/rtx", "audio/red", "video/VP8", "video/VP9", "video/H264", "video/AV1",
    "video/rtx", "video/red", "video/ulpfec",
];

/// mediasoup compares mime types case-insensitively (`video/h264`); the crate wants
/// its own spelling. Unknown ones are left as they are.
fn canonicalize_mime_type(codec: &mut Value) {
    let Some(o) = codec.as_object_mut() else { return };
    let Some(given) = o.get("mimeType").and_then(Value::as_str) else { return };
    if let Some(known) = MIME_TYPES.iter().find(|known| known.eq_ignore_ascii_case(given)) {
        o.insert("mimeType".into(), Value::String((*known).to_string()));
    }
}

/// Fills the defaults mediasoup's JS API allows to leave out of a codec.
fn normalize_codec(codec: &mut Value) -> Result<()> {
    canonicalize_mime_type(codec);
    let o = codec.as_object_mut().ok_or_else(|| type_error("codec must be an object"))?;
    let is_audio = o.get("mimeType").and_then(Value::as_str).is_some_and(|m| m.to_ascii_lowercase().starts_with("audio/"));
    o.entry("parameters").or_insert_with(|| Value::Object(Object::new()));
    let feedback = o.entry("rtcpFeedback").or_insert_with(|| Value::Array(vec![]));
    if let Some(entries) = feedback.as_array_mut() {
        for fb in entries.iter_mut().filter_map(Value::as_object_mut) {
            fb.entry("parameter").or_insert_with(|| Value::String(String::new()));
        }
    }
    if is_audio {
        o.entry("channels").or_insert(Value::from(1));
    }
    Ok(())
}

fn array_field<'a>(o: &'a mut Object, key: &str, what: &str) -> Result<&'a mut Vec<Value>> {
    o.entry(key).or_insert_with(|| Value::Array(vec![])).as_array_mut().ok_or_else(|| type_error(format!("{what}.{key} must be an array")))
}

/// RTP parameters in mediasoup's JS shape, with its optional fields filled in.
pub fn rtp_parameters(value: &Value) -> Result<RtpParameters> {
    let mut value = value.clone();
    let o = value.as_object_mut().ok_or_else(|| type_error("rtpParameters must be an object"))?;
    if !o.get("codecs").is_some_and(Value::is_array) {
        return Err(type_error("missing rtpParameters.codecs"));
    }
    for codec in array_field(o, "codecs", "rtpParameters")? {
        normalize_codec(codec)?;
    }
    for ext in array_field(o, "headerExtensions", "rtpParameters")?.iter_mut().filter_map(Value::as_object_mut) {
        ext.entry("encrypt").or_insert(Value::Bool(false));
        ext.remove("parameters");
    }
    array_field(o, "encodings", "rtpParameters")?;
    let rtcp = o.entry("rtcp").or_insert_with(|| Value::Object(Object::new()));
    if rtcp.is_null() {
        *rtcp = Value::Object(Object::new());
    }
    let rtcp = rtcp.as_object_mut().ok_or_else(|| type_error("rtpParameters.rtcp must be an object"))?;
    rtcp.entry("reducedSize").or_insert(Value::Bool(true));
    parse(&value, "rtpParameters")
}

/// RTP capabilities in mediasoup's JS shape. Codecs and header extensions this
/// worker does not know are left out (mediasoup ignores them as well).
pub fn rtp_capabilities(value: &Value) -> Result<RtpCapabilities> {
    let mut value = value.clone();
    let o = value.as_object_mut().ok_or_else(|| type_error("rtpCapabilities must be an object"))?;
    let codecs = array_field(o, "codecs", "rtpCapabilities")?;
    codecs.iter_mut().for_each(canonicalize_mime_type);
    codecs.retain(|c| c.get("mimeType").is_some_and(|m| serde_json::from_value::<mediasoup::types::rtp_parameters::MimeType>(m.clone()).is_ok()));
    for codec in codecs.iter_mut() {
        normalize_codec(codec)?;
    }
    let exts = array_field(o, "headerExtensions", "rtpCapabilities")?;
    exts.retain(|e| e.get("uri").is_some_and(|u| serde_json::from_value::<RtpHeaderExtensionUri>(u.clone()).is_ok()));
    for ext in exts.iter_mut().filter_map(Value::as_object_mut) {
        ext.entry("direction").or_insert_with(|| Value::String("sendrecv".into()));
        ext.entry("preferredEncrypt").or_insert(Value::Bool(false));
    }
    parse(&value, "rtpCapabilities")
}

pub fn produce(value: &Value) -> Result<ProducerOptions> {
    let o = object(value, "options")?;
    let kind: MediaKind = parse(required(o, "kind")?, "kind")?;
    let rtp_parameters = rtp_parameters(required(o, "rtpParameters")?)?;
    let mut options = match opt_str(o, "id")? {
        Some(id) => ProducerOptions::new_pipe_transport(parse(&Value::String(id.into()), "id")?, kind, rtp_parameters),
        None => ProducerOptions::new(kind, rtp_parameters),
    };
    options.paused = opt_bool(o, "paused")?.unwrap_or(false);
    if let Some(delay) = opt_u64(o, "keyFrameRequestDelay", u32::MAX as u64)? {
        options.key_frame_request_delay = delay as u32;
    }
    Ok(options)
}

pub fn consume(value: &Value) -> Result<ConsumerOptions> {
    let o = object(value, "options")?;
    let producer_id: ProducerId = parse(required(o, "producerId")?, "producerId")?;
    let rtp_capabilities: RtpCapabilities = match field(o, "rtpCapabilities") {
        Some(c) => rtp_capabilities(c)?,
        None => RtpCapabilities::default(),
    };
    let mut options = ConsumerOptions::new(producer_id, rtp_capabilities);
    options.paused = opt_bool(o, "paused")?.unwrap_or(false);
    options.mid = opt_str(o, "mid")?.map(str::to_string);
    options.preferred_layers = field(o, "preferredLayers").map(consumer_layers).transpose()?;
    options.pipe = opt_bool(o, "pipe")?.unwrap_or(false);
    options.enable_rtx = opt_bool(o, "enableRtx")?;
    options.ignore_dtx = opt_bool(o, "ignoreDtx")?.unwrap_or(false);
    Ok(options)
}

pub fn consumer_layers(value: &Value) -> Result<ConsumerLayers> {
    let o = object(value, "preferredLayers")?;
    Ok(ConsumerLayers {
        spatial_layer: opt_u64(o, "spatialLayer", 255)?.ok_or_else(|| type_error("missing spatialLayer"))? as u8,
        temporal_layer: opt_u64(o, "temporalLayer", 255)?.map(|t| t as u8),
    })
}
