//! mediasoup's JavaScript option shapes (3.x, up to 3.14) read into the options of
//! the mediasoup crate. Bad shapes are `TypeError`s naming the option; inputs are only
//! read, never changed.

use crate::router::data_consumer::DataReliability;
use crate::error::{type_error, Result};
use crate::cluster::options::{ClusterAuth, ClusterOptions, ClusterTls};
use crate::pool::PoolOptions;
use crate::pool::scheduler::Policy;
use mediasoup::prelude::*;
use mediasoup::types::data_structures::SocketFlags;
use mediasoup::worker::{WorkerDtlsFiles, WorkerLogLevel, WorkerLogTag, WorkerSettings};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::net::IpAddr;
use std::num::NonZeroU16;
use std::time::Duration;

type Object = Map<String, Value>;

fn empty() -> &'static Object {
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

fn field<'a>(o: &'a Object, key: &str) -> Option<&'a Value> {
    o.get(key).filter(|v| !v.is_null())
}

fn opt_bool(o: &Object, key: &str) -> Result<Option<bool>> {
    field(o, key)
        .map(|v| v.as_bool().ok_or_else(|| type_error(format!("{key} must be a boolean"))))
        .transpose()
}

fn opt_u64(o: &Object, key: &str, max: u64) -> Result<Option<u64>> {
    field(o, key)
        .map(|v| {
            v.as_u64()
                .filter(|n| *n <= max)
                .ok_or_else(|| type_error(format!("{key} must be an integer between 0 and {max}")))
        })
        .transpose()
}

fn opt_f64(o: &Object, key: &str) -> Result<Option<f64>> {
    field(o, key)
        .map(|v| v.as_f64().ok_or_else(|| type_error(format!("{key} must be a number"))))
        .transpose()
}

fn opt_str<'a>(o: &'a Object, key: &str) -> Result<Option<&'a str>> {
    field(o, key)
        .map(|v| v.as_str().ok_or_else(|| type_error(format!("{key} must be a string"))))
        .transpose()
}

/// Deserializes one option with serde; the error names the option.
pub fn parse<T: DeserializeOwned>(value: &Value, what: &str) -> Result<T> {
    serde_json::from_value(value.clone()).map_err(|e| type_error(format!("invalid {what}: {e}")))
}

fn required<'a>(o: &'a Object, key: &str) -> Result<&'a Value> {
    field(o, key).ok_or_else(|| type_error(format!("missing {key}")))
}

fn ip(value: &Value, what: &str) -> Result<IpAddr> {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| type_error(format!("{what} must be an IP address string")))
}

/// One listen info in mediasoup's 3.14 shape: `{ protocol, ip, announcedAddress
/// (or announcedIp), port, portRange: { min, max }, flags, sendBufferSize,
/// recvBufferSize, exposeInternalIp }`; a plain IP string is `{ ip }`.
pub fn listen_info(value: &Value, what: &str) -> Result<ListenInfo> {
    let o = match value {
        Value::String(_) => return Ok(udp_listen_info(ip(value, what)?)),
        Value::Object(o) => o,
        _ => return Err(type_error(format!("wrong {what} (not an object)"))),
    };
    let protocol = match opt_str(o, "protocol")?.unwrap_or("udp") {
        "udp" => Protocol::Udp,
        "tcp" => Protocol::Tcp,
        other => return Err(type_error(format!("invalid {what}.protocol \"{other}\""))),
    };
    let announced_address = match opt_str(o, "announcedAddress")? {
        Some(a) => Some(a),
        None => opt_str(o, "announcedIp")?,
    };
    let port_range = field(o, "portRange")
        .map(|r| {
            let r = object(r, "portRange")?;
            let min = opt_u64(r, "min", 65535)?.ok_or_else(|| type_error(format!("missing {what}.portRange.min")))? as u16;
            let max = opt_u64(r, "max", 65535)?.ok_or_else(|| type_error(format!("missing {what}.portRange.max")))? as u16;
            if min == 0 || min > max {
                return Err(type_error(format!("wrong {what}.portRange (min must be at least 1 and not greater than max)")));
            }
            Ok(min..=max)
        })
        .transpose()?;
    let flags = field(o, "flags")
        .map(|f| {
            let f = object(f, "flags")?;
            Ok(SocketFlags {
                ipv6_only: opt_bool(f, "ipv6Only")?.unwrap_or(false),
                udp_reuse_port: opt_bool(f, "udpReusePort")?.unwrap_or(false),
            })
        })
        .transpose()?;
    Ok(ListenInfo {
        protocol,
        ip: ip(required(o, "ip")?, &format!("{what}.ip"))?,
        announced_address: announced_address.map(str::to_string),
        expose_internal_ip: opt_bool(o, "exposeInternalIp")?.unwrap_or(false),
        // Port 0 means "any", as leaving it out.
        port: opt_u64(o, "port", 65535)?.map(|p| p as u16).filter(|p| *p != 0),
        port_range,
        flags,
        send_buffer_size: opt_u64(o, "sendBufferSize", i32::MAX as u64)?.map(|n| n as u32),
        recv_buffer_size: opt_u64(o, "recvBufferSize", i32::MAX as u64)?.map(|n| n as u32),
    })
}

/// A UDP listen info on `ip`, every other field left to the worker.
pub fn udp_listen_info(ip: IpAddr) -> ListenInfo {
    ListenInfo {
        protocol: Protocol::Udp,
        ip,
        announced_address: None,
        expose_internal_ip: false,
        port: None,
        port_range: None,
        flags: None,
        send_buffer_size: None,
        recv_buffer_size: None,
    }
}

/// The listen infos of a WebRtcTransport or WebRtcServer: a non-empty array.
pub fn listen_infos(o: &Object) -> Result<Vec<ListenInfo>> {
    let infos = required(o, "listenInfos")?
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| type_error("listenInfos must be a non-empty array"))?;
    infos.iter().map(|info| listen_info(info, "listenInfo")).collect()
}

/// The single listen address of plain and pipe transports (UDP only).
fn single_listen(o: &Object, key: &str) -> Result<ListenInfo> {
    let info = listen_info(required(o, key)?, key)?;
    if info.protocol != Protocol::Udp {
        return Err(type_error(format!("only UDP is supported in {key}")));
    }
    Ok(info)
}

/// mediasoup 3.14's `maxSctpMessageSize` bounds what is sent and received alike.
fn max_sctp_message_size(o: &Object) -> Result<Option<u32>> {
    Ok(opt_u64(o, "maxSctpMessageSize", u32::MAX as u64)?.map(|n| n as u32))
}

/// WebRtcTransport options: it listens on `server` when given, else on its own
/// `listenInfos`.
pub fn webrtc_transport_options(value: &Value, server: Option<WebRtcServer>) -> Result<WebRtcTransportOptions> {
    let o = object(value, "options")?;
    let mut options = match server {
        None => {
            let mut infos = listen_infos(o)?.into_iter();
            let first = infos.next().ok_or_else(|| type_error("empty listenInfos"))?;
            WebRtcTransportOptions::new(infos.fold(WebRtcTransportListenInfos::new(first), WebRtcTransportListenInfos::insert))
        }
        Some(server) => WebRtcTransportOptions::new_with_server(server),
    };
    // With listen infos the protocols come from the infos; with a server, from these flags.
    options.enable_udp = opt_bool(o, "enableUdp")?.unwrap_or(true);
    options.enable_tcp = opt_bool(o, "enableTcp")?.unwrap_or(options.enable_tcp);
    options.prefer_udp = opt_bool(o, "preferUdp")?.unwrap_or(false);
    options.prefer_tcp = opt_bool(o, "preferTcp")?.unwrap_or(false);
    if let Some(b) = opt_u64(o, "initialAvailableOutgoingBitrate", u32::MAX as u64)? {
        options.initial_available_outgoing_bitrate = b;
    }
    if let Some(t) = opt_u64(o, "iceConsentTimeout", 255)? {
        options.ice_consent_timeout = t as u8;
    }
    options.enable_sctp = opt_bool(o, "enableSctp")?.unwrap_or(false);
    if let Some(n) = max_sctp_message_size(o)? {
        options.max_send_message_size = n;
        options.max_receive_message_size = n;
    }
    if let Some(n) = opt_u64(o, "sctpSendBufferSize", u32::MAX as u64)? {
        options.sctp_send_buffer_size = n as u32;
    }
    if !options.enable_udp && !options.enable_tcp {
        return Err(type_error("enableUdp and enableTcp cannot be both false"));
    }
    Ok(options)
}

pub fn plain_transport_options(value: &Value) -> Result<PlainTransportOptions> {
    let o = object(value, "options")?;
    let mut options = PlainTransportOptions::new(single_listen(o, "listenInfo")?);
    options.rtcp_listen_info = field(o, "rtcpListenInfo").map(|_| single_listen(o, "rtcpListenInfo")).transpose()?;
    options.rtcp_mux = opt_bool(o, "rtcpMux")?.unwrap_or(true);
    options.comedia = opt_bool(o, "comedia")?.unwrap_or(false);
    options.enable_sctp = opt_bool(o, "enableSctp")?.unwrap_or(false);
    if let Some(n) = max_sctp_message_size(o)? {
        options.max_send_message_size = n;
        options.max_receive_message_size = n;
    }
    if let Some(n) = opt_u64(o, "sctpSendBufferSize", u32::MAX as u64)? {
        options.sctp_send_buffer_size = n as u32;
    }
    options.enable_srtp = opt_bool(o, "enableSrtp")?.unwrap_or(false);
    if let Some(suite) = field(o, "srtpCryptoSuite") {
        options.srtp_crypto_suite = parse(suite, "srtpCryptoSuite")?;
    }
    Ok(options)
}

pub fn pipe_transport_options(value: &Value) -> Result<PipeTransportOptions> {
    let o = object(value, "options")?;
    let mut options = PipeTransportOptions::new(single_listen(o, "listenInfo")?);
    options.enable_sctp = opt_bool(o, "enableSctp")?.unwrap_or(false);
    if let Some(n) = max_sctp_message_size(o)? {
        options.max_send_message_size = n;
        options.max_receive_message_size = n;
    }
    if let Some(n) = opt_u64(o, "sctpSendBufferSize", u32::MAX as u64)? {
        options.sctp_send_buffer_size = n as u32;
    }
    options.enable_rtx = opt_bool(o, "enableRtx")?.unwrap_or(false);
    options.enable_srtp = opt_bool(o, "enableSrtp")?.unwrap_or(false);
    Ok(options)
}

pub fn direct_transport_options(value: &Value) -> Result<DirectTransportOptions> {
    let o = object(value, "options")?;
    let mut options = DirectTransportOptions::default();
    if let Some(n) = opt_u64(o, "maxMessageSize", u32::MAX as u64)? {
        options.max_send_message_size = n as u32;
        options.max_receive_message_size = n as u32;
    }
    Ok(options)
}

pub fn webrtc_connect(value: &Value) -> Result<DtlsParameters> {
    let o = object(value, "connect parameters")?;
    parse(required(o, "dtlsParameters")?, "dtlsParameters")
}

pub fn plain_connect(value: &Value) -> Result<PlainTransportRemoteParameters> {
    let o = object(value, "connect parameters")?;
    Ok(PlainTransportRemoteParameters {
        ip: field(o, "ip").map(|v| ip(v, "ip")).transpose()?,
        port: opt_u64(o, "port", 65535)?.map(|p| p as u16),
        rtcp_port: opt_u64(o, "rtcpPort", 65535)?.map(|p| p as u16),
        srtp_parameters: field(o, "srtpParameters").map(|v| parse(v, "srtpParameters")).transpose()?,
    })
}

pub fn pipe_connect(value: &Value) -> Result<PipeTransportRemoteParameters> {
    let o = object(value, "connect parameters")?;
    Ok(PipeTransportRemoteParameters {
        ip: ip(required(o, "ip")?, "ip")?,
        port: opt_u64(o, "port", 65535)?.ok_or_else(|| type_error("missing port"))? as u16,
        srtp_parameters: field(o, "srtpParameters").map(|v| parse(v, "srtpParameters")).transpose()?,
    })
}

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

pub fn produce_data(value: &Value, direct: bool) -> Result<DataProducerOptions> {
    let o = object(value, "options")?;
    let mut options = if direct {
        DataProducerOptions::new_direct()
    } else {
        let params: SctpStreamParameters = parse(required(o, "sctpStreamParameters")?, "sctpStreamParameters")?;
        DataProducerOptions::new_sctp(params)
    };
    options.label = opt_str(o, "label")?.unwrap_or_default().to_string();
    options.protocol = opt_str(o, "protocol")?.unwrap_or_default().to_string();
    options.paused = opt_bool(o, "paused")?.unwrap_or(false);
    Ok(options)
}

/// The data producer to consume, how, and whether the consumer starts paused.
pub fn consume_data(value: &Value) -> Result<(DataProducerId, DataReliability, bool)> {
    let o = object(value, "options")?;
    let id: DataProducerId = parse(required(o, "dataProducerId")?, "dataProducerId")?;
    let reliability = if let Some(life) = opt_u64(o, "maxPacketLifeTime", 65535)? {
        DataReliability::LifeTime(life as u16)
    } else if let Some(retransmits) = opt_u64(o, "maxRetransmits", 65535)? {
        DataReliability::Retransmits(retransmits as u16)
    } else {
        match opt_bool(o, "ordered")? {
            Some(true) => DataReliability::Ordered,
            Some(false) => DataReliability::Retransmits(0),
            // Inherit the data producer's reliability, as mediasoup does.
            None => DataReliability::AsProducer,
        }
    };
    Ok((id, reliability, opt_bool(o, "paused")?.unwrap_or(false)))
}

pub fn audio_level_observer_options(value: &Value) -> Result<AudioLevelObserverOptions> {
    let o = object(value, "options")?;
    let mut options = AudioLevelObserverOptions::default();
    if let Some(n) = opt_u64(o, "maxEntries", 65535)? {
        options.max_entries = NonZeroU16::new(n as u16).ok_or_else(|| type_error("maxEntries must be at least 1"))?;
    }
    if let Some(t) = field(o, "threshold") {
        let t = t.as_i64().filter(|t| (-127..=0).contains(t)).ok_or_else(|| type_error("threshold must be an integer between -127 and 0"))?;
        options.threshold = t as i8;
    }
    if let Some(i) = opt_u64(o, "interval", 65535)? {
        options.interval = i as u16;
    }
    Ok(options)
}

pub fn active_speaker_observer_options(value: &Value) -> Result<ActiveSpeakerObserverOptions> {
    let o = object(value, "options")?;
    let mut options = ActiveSpeakerObserverOptions::default();
    if let Some(i) = opt_u64(o, "interval", 65535)? {
        options.interval = i as u16;
    }
    Ok(options)
}

pub fn worker_settings(value: &Value) -> Result<WorkerSettings> {
    let o = object(value, "workerSettings")?;
    let mut settings = WorkerSettings::default();
    if let Some(level) = opt_str(o, "logLevel")? {
        settings.log_level = log_level(level)?;
    }
    if let Some(tags) = field(o, "logTags") {
        let tags = tags.as_array().ok_or_else(|| type_error("logTags must be an array"))?;
        settings.log_tags = tags
            .iter()
            .map(|t| t.as_str().ok_or_else(|| type_error("logTags must be strings")).and_then(log_tag))
            .collect::<Result<_>>()?;
    }
    let min = opt_u64(o, "rtcMinPort", 65535)?.unwrap_or(10000) as u16;
    let max = opt_u64(o, "rtcMaxPort", 65535)?.unwrap_or(59999) as u16;
    if min > max {
        return Err(type_error("rtcMinPort must not be greater than rtcMaxPort"));
    }
    settings.rtc_port_range = min..=max;
    let cert = opt_str(o, "dtlsCertificateFile")?;
    let key = opt_str(o, "dtlsPrivateKeyFile")?;
    match (cert, key) {
        (Some(c), Some(k)) => {
            settings.dtls_files = Some(WorkerDtlsFiles { certificate: c.into(), private_key: k.into() })
        }
        (None, None) => {}
        _ => return Err(type_error("dtlsCertificateFile and dtlsPrivateKeyFile go together")),
    }
    Ok(settings)
}

pub fn log_level(level: &str) -> Result<WorkerLogLevel> {
    Ok(match level {
        "debug" => WorkerLogLevel::Debug,
        "warn" => WorkerLogLevel::Warn,
        "error" => WorkerLogLevel::Error,
        "none" => WorkerLogLevel::None,
        other => return Err(type_error(format!("invalid logLevel \"{other}\""))),
    })
}

pub fn log_tag(tag: &str) -> Result<WorkerLogTag> {
    Ok(match tag {
        "info" => WorkerLogTag::Info,
        "ice" => WorkerLogTag::Ice,
        "dtls" => WorkerLogTag::Dtls,
        "rtp" => WorkerLogTag::Rtp,
        "srtp" => WorkerLogTag::Srtp,
        "rtcp" => WorkerLogTag::Rtcp,
        "rtx" => WorkerLogTag::Rtx,
        "bwe" => WorkerLogTag::Bwe,
        "score" => WorkerLogTag::Score,
        "simulcast" => WorkerLogTag::Simulcast,
        "svc" => WorkerLogTag::Svc,
        "sctp" => WorkerLogTag::Sctp,
        "message" => WorkerLogTag::Message,
        other => return Err(type_error(format!("invalid logTag \"{other}\""))),
    })
}

/// `new Mafalda(options)`: pool and scheduling options.
pub fn pool_options(value: &Value) -> Result<PoolOptions> {
    let o = object(value, "options")?;
    let mut options = PoolOptions::default();
    if let Some(v) = field(o, "maxWorkers") {
        let n = v.as_u64().ok_or_else(|| type_error("maxWorkers must be a positive integer"))?;
        options.max_workers = Some(n as usize);
    }
    if let Some(ms) = opt_u64(o, "workerIdleTimeout", u32::MAX as u64)? {
        options.worker_idle_timeout = Duration::from_millis(ms);
    }
    if let Some(w) = opt_f64(o, "watermark")? {
        options.watermark = w;
    }
    if let Some(c) = opt_f64(o, "roomCeiling")? {
        options.room_ceiling = c;
    }
    if let Some(p) = opt_str(o, "policy")? {
        options.policy = Policy::parse(p).ok_or_else(|| type_error(format!("invalid policy \"{p}\" (pack, spread, least-loaded or one-room-per-worker)")))?;
    }
    if let Some(ms) = opt_u64(o, "sampleInterval", 60_000)? {
        options.sample_interval = Duration::from_millis(ms.max(10));
    }
    if let Some(settings) = field(o, "workerSettings") {
        options.worker_settings = worker_settings(settings)?;
    }
    if let Some(server) = field(o, "webRtcServerOptions") {
        options.webrtc_server = Some(listen_infos(object(server, "webRtcServerOptions")?)?);
    }
    if let Some(cluster) = field(o, "cluster") {
        options.cluster = Some(cluster_options(cluster)?);
    }
    options.validate()?;
    Ok(options)
}

/// `token`, `user`/`pass`, `nkey` (a seed), `credsFile`: at most one of them; `tls:
/// { caFile, certFile, keyFile }` with any. Messages name fields, never their values.
fn cluster_auth(o: &Object) -> Result<ClusterAuth> {
    let text = |key: &str| -> Result<Option<String>> {
        match field(o, key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(type_error(format!("cluster.{key} must be a non-empty string"))),
        }
    };
    let auth = ClusterAuth {
        token: text("token")?,
        user: text("user")?,
        pass: text("pass")?,
        nkey: text("nkey")?,
        creds_file: text("credsFile")?,
        tls: None,
    };
    if auth.user.is_some() != auth.pass.is_some() {
        return Err(type_error("cluster.user and cluster.pass go together"));
    }
    let forms = [auth.token.is_some(), auth.user.is_some(), auth.nkey.is_some(), auth.creds_file.is_some()];
    if forms.iter().filter(|f| **f).count() > 1 {
        return Err(type_error("give one of cluster.token, cluster.user/pass, cluster.nkey and cluster.credsFile"));
    }
    let Some(tls) = field(o, "tls") else { return Ok(auth) };
    let t = object(tls, "cluster.tls")?;
    let tls = ClusterTls {
        ca_file: opt_str(t, "caFile")?.map(str::to_string),
        cert_file: opt_str(t, "certFile")?.map(str::to_string),
        key_file: opt_str(t, "keyFile")?.map(str::to_string),
    };
    if tls.cert_file.is_some() != tls.key_file.is_some() {
        return Err(type_error("cluster.tls.certFile and cluster.tls.keyFile go together"));
    }
    Ok(ClusterAuth { tls: Some(tls), ..auth })
}

/// `cluster: { servers, nodeId, announcedAddress, listenIp, token, user, pass, tls, ... }`.
pub fn cluster_options(value: &Value) -> Result<ClusterOptions> {
    let o = object(value, "cluster")?;
    let servers_field = field(o, "servers").ok_or_else(|| type_error("cluster.servers is required (a NATS URL or an array of URLs)"))?;
    let servers: Vec<String> = match servers_field {
        Value::String(s) => s.split(',').map(|url| url.trim().to_string()).filter(|url| !url.is_empty()).collect(),
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(|s| s.as_str().map(str::to_string).ok_or_else(|| type_error("cluster.servers must be a URL or an array of URLs")))
            .collect::<Result<_>>()?,
        _ => return Err(type_error("cluster.servers must be a URL or an array of URLs")),
    };
    if servers.is_empty() {
        return Err(type_error("cluster.servers must be a URL or an array of URLs"));
    }
    let announced = opt_str(o, "announcedAddress")?;
    let listen = opt_str(o, "listenIp")?.or(announced).ok_or_else(|| type_error("cluster.announcedAddress (or cluster.listenIp) is required"))?;
    let listen_ip: IpAddr = listen.parse().map_err(|_| type_error(format!("cluster.listenIp \"{listen}\" is not an IP address")))?;
    let mut options = ClusterOptions::new(servers, announced.unwrap_or(listen).to_string(), listen_ip);
    if let Some(id) = opt_str(o, "nodeId")? {
        options.node_id = id.to_string();
    }
    options.auth = cluster_auth(o)?;
    let ms = |key: &str, min: u64| -> Result<Option<Duration>> {
        Ok(opt_u64(o, key, 3_600_000)?.map(|v| Duration::from_millis(v.max(min))))
    };
    if let Some(d) = ms("heartbeatInterval", 50)? {
        options.heartbeat_interval = d;
    }
    options.node_timeout = ms("nodeTimeout", 100)?.unwrap_or(options.heartbeat_interval * 3);
    if let Some(d) = ms("requestTimeout", 100)? {
        options.request_timeout = d;
    }
    if options.node_timeout <= options.heartbeat_interval {
        return Err(type_error("cluster.nodeTimeout must be longer than cluster.heartbeatInterval"));
    }
    if let Some(free) = opt_f64(o, "minFreeCores")? {
        options.min_free_cores = free;
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
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
        let e = pool_options(&json!({ "maxWorkers": 0 })).unwrap_err();
        assert!(e.message.contains("maxWorkers"), "{}", e.message);
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
    fn cluster_credentials_take_one_form_and_errors_show_no_secret() {
        let base = json!({ "servers": "tls://127.0.0.1:4222", "announcedAddress": "127.0.0.2" });
        let with = |extra: Value| {
            let mut o = base.clone();
            o.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            cluster_options(&o)
        };
        let c = with(json!({ "servers": "nats://127.0.0.1:4222, nats://127.0.0.1:4223" })).unwrap();
        assert_eq!(c.servers, ["nats://127.0.0.1:4222", "nats://127.0.0.1:4223"]);
        let c = with(json!({ "nkey": "SUAKEY", "tls": { "caFile": "/ca.pem", "certFile": "/c.pem", "keyFile": "/k.pem" } })).unwrap();
        assert_eq!(c.auth.nkey.as_deref(), Some("SUAKEY"));
        assert_eq!(c.auth.tls.unwrap().cert_file.as_deref(), Some("/c.pem"));
        assert_eq!(with(json!({ "credsFile": "/n.creds" })).unwrap().auth.creds_file.as_deref(), Some("/n.creds"));
        let e = with(json!({ "token": "tok-secret", "user": "u", "pass": "pw-secret" })).unwrap_err();
        assert_eq!(e.message, "give one of cluster.token, cluster.user/pass, cluster.nkey and cluster.credsFile");
        let e = with(json!({ "user": "u" })).unwrap_err();
        assert_eq!(e.message, "cluster.user and cluster.pass go together");
        let e = with(json!({ "pass": 42 })).unwrap_err();
        assert_eq!(e.message, "cluster.pass must be a non-empty string");
        let e = with(json!({ "tls": { "certFile": "/c.pem" } })).unwrap_err();
        assert_eq!(e.message, "cluster.tls.certFile and cluster.tls.keyFile go together");
    }

    #[test]
    fn cluster_options_are_checked_and_default_as_documented() {
        let o = pool_options(&json!({ "maxWorkers": 0, "cluster": { "servers": "nats://127.0.0.1:4222", "announcedAddress": "127.0.0.2", "heartbeatInterval": 500 } })).unwrap();
        let c = o.cluster.expect("cluster options");
        assert_eq!(o.max_workers, Some(0));
        assert_eq!((c.servers, c.listen_ip.to_string(), c.announced_address), (vec!["nats://127.0.0.1:4222".to_string()], "127.0.0.2".to_string(), "127.0.0.2".to_string()));
        assert_eq!((c.heartbeat_interval.as_millis(), c.node_timeout.as_millis()), (500, 1500));
        let e = cluster_options(&json!({ "announcedAddress": "127.0.0.2" })).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Type, "cluster.servers is required (a NATS URL or an array of URLs)"));
        let e = cluster_options(&json!({ "servers": ["nats://a"], "listenIp": "not-an-ip" })).unwrap_err();
        assert_eq!(e.message, "cluster.listenIp \"not-an-ip\" is not an IP address");
        let e = cluster_options(&json!({ "servers": "nats://a", "announcedAddress": "127.0.0.2", "heartbeatInterval": 1000, "nodeTimeout": 900 })).unwrap_err();
        assert_eq!(e.message, "cluster.nodeTimeout must be longer than cluster.heartbeatInterval");
        let e = pool_options(&json!({ "maxWorkers": 0 })).unwrap_err();
        assert!(e.message.contains("only for a signaling-only node"), "{}", e.message);
    }

    #[test]
    fn a_webrtc_transport_needs_listen_infos_or_a_server() {
        let e = webrtc_transport_options(&json!({ "listenInfos": [] }), None).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Type, "listenInfos must be a non-empty array"));
        let o = webrtc_transport_options(&json!({ "listenInfos": [{ "ip": "127.0.0.1" }], "iceConsentTimeout": 5 }), None).unwrap();
        assert_eq!(o.ice_consent_timeout, 5);
    }
}
