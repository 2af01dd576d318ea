'use strict';

const crypto = require('node:crypto');
const { opusProducerParameters } = require('./codecs');
const { rtpPacket, waitFor } = require('./rtp');
const { iceBindingRequest } = require('./stun');

/**
 * The transports a hostile sender aims at, each with the sender's UDP socket of its name. Where
 * the transport only parses what comes from its remote tuple, that socket is made the
 * remote (connected to, locked by comedia, or selected by ICE), so the packets reach the
 * parsers instead of the "unknown tuple" drop.
 */

const fakeFingerprint = () => ({ algorithm: 'sha-256', value: crypto.randomBytes(32).toString('hex').toUpperCase().match(/../g).join(':') });

const TARGET_NAMES = ['webrtc (ICE)', 'webrtc (DTLS)', 'plain comedia', 'plain connected', 'real producer (foreign source)', 'pipe plain', 'pipe SRTP'];

/**
 * Every target of the run, named; `producer` is the real stream's (consumed by several),
 * `sender` the hostile sender (hostileSenderClient.js) whose sockets are the remotes.
 */
async function hostileTargets(router, { producer, realSourcePort, sender }) {
	const targets = [];
	const add = async (name, weights, setup) => {
		const target = { name, weights, localPort: sender.ports[name], ctx: {}, refreshes: 0 };
		target.setup = () => setup(target);
		await target.setup();
		targets.push(target);
	};

	// ICE port, no ICE done: STUN parsing and the demultiplexer.
	await add('webrtc (ICE)', { stun: 45, dtls: 20, rtp: 10, rtcp: 10, garbage: 15 }, async (t) => {
		t.transport = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'], enableSctp: true });
		t.port = t.transport.iceCandidates[0].port;
		t.ctx = { iceParameters: t.transport.iceParameters };
	});

	// ICE done from our socket and remote DTLS parameters given: records reach OpenSSL's
	// DTLS server. A handshake that fails makes it ignore the rest, so it is renewed.
	await add('webrtc (DTLS)', { dtls: 65, stun: 15, rtp: 5, rtcp: 5, garbage: 10 }, async (t) => {
		t.transport?.close();
		t.transport = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'], enableSctp: true });
		t.port = t.transport.iceCandidates[0].port;
		t.ctx = { iceParameters: t.transport.iceParameters };
		await t.transport.connect({ dtlsParameters: { role: 'client', fingerprints: [fakeFingerprint()] } });
		const selected = await waitFor(async () => {
			await sender.send(t.name, iceBindingRequest({ iceParameters: t.transport.iceParameters }), t.port);
			return t.transport.dtlsState === 'connecting';
		}, { timeoutMs: 5000, intervalMs: 100 });
		if (!selected) throw new Error(`DTLS target not connecting (ice ${t.transport.iceState}, dtls ${t.transport.dtlsState})`);
	});

	// comedia, locked onto our socket by a valid first packet, with a producer: RTP of its
	// SSRC reaches the producer, SR its RTCP handling, SCTP the association.
	await add('plain comedia', { rtp: 40, rtcp: 25, sctp: 20, garbage: 15 }, async (t) => {
		t.transport = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true, rtcpMux: true, enableSctp: true });
		t.port = t.transport.tuple.localPort;
		const ssrc = 0x0c0de001;
		t.producer = await t.transport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(ssrc) });
		await sender.send(t.name, rtpPacket({ seq: 1, ssrc, payloadType: 111 }), t.port);
		t.ctx = { ssrcs: [ssrc], payloadTypes: [111] };
	});

	// Not comedia, connected to our socket, consuming the real stream: RTCP feedback
	// (NACK, PLI, REMB, transport-cc) about that consumer's SSRC reaches the consumer.
	await add('plain connected', { rtcp: 50, rtp: 15, sctp: 20, garbage: 15 }, async (t) => {
		t.transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, enableSctp: true });
		t.port = t.transport.tuple.localPort;
		await t.transport.connect({ ip: '127.0.0.1', port: t.localPort });
		t.consumer = await t.transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		t.ctx = { ssrcs: [t.consumer.rtpParameters.encodings[0].ssrc], payloadTypes: [t.consumer.rtpParameters.codecs[0].payloadType] };
	});

	// The real stream's own comedia transport, from a socket that is not its remote.
	await add('real producer (foreign source)', { rtp: 50, rtcp: 30, garbage: 20 }, async (t) => {
		t.port = realSourcePort;
		t.ctx = { ssrcs: producer.rtpParameters.encodings.map((e) => e.ssrc), payloadTypes: [111] };
	});

	for (const srtp of [false, true]) {
		await add(srtp ? 'pipe SRTP' : 'pipe plain', srtp ? { rtp: 40, rtcp: 40, garbage: 20 } : { rtcp: 40, rtp: 30, sctp: 15, garbage: 15 }, async (t) => {
			t.transport = await router.createPipeTransport({ listenIp: '127.0.0.1', enableSrtp: srtp, enableSctp: !srtp });
			t.port = t.transport.tuple.localPort;
			await t.transport.connect({
				ip: '127.0.0.1',
				port: t.localPort,
				...(srtp ? { srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: crypto.randomBytes(44).toString('base64') } } : {}),
			});
			t.consumer = await t.transport.consume({ producerId: producer.id });
			t.ctx = { ssrcs: [t.consumer.rtpParameters.encodings[0].ssrc, ...producer.rtpParameters.encodings.map((e) => e.ssrc)], payloadTypes: [t.consumer.rtpParameters.codecs[0].payloadType] };
		});
	}
	return targets;
}

module.exports = { hostileTargets, TARGET_NAMES };
