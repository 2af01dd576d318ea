'use strict';

const dgram = require('node:dgram');

/**
 * A minimal RTP packet. With `audioLevel` (dBov, 0..127) it carries the
 * ssrc-audio-level one-byte header extension under id `audioLevelId`.
 */
function rtpPacket({ seq, ssrc, payloadType, timestamp = seq * 960, audioLevel, audioLevelId = 1, payload = Buffer.alloc(40, 0xab) }) {
	const hasExtension = audioLevel !== undefined;
	const header = Buffer.alloc(12);
	header[0] = hasExtension ? 0x90 : 0x80;
	header[1] = payloadType & 0x7f;
	header.writeUInt16BE(seq & 0xffff, 2);
	header.writeUInt32BE(timestamp >>> 0, 4);
	header.writeUInt32BE(ssrc >>> 0, 8);
	if (!hasExtension) return Buffer.concat([header, payload]);
	const extension = Buffer.from([0xbe, 0xde, 0x00, 0x01, (audioLevelId << 4) | 0, 0x80 | audioLevel, 0, 0]);
	return Buffer.concat([header, extension, payload]);
}

/** RTCP packet types 192..223 share the socket when rtcp-mux is on. */
function isRtcp(packet) {
	return packet.length >= 2 && packet[1] >= 192 && packet[1] <= 223;
}

/**
 * mediasoup's bandwidth probation packets (RtpProbationGenerator: SSRC 1234, payload
 * type 127), sent to consumers whose capabilities have transport-cc: not media.
 */
function isProbation({ ssrc, payloadType }) {
	return ssrc === 1234 && payloadType === 127;
}

/** A UDP socket on 127.0.0.1 that collects the RTP packets it receives (probation apart). */
async function rtpSink() {
	const socket = dgram.createSocket('udp4');
	const packets = [];
	const probation = [];
	socket.on('message', (packet) => {
		if (isRtcp(packet)) return;
		const received = { payloadType: packet[1] & 0x7f, ssrc: packet.readUInt32BE(8), seq: packet.readUInt16BE(2) };
		(isProbation(received) ? probation : packets).push(received);
	});
	await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
	return { socket, packets, probation, port: socket.address().port, close: () => socket.close() };
}

/**
 * Sends RTP to `host`:`port` every 20 ms until stopped, and keeps the RTCP packet
 * types it receives back (e.g. 206 for a PLI).
 */
async function rtpSource({ port, host = '127.0.0.1', ssrc, payloadType, audioLevel, payload }) {
	const socket = dgram.createSocket('udp4');
	const rtcpReceived = [];
	socket.on('message', (packet) => {
		if (isRtcp(packet)) rtcpReceived.push({ packetType: packet[1], format: packet[0] & 0x1f });
	});
	await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
	let seq = 0;
	let stopped = false;
	const timer = setInterval(() => {
		seq += 1;
		socket.send(rtpPacket({ seq, ssrc, payloadType, audioLevel, payload }), port, host);
	}, 20);
	return {
		rtcpReceived,
		get sent() { return seq; },
		stop() {
			if (stopped) return;
			stopped = true;
			clearInterval(timer);
			socket.close();
		},
	};
}

/** Polls `predicate` until true or `timeoutMs` elapses; returns its last value. */
async function waitFor(predicate, { timeoutMs = 10000, intervalMs = 50 } = {}) {
	const deadline = Date.now() + timeoutMs;
	let value = await predicate();
	while (!value && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
		value = await predicate();
	}
	return value;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { rtpPacket, rtpSink, rtpSource, waitFor, sleep };
