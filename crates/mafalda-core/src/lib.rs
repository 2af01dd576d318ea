//! Mafalda core: one logical mediasoup Router spread over many mediasoup workers.
//!
//! Two rooms, bottom up:
//! - `pool`: the workers of this process. `cpu`/`load` measure them, `scheduler`
//!   decides placements (pure), `webrtc_server` holds the WebRtcServers that live on them.
//! - `router`: one router made of per-worker routers (`shard`), the `pipes` between
//!   them, and the objects the app sees (`transport`, `producer`, `consumer`, ...),
//!   which wrap mediasoup's so that closing and routing stay consistent.
//! `mafalda` ties the two together; `shapes` reads mediasoup's JavaScript option
//! shapes; `control` runs the control-plane futures. Nothing here knows about Node.

pub mod cluster;
pub mod control;
pub mod error;
pub mod events;
pub mod mafalda;
pub mod pool;
pub mod router;
pub mod shapes;
mod slot;
pub mod versions;

pub use error::{ErrorKind, MafaldaError, Result};
pub use events::{Event, EventSink, Handle};
pub use mafalda::Mafalda;
pub use pool::scheduler::Policy;
pub use pool::webrtc_server::MafaldaWebRtcServer;
pub use pool::PoolOptions;
pub use router::consumer::MafaldaConsumer;
pub use router::data_consumer::MafaldaDataConsumer;
pub use router::data_producer::MafaldaDataProducer;
pub use router::producer::MafaldaProducer;
pub use router::rtp_observer::MafaldaRtpObserver;
pub use router::transport::MafaldaTransport;
pub use router::MafaldaRouter;

/// The mediasoup crate this core is built on, re-exported for embedders.
pub use mediasoup;
