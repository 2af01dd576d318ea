#!/bin/sh
# Checks a built libmediasoup-worker.a (default: the newest under target/) the way
# the Rust binaries use it:
#  1. no libuv or libsrtp symbol is left undefined in the archive (both are inside),
#     and what is left undefined of OpenSSL, cargo links (openssl-sys);
#  2. the whole archive links into a shared object with -z defs given only what
#     mediasoup-sys's build.rs and openssl-sys add (static libstdc++, static
#     OpenSSL); prints that object's NEEDED libraries (glibc's and libgcc only);
#  3. test/worker_smoke.cpp, linked against the archive, runs the worker's libuv,
#     OpenSSL and SRTP code over the shims (last line "worker smoke: N passed, M failed").
# Usage: sh build-support/mediasoup-sys/check-worker-lib.sh [path/to/libmediasoup-worker.a]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/worker-archive.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "archive: $lib ($(du -h "$lib" | cut -f1)); OpenSSL: $openssl_include"

# 1. Undefined symbols of the archive that no member defines.
nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u > "$work/defined"
nm -g --undefined-only "$lib" 2>/dev/null | awk 'NF == 2 && $1 == "U" { print $2 }' | sort -u > "$work/undefined"
comm -23 "$work/undefined" "$work/defined" > "$work/external"
grep -E '^(uv_|srtp_|mafalda_srtp)' "$work/external" > "$work/missing" || true
echo "undefined in the archive, defined by none of its members: $(wc -l < "$work/external") symbols"
echo "  of which OpenSSL's (SSL_, EVP_, OPENSSL_...: cargo links them): $(grep -cE '^(SSL_|EVP_|OPENSSL_|BIO_|X509_)' "$work/external" || true)"
echo "  of which libuv/libsrtp (uv_, srtp_): $(wc -l < "$work/missing")"
if [ -s "$work/missing" ]; then
	sed 's/^/    missing: /' "$work/missing"
	exit 1
fi

# 2. The whole archive as a shared object, every symbol resolved.
# shellcheck disable=SC2086 # openssl_libs is two paths
${CXX:-c++} -shared -o "$work/libwhole.so" -Wl,-z,defs \
	-Wl,--whole-archive "$lib" -Wl,--no-whole-archive \
	$openssl_libs -static-libstdc++ -pthread -ldl
echo "whole archive linked into a shared object with -z defs; it needs:"
readelf -d "$work/libwhole.so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/    \1/p'

# 3. The smoke test.
# shellcheck disable=SC2086
${CXX:-c++} -std=c++20 -O1 -DMS_LITTLE_ENDIAN -DFLATBUFFERS_LOCALE_INDEPENDENT=1 \
	-I"$copy/include" -I"$copy/fbs" -I"$out/build/fbs" -isystem "$openssl_include" \
	-I"$copy/subprojects/libuv-v1.51.0/libuv/include" \
	-I"$copy/subprojects/libsrtp-3.0.0-beta-2fc078db/include" \
	-I"$copy/subprojects/flatbuffers-24.3.25/flatbuffers/include" \
	-I"$copy/subprojects/unordered_dense-5.3.2/include" \
	"$here/test/worker_smoke.cpp" "$lib" $openssl_libs -static-libstdc++ -pthread -ldl \
	-o "$work/worker_smoke"
"$work/worker_smoke"
