//! Transport options and the parameters of their `connect()`.

use crate::error::{type_error, Result};
use crate::shapes::*;
use mediasoup::prelude::*;
use serde_json::Value;
use mediasoup::plain_transport::PlainTransportRemoteParameters;
use mediasoup::pipe_transport::PipeTransportRemoteParameters;

/// mediasoup 3.14's `maxSctpMessageSize` bounds what is sent and received alike.
pub(crate) fn max_sctp_message_size(o: &Object) -> Result<Option<u32>> {
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
