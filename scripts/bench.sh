#!/bin/sh
# Builds and runs the benchmarks (`npm run bench`, arguments passed on).
# mafalda-sfu is built along: cargo unifies dependency features over the packages it is
# asked for, and with any other selection than napi build's the build script of
# mediasoup-sys gets another hash, i.e. the C++ worker is built a second time.
# mafalda-core is asked for too: its worker host binary (mafalda-worker-host) lands next
# to the bench's, where the pools of the isolation scenario find it.
set -e
here="$(dirname "$0")"
sh "$here/cargo-host.sh" build --release -p mafalda-bench -p mafalda-sfu -p mafalda-core
exec "$here/../target/$(rustc -vV | sed -n 's/^host: //p')/release/mafalda-bench" "$@"
