#!/bin/sh
# Runs a cargo subcommand for the host triple given explicitly, the way `napi build`
# does, so that every cargo run of the project shares one build of the mediasoup C++
# worker (target/<host>/release) instead of building it twice. Callers also ask for
# mafalda-sfu with their package (-p mafalda-core -p mafalda-sfu): the same set of
# dependency features as napi build's, hence the same hash of mediasoup-sys's build.
# First makes (or checks) the offline copy of mediasoup-sys that Cargo.toml's
# [patch.crates-io] points at: see build-support/README.md.
set -e
python3 "$(dirname "$0")/../build-support/mediasoup-sys/prepare.py"
subcommand="$1"
shift
exec cargo "$subcommand" --target "$(rustc -vV | sed -n 's/^host: //p')" "$@"
