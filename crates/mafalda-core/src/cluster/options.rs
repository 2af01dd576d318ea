//! `cluster: { ... }` of `new Mafalda()`: how this node reaches NATS and how the
//! other nodes reach its media.

use std::net::IpAddr;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// NATS server URLs (`nats://host:port`, `tls://host:port`): any of them, the
    /// others when one goes (servers of one NATS cluster, joined by routes).
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

/// How this node proves who it is to NATS; passed through to `async-nats`. At most
/// one of token, user/pass, nkey and creds file (TLS client certificates go with any).
#[derive(Clone, Default)]
pub struct ClusterAuth {
    pub token: Option<String>,
    pub user: Option<String>,
    pub pass: Option<String>,
    /// An nkey seed (`SU...`): the server knows the user by its public key.
    pub nkey: Option<String>,
    /// A NATS credentials file (user JWT and nkey seed), for servers in operator mode.
    pub creds_file: Option<String>,
    pub tls: Option<ClusterTls>,
}

impl ClusterAuth {
    /// Whether a token, user, nkey or creds file is given (a client certificate aside).
    pub fn has_credentials(&self) -> bool {
        self.token.is_some() || self.user.is_some() || self.nkey.is_some() || self.creds_file.is_some()
    }

    /// What the server is shown, without any secret: for error messages.
    pub fn describe(&self) -> String {
        let mut forms = Vec::new();
        if self.token.is_some() {
            forms.push("a token".to_string());
        }
        if let Some(user) = &self.user {
            forms.push(format!("user \"{user}\" with a password"));
        }
        if self.nkey.is_some() {
            forms.push("an nkey".to_string());
        }
        if let Some(file) = &self.creds_file {
            forms.push(format!("the credentials file {file}"));
        }
        if self.tls.as_ref().is_some_and(|t| t.cert_file.is_some()) {
            forms.push("a client certificate".to_string());
        }
        if forms.is_empty() {
            "no credentials".to_string()
        } else {
            forms.join(" and ")
        }
    }
}

/// Secrets never reach a log through `{:?}`.
impl std::fmt::Debug for ClusterAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClusterAuth({}", self.describe())?;
        if let Some(tls) = &self.tls {
            write!(f, ", {tls:?}")?;
        }
        write!(f, ")")
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_secret_is_printed() {
        let auth = ClusterAuth {
            user: Some("media".into()),
            pass: Some("hunter2-secret".into()),
            token: Some("tok-secret".into()),
            nkey: Some("SUAsecretseed".into()),
            ..ClusterAuth::default()
        };
        let shown = format!("{auth:?} {}", auth.describe());
        for secret in ["hunter2-secret", "tok-secret", "SUAsecretseed"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("user \"media\" with a password"), "{shown}");
    }
}
