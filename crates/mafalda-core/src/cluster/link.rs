//! The NATS connection of this node: connect (with the auth and TLS the app gave, and
//! an error naming the cause when refused), publish, and calls to other nodes with a
//! timeout.

use crate::cluster::options::ClusterOptions;
use crate::backing::protocol::{Call, Reply};
use crate::cluster::protocol::calls_of;
use crate::error::{ErrorKind, MafaldaError, Result};
use async_nats::connection::State;
use async_nats::{Client, ConnectError, ConnectErrorKind, ConnectOptions, RequestErrorKind};
use serde::Serialize;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub mod stats;

#[derive(Clone)]
pub struct Link {
    pub client: Client,
    pub node_id: String,
    request_timeout: Duration,
    calls: Arc<stats::CallStats>,
}

fn cluster_error(message: impl Into<String>) -> MafaldaError {
    MafaldaError::new(ErrorKind::Other, message)
}

/// Where the replies to this node's requests arrive (`<prefix>.<unique>`).
pub fn inbox_prefix(node_id: &str) -> String {
    format!("_INBOX.{node_id}")
}

/// A server URL without the user and password it may carry (`nats://user:pass@host`).
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}***{}", &url[..scheme + 3], &url[at..]),
        (None, Some(at)) => format!("***{}", &url[at..]),
        _ => url.to_string(),
    }
}

/// A client error text may quote what it could not parse: long words (key material,
/// JWTs) are hidden.
fn without_secrets(text: &str) -> String {
    text.split_whitespace()
        .map(|w| if w.len() > 40 { "<hidden>" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why the servers refused this node, in words an operator can act on; the client's
/// own text follows in parentheses.
fn connect_cause(error: &ConnectError, options: &ClusterOptions) -> String {
    let auth = &options.auth;
    let text = without_secrets(&error.to_string());
    let has = |s: &str| text.contains(s);
    let has_certificate = auth.tls.as_ref().is_some_and(|t| t.cert_file.is_some());
    let cause = match error.kind() {
        ConnectErrorKind::AuthorizationViolation if !auth.has_credentials() => {
            let certificate = if auth.describe() == "no credentials" { "" } else { " (only a client certificate)" };
            format!("authorization violation: the server requires credentials and none were given{certificate}")
        }
        ConnectErrorKind::AuthorizationViolation => format!("authorization violation: the server does not accept {}", auth.describe()),
        ConnectErrorKind::Authentication => format!("authentication failed: could not sign the server's challenge with {}", auth.describe()),
        _ if has("UnknownIssuer") => {
            "TLS: the server's certificate is not signed by a CA this node trusts (cluster.tls.caFile)".to_string()
        }
        _ if has("NotValidForName") => "TLS: the server's certificate does not name the host in the server URL".to_string(),
        _ if has("CertificateRequired") || (has("BadCertificate") && !has_certificate) => {
            "TLS: the server requires a client certificate (cluster.tls.certFile and keyFile)".to_string()
        }
        _ if has("UnknownCA") || has("BadCertificate") || has("DecryptError") => {
            "TLS: the server refused this node's client certificate (not signed by a CA the server trusts)".to_string()
        }
        _ if has("Expired") => "TLS: a certificate has expired".to_string(),
        ConnectErrorKind::Tls => "TLS failed".to_string(),
        ConnectErrorKind::ServerParse => "a server URL is not valid".to_string(),
        ConnectErrorKind::TimedOut => "no server answered within 5 s".to_string(),
        ConnectErrorKind::Io if has("refused") => "no server listens there (connection refused)".to_string(),
        ConnectErrorKind::Io => "the connection failed".to_string(),
        _ => "the connection failed".to_string(),
    };
    format!("{cause} ({text})")
}

impl Link {
    /// Fails at once (no retry loop) when the servers refuse this node (wrong or no
    /// credentials, a certificate either side does not trust): such a node never
    /// joins, and the error says why without showing any secret.
    pub async fn connect(options: &ClusterOptions) -> Result<Self> {
        let servers = options.servers.iter().map(|s| redact_url(s)).collect::<Vec<_>>().join(",");
        let refused = |cause: String| cluster_error(format!("cluster: cannot join through NATS at {servers}: {cause}"));
        let mut connect = ConnectOptions::new()
            .name(format!("mafalda-node {}", options.node_id))
            .connection_timeout(Duration::from_secs(5))
            .request_timeout(Some(options.request_timeout))
            // Replies to this node's calls come back under its own prefix, so that a
            // server can let each node read its own replies only (docs/cluster.md).
            .custom_inbox_prefix(inbox_prefix(&options.node_id))
            // Reconnect forever, quickly: a restarted nats-server is back within a second.
            .max_reconnects(None)
            .reconnect_delay_callback(|attempt| Duration::from_millis((100 * attempt as u64).min(1000)));
        let auth = &options.auth;
        if let Some(token) = &auth.token {
            connect = connect.token(token.clone());
        }
        if let (Some(user), Some(pass)) = (&auth.user, &auth.pass) {
            connect = connect.user_and_password(user.clone(), pass.clone());
        }
        if let Some(seed) = &auth.nkey {
            connect = connect.nkey(seed.clone());
        }
        if let Some(file) = &auth.creds_file {
            connect = connect
                .credentials_file(file)
                .await
                .map_err(|e| refused(format!("cannot use the credentials file {file}: {}", without_secrets(&e.to_string()))))?;
        }
        if let Some(tls) = &auth.tls {
            connect = connect.require_tls(true);
            for file in [&tls.ca_file, &tls.cert_file, &tls.key_file].into_iter().flatten() {
                if let Err(e) = std::fs::metadata(file) {
                    return Err(refused(format!("cannot read {file}: {e}")));
                }
            }
            if let Some(ca) = &tls.ca_file {
                connect = connect.add_root_certificates(PathBuf::from(ca));
            }
            if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
                connect = connect.add_client_certificate(PathBuf::from(cert), PathBuf::from(key));
            }
        }
        let client = connect
            // One address each: async-nats takes no comma-separated list.
            .connect(options.servers.as_slice())
            .await
            .map_err(|e| refused(connect_cause(&e, options)))?;
        Ok(Self { client, node_id: options.node_id.clone(), request_timeout: options.request_timeout, calls: Arc::default() })
    }

    /// Fire and forget; a message lost while disconnected is replaced by the next one.
    pub fn publish(&self, subject: String, body: &impl Serialize) {
        let Ok(bytes) = serde_json::to_vec(body) else { return };
        let client = self.client.clone();
        crate::control::spawn(move || async move {
            let _ = client.publish(subject, bytes.into()).await;
        });
    }

    /// Whether the connection to NATS is up (it reconnects by itself).
    pub fn connected(&self) -> bool {
        self.client.connection_state() == State::Connected
    }

    /// The connection's state and counters, and the calls' latencies (for metrics).
    pub fn stats(&self) -> Value {
        let s = self.client.statistics();
        serde_json::json!({
            "connected": self.connected(),
            "connects": s.connects.load(Ordering::Relaxed),
            "inMessages": s.in_messages.load(Ordering::Relaxed),
            "outMessages": s.out_messages.load(Ordering::Relaxed),
            "inBytes": s.in_bytes.load(Ordering::Relaxed),
            "outBytes": s.out_bytes.load(Ordering::Relaxed),
            "calls": self.calls.json(),
        })
    }

    /// `op` on `target` (a handle there) of node `node`: the reply's value, or the
    /// error there with its class kept, or an error naming the node and the call.
    /// While NATS is unreachable it fails at once rather than after the timeout.
    pub async fn call(&self, node: &str, op: &str, target: Option<u64>, args: Value) -> Result<Value> {
        let started = Instant::now();
        let (outcome, result) = self.call_once(node, op, target, args).await;
        self.calls.record(op, outcome, started.elapsed().as_secs_f64());
        result
    }

    async fn call_once(&self, node: &str, op: &str, target: Option<u64>, args: Value) -> (&'static str, Result<Value>) {
        if !self.connected() {
            return ("link_down", Err(cluster_error(format!("cluster link down (NATS unreachable, reconnecting): {op} on node {node} not sent"))));
        }
        let call = Call { from: self.node_id.clone(), op: op.to_string(), target, args };
        let body = match serde_json::to_vec(&call) {
            Ok(body) => body,
            Err(e) => return ("error", Err(cluster_error(e.to_string()))),
        };
        let message = match self.client.request(calls_of(node), body.into()).await {
            Ok(message) => message,
            Err(e) => {
                return match e.kind() {
                    RequestErrorKind::TimedOut => (
                        "timeout",
                        Err(cluster_error(format!("node {node} did not answer {op} within {} ms", self.request_timeout.as_millis()))),
                    ),
                    RequestErrorKind::NoResponders => ("no_responder", Err(cluster_error(format!("node {node} is gone ({op} found no responder)")))),
                    _ => ("link_down", Err(cluster_error(format!("cluster link down: {op} on node {node} failed ({e})")))),
                }
            }
        };
        match serde_json::from_slice::<Reply>(&message.payload) {
            Ok(Reply::Ok(value)) => ("ok", Ok(value)),
            Ok(Reply::Error { kind, message }) => ("error", Err(MafaldaError::new(ErrorKind::from_class_name(&kind), message))),
            Err(e) => ("error", Err(cluster_error(format!("node {node} answered {op} with a malformed reply: {e}")))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(redact_url("nats://media:s3cret@10.0.0.1:4222"), "nats://***@10.0.0.1:4222");
        assert_eq!(redact_url("tls://tok@nats.example:4443"), "tls://***@nats.example:4443");
        assert_eq!(redact_url("nats://10.0.0.1:4222"), "nats://10.0.0.1:4222");
        assert_eq!(redact_url("user:pw@host:4222"), "***@host:4222");
    }
}
