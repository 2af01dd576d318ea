//! A shard: the mediasoup router that one `MafaldaRouter` has on one worker.
//!
//! A `MafaldaRouter` is the union of its shards. Transports live on exactly one
//! shard; a producer consumed from another shard is piped there.

use event_listener_primitives::HandlerId;
use mediasoup::router::Router;
use mediasoup::worker::WorkerId;
use mediasoup::transport::TransportId;
use std::collections::HashSet;

pub(crate) struct Shard {
    /// Pool key of the worker.
    pub key: u64,
    pub worker_id: WorkerId,
    pub router: Router,
    /// App-visible transports placed here.
    pub transports: HashSet<TransportId>,
    /// RTP observers placed here.
    pub observers: usize,
    pub _on_worker_close: HandlerId,
}

impl Shard {
    /// Holds nothing of its own; pipes through it are checked by the router.
    pub fn holds_nothing(&self) -> bool {
        self.transports.is_empty() && self.observers == 0
    }
}
