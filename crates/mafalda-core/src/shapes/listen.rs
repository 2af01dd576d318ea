//! Listen infos: where transports and WebRtcServers listen.

use crate::error::{type_error, Result};
use crate::shapes::*;
use mediasoup::prelude::*;
use serde_json::Value;
use mediasoup::types::data_structures::SocketFlags;
use std::net::IpAddr;

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
pub(crate) fn single_listen(o: &Object, key: &str) -> Result<ListenInfo> {
    let info = listen_info(required(o, key)?, key)?;
    if info.protocol != Protocol::Udp {
        return Err(type_error(format!("only UDP is supported in {key}")));
    }
    Ok(info)
}
