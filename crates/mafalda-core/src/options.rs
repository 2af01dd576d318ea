//! `new Mafalda(options)`: what the app configures, read from its JavaScript shape —
//! the pool (scheduling, worker settings, the worker backing) and, for a node of a
//! cluster, the cluster. Above the pool and the cluster: neither knows the other.

use crate::cluster::options::{ClusterAuth, ClusterOptions, ClusterTls};
use crate::error::{type_error, Result};
use crate::host::binary::{default_host_binary, host_binary_in};
use crate::pool::scheduler::Policy;
use crate::pool::{PoolOptions, WorkerBacking};
use crate::shapes::{field, listen_infos, object, opt_f64, opt_str, opt_u64, worker_settings, Object};
use serde_json::Value;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct MafaldaOptions {
    pub pool: PoolOptions,
    /// Membership in a cluster of servers (`None`: this server alone).
    pub cluster: Option<ClusterOptions>,
}

impl MafaldaOptions {
    pub fn validate(&self) -> Result<()> {
        if self.pool.max_workers == Some(0) && self.cluster.is_none() {
            return Err(type_error("maxWorkers must be a positive integer (got 0; 0 is only for a signaling-only node of a cluster)"));
        }
        self.pool.validate()
    }
}

/// A server alone: the pool's options are all there is.
impl From<PoolOptions> for MafaldaOptions {
    fn from(pool: PoolOptions) -> Self {
        Self { pool, cluster: None }
    }
}

/// `new Mafalda(options)`. A process backing without `workerHost` runs the host
/// binary in `host_dir` (the addon's directory; `MAFALDA_WORKER_HOST` overrides it).
pub fn mafalda_options(value: &Value, host_dir: Option<&Path>) -> Result<MafaldaOptions> {
    let o = object(value, "options")?;
    let mut options = PoolOptions::default();
    let host = match opt_str(o, "workerHost")? {
        Some(path) => PathBuf::from(path),
        None => host_dir.map(host_binary_in).unwrap_or_else(default_host_binary),
    };
    options.backing = match opt_str(o, "workerBacking")?.unwrap_or("process") {
        "process" => WorkerBacking::Process(host),
        "thread" => WorkerBacking::Thread,
        other => return Err(type_error(format!("invalid workerBacking \"{other}\" (process or thread)"))),
    };
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
    let cluster = field(o, "cluster").map(cluster_options).transpose()?;
    let options = MafaldaOptions { pool: options, cluster };
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

/// `cluster: { servers, nodeId, announcedAddress, listenIp, token, user, pass, nkey, credsFile, tls, ... }`.
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
    fn workers_are_processes_unless_told_otherwise() {
        let o = mafalda_options(&json!({}), Some(Path::new("/opt/addon"))).unwrap();
        if std::env::var_os(crate::host::binary::HOST_BINARY_ENV).is_none() {
            assert_eq!(o.pool.backing, WorkerBacking::Process(PathBuf::from("/opt/addon/mafalda-worker-host")));
        }
        let o = mafalda_options(&json!({ "workerHost": "/x/host" }), None).unwrap();
        assert_eq!(o.pool.backing, WorkerBacking::Process(PathBuf::from("/x/host")));
        let o = mafalda_options(&json!({ "workerBacking": "thread" }), None).unwrap();
        assert_eq!(o.pool.backing, WorkerBacking::Thread);
        let e = mafalda_options(&json!({ "workerBacking": "fiber" }), None).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Type, "invalid workerBacking \"fiber\" (process or thread)"));
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
        let o = mafalda_options(&json!({ "maxWorkers": 0, "cluster": { "servers": "nats://127.0.0.1:4222", "announcedAddress": "127.0.0.2", "heartbeatInterval": 500 } }), None).unwrap();
        let c = o.cluster.expect("cluster options");
        assert_eq!(o.pool.max_workers, Some(0));
        assert_eq!((c.servers, c.listen_ip.to_string(), c.announced_address), (vec!["nats://127.0.0.1:4222".to_string()], "127.0.0.2".to_string(), "127.0.0.2".to_string()));
        assert_eq!((c.heartbeat_interval.as_millis(), c.node_timeout.as_millis()), (500, 1500));
        let e = cluster_options(&json!({ "announcedAddress": "127.0.0.2" })).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Type, "cluster.servers is required (a NATS URL or an array of URLs)"));
        let e = cluster_options(&json!({ "servers": ["nats://a"], "listenIp": "not-an-ip" })).unwrap_err();
        assert_eq!(e.message, "cluster.listenIp \"not-an-ip\" is not an IP address");
        let e = cluster_options(&json!({ "servers": "nats://a", "announcedAddress": "127.0.0.2", "heartbeatInterval": 1000, "nodeTimeout": 900 })).unwrap_err();
        assert_eq!(e.message, "cluster.nodeTimeout must be longer than cluster.heartbeatInterval");
        let e = mafalda_options(&json!({ "maxWorkers": 0 }), None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Type);
        assert!(e.message.contains("only for a signaling-only node"), "{}", e.message);
    }
}
