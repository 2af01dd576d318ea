//! `cluster: { ... }` of `new Mafalda()`: how this node reaches NATS and how the
//! other nodes reach its media.

use std::net::IpAddr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// NATS server URLs (`nats://host:port`).
    pub servers: Vec<String>,
    /// Unique in the cluster.
    pub node_id: String,
    /// What clients and other nodes use to reach this node's media.
    pub announced_address: String,
    /// Where this node's transports and pipes listen.
    pub listen_ip: IpAddr,
    pub auth: ClusterAuth,
    pub heartbeat_interval: Duration,
    /// Without a heartbeat for this long, a node is lost.
    pub node_timeout: Duration,
    /// How long a call to an object on another node may take.
    pub request_timeout: Duration,
    /// Free capacity (in idle cores, over every node) under which `needmoreservers` fires.
    pub min_free_cores: f64,
}

/// Passed through to NATS as given.
#[derive(Debug, Clone, Default)]
pub struct ClusterAuth {
    pub token: Option<String>,
    pub user: Option<String>,
    pub pass: Option<String>,
    pub tls: Option<ClusterTls>,
}

#[derive(Debug, Clone, Default)]
pub struct ClusterTls {
    /// CA certificate (PEM file) the servers' certificates are checked against.
    pub ca_file: Option<String>,
    /// Client certificate and key (PEM files), for servers that verify clients.
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
}

impl ClusterOptions {
    pub fn new(servers: Vec<String>, announced_address: String, listen_ip: IpAddr) -> Self {
        Self {
            servers,
            node_id: uuid::Uuid::new_v4().to_string(),
            announced_address,
            listen_ip,
            auth: ClusterAuth::default(),
            heartbeat_interval: Duration::from_millis(1000),
            node_timeout: Duration::from_millis(3000),
            request_timeout: Duration::from_millis(5000),
            min_free_cores: 0.5,
        }
    }
}
