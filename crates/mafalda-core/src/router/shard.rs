//! A shard: the router that one `MafaldaRouter` has on one worker — a mediasoup
//! router of a worker thread, or a part in a worker host process.
//!
//! A `MafaldaRouter` is the union of its shards. Transports live on exactly one
//! shard; a producer consumed from another shard is piped there.

use crate::backing::Backing;
use event_listener_primitives::HandlerId;
use mediasoup::router::Router;
use mediasoup::transport::TransportId;
use mediasoup::worker::WorkerId;
use std::collections::HashSet;

pub(crate) struct Shard {
    /// Pool key of the worker.
    pub key: u64,
    pub worker_id: WorkerId,
    /// The id of the router there (mediasoup's, or the part's).
    pub router_id: String,
    pub router: Backing<Router>,
    /// App-visible transports placed here.
    pub transports: HashSet<TransportId>,
    /// RTP observers placed here.
    pub observers: usize,
    /// A thread worker's router tells when its worker closes; a host's death is told
    /// by the pool.
    pub _on_worker_close: Option<HandlerId>,
}

impl Shard {
    /// Holds nothing of its own; pipes through it are checked by the router.
    pub fn holds_nothing(&self) -> bool {
        self.transports.is_empty() && self.observers == 0
    }
}

impl Drop for Shard {
    fn drop(&mut self) {
        // A mediasoup router closes with its last handle; a part is closed by a call.
        if let Backing::Remote(part) = &self.router {
            part.close("router.close");
        }
    }
}
