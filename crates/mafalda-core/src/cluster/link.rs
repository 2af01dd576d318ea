//! The NATS connection of this node: connect (with the auth and TLS the app gave),
//! publish, and calls to other nodes with a timeout.

use crate::cluster::options::ClusterOptions;
use crate::backing::protocol::{Call, Reply};
use crate::cluster::protocol::calls_of;
use crate::error::{ErrorKind, MafaldaError, Result};
use async_nats::connection::State;
use async_nats::{Client, ConnectOptions, RequestErrorKind};
use serde::Serialize;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone)]
pub struct Link {
    pub client: Client,
    pub node_id: String,
    request_timeout: Duration,
}

fn cluster_error(message: impl Into<String>) -> MafaldaError {
    MafaldaError::new(ErrorKind::Other, message)
}

impl Link {
    /// Fails at once (no retry) when the servers refuse this node, e.g. wrong
    /// credentials: such a node never joins.
    pub async fn connect(options: &ClusterOptions) -> Result<Self> {
        let mut connect = ConnectOptions::new()
            .name(format!("mafalda-node {}", options.node_id))
            .connection_timeout(Duration::from_secs(5))
            .request_timeout(Some(options.request_timeout))
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
        if let Some(tls) = &auth.tls {
            connect = connect.require_tls(true);
            if let Some(ca) = &tls.ca_file {
                connect = connect.add_root_certificates(PathBuf::from(ca));
            }
            if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
                connect = connect.add_client_certificate(PathBuf::from(cert), PathBuf::from(key));
            }
        }
        let servers = options.servers.join(",");
        let client = connect
            .connect(servers.as_str())
            .await
            .map_err(|e| cluster_error(format!("cluster: cannot join through NATS at {servers}: {e}")))?;
        Ok(Self { client, node_id: options.node_id.clone(), request_timeout: options.request_timeout })
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

    /// `op` on `target` (a handle there) of node `node`: the reply's value, or the
    /// error there with its class kept, or an error naming the node and the call.
    /// While NATS is unreachable it fails at once rather than after the timeout.
    pub async fn call(&self, node: &str, op: &str, target: Option<u64>, args: Value) -> Result<Value> {
        if !self.connected() {
            return Err(cluster_error(format!("cluster link down (NATS unreachable, reconnecting): {op} on node {node} not sent")));
        }
        let call = Call { from: self.node_id.clone(), op: op.to_string(), target, args };
        let body = serde_json::to_vec(&call).map_err(|e| cluster_error(e.to_string()))?;
        let message = self.client.request(calls_of(node), body.into()).await.map_err(|e| match e.kind() {
            RequestErrorKind::TimedOut => cluster_error(format!(
                "node {node} did not answer {op} within {} ms",
                self.request_timeout.as_millis()
            )),
            RequestErrorKind::NoResponders => cluster_error(format!("node {node} is gone ({op} found no responder)")),
            _ => cluster_error(format!("cluster link down: {op} on node {node} failed ({e})")),
        })?;
        match serde_json::from_slice::<Reply>(&message.payload) {
            Ok(Reply::Ok(value)) => Ok(value),
            Ok(Reply::Error { kind, message }) => Err(MafaldaError::new(ErrorKind::from_class_name(&kind), message)),
            Err(e) => Err(cluster_error(format!("node {node} answered {op} with a malformed reply: {e}"))),
        }
    }
}
