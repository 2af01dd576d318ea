'use strict';

/**
 * Hostile network input: ≥ 100,000 malformed, truncated and random packets at every kind
 * of transport port while a real RTP stream crosses from one worker to the other. A packet
 * that aborts a worker ends its worker process (with worker threads it would end this
 * test file): every death is counted, and there must be none.
 *
 * MAFALDA_HOSTILE_PACKETS (default 100000) and MAFALDA_HOSTILE_SEED (default 12012)
 * reproduce a run (MAFALDA_HOSTILE_RATE: packets/s, default 6000); the sender writes the
 * batch on the wire to bench-out/hostile/progress.json, so a run that died points at the
 * packets that killed it.
 */

const dgram = require('node:dgram');
const fs = require('node:fs');
const path = require('node:path');
const { Mafalda } = require('../..');
const { mediaCodecs, opusProducerParameters } = require('../helpers/codecs');
const { rtpSink, waitFor, sleep } = require('../helpers/rtp');
const { hostileTargets, TARGET_NAMES } = require('../helpers/hostileTargets');
const { startHostileSender } = require('../helpers/hostileSenderClient');
const { rtpPacket } = require('../helpers/rtp');

jest.setTimeout(120000);

const PACKETS = Number(process.env.MAFALDA_HOSTILE_PACKETS) || 100000;
const SEED = Number(process.env.MAFALDA_HOSTILE_SEED) || 12012;
/** Hostile packets per second, sent by a child process. */
const RATE = Number(process.env.MAFALDA_HOSTILE_RATE) || 6000;
const DTLS_RENEW_MS = 700;
const PROGRESS = path.join(__dirname, '..', '..', 'bench-out', 'hostile', 'progress.json');

/**
 * The real stream: 200 packets/s into a comedia PlainTransport, paced by the clock (a
 * busy event loop sends the packets due in one go) so that the count does not depend on
 * how late timers fire.
 */
async function realStream(port, ssrc) {
	const socket = dgram.createSocket('udp4');
	await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
	let origin = Date.now();
	let seq = 0;
	let paused = false;
	const timer = setInterval(() => {
		if (paused) return;
		const due = Math.floor(((Date.now() - origin) * 200) / 1000);
		while (seq < due) {
			seq += 1;
			socket.send(rtpPacket({ seq, ssrc, payloadType: 111 }), port, '127.0.0.1');
		}
	}, 10);
	return {
		get sent() { return seq; },
		pause() { paused = true; },
		/** Same socket (comedia stays locked onto it), same sequence. */
		resume() {
			origin = Date.now() - (seq * 1000) / 200;
			paused = false;
		},
		stop() {
			clearInterval(timer);
			socket.close();
		},
	};
}

const ctx = { cleanups: [] };

afterEach(() => {
	for (const cleanup of ctx.cleanups.splice(0).reverse()) {
		try { cleanup(); } catch { /* closed already */ }
	}
	ctx.mafalda?.close();
});

test('≥ 100,000 hostile packets at WebRTC, plain and pipe transports: the process and both workers live, and a real stream across workers loses < 1 %', async () => {
	ctx.mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread' });
	const deaths = [];
	ctx.mafalda.on('workerdied', (event) => deaths.push(event));
	const router = await ctx.mafalda.createRouter({ mediaCodecs });

	// The real stream: producer on one worker, consumer on the other (spread alternates).
	const REAL_SSRC = 0x5ea1;
	const sendTransport = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
	const producer = await sendTransport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(REAL_SSRC) });
	const recvTransport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
	const sink = await rtpSink();
	sink.socket.setRecvBufferSize(4 * 1024 * 1024); // the kernel caps it at net.core.rmem_max
	ctx.cleanups.push(() => sink.close());
	await recvTransport.connect({ ip: '127.0.0.1', port: sink.port });
	const consumer = await recvTransport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	expect(consumer.piped).toBe(true);
	expect(recvTransport.workerId).not.toBe(sendTransport.workerId);
	const stream = await realStream(sendTransport.tuple.localPort, REAL_SSRC);
	ctx.cleanups.push(() => stream.stop());
	const realSsrc = consumer.rtpParameters.encodings[0].ssrc;
	const received = () => sink.packets.filter((p) => p.ssrc === realSsrc).length;
	expect(await waitFor(() => received() >= 50)).toBe(true);

	const sender = await startHostileSender(TARGET_NAMES);
	ctx.cleanups.push(() => sender.stop());
	const targets = await hostileTargets(router, { producer, realSourcePort: sendTransport.tuple.localPort, sender });
	const workersOfTargets = new Set(targets.map((t) => t.transport?.workerId).filter(Boolean));
	expect(workersOfTargets.size).toBe(2);

	const sentBefore = stream.sent;
	const receivedBefore = received();
	fs.mkdirSync(path.dirname(PROGRESS), { recursive: true });
	const dtlsTarget = targets.find((t) => t.name === 'webrtc (DTLS)');
	let flooding = true;
	const flood = sender.flood({
		targets: targets.map(({ name, port, weights, ctx: c }) => ({ name, port, weights, ctx: c })),
		packets: PACKETS, seed: SEED, rate: RATE, progressFile: PROGRESS,
	}).finally(() => { flooding = false; });
	// A DTLS server that failed its handshake ignores further records: renew it now and then.
	const dtlsStates = [];
	while (flooding) {
		await sleep(DTLS_RENEW_MS);
		if (!flooding) break;
		dtlsStates.push(dtlsTarget.transport.dtlsState);
		dtlsTarget.refreshes += 1;
		await dtlsTarget.setup();
		await sender.retarget(dtlsTarget.name, dtlsTarget.port, dtlsTarget.ctx);
	}
	const { counts, replies, ms: fuzzMs, sendErrors } = await flood;
	const sent = Object.values(counts).reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
	await sleep(1500); // in-flight real packets land

	stream.pause();
	const realSent = stream.sent - sentBefore;
	await sleep(300);
	const realReceived = received() - receivedBefore;
	// Packets in flight at the two marks make this slightly inexact: a few per thousand.
	const loss = Math.max(0, 1 - realReceived / realSent);

	const table = targets.map((t) => ({ target: t.name, worker: (t.transport ?? sendTransport).workerId.slice(0, 8), ...counts[t.name], total: Object.values(counts[t.name]).reduce((a, b) => a + b, 0), replies: replies[t.name] }));
	const dump = await ctx.mafalda.dump();
	console.log([
		`hostile network input: ${sent} packets in ${fuzzMs} ms (seed ${SEED}, ${sendErrors} send errors)`,
		...table.map((row) => JSON.stringify(row)),
		`real stream across workers: ${realReceived}/${realSent} received after the fuzz started (loss ${(loss * 100).toFixed(2)} %)`,
		`workers alive: ${dump.workers.length}, deaths: ${deaths.length}; DTLS target renewed ${dtlsTarget.refreshes} times, its handshake at each renewal: ${JSON.stringify(dtlsStates.reduce((n, st) => ({ ...n, [st]: (n[st] ?? 0) + 1 }), {}))}`,
	].join('\n'));

	expect(sent).toBeGreaterThanOrEqual(PACKETS);
	expect(deaths).toEqual([]);
	expect(dump.workers).toHaveLength(2);
	expect(realSent).toBeGreaterThan(500);
	expect(loss).toBeLessThan(0.01);
	// Every target is still there and answers, and the hostile packets did arrive.
	for (const t of targets.filter((x) => x.transport)) {
		const [stats] = await t.transport.getStats();
		expect(stats.bytesReceived).toBeGreaterThan(0);
	}
	// And the workers still do real work: a fresh consumer of the stream on the far worker.
	const probe = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
	const probeSink = await rtpSink();
	ctx.cleanups.push(() => probeSink.close());
	await probe.connect({ ip: '127.0.0.1', port: probeSink.port });
	stream.resume();
	await probe.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	expect(await waitFor(() => probeSink.packets.length >= 20)).toBe(true);
});
