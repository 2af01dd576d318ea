//! Mafalda core: one logical mediasoup Router spread over many mediasoup workers.
//!
//! Rooms, bottom up (each uses only the ones above it in this list; the test
//! `tests/rooms.rs` keeps it so):
//! - `shapes`: mediasoup's JavaScript option shapes, by domain;
//! - `backing`: **the seam** — what an object stands on (a worker thread here, or a
//!   `RemoteObject` behind a `Peer`: a worker process or another node), and the
//!   call/event protocol of the remote backings;
//! - `host`: the process backing, pool side (a worker host child and its channel);
//! - `pool`: the workers (threads or processes): `cpu`/`load` measure them,
//!   `scheduler` decides placements (pure), `webrtc_server` holds WebRtcServers;
//! - `router`: one router made of per-worker routers (`shard`), the `pipes` between
//!   them, and the objects the app sees (`transport`, `producer`, `consumer`, ...);
//! - `serve`: the serving side of the seam (what a worker host and a cluster node
//!   answer), `over_channel` being the worker host's loop;
//! - `cluster`: the servers, over NATS;
//! - `options` reads the app's options; `mafalda` ties it all together.
//! `control` runs the control-plane futures. Nothing here knows about Node.

pub mod backing;
pub mod cluster;
pub mod control;
pub mod error;
pub mod events;
pub mod host;
pub mod mafalda;
pub mod options;
pub mod pool;
pub mod router;
pub mod serve;
pub mod shapes;
mod slot;
pub mod versions;

pub use error::{ErrorKind, MafaldaError, Result};
pub use events::{Event, EventSink, Handle};
pub use mafalda::Mafalda;
pub use pool::scheduler::Policy;
pub use pool::webrtc_server::MafaldaWebRtcServer;
pub use options::MafaldaOptions;
pub use pool::{PoolOptions, WorkerBacking};
pub use router::consumer::MafaldaConsumer;
pub use router::data_consumer::MafaldaDataConsumer;
pub use router::data_producer::MafaldaDataProducer;
pub use router::producer::MafaldaProducer;
pub use router::rtp_observer::MafaldaRtpObserver;
pub use router::transport::MafaldaTransport;
pub use router::MafaldaRouter;

/// The mediasoup crate this core is built on, re-exported for embedders.
pub use mediasoup;
