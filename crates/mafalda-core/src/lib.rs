//! Mafalda core: one logical mediasoup Router spread over many mediasoup workers.
//!
//! Layers, bottom up: `cpu`/`load` measure workers, `scheduler` decides placements
//! (pure), `pool` runs workers, `router` + `shard` + `pipes` make one router out of
//! per-worker routers, and the object modules (`transport`, `producer`, ...) wrap
//! mediasoup's objects so that closing and routing stay consistent. `shapes` reads
//! mediasoup's JavaScript option shapes. Nothing here knows about Node.

pub mod consumer;
pub mod control;
pub mod cpu;
pub mod data_consumer;
pub mod data_producer;
pub mod error;
pub mod events;
pub mod load;
pub mod mafalda;
mod pipes;
pub mod pool;
pub mod producer;
pub mod router;
pub mod rtp_observer;
pub mod scheduler;
mod shard;
pub mod shapes;
mod slot;
pub mod transport;
pub mod versions;
pub mod webrtc_server;

pub use consumer::MafaldaConsumer;
pub use data_consumer::MafaldaDataConsumer;
pub use data_producer::MafaldaDataProducer;
pub use error::{ErrorKind, MafaldaError, Result};
pub use events::{Event, EventSink, Handle};
pub use mafalda::Mafalda;
pub use pool::PoolOptions;
pub use producer::MafaldaProducer;
pub use router::MafaldaRouter;
pub use rtp_observer::MafaldaRtpObserver;
pub use scheduler::Policy;
pub use transport::MafaldaTransport;
pub use webrtc_server::MafaldaWebRtcServer;

/// The mediasoup crate this core is built on, re-exported for embedders.
pub use mediasoup;
