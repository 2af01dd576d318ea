//! SRTP as the subscribers' side decrypts it: the libsrtp 3 adapter the worker itself
//! uses (build-support/mediasoup-sys/subprojects/libsrtp-*/include/srtp.h), linked
//! into this binary with the worker's archive, over libsrtp 2.7.0 on OpenSSL. The
//! receiver decrypts a sample of each SRTP consumer's packets with the keys of the
//! consumer's transport; the `srtp` scenario times protect and unprotect alone.

use base64::Engine;
use std::ffi::c_void;
use std::sync::Once;

/// The crypto suites of mediasoup's `srtpCryptoSuite`, as the worker names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Suite {
    #[serde(rename = "AEAD_AES_256_GCM")]
    AeadAes256Gcm,
    #[serde(rename = "AEAD_AES_128_GCM")]
    AeadAes128Gcm,
    #[serde(rename = "AES_CM_128_HMAC_SHA1_80")]
    AesCm128HmacSha1_80,
    #[serde(rename = "AES_CM_128_HMAC_SHA1_32")]
    AesCm128HmacSha1_32,
}

impl Suite {
    pub const ALL: [Suite; 4] = [Suite::AesCm128HmacSha1_80, Suite::AesCm128HmacSha1_32, Suite::AeadAes128Gcm, Suite::AeadAes256Gcm];

    pub fn name(self) -> &'static str {
        match self {
            Suite::AeadAes256Gcm => "AEAD_AES_256_GCM",
            Suite::AeadAes128Gcm => "AEAD_AES_128_GCM",
            Suite::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Suite::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        }
    }

    /// Bytes of master key and salt (what `keyBase64` decodes to).
    pub fn key_and_salt_len(self) -> usize {
        // SAFETY: plain getters.
        unsafe { mafalda_srtp3_profile_get_master_key_length(self.profile()) + mafalda_srtp3_profile_get_master_salt_length(self.profile()) }
    }

    pub fn parse(name: &str) -> Option<Suite> {
        Suite::ALL.into_iter().find(|s| s.name() == name)
    }

    /// libsrtp's srtp_profile_t.
    fn profile(self) -> i32 {
        match self {
            Suite::AesCm128HmacSha1_80 => 3,
            Suite::AesCm128HmacSha1_32 => 4,
            Suite::AeadAes128Gcm => 5,
            Suite::AeadAes256Gcm => 6,
        }
    }
}

// The adapter's symbols (include/srtp.h maps srtp_* to mafalda_srtp3_*).
#[repr(C)]
struct SsrcSelector {
    kind: i32,
    value: u32,
}
const SSRC_ANY_INBOUND: i32 = 2;
const SSRC_ANY_OUTBOUND: i32 = 3;

extern "C" {
    fn mafalda_srtp3_init() -> i32;
    fn mafalda_srtp3_profile_get_master_key_length(profile: i32) -> usize;
    fn mafalda_srtp3_profile_get_master_salt_length(profile: i32) -> usize;
    fn mafalda_srtp3_policy_create(policy: *mut *mut c_void) -> i32;
    fn mafalda_srtp3_policy_destroy(policy: *mut c_void);
    fn mafalda_srtp3_policy_set_ssrc(policy: *mut c_void, ssrc: SsrcSelector) -> i32;
    fn mafalda_srtp3_policy_set_profile(policy: *mut c_void, profile: i32) -> i32;
    fn mafalda_srtp3_policy_add_key(
        policy: *mut c_void,
        key: *const u8,
        key_len: usize,
        salt: *const u8,
        salt_len: usize,
        mki: *const u8,
        mki_len: usize,
    ) -> i32;
    fn mafalda_srtp3_policy_set_window_size(policy: *mut c_void, window: usize) -> i32;
    fn mafalda_srtp3_create(session: *mut *mut c_void, policy: *const c_void) -> i32;
    fn mafalda_srtp3_dealloc(session: *mut c_void) -> i32;
    fn mafalda_srtp3_protect(session: *mut c_void, rtp: *const u8, rtp_len: usize, srtp: *mut u8, srtp_len: *mut usize, mki_index: usize) -> i32;
    fn mafalda_srtp3_unprotect(session: *mut c_void, srtp: *const u8, srtp_len: usize, rtp: *mut u8, rtp_len: *mut usize) -> i32;
}

/// libsrtp's srtp_err_status_auth_fail.
#[cfg(test)]
const AUTH_FAIL: i32 = 7;

/// One direction of SRTP with one master key: what a transport's `srtpParameters` give.
pub struct Session {
    raw: *mut c_void,
}

// SAFETY: a libsrtp session is used by one thread at a time (callers hold it behind
// `&mut`); libsrtp keeps no thread-local state of its own.
unsafe impl Send for Session {}

#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Session {
    /// Decrypts what a transport with these parameters (`keyBase64`) sends.
    pub fn inbound(suite: Suite, key_base64: &str) -> Result<Self, Error> {
        Self::new(suite, &decode(key_base64)?, SSRC_ANY_INBOUND)
    }

    /// Encrypts as a transport with this master key and salt would.
    pub fn outbound(suite: Suite, key_and_salt: &[u8]) -> Result<Self, Error> {
        Self::new(suite, key_and_salt, SSRC_ANY_OUTBOUND)
    }

    fn new(suite: Suite, key_and_salt: &[u8], selector: i32) -> Result<Self, Error> {
        static INIT: Once = Once::new();
        // SAFETY: srtp_init is idempotent once the crypto kernel is up (a worker of this
        // process may have started it already); Once keeps two of our calls apart.
        INIT.call_once(|| unsafe {
            mafalda_srtp3_init();
        });
        let profile = suite.profile();
        // SAFETY: plain getters.
        let (key_len, salt_len) =
            unsafe { (mafalda_srtp3_profile_get_master_key_length(profile), mafalda_srtp3_profile_get_master_salt_length(profile)) };
        if key_and_salt.len() != key_len + salt_len {
            return Err(Error(format!("{}: {} bytes of key and salt, expected {}", suite.name(), key_and_salt.len(), key_len + salt_len)));
        }
        let mut policy = std::ptr::null_mut();
        let mut raw = std::ptr::null_mut();
        // SAFETY: the policy calls get a policy the adapter made and buffers of the lengths
        // given; srtp_create copies the policy, which is destroyed right after.
        let status = unsafe {
            let mut status = mafalda_srtp3_policy_create(&mut policy);
            if status == 0 {
                for step in [
                    mafalda_srtp3_policy_set_profile(policy, profile),
                    mafalda_srtp3_policy_set_ssrc(policy, SsrcSelector { kind: selector, value: 0 }),
                    mafalda_srtp3_policy_add_key(
                        policy,
                        key_and_salt.as_ptr(),
                        key_len,
                        key_and_salt[key_len..].as_ptr(),
                        salt_len,
                        std::ptr::null(),
                        0,
                    ),
                    // Subscribers see reordering and loss: a window as wide as the worker's.
                    mafalda_srtp3_policy_set_window_size(policy, 1024),
                    mafalda_srtp3_create(&mut raw, policy),
                ] {
                    if step != 0 {
                        status = step;
                        break;
                    }
                }
            }
            mafalda_srtp3_policy_destroy(policy);
            status
        };
        if status != 0 {
            return Err(Error(format!("{}: libsrtp status {status}", suite.name())));
        }
        Ok(Self { raw })
    }

    /// `packet` (RTP) encrypted into `out`; returns its length.
    pub fn protect(&mut self, packet: &[u8], out: &mut [u8]) -> Result<usize, i32> {
        let mut len = out.len();
        // SAFETY: both buffers are live for their lengths; the session is ours.
        let status = unsafe { mafalda_srtp3_protect(self.raw, packet.as_ptr(), packet.len(), out.as_mut_ptr(), &mut len, 0) };
        if status == 0 { Ok(len) } else { Err(status) }
    }

    /// `packet` (SRTP) decrypted into `out`; returns the RTP packet's length.
    pub fn unprotect(&mut self, packet: &[u8], out: &mut [u8]) -> Result<usize, i32> {
        let mut len = out.len();
        // SAFETY: as in protect.
        let status = unsafe { mafalda_srtp3_unprotect(self.raw, packet.as_ptr(), packet.len(), out.as_mut_ptr(), &mut len) };
        if status == 0 { Ok(len) } else { Err(status) }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: made by srtp_create, freed once.
        unsafe {
            mafalda_srtp3_dealloc(self.raw);
        }
    }
}

fn decode(key_base64: &str) -> Result<Vec<u8>, Error> {
    base64::engine::general_purpose::STANDARD.decode(key_base64).map_err(|e| Error(format!("keyBase64: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rtp(seq: u16) -> Vec<u8> {
        let mut packet = vec![0x80, 96, (seq >> 8) as u8, seq as u8, 0, 0, 0, 1, 0x12, 0x34, 0x56, 0x78];
        packet.extend((0..1188).map(|i| i as u8));
        packet
    }

    #[test]
    fn every_suite_round_trips_and_rejects_a_tampered_packet() {
        let key: Vec<u8> = (0..46u8).collect();
        for suite in Suite::ALL {
            let len = suite.key_and_salt_len();
            let mut sender = Session::outbound(suite, &key[..len]).unwrap();
            let encoded = base64::engine::general_purpose::STANDARD.encode(&key[..len]);
            let mut receiver = Session::inbound(suite, &encoded).unwrap();
            let mut wire = [0u8; 1500];
            let mut plain = [0u8; 1500];
            for seq in 0..3u16 {
                let n = sender.protect(&rtp(seq), &mut wire).unwrap();
                assert_ne!(&wire[12..1200], &rtp(seq)[12..], "{suite:?}: the payload is encrypted");
                if seq == 1 {
                    wire[100] ^= 1;
                    assert_eq!(receiver.unprotect(&wire[..n], &mut plain), Err(AUTH_FAIL), "{suite:?}");
                    continue;
                }
                let m = receiver.unprotect(&wire[..n], &mut plain).unwrap();
                assert_eq!(&plain[..m], &rtp(seq)[..], "{suite:?}");
            }
        }
    }

    #[test]
    fn a_key_of_the_wrong_length_is_refused() {
        assert!(Session::inbound(Suite::AeadAes256Gcm, "AAAA").is_err());
        assert!(Session::inbound(Suite::AeadAes256Gcm, "not base64!").is_err());
    }
}
