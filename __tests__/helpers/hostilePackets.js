'use strict';

const { crc32c } = require('./crc32c');
const { attribute, stunMessage } = require('./stun');

/**
 * Malformed, truncated and random packets of the kinds a media socket demultiplexes
 * (RFC 7983: STUN 0-3, DTLS 20-63, RTP/RTCP 128-191; SCTP where it runs over plain UDP).
 * Everything comes from a seeded generator, so a seed and a packet index name one packet.
 */

/** mulberry32: small, fast, and good enough to pick bytes. */
function random(seed) {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const r = {
		next,
		int: (n) => Math.floor(next() * n),
		u32: () => Math.floor(next() * 4294967296) >>> 0,
		chance: (p) => next() < p,
		pick: (list) => list[Math.floor(next() * list.length)],
		bytes: (n) => {
			const b = Buffer.alloc(n);
			for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
			return b;
		},
		/** A length that is usually small, sometimes at a boundary, now and then large. */
		length: (max = 1200) => r.pick([0, 1, 2, 3, 4, 7, 8, 12, 16, r.int(32), r.int(256), r.int(max), max]),
	};
	return r;
}

const u8 = (v) => Buffer.from([v & 0xff]);
const u16 = (v) => { const b = Buffer.alloc(2); b.writeUInt16BE(v & 0xffff); return b; };
const u24 = (v) => Buffer.from([(v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };
const pad4 = (b) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);

/** The length field a well-formed packet would carry, or a lie. */
function lengthField(r, truth, max) {
	return r.chance(0.75) ? truth : r.pick([0, max, truth + 1, truth - 1, r.int(max + 1)]);
}

function ssrcOf(r, ctx) {
	return ctx.ssrcs?.length && r.chance(0.7) ? r.pick(ctx.ssrcs) : r.u32();
}

function rtp(r, ctx) {
	const csrcCount = r.chance(0.15) ? r.int(16) : 0;
	const hasExtension = r.chance(0.5);
	const hasPadding = r.chance(0.15);
	const version = r.chance(0.95) ? 2 : r.int(4);
	const payloadType = ctx.payloadTypes?.length && r.chance(0.7) ? r.pick(ctx.payloadTypes) : r.int(128);
	const parts = [
		u8((version << 6) | (hasPadding << 5) | (hasExtension << 4) | csrcCount),
		u8((r.chance(0.2) << 7) | payloadType),
		u16(r.int(65536)), u32(r.u32()), u32(ssrcOf(r, ctx)),
	];
	for (let i = 0; i < csrcCount; i++) parts.push(u32(r.u32()));
	if (hasExtension) {
		const profile = r.pick([0xbede, 0x1000 | r.int(16), r.int(65536)]);
		const elements = [];
		for (let n = r.int(6); n > 0; n--) {
			const id = r.pick([1, 2, 3, 4, 5, 10, 14, 15, r.int(256)]);
			if (profile === 0xbede) {
				const len = r.int(16);
				elements.push(u8((id << 4) | len), r.bytes(r.chance(0.8) ? len + 1 : r.int(20)));
			} else {
				const len = r.int(256);
				elements.push(u8(id), u8(len), r.bytes(r.chance(0.8) ? len : r.int(20)));
			}
		}
		const body = pad4(Buffer.concat(elements));
		parts.push(u16(profile), u16(lengthField(r, body.length / 4, 0xffff)), body);
	}
	if (ctx.vp8 && r.chance(0.5)) {
		// A VP8 payload descriptor with every optional field (X, I, L, T, K) present or claimed.
		parts.push(Buffer.from([0x90 | r.int(16), r.int(256), 0x80 | r.int(128), r.int(256), r.int(256), r.int(256)]));
	}
	parts.push(r.bytes(r.length(1200)));
	if (hasPadding) parts.push(u8(r.pick([0, 1, 255, r.int(256)])));
	return Buffer.concat(parts);
}

/** One RTCP packet of a compound: header (V, P, count/format, type, length) and a body. */
function rtcpPacket(r, ctx) {
	const media = () => u32(ssrcOf(r, ctx));
	const sender = u32(r.chance(0.5) ? ssrcOf(r, ctx) : r.u32());
	const reportBlock = () => Buffer.concat([media(), u32(r.u32()), u32(r.u32()), u32(r.u32()), u32(r.u32()), u32(r.u32())]);
	const type = r.pick([200, 201, 202, 203, 204, 205, 205, 205, 206, 206, 206, 207, 192 + r.int(32)]);
	let count = r.int(32);
	let body;
	switch (type) {
		case 200: // SR
		case 201: { // RR
			const blocks = [];
			for (let i = r.int(4); i > 0; i--) blocks.push(reportBlock());
			count = r.chance(0.8) ? blocks.length : count;
			body = Buffer.concat([sender, type === 200 ? r.bytes(20) : Buffer.alloc(0), ...blocks]);
			break;
		}
		case 202: { // SDES: chunks of items (type, length, text)
			const chunks = [];
			for (let i = r.int(3); i > 0; i--) {
				const items = [];
				for (let j = r.int(4); j > 0; j--) {
					const len = r.int(256);
					items.push(u8(r.int(9)), u8(len), r.bytes(r.chance(0.8) ? len : r.int(300)));
				}
				chunks.push(pad4(Buffer.concat([media(), ...items, u8(0)])));
			}
			count = r.chance(0.8) ? chunks.length : count;
			body = Buffer.concat(chunks);
			break;
		}
		case 203: { // BYE with an optional reason
			const ssrcs = [];
			for (let i = r.int(4); i > 0; i--) ssrcs.push(media());
			const reason = r.chance(0.5) ? [u8(r.int(256)), r.bytes(r.int(40))] : [];
			count = r.chance(0.8) ? ssrcs.length : count;
			body = pad4(Buffer.concat([...ssrcs, ...reason]));
			break;
		}
		case 205: { // transport feedback: NACK, TMMBR/TMMBN, transport-wide CC
			count = r.pick([1, 3, 4, 15, 15, r.int(32)]);
			let fci;
			if (count === 15) {
				// transport-cc: base seq, status count, reference time, fb count, chunks, deltas.
				const chunks = [];
				for (let i = r.int(8); i > 0; i--) chunks.push(u16(r.pick([r.int(0x2000), 0x8000 | r.int(0x8000), 0xc000 | r.int(0x4000), r.int(65536)])));
				fci = Buffer.concat([u16(r.int(65536)), u16(r.pick([0, 1, 7, 14, 100, 0xffff, r.int(65536)])), u24(r.int(1 << 24)), u8(r.int(256)), ...chunks, r.bytes(r.length(64))]);
			} else {
				const items = [];
				for (let i = r.int(5); i > 0; i--) items.push(count === 1 ? Buffer.concat([u16(r.int(65536)), u16(r.int(65536))]) : Buffer.concat([media(), u32(r.u32())]));
				fci = Buffer.concat(items);
			}
			body = Buffer.concat([sender, media(), fci]);
			break;
		}
		case 206: { // payload feedback: PLI, SLI, RPSI, FIR, AFB (REMB)
			count = r.pick([1, 2, 3, 4, 15, r.int(32)]);
			let fci = Buffer.alloc(0);
			if (count === 4) fci = Buffer.concat([media(), u8(r.int(256)), Buffer.alloc(3)]);
			else if (count === 15) {
				const ssrcs = [];
				const n = r.int(4);
				for (let i = 0; i < n; i++) ssrcs.push(media());
				fci = Buffer.concat([Buffer.from(r.chance(0.8) ? 'REMB' : 'RXMB'), u8(r.chance(0.8) ? n : r.int(256)), u24(r.int(1 << 24)), ...ssrcs]);
			} else if (count !== 1) fci = r.bytes(r.length(40));
			body = Buffer.concat([sender, media(), fci]);
			break;
		}
		case 207: { // XR: blocks (type, reserved, length in words)
			const blocks = [];
			for (let i = r.int(3); i > 0; i--) {
				const words = r.int(6);
				blocks.push(u8(r.pick([4, 5, 7, r.int(256)])), u8(r.int(256)), u16(lengthField(r, words, 0xffff)), r.bytes(words * 4));
			}
			body = Buffer.concat([sender, ...blocks]);
			break;
		}
		default:
			body = Buffer.concat([sender, pad4(r.bytes(r.length(200)))]);
	}
	const padded = pad4(body);
	const version = r.chance(0.95) ? 2 : r.int(4);
	return Buffer.concat([u8((version << 6) | (r.chance(0.05) << 5) | (count & 0x1f)), u8(type), u16(lengthField(r, padded.length / 4, 0xffff)), padded]);
}

function rtcp(r, ctx) {
	const packets = [];
	for (let n = 1 + r.int(3); n > 0; n--) packets.push(rtcpPacket(r, ctx));
	return Buffer.concat(packets);
}

function stun(r, ctx) {
	const attributes = [];
	for (let n = r.int(7); n > 0; n--) {
		const type = r.pick([0x0006, 0x0006, 0x0008, 0x8028, 0x0024, 0x0025, 0x802a, 0x8029, 0x0009, 0x0020, 0x0001, r.int(65536)]);
		let value;
		if (type === 0x0006 && ctx.iceParameters && r.chance(0.6)) value = Buffer.from(`${ctx.iceParameters.usernameFragment}:${r.bytes(r.int(8)).toString('hex')}`);
		else if (type === 0x0008) value = r.bytes(r.pick([20, 0, 19, 21, 64]));
		else if (type === 0x8028 || type === 0x0024) value = r.bytes(r.pick([4, 0, 3, 8]));
		else if (type === 0x802a || type === 0x8029) value = r.bytes(r.pick([8, 0, 4]));
		else value = r.bytes(r.length(300));
		const a = attribute(type, value);
		if (r.chance(0.1)) a.writeUInt16BE(r.int(65536), 2); // an attribute that lies about its length
		attributes.push(a);
	}
	const type = r.pick([0x0001, 0x0001, 0x0101, 0x0111, 0x0011, r.int(0x4000)]);
	// Signed ones pass the integrity check and reach the ICE server's own handling.
	const password = ctx.iceParameters && r.chance(0.3) ? ctx.iceParameters.password : undefined;
	const message = stunMessage({ type, transactionId: r.bytes(12), attributes, password });
	if (r.chance(0.1)) message.writeUInt32BE(r.u32(), 4); // no magic cookie
	if (r.chance(0.15)) message.writeUInt16BE(r.int(65536), 2); // a message length that lies
	return message;
}

/** A DTLS handshake message (mostly a ClientHello) with its fragment header. */
function dtlsHandshake(r) {
	const msgType = r.pick([1, 1, 1, 2, 3, 11, 12, 13, 14, 15, 16, 20, r.int(256)]);
	let body;
	if (msgType === 1) {
		const extensions = [];
		for (let n = r.int(6); n > 0; n--) {
			const data = r.bytes(r.length(64));
			extensions.push(u16(r.pick([0, 10, 11, 13, 14, 15, 16, 23, 35, 43, 51, 0xff01, r.int(65536)])), u16(lengthField(r, data.length, 0xffff)), data);
		}
		const ext = Buffer.concat(extensions);
		const suites = r.bytes(2 * r.int(20));
		const session = r.bytes(r.pick([0, 32, r.int(40)]));
		const cookie = r.bytes(r.pick([0, 20, r.int(40)]));
		body = Buffer.concat([
			u16(r.pick([0xfefd, 0xfeff, r.int(65536)])), r.bytes(32),
			u8(lengthField(r, session.length, 255)), session,
			u8(lengthField(r, cookie.length, 255)), cookie,
			u16(lengthField(r, suites.length, 0xffff)), suites,
			u8(1), u8(0),
			u16(lengthField(r, ext.length, 0xffff)), ext,
		]);
	} else body = r.bytes(r.length(400));
	if (r.chance(0.2)) body = body.subarray(0, r.int(body.length + 1));
	const total = lengthField(r, body.length, 1 << 24);
	const offset = r.chance(0.8) ? 0 : r.pick([1, body.length, r.int(1 << 24)]);
	return Buffer.concat([u8(msgType), u24(total), u16(r.chance(0.8) ? r.int(3) : r.int(65536)), u24(offset), u24(lengthField(r, body.length, 1 << 24)), body]);
}

function dtls(r) {
	const records = [];
	for (let n = 1 + (r.chance(0.2) ? r.int(4) : 0); n > 0; n--) {
		const type = r.pick([22, 22, 22, 20, 21, 23, 24, 25, 20 + r.int(44)]);
		let body;
		if (type === 22) body = dtlsHandshake(r);
		else if (type === 20) body = Buffer.from([1]);
		else if (type === 21) body = Buffer.from([r.pick([1, 2]), r.int(256)]);
		else if (type === 24) body = Buffer.concat([u8(r.pick([1, 2])), u16(r.pick([0, 16, 0xffff])), r.bytes(r.length(64))]);
		else body = r.bytes(r.length(300));
		const epoch = r.chance(0.8) ? 0 : r.pick([1, r.int(65536)]);
		records.push(u8(type), u16(r.pick([0xfeff, 0xfefd, 0xfefd, 0xfefc, 0x0303, r.int(65536)])), u16(epoch), r.bytes(6), u16(lengthField(r, body.length, 0xffff)), body);
	}
	return Buffer.concat(records);
}

function sctpChunk(r) {
	const type = r.pick([0, 0, 1, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 64, 130, 130, 192, 194, r.int(256)]);
	const params = () => {
		const list = [];
		for (let n = r.int(5); n > 0; n--) {
			const value = r.bytes(r.length(48));
			list.push(pad4(Buffer.concat([u16(r.pick([7, 8, 9, 11, 12, 0x8000, 0x8002, 0x8003, 0x8008, 0xc000, 13, 14, 15, 16, 17, 18, r.int(65536)])), u16(lengthField(r, value.length + 4, 0xffff)), value])));
		}
		return Buffer.concat(list);
	};
	let body;
	switch (type) {
		case 0: case 64: // DATA, I-DATA
			body = Buffer.concat([u32(r.u32()), u16(r.int(8)), u16(r.int(65536)), u32(r.pick([50, 51, 53, 56, 57, r.u32()])), r.bytes(r.length(300))]);
			break;
		case 1: case 2: // INIT, INIT ACK
			body = Buffer.concat([u32(r.chance(0.9) ? r.u32() || 1 : 0), u32(r.u32()), u16(r.pick([0, 1, 65535, r.int(65536)])), u16(r.pick([0, 1, 65535, r.int(65536)])), u32(r.u32()), params()]);
			break;
		case 3: { // SACK with gap blocks and duplicates
			const gaps = r.int(6);
			const dups = r.int(4);
			body = Buffer.concat([u32(r.u32()), u32(r.u32()), u16(r.chance(0.8) ? gaps : r.int(65536)), u16(r.chance(0.8) ? dups : r.int(65536)), r.bytes(4 * gaps + 4 * dups)]);
			break;
		}
		case 130: case 4: case 5: // RE-CONFIG, HEARTBEAT (ACK): parameters
			body = params();
			break;
		case 192: case 194: { // FORWARD-TSN
			const streams = [];
			for (let n = r.int(5); n > 0; n--) streams.push(u16(r.int(65536)), u16(r.int(65536)));
			body = Buffer.concat([u32(r.u32()), ...streams]);
			break;
		}
		default:
			body = r.bytes(r.length(200));
	}
	return pad4(Buffer.concat([u8(type), u8(r.int(256)), u16(lengthField(r, body.length + 4, 0xffff)), body]));
}

/** An SCTP packet: common header (ports 5000, as mediasoup's demultiplexer expects), chunks. */
function sctp(r) {
	const chunks = [];
	for (let n = 1 + (r.chance(0.3) ? r.int(4) : 0); n > 0; n--) chunks.push(sctpChunk(r));
	const packet = Buffer.concat([
		u16(r.chance(0.9) ? 5000 : r.int(65536)), u16(r.chance(0.9) ? 5000 : r.int(65536)),
		u32(r.chance(0.5) ? 0 : r.u32()), u32(0), ...chunks,
	]);
	// A correct checksum most of the time: a wrong one is dropped before the chunks are read.
	packet.writeUInt32LE(r.chance(0.85) ? crc32c(packet) : r.u32(), 8);
	return packet;
}

function garbage(r) {
	const size = r.chance(0.01) ? 1500 + r.int(60000) : r.length(1500);
	const packet = r.bytes(size);
	// Aim a first byte at each demultiplexer range now and then.
	if (size > 0 && r.chance(0.5)) packet[0] = r.pick([0, 1, 2, 3, 20, 22, 23, 63, 64, 127, 128, 144, 191, 192, 255]);
	return packet;
}

const GENERATORS = { rtp, rtcp, stun, dtls, sctp, garbage };

/** Truncates, flips or extends a well-formed-looking packet (30 % of them). */
function mutate(r, packet) {
	if (!r.chance(0.3)) return packet;
	switch (r.int(3)) {
		case 0: return packet.subarray(0, r.int(packet.length + 1));
		case 1: {
			const copy = Buffer.from(packet);
			for (let n = 1 + r.int(4); n > 0 && copy.length; n--) copy[r.int(copy.length)] ^= 1 << r.int(8);
			return copy;
		}
		default: return Buffer.concat([packet, r.bytes(r.length(64))]);
	}
}

/** One hostile packet of `kind` ('rtp', 'rtcp', 'stun', 'dtls', 'sctp', 'garbage'). */
function hostilePacket(r, kind, ctx = {}) {
	const packet = GENERATORS[kind](r, ctx);
	return kind === 'garbage' ? packet : mutate(r, packet);
}

/** Picks a kind by weight from `{ kind: weight }`. */
function pickKind(r, weights) {
	const entries = Object.entries(weights);
	let x = r.next() * entries.reduce((sum, [, w]) => sum + w, 0);
	for (const [kind, w] of entries) {
		x -= w;
		if (x < 0) return kind;
	}
	return entries.at(-1)[0];
}

module.exports = { random, hostilePacket, pickKind, KINDS: Object.keys(GENERATORS) };
