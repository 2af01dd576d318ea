#!/usr/bin/env python3
"""Make the offline copy of the mediasoup-sys crate that the root Cargo.toml's
[patch.crates-io] points at: target/mediasoup-sys-offline/mediasoup-sys-0.24.0.

mediasoup-sys 0.24.0 builds its C++ worker with meson, whose subprojects/*.wrap
files download OpenSSL, libuv, libsrtp 3, flatbuffers and unordered_dense from
hosts this project cannot reach. Meson uses a wrap's `directory =` as is when it
already exists, so the copy gets one small meson project of ours in each of those
directories (build-support/mediasoup-sys/subprojects/<directory>/, see the README
there). They build C/C++ sources that crates.io crates vendor (flatc for
flatbuffers, libuv-sys2 for libuv, datachannel-sys for libsrtp 2.7.0); those are
unpacked into subprojects/ too. OpenSSL comes from the crate openssl-sys, which
the copy's Cargo.toml gets as a dependency (see worker_cargo_toml()).

Run before any cargo command (npm install and scripts/cargo-host.sh do). It is
idempotent: a file whose content did not change is not rewritten (its mtime is
what tells cargo and ninja whether to rebuild), and files it wrote before that are
no longer wanted are removed.
"""

import gzip
import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FETCH_DIR = os.path.join(HERE, "fetch")
SHIMS_DIR = os.path.join(HERE, "subprojects")
OUT_PARENT = os.path.join(ROOT, "target", "mediasoup-sys-offline")
MANIFEST = os.path.join(OUT_PARENT, "written-files.txt")

WORKER = ("mediasoup-sys", "0.24.0")
OUT_DIR = os.path.join(OUT_PARENT, f"{WORKER[0]}-{WORKER[1]}")

# (crate, version, directory under subprojects/, [(path in the crate, path there)])
VENDORED = [
    (
        "flatc",
        "0.2.2+23.5.26",
        "flatbuffers-24.3.25",
        [
            ("flatbuffers/LICENSE", "flatbuffers/LICENSE"),
            ("flatbuffers/include/", "flatbuffers/include/"),
            ("flatbuffers/src/", "flatbuffers/src/"),
            ("flatbuffers/grpc/src/compiler/", "flatbuffers/grpc/src/compiler/"),
        ],
    ),
    (
        "libuv-sys2",
        "1.53.1",
        "libuv-v1.51.0",
        [
            ("libuv/LICENSE", "libuv/LICENSE"),
            ("libuv/LICENSE-extra", "libuv/LICENSE-extra"),
            ("libuv/include/", "libuv/include/"),
            ("libuv/src/", "libuv/src/"),
        ],
    ),
    (
        # Upstream libsrtp 2.7.0 with its own meson build: a subproject of its own,
        # which the libsrtp3 shim builds on OpenSSL (subprojects/libsrtp-3.0.0-beta-*).
        "datachannel-sys",
        "0.23.0+0.23.2",
        "libsrtp-2.7.0",
        [
            (f"libdatachannel/deps/libsrtp/{path}", path)
            # test/ is not built, but its meson.build names it as an include directory.
            for path in ("LICENSE", "meson.build", "meson_options.txt", "include/", "srtp/", "crypto/", "test/")
        ],
    ),
]


def log(message):
    print(f"mediasoup-sys offline copy: {message}", file=sys.stderr)


def locked_checksums():
    """Checksums of the registry packages in fetch/Cargo.lock, by (name, version)."""
    with open(os.path.join(FETCH_DIR, "Cargo.lock"), encoding="utf-8") as lock:
        text = lock.read()
    sums = {}
    for block in text.split("[[package]]"):
        name = re.search(r'^name = "([^"]+)"', block, re.M)
        version = re.search(r'^version = "([^"]+)"', block, re.M)
        checksum = re.search(r'^checksum = "([0-9a-f]{64})"', block, re.M)
        if name and version and checksum:
            sums[(name.group(1), version.group(1))] = checksum.group(1)
    return sums


def cargo_home():
    return os.environ.get("CARGO_HOME") or os.path.join(os.path.expanduser("~"), ".cargo")


def find_crate_files(wanted):
    """Path of each wanted .crate in $CARGO_HOME/registry/cache/*/, or None."""
    cache = os.path.join(cargo_home(), "registry", "cache")
    found = {}
    for name, version in wanted:
        found[(name, version)] = None
        if not os.path.isdir(cache):
            continue
        for index_dir in sorted(os.listdir(cache)):
            path = os.path.join(cache, index_dir, f"{name}-{version}.crate")
            if os.path.isfile(path):
                found[(name, version)] = path
                break
    return found


def crate_files():
    """Checked paths of the worker's .crate and of the vendored-source crates."""
    wanted = [WORKER] + [(name, version) for name, version, _, _ in VENDORED]
    sums = locked_checksums()
    for key in wanted:
        if key not in sums:
            sys.exit(f"{key[0]} {key[1]} is missing from {FETCH_DIR}/Cargo.lock")
    found = find_crate_files(wanted)
    if any(path is None for path in found.values()):
        log("fetching the crates (cargo fetch of build-support/mediasoup-sys/fetch)")
        subprocess.run(
            [
                os.environ.get("CARGO", "cargo"),
                "fetch",
                "--locked",
                "--manifest-path",
                os.path.join(FETCH_DIR, "Cargo.toml"),
            ],
            check=True,
        )
        found = find_crate_files(wanted)
    for key, path in found.items():
        if path is None:
            sys.exit(f"cargo fetch did not leave {key[0]}-{key[1]}.crate in {cargo_home()}/registry/cache")
        with open(path, "rb") as crate:
            digest = hashlib.sha256(crate.read()).hexdigest()
        if digest != sums[key]:
            sys.exit(f"{path}: sha256 {digest} differs from fetch/Cargo.lock's {sums[key]}")
    return found


def crate_members(path, name, version):
    """(relative path, mode, bytes) of each regular file in a .crate tarball."""
    prefix = f"{name}-{version}/"
    with open(path, "rb") as raw:
        data = gzip.decompress(raw.read())
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            if not member.name.startswith(prefix):
                sys.exit(f"{path}: unexpected member {member.name}")
            relative = member.name[len(prefix):]
            if relative.startswith("/") or ".." in relative.split("/"):
                sys.exit(f"{path}: unsafe member {member.name}")
            yield relative, member.mode, tar.extractfile(member).read()


# What the copy's Cargo.toml gets besides: the worker's OpenSSL, as the crate
# openssl-sys builds it. With `vendored` that is the OpenSSL 3.5 (LTS) sources of
# openssl-src, built static; `OPENSSL_NO_VENDOR=1` (with OPENSSL_STATIC, which
# .cargo/config.toml sets) takes the system's static libssl/libcrypto instead.
# Being a dependency of mediasoup-sys, its build runs first and hands
# DEP_OPENSSL_INCLUDE to mediasoup-sys's build script, whose meson run the
# openssl shim reads it from; its link lines come after libmediasoup-worker.a's.
OPENSSL_DEPENDENCY = """
[dependencies.openssl-sys]
version = "0.9.118"
features = ["vendored"]

# Pins the OpenSSL sources openssl-sys builds (its build dependency, unified with
# this one) to the 3.5 long-term-support branch.
[build-dependencies.openssl-src]
version = "=300.5.5"
"""

# Appended to the copy's src/lib.rs: an unused dependency is not linked, so the
# crate must name openssl-sys for its libraries to reach the final link (after
# the worker's archive, which needs them).
LIB_RS_ADDITION = """
// Added by Mafalda's build-support/mediasoup-sys/prepare.py: the worker's OpenSSL.
extern crate openssl_sys;
"""


def worker_cargo_toml(text):
    """The crate's Cargo.toml with the shim directories added to its `include` and
    openssl-sys added to its dependencies.

    Cargo reruns the build script of a path dependency when a file of the package
    changes, and it lists the package's files through `include`: without this line
    an edited shim would not rebuild the worker.
    """
    anchor = '    "/subprojects/*.wrap",\n'
    if anchor not in text or "[dependencies.serde]" not in text:
        sys.exit("mediasoup-sys Cargo.toml: cannot find the subprojects include line or its dependencies")
    text = text.replace(anchor, anchor + '    "/subprojects/**",\n', 1)
    return text.replace("[dependencies.serde]", OPENSSL_DEPENDENCY.lstrip() + "\n[dependencies.serde]", 1)


# Changes to published sources, each checked to apply exactly once: (file as
# written into the copy, text as published, text used, why). Most are fixes of the
# worker's code; one configures the vendored libsrtp.
WORKER_FIXES = [
    (
        "src/RTC/DtlsTransport.cpp",
        "const long resultOfcallback = (operationType == BIO_CB_RETURN) ? static_cast<long>(ret) : 1;",
        "const long resultOfcallback = (operationType & BIO_CB_RETURN) ? static_cast<long>(ret) : 1;",
        # The BIO callback answers 1 to the return phase of every operation but a bare
        # BIO_CB_RETURN, so BIO_ctrl(BIO_CTRL_GET_KTLS_SEND) says "yes" on the memory
        # BIO. Debian's OpenSSL is built with kernel TLS (the wrap's is not, where that
        # query is the constant 0): OpenSSL then allocates no write buffer and the first
        # DTLS record written segfaults (do_dtls1_write). The return phase must pass
        # the operation's own result on.
        "return the BIO operation's result in every return phase (kernel TLS query)",
    ),
    (
        "subprojects/libsrtp-2.7.0/meson.build",
        "add_project_arguments('-DHAVE_CONFIG_H', language: 'c')\n",
        "add_project_arguments('-DHAVE_CONFIG_H', language: 'c')\n"
        "# Added by Mafalda's prepare.py: the libsrtp3 shim brings its own stream list.\n"
        "add_project_arguments('-DSRTP_NO_STREAM_LIST', language: 'c')\n",
        # libsrtp's documented way to replace its stream list (a linked list walked for
        # every packet, costly with the hundreds of SSRCs of a pipe between servers) is
        # to compile it with SRTP_NO_STREAM_LIST; meson cannot set a subproject's
        # c_args from outside, so its meson.build gets the define.
        "compile libsrtp with SRTP_NO_STREAM_LIST (the shim's hash table replaces its list)",
    ),
]


def apply_worker_fixes(relative, data):
    for path, published, used, _ in WORKER_FIXES:
        if relative == path:
            text = data.decode("utf-8")
            if text.count(published) != 1:
                sys.exit(f"{path}: the text to fix is not there once; review WORKER_FIXES in {__file__}")
            data = text.replace(published, used).encode("utf-8")
    return data


def wanted_files(crates):
    """Map of relative path in OUT_DIR -> (mode, bytes)."""
    files = {}

    for relative, mode, data in crate_members(crates[WORKER], *WORKER):
        if relative == "Cargo.toml":
            data = worker_cargo_toml(data.decode("utf-8")).encode("utf-8")
        elif relative == "src/lib.rs":
            data += LIB_RS_ADDITION.encode("utf-8")
        files[relative] = (mode, apply_worker_fixes(relative, data))

    shim_dirs = sorted(os.listdir(SHIMS_DIR))
    for shim in shim_dirs:
        if not os.path.isfile(os.path.join(SHIMS_DIR, shim, "meson.build")):
            continue
        for directory, _, names in os.walk(os.path.join(SHIMS_DIR, shim)):
            for filename in names:
                source = os.path.join(directory, filename)
                relative = os.path.relpath(source, SHIMS_DIR)
                with open(source, "rb") as handle:
                    files[f"subprojects/{relative}"] = (os.stat(source).st_mode, handle.read())

    for name, version, directory, mapping in VENDORED:
        for relative, mode, data in crate_members(crates[(name, version)], name, version):
            for source, target in mapping:
                if relative == source or (source.endswith("/") and relative.startswith(source)):
                    path = f"subprojects/{directory}/{target}{relative[len(source):]}"
                    files[path] = (mode, apply_worker_fixes(path, data))
                    break

    # Every wrap the worker's meson.build uses must have its shim.
    for relative, (_, data) in list(files.items()):
        if re.fullmatch(r"subprojects/[^/]+\.wrap", relative):
            directory = re.search(rb"^directory\s*=\s*(\S+)", data, re.M).group(1).decode()
            if not any(path.startswith(f"subprojects/{directory}/") for path in files):
                if os.path.basename(relative) not in ("catch2.wrap", "wingetopt.wrap"):
                    sys.exit(f"no shim for {relative} (directory {directory})")

    return files


def write_if_changed(path, mode, data):
    """Write path only if its content differs; returns True when written."""
    try:
        with open(path, "rb") as handle:
            if handle.read() == data:
                if os.stat(path).st_mode & 0o777 != mode & 0o777:
                    os.chmod(path, mode & 0o777)
                return False
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.chmod(temporary, mode & 0o777 or 0o644)
    os.replace(temporary, path)
    return True


def main():
    crates = crate_files()
    files = wanted_files(crates)

    written = 0
    for relative in sorted(files):
        mode, data = files[relative]
        mode = 0o755 if mode & 0o111 else 0o644
        if write_if_changed(os.path.join(OUT_DIR, relative), mode, data):
            written += 1

    # Remove what an earlier run wrote and is no longer wanted (meson's and
    # python's own files in the copy are left alone).
    removed = 0
    if os.path.isfile(MANIFEST):
        with open(MANIFEST, encoding="utf-8") as manifest:
            for relative in manifest.read().splitlines():
                if relative and relative not in files:
                    path = os.path.join(OUT_DIR, relative)
                    if os.path.isfile(path):
                        os.remove(path)
                        removed += 1
    write_if_changed(MANIFEST, 0o644, "".join(f"{name}\n" for name in sorted(files)).encode())

    log(f"{os.path.relpath(OUT_DIR, ROOT)}: {len(files)} files, {written} written, {removed} removed")


if __name__ == "__main__":
    main()
