//! Thin napi glue over `mafalda-core`: one file per exposed class, JSON in and out in
//! mediasoup's JavaScript shapes. The JS layer (`lib/`) adds EventEmitters, the
//! mediasoup error classes and argument checks.

mod addon_dir;
mod capabilities;
mod consumer;
mod data_consumer;
mod data_producer;
mod errors;
mod events;
mod mafalda;
mod native_class;
mod producer;
mod router;
mod rtp_observer;
mod transport;
mod webrtc_server;
