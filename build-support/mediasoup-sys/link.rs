// Link lines for what the offline build of mediasoup-sys (build-support/mediasoup-sys)
// leaves out of libmediasoup-worker.a: the shared libraries that Debian's static
// libsrtp2 needs, NSS and NSPR (Debian builds libsrtp2 against NSS, which comes
// only as shared libraries). OpenSSL, libuv, libsrtp2 itself and flatbuffers are
// inside the archive.
//
// This is the build script of crates/mafalda-core, the crate that depends on
// mediasoup: its build.rs is `include!("../../build-support/mediasoup-sys/link.rs");`.
// Cargo hands these link lines on to every binary that links mafalda-core (the
// Node addon, mafalda-bench, the tests).
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../../build-support/mediasoup-sys/link.rs");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");

    let pkg_config = std::env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".to_string());
    let output = Command::new(&pkg_config)
        .args(["--static", "--libs", "libsrtp2"])
        .output()
        .unwrap_or_else(|error| {
            panic!("{pkg_config} could not be run ({error}); see build-support/apt-packages.txt")
        });
    if !output.status.success() {
        panic!(
            "{pkg_config} --static --libs libsrtp2 failed (is libsrtp2-dev installed? see \
             build-support/apt-packages.txt): {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    for flag in String::from_utf8_lossy(&output.stdout).split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            // libsrtp2 is in libmediasoup-worker.a already; so are OpenSSL's
            // libraries, should a libsrtp2 built against OpenSSL list them.
            if !matches!(lib, "srtp2" | "ssl" | "crypto") {
                println!("cargo:rustc-link-lib=dylib={lib}");
            }
        }
    }
}
