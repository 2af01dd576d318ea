// Links the shared libraries that the offline-built C++ worker needs (NSS, under
// Debian's libsrtp2): see build-support/mediasoup-sys/link.rs.
include!("../../build-support/mediasoup-sys/link.rs");
