'use strict';

// SRTP consumers, every crypto suite the worker offers: the packets an SRTP
// PlainTransport sends are encrypted on the wire and decrypt, byte for byte, at a
// second transport holding the same keys; packets tampered with on the way are
// rejected there (none of them comes out) and the worker lives on.
//
//   UDP source -> [P producer] -> consumer on [A: SRTP] -> proxy (tampers 1 in 5)
//     -> [B: SRTP, comedia, producer] -> consumer on [C: plain] -> UDP sink

const dgram = require('node:dgram');
const { Mafalda } = require('..');
const { mediaCodecs, opusProducerParameters } = require('./helpers/codecs');
const { rtpPacket, waitFor, sleep } = require('./helpers/rtp');

const SUITES = ['AEAD_AES_256_GCM', 'AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];
const PACKETS = 150;
const TAMPER_EVERY = 5;
const MARKER = Buffer.from('mafalda!');

/** 120 payload bytes that name their packet: the marker, the number, a pattern. */
function payloadOf(n) {
	const payload = Buffer.alloc(120);
	MARKER.copy(payload, 0);
	payload.writeUInt32BE(n, MARKER.length);
	for (let i = MARKER.length + 4; i < payload.length; i++) payload[i] = (n * 7 + i) & 0xff;
	return payload;
}

async function udpSocket(onMessage) {
	const socket = dgram.createSocket('udp4');
	socket.on('message', onMessage);
	await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
	return socket;
}

const isRtcp = (packet) => packet.length >= 2 && packet[1] >= 192 && packet[1] <= 223;

describe('SRTP consumers', () => {
	const ctx = { sockets: [] };

	afterEach(() => {
		for (const socket of ctx.sockets.splice(0)) socket.close();
		ctx.mafalda?.close();
	});

	test.each(SUITES)('%s: encrypted on the wire, decrypted byte for byte with the same keys, tampered packets rejected', async (suite) => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });

		const p = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
		const source = await p.produce({ kind: 'audio', rtpParameters: opusProducerParameters(0x5e000001) });

		const a = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, enableSrtp: true, srtpCryptoSuite: suite });
		const b = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true, enableSrtp: true, srtpCryptoSuite: suite });
		expect(a.srtpParameters.cryptoSuite).toBe(suite);
		expect(b.srtpParameters.cryptoSuite).toBe(suite);
		expect(a.srtpParameters.keyBase64).not.toBe(b.srtpParameters.keyBase64);

		// What crosses the proxy, as seen on the wire.
		// The n-th packet to cross it is the source's n-th (loopback keeps the order).
		const wire = { seen: 0, forwarded: 0, tampered: [], plaintextSeen: 0 };
		const proxy = await udpSocket((packet) => {
			// RTCP, and the worker's bandwidth probation (SSRC 1234, payload type 127): not media.
			if (isRtcp(packet) || packet.readUInt32BE(8) === 1234) return;
			wire.seen += 1;
			if (packet.includes(MARKER)) wire.plaintextSeen += 1;
			if (wire.seen % TAMPER_EVERY === 0) {
				wire.tampered.push(wire.seen);
				packet[packet.length - 24] ^= 0x01; // inside the encrypted payload
			} else {
				wire.forwarded += 1;
			}
			proxy.send(packet, b.tuple.localPort, '127.0.0.1');
		});
		ctx.sockets.push(proxy);
		await a.connect({ ip: '127.0.0.1', port: proxy.address().port, srtpParameters: b.srtpParameters });
		await b.connect({ srtpParameters: a.srtpParameters });
		const encrypted = await a.consume({ producerId: source.id, rtpCapabilities: router.rtpCapabilities });
		const decrypted = await b.produce({ kind: 'audio', rtpParameters: encrypted.rtpParameters });

		const received = new Map(); // packet number -> payload as it came out of C
		const sink = await udpSocket((packet) => {
			if (isRtcp(packet)) return;
			const at = packet.indexOf(MARKER);
			if (at >= 0) received.set(packet.readUInt32BE(at + MARKER.length), packet.subarray(at));
		});
		ctx.sockets.push(sink);
		const c = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
		await c.connect({ ip: '127.0.0.1', port: sink.address().port });
		await c.consume({ producerId: decrypted.id, rtpCapabilities: router.rtpCapabilities });

		// The source: PACKETS opus packets, 5 ms apart.
		const sender = await udpSocket(() => {});
		ctx.sockets.push(sender);
		for (let n = 1; n <= PACKETS; n++) {
			sender.send(rtpPacket({ seq: n, ssrc: 0x5e000001, payloadType: 111, payload: payloadOf(n) }), p.tuple.localPort, '127.0.0.1');
			await sleep(5);
		}
		expect(await waitFor(() => wire.seen >= PACKETS, { timeoutMs: 5000 })).toBe(true);
		await sleep(300);

		// On the wire: every packet, none in the clear.
		expect(wire.seen).toBe(PACKETS);
		expect(wire.tampered).toHaveLength(PACKETS / TAMPER_EVERY);
		expect(wire.plaintextSeen).toBe(0);
		// Out of B: exactly the untouched packets, each with its payload intact.
		expect(received.size).toBe(wire.forwarded);
		for (const [n, payload] of received) expect(payload.equals(payloadOf(n))).toBe(true);
		const missing = Array.from({ length: PACKETS }, (_, i) => i + 1).filter((n) => !received.has(n));
		expect(missing).toEqual(wire.tampered);
		// B's producer counted only what decrypted: the tampered packets never reached it.
		const [stats] = await decrypted.getStats();
		expect(stats.packetCount).toBe(wire.forwarded);
		// The worker lives on: it still makes transports.
		const after = await router.createPlainTransport({ listenIp: '127.0.0.1' });
		expect(after.tuple.localPort).toBeGreaterThan(0);
	});
});
