//! Worker settings: log level and tags, ports, DTLS files.

use crate::error::{type_error, Result};
use crate::shapes::*;
use serde_json::Value;
use mediasoup::worker::{WorkerDtlsFiles, WorkerLogLevel, WorkerLogTag, WorkerSettings};

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
