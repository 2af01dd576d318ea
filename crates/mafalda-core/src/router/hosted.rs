//! A router's share of a process worker: its shard there is a *part* in the worker's
//! host (an ordinary router of the host's one-worker pool), and its transports and
//! RTP observers are made by calls to that part — the calls a node of the cluster
//! answers for other nodes, through the same serving code (`serve`). The objects
//! come back as `Remote` backings; the router keeps their directory, places them,
//! pipes between them and closes them as it does for thread workers.

use crate::backing::peer::Peer;
use crate::backing::remote::RemoteObject;
use crate::backing::Backing;
use crate::error::{unsupported, ErrorKind, MafaldaError, Result};
use crate::pool::load::Holdings;
use crate::pool::webrtc_server::MafaldaWebRtcServer;
use crate::pool::Placed;
use crate::router::rtp_observer::MafaldaRtpObserver;
use crate::router::shard::Shard;
use crate::router::transport::{AnyTransport, MafaldaTransport};
use crate::router::{ObserverKind, RouterInner, TransportKind};
use crate::shapes;
use mediasoup::prelude::*;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;

/// The call that creates a transport of `kind` on a part.
pub(crate) fn create_transport_op(kind: TransportKind) -> &'static str {
    match kind {
        TransportKind::WebRtc => "router.createWebRtcTransport",
        TransportKind::Plain => "router.createPlainTransport",
        TransportKind::Pipe => "router.createPipeTransport",
        TransportKind::Direct => "router.createDirectTransport",
    }
}

pub(crate) fn create_observer_op(kind: ObserverKind) -> &'static str {
    match kind {
        ObserverKind::AudioLevel => "router.createAudioLevelObserver",
        ObserverKind::ActiveSpeaker => "router.createActiveSpeakerObserver",
    }
}

fn part_of(shard: Backing<Router>) -> Result<Arc<RemoteObject>> {
    match shard {
        Backing::Remote(part) => Ok(part),
        Backing::Local(_) => Err(MafaldaError::new(ErrorKind::Other, "a thread worker in a pool of worker processes")),
    }
}

impl RouterInner {
    /// This router's part in `host` (called by `ensure_shard`, which serializes it).
    pub(crate) async fn create_hosted_shard(self: &Arc<Self>, placed: &Placed, peer: Arc<dyn Peer>) -> Result<Backing<Router>> {
        let args = json!({ "routerId": self.id, "mediaCodecs": self.media_codecs });
        let reply = peer.call("router.create", None, args, None).await?;
        let (Some(handle), Some(router_id)) = (reply["handle"].as_u64(), reply["id"].as_str()) else {
            return Err(MafaldaError::new(ErrorKind::Other, format!("{} answered router.create without a handle", peer.name())));
        };
        let router_id = router_id.to_string();
        let part = RemoteObject::new(peer, handle, reply["rtpCapabilities"].clone());
        let key = placed.key;
        self.state.lock().shards.insert(
            key,
            Shard {
                key,
                worker_id: placed.worker.id(),
                router_id,
                router: Backing::Remote(part.clone()),
                transports: HashSet::new(),
                observers: 0,
                _on_worker_close: None,
            },
        );
        self.pool.shard_opened(key);
        Ok(Backing::Remote(part))
    }

    /// A transport from mediasoup's JS options on the process worker the pool
    /// chooses (a WebRtcServer's on that server's worker).
    pub(crate) async fn create_hosted_transport(
        self: &Arc<Self>,
        kind: TransportKind,
        mut options: Value,
        server: Option<MafaldaWebRtcServer>,
    ) -> Result<MafaldaTransport> {
        let reserve = Holdings { transports: 1, ..Holdings::default() };
        let placed = match &server {
            Some(server) => {
                let Backing::Remote(there) = server.inner.server.get()? else {
                    return Err(unsupported("a WebRtcServer of a worker thread in a pool of worker processes"));
                };
                options["webRtcServer"] = json!(there.handle);
                let subject = format!("webrtc transport (on its WebRtcServer's worker) of router {}", self.id);
                self.pool.place_on(server.inner.key, subject, reserve).await?
            }
            None => self.place(format!("{} transport", kind.name()), reserve).await?,
        };
        let part = part_of(self.ensure_shard_or_release(&placed).await?)?;
        let created = match part.create(create_transport_op(kind), options).await {
            Ok((remote, id)) => shapes::parse::<TransportId>(&json!(id), "id").map(|id| (id, AnyTransport::Remote(kind.name(), remote))),
            Err(e) => Err(e),
        };
        self.register_transport(placed, created)
    }

    /// An RTP observer from mediasoup's JS options on the process worker the pool chooses.
    pub(crate) async fn create_hosted_observer(self: &Arc<Self>, kind: ObserverKind, options: Value) -> Result<MafaldaRtpObserver> {
        let what = match kind {
            ObserverKind::AudioLevel => "audio level observer",
            ObserverKind::ActiveSpeaker => "active speaker observer",
        };
        let placed = self.place(what.to_string(), Holdings::default()).await?;
        let part = part_of(self.ensure_shard(&placed).await?)?;
        let (remote, id) = part.create(create_observer_op(kind), options).await.inspect_err(|_| self.collect_empty_shards())?;
        let id: RtpObserverId = shapes::parse(&json!(id), "id")?;
        let observer = MafaldaRtpObserver::new_remote(self, placed.key, None, remote, id);
        Ok(self.add_observer(placed.key, observer))
    }
}
