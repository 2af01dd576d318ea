# Sourced by the scripts that check a built worker: finds the newest
# libmediasoup-worker.a under target/ (or the one given as $1) and the OpenSSL it
# was compiled against, which cargo links after it (openssl-sys: build-support/README.md).
# Sets: lib (the archive), out (its directory), copy (the offline copy of the crate),
# openssl_include, openssl_libs (static libssl and libcrypto).
root=$(cd "$here/../.." && pwd)
lib=${1:-$(ls -t "$root"/target/*/release/build/mediasoup-sys-*/out/libmediasoup-worker.a \
	"$root"/target/release/build/mediasoup-sys-*/out/libmediasoup-worker.a 2>/dev/null | head -n 1)}
[ -f "$lib" ] || { echo "no libmediasoup-worker.a found (build the addon first: npm install)" >&2; exit 1; }
out=$(dirname "$lib")
copy="$root/target/mediasoup-sys-offline/mediasoup-sys-0.24.0"
# The worker's compile lines name OpenSSL's headers (-isystem, see the openssl shim).
openssl_include=$(grep -o -- '-isystem[^ "]*' "$out/build/compile_commands.json" | sed 's/^-isystem//' |
	while read -r dir; do [ -f "$dir/openssl/opensslv.h" ] && echo "$dir" && break; done)
[ -n "$openssl_include" ] || { echo "no OpenSSL headers in $out/build/compile_commands.json" >&2; exit 1; }
openssl_libdir="$openssl_include/../lib"
# OPENSSL_NO_VENDOR=1: the system's, e.g. /usr/include with /usr/lib/<triplet>.
[ -f "$openssl_libdir/libcrypto.a" ] || openssl_libdir=$(pkg-config --variable=libdir openssl)
openssl_libs="$openssl_libdir/libssl.a $openssl_libdir/libcrypto.a"
