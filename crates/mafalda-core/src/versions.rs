//! Versions of the C libraries the mediasoup worker runs on, read from the running
//! process (the very symbols the worker links), not from build metadata: what a
//! security review wants to see (OpenSSL terminates every DTLS handshake and, under
//! libsrtp, encrypts every SRTP packet).

use serde::Serialize;
use std::ffi::{c_char, c_int, CStr};

extern "C" {
    fn OpenSSL_version(kind: c_int) -> *const c_char;
    fn uv_version_string() -> *const c_char;
    fn srtp_get_version_string() -> *const c_char;
    // build-support/mediasoup-sys/subprojects/libsrtp-*/src/srtp2_bridge.c
    fn mafalda_srtp2_crypto_description() -> *const c_char;
}

#[derive(Debug, Clone, Serialize)]
pub struct NativeVersions {
    /// e.g. "OpenSSL 3.0.19 27 Jan 2026".
    pub openssl: String,
    pub libuv: String,
    /// e.g. "libsrtp2 2.7.0".
    pub libsrtp: String,
    /// The crypto library under libsrtp, as libsrtp names it in its ciphers'
    /// descriptions ("AES-128 counter mode using openssl"): "openssl", or
    /// "built-in" for libsrtp's own AES.
    #[serde(rename = "libsrtpCrypto")]
    pub libsrtp_crypto: String,
}

fn text(pointer: *const c_char) -> String {
    if pointer.is_null() {
        return String::new();
    }
    // SAFETY: the three libraries return static NUL-terminated strings.
    unsafe { CStr::from_ptr(pointer) }.to_string_lossy().into_owned()
}

/// "openssl" from "AES-128 counter mode using openssl".
fn crypto_library(cipher_description: &str) -> String {
    match cipher_description.rsplit_once(" using ") {
        Some((_, library)) => library.to_string(),
        None => "built-in".to_string(),
    }
}

pub fn native_versions() -> NativeVersions {
    // SAFETY: plain getters of static strings, callable from any thread.
    unsafe {
        NativeVersions {
            openssl: text(OpenSSL_version(0)),
            libuv: text(uv_version_string()),
            libsrtp: text(srtp_get_version_string()),
            libsrtp_crypto: crypto_library(&text(mafalda_srtp2_crypto_description())),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_worker_runs_on_openssl_3_and_libsrtp_on_openssl() {
        let versions = super::native_versions();
        assert!(versions.openssl.starts_with("OpenSSL 3."), "{versions:?}");
        assert!(!versions.libuv.is_empty(), "{versions:?}");
        assert!(versions.libsrtp.starts_with("libsrtp2 2."), "{versions:?}");
        assert_eq!(versions.libsrtp_crypto, "openssl", "{versions:?}");
    }

    #[test]
    fn the_crypto_library_is_the_end_of_a_cipher_description() {
        assert_eq!(super::crypto_library("AES-128 counter mode using openssl"), "openssl");
        assert_eq!(super::crypto_library("AES-128 GCM using NSS"), "NSS");
        assert_eq!(super::crypto_library("AES-128 integer counter mode"), "built-in");
    }
}
