'use strict';

/** CRC-32C (Castagnoli), the checksum of an SCTP common header (RFC 9260 appendix B). */
const TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
	TABLE[n] = c >>> 0;
}

function crc32c(buffer) {
	let crc = 0xffffffff;
	for (const byte of buffer) crc = TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}

module.exports = { crc32c };
