//! The process backing, pool side: a mediasoup worker in a child process of its own
//! (`mafalda-worker-host`), as mediasoup's Node library runs its workers.
//!
//! - `channel`: the framing of the local channel (both ends use it);
//! - `binary`: where the host binary is;
//! - `process`: `HostProcess`, one child: start, calls and events over the channel
//!   (it is a `Peer` of the seam), death, kill, its pid and its worker thread.
//!
//! The host side (what runs inside the child) is `serve::over_channel`: the same
//! serving code that answers another node's calls over NATS.

pub mod binary;
pub mod channel;
pub mod process;

pub use process::{HostExit, HostProcess, HostSettings};
