#!/bin/sh
# Builds the worker host binary (crates/mafalda-core/src/bin/mafalda-worker-host.rs)
# and puts it next to the addon in native/, where the pool finds it. Same cargo
# invocation as the addon's (scripts/cargo-host.sh, -p mafalda-core -p mafalda-sfu),
# so it reuses that build of the C++ worker.
set -e
cd "$(dirname "$0")/.."
host=$(rustc -vV | sed -n 's/^host: //p')
sh scripts/cargo-host.sh build --release -p mafalda-core -p mafalda-sfu --bin mafalda-worker-host
mkdir -p native
cp "target/$host/release/mafalda-worker-host" native/mafalda-worker-host
