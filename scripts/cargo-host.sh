#!/bin/sh
# Runs a cargo subcommand for the host triple given explicitly, the way `napi build`
# does, so that every cargo run of the project shares one build of the mediasoup C++
# worker (target/<host>/release) instead of building it twice.
set -e
subcommand="$1"
shift
exec cargo "$subcommand" --target "$(rustc -vV | sed -n 's/^host: //p')" "$@"
