//! What the serving side holds for its owners, by handle.

use crate::{
    MafaldaConsumer, MafaldaDataConsumer, MafaldaDataProducer, MafaldaProducer, MafaldaRouter, MafaldaRtpObserver,
    MafaldaTransport, MafaldaWebRtcServer,
};
use std::time::Instant;

#[derive(Clone)]
pub(crate) enum Hosted {
    Router(MafaldaRouter),
    Transport(MafaldaTransport),
    Producer(MafaldaProducer),
    Consumer(MafaldaConsumer),
    Observer(MafaldaRtpObserver),
    DataProducer(MafaldaDataProducer),
    DataConsumer(MafaldaDataConsumer),
    WebRtcServer(MafaldaWebRtcServer),
}

impl Hosted {
    pub fn closed(&self) -> bool {
        match self {
            Hosted::Router(r) => r.closed(),
            Hosted::Transport(t) => t.closed(),
            Hosted::Producer(p) => p.closed(),
            Hosted::Consumer(c) => c.closed(),
            Hosted::Observer(o) => o.closed(),
            Hosted::DataProducer(d) => d.closed(),
            Hosted::DataConsumer(d) => d.closed(),
            Hosted::WebRtcServer(s) => s.closed(),
        }
    }
}

pub(crate) struct Entry {
    /// Who may call it: the node that owns it, or the parent of a worker host.
    pub owner: String,
    pub object: Hosted,
    pub since: Instant,
}
