//! Versions of the C libraries the mediasoup worker runs on, read from the running
//! process (the very symbols the worker links), not from build metadata: what a
//! security review wants to see (OpenSSL terminates every DTLS handshake).

use serde::Serialize;
use std::ffi::{c_char, c_int, CStr};

extern "C" {
    fn OpenSSL_version(kind: c_int) -> *const c_char;
    fn uv_version_string() -> *const c_char;
    fn srtp_get_version_string() -> *const c_char;
}

#[derive(Debug, Clone, Serialize)]
pub struct NativeVersions {
    /// e.g. "OpenSSL 3.0.19 27 Jan 2026".
    pub openssl: String,
    pub libuv: String,
    pub libsrtp: String,
}

fn text(pointer: *const c_char) -> String {
    if pointer.is_null() {
        return String::new();
    }
    // SAFETY: the three libraries return static NUL-terminated strings.
    unsafe { CStr::from_ptr(pointer) }.to_string_lossy().into_owned()
}

pub fn native_versions() -> NativeVersions {
    // SAFETY: plain getters of static strings, callable from any thread.
    unsafe {
        NativeVersions {
            openssl: text(OpenSSL_version(0)),
            libuv: text(uv_version_string()),
            libsrtp: text(srtp_get_version_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_worker_runs_on_openssl_3() {
        let versions = super::native_versions();
        assert!(versions.openssl.starts_with("OpenSSL 3."), "{versions:?}");
        assert!(!versions.libuv.is_empty() && !versions.libsrtp.is_empty(), "{versions:?}");
    }
}
