#!/bin/sh
# Runs a cargo subcommand for the host triple given explicitly, the way `napi build`
# does, so that every cargo run of the project shares one build of the mediasoup C++
# worker (target/<host>/release) instead of building it twice.
# First makes (or checks) the offline copy of mediasoup-sys that Cargo.toml's
# [patch.crates-io] points at: see build-support/README.md.
set -e
python3 "$(dirname "$0")/../build-support/mediasoup-sys/prepare.py"
subcommand="$1"
shift
exec cargo "$subcommand" --target "$(rustc -vV | sed -n 's/^host: //p')" "$@"
