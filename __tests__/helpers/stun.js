'use strict';

const crypto = require('node:crypto');
const zlib = require('node:zlib');

/**
 * STUN messages (RFC 5389) as an ICE-controlling client sends them: enough to make an
 * ICE-lite WebRtcTransport select our socket's tuple, so that what we send next (DTLS
 * records) is handed on instead of dropped.
 */
const MAGIC_COOKIE = 0x2112a442;

function attribute(type, value) {
	const header = Buffer.alloc(4);
	header.writeUInt16BE(type, 0);
	header.writeUInt16BE(value.length, 2);
	const padding = Buffer.alloc((4 - (value.length % 4)) % 4);
	return Buffer.concat([header, value, padding]);
}

/**
 * A STUN message of `type` with `attributes` (Buffers made by `attribute()`), signed with
 * MESSAGE-INTEGRITY (HMAC-SHA1 keyed by `password`) and FINGERPRINT when a password is given.
 */
function stunMessage({ type = 0x0001, transactionId = crypto.randomBytes(12), attributes = [], password }) {
	const header = (bodyLength) => {
		const h = Buffer.alloc(20);
		h.writeUInt16BE(type, 0);
		h.writeUInt16BE(bodyLength, 2);
		h.writeUInt32BE(MAGIC_COOKIE, 4);
		transactionId.copy(h, 8);
		return h;
	};
	let body = Buffer.concat(attributes);
	if (password !== undefined) {
		// Both trailers are computed over a header whose length already counts them.
		const integrity = crypto.createHmac('sha1', password).update(Buffer.concat([header(body.length + 24), body])).digest();
		body = Buffer.concat([body, attribute(0x0008, integrity)]);
		const crc = zlib.crc32(Buffer.concat([header(body.length + 8), body]));
		const fingerprint = Buffer.alloc(4);
		fingerprint.writeUInt32BE((crc ^ 0x5354554e) >>> 0, 0);
		body = Buffer.concat([body, attribute(0x8028, fingerprint)]);
	}
	return Buffer.concat([header(body.length), body]);
}

/** A binding request that nominates this tuple (USE-CANDIDATE) of the transport. */
function iceBindingRequest({ iceParameters, clientUfrag = 'fuzz', priority = 0x6e7f1eff }) {
	const prio = Buffer.alloc(4);
	prio.writeUInt32BE(priority >>> 0, 0);
	return stunMessage({
		attributes: [
			attribute(0x0006, Buffer.from(`${iceParameters.usernameFragment}:${clientUfrag}`)),
			attribute(0x0024, prio),
			attribute(0x802a, crypto.randomBytes(8)), // ICE-CONTROLLING
			attribute(0x0025, Buffer.alloc(0)), // USE-CANDIDATE
		],
		password: iceParameters.password,
	});
}

module.exports = { attribute, stunMessage, iceBindingRequest, MAGIC_COOKIE };
