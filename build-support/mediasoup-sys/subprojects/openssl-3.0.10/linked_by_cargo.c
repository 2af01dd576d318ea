/*
 * The only source of the shim's placeholder library: OpenSSL's code reaches the
 * binaries through cargo (openssl-sys), not through libmediasoup-worker.a.
 */
typedef int mafalda_openssl_linked_by_cargo;
