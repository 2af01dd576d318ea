#!/bin/sh
# Unit test of the libsrtp 3 adapter: compiles test/srtp_adapter_test.c with cc and
# links it against the built worker archive (which holds the adapter and libsrtp
# 2.7.0 on OpenSSL) and the OpenSSL cargo links, then runs it. Needs a built addon
# (npm install); a few seconds.
# Last line: "srtp adapter: N passed, M failed"; exits non-zero on any failure.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/worker-archive.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck disable=SC2086 # openssl_libs is two paths
${CC:-cc} -std=c11 -O1 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-D_DEFAULT_SOURCE \
	-I"$here/subprojects/libsrtp-3.0.0-beta-2fc078db/include" \
	"$here/test/srtp_adapter_test.c" "$lib" $openssl_libs -pthread -ldl \
	-o "$work/srtp_adapter_test"
"$work/srtp_adapter_test"
