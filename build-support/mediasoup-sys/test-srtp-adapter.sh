#!/bin/sh
# Unit test of the libsrtp 3 adapter: compiles test/srtp_adapter_test.c with cc
# against the adapter sources and Debian's libsrtp2.a (linked the way the worker
# links it: static libsrtp2, shared NSS), runs it. A few seconds; needs only
# libsrtp2-dev and pkg-config (build-support/apt-packages.txt).
# Last line: "srtp adapter: N passed, M failed"; exits non-zero on any failure.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shim="$here/subprojects/libsrtp-3.0.0-beta-2fc078db"
libdir=$(pkg-config --variable=libdir libsrtp2)
system_libs=$(pkg-config --static --libs-only-l libsrtp2 | sed 's/-lsrtp2//')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

${CC:-cc} -std=c11 -O1 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-D_DEFAULT_SOURCE \
	-I"$shim/include" $(pkg-config --cflags libsrtp2) \
	"$here/test/srtp_adapter_test.c" "$shim/src/srtp3_adapter.c" "$shim/src/srtp2_bridge.c" \
	"$libdir/libsrtp2.a" $system_libs \
	-o "$work/srtp_adapter_test"
"$work/srtp_adapter_test"
