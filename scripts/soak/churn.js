'use strict';

/**
 * Mixed churn on one Mafalda, shared by __tests__/churn.test.js (short) and
 * scripts/soak.js (long): rooms that open and close with transports, producers,
 * consumers and data channels piped across workers while real RTP and data messages
 * flow, and a worker killed under load. Plus what both read to tell a leak: fds,
 * threads, memory, and pipes, shards and workers from `mafalda.dump()`.
 */

const fs = require('node:fs');
const { mediaCodecs, opusProducerParameters } = require('../../__tests__/helpers/codecs');
const { rtpSink, rtpSource, waitFor, sleep } = require('../../__tests__/helpers/rtp');
const { within } = require('../../__tests__/helpers/within');

const LISTEN = '127.0.0.1';

/** This process's memory, fds and threads. */
function processSample() {
	const memory = process.memoryUsage();
	return {
		rssMiB: memory.rss / 1048576,
		heapMiB: memory.heapUsed / 1048576,
		fds: fs.readdirSync('/proc/self/fd').length,
		threads: fs.readdirSync('/proc/self/task').length,
	};
}

/** Process and pool figures at this moment. */
async function sample(mafalda) {
	const dump = await mafalda.dump();
	return {
		...processSample(),
		workers: dump.workers.length,
		shards: dump.workers.reduce((n, w) => n + w.shards.length, 0),
		pipes: dump.workers.reduce((n, w) => n + w.pipes.reduce((m, p) => m + p.producerIds.length + (p.dataProducerIds?.length ?? 0), 0), 0),
		routers: dump.routerIds.length,
	};
}

/**
 * Waits until nothing is left in the pool (idle workers freed after their timeout);
 * resolves with the last sample, `idle` telling whether it got there.
 */
async function settled(mafalda, { timeoutMs = 20000 } = {}) {
	let last;
	const idle = await waitFor(async () => {
		mafalda.housekeep();
		last = await sample(mafalda);
		return last.routers === 0 && last.shards === 0 && last.pipes === 0 && last.workers === 0;
	}, { timeoutMs, intervalMs: 200 });
	return { ...last, idle: Boolean(idle) };
}

let nextSsrc = 0x10000;

/** A participant: a sending and a receiving PlainTransport, a WebRTC one, a data endpoint. */
async function participant(router) {
	const ssrc = nextSsrc++;
	const send = await router.createPlainTransport({ listenIp: LISTEN, comedia: true, rtcpMux: true });
	const producer = await send.produce({ kind: 'audio', rtpParameters: opusProducerParameters(ssrc) });
	const source = await rtpSource({ port: send.tuple.localPort, ssrc, payloadType: 111 });
	const recv = await router.createPlainTransport({ listenIp: LISTEN, rtcpMux: true });
	const sink = await rtpSink();
	await recv.connect({ ip: LISTEN, port: sink.port });
	const webRtc = await router.createWebRtcTransport({ listenIps: [LISTEN], enableSctp: true });
	const direct = await router.createDirectTransport();
	const dataProducer = await direct.produceData({ label: 'chat' });
	return { send, producer, source, recv, sink, webRtc, direct, dataProducer, consumers: [], dataConsumers: [], messages: 0 };
}

/**
 * One room's life: 2 to 4 participants each consuming everyone else's audio and data,
 * media checked to arrive, some consumers closed and reopened meanwhile, then the room
 * goes (its transports one by one then its router, or with `routerCloseShare` of the
 * rooms its router alone). Resolves with what crossed.
 */
async function roomLife(mafalda, { random = Math.random, holdMs = 300, routerCloseShare = 0 } = {}) {
	const router = await mafalda.createRouter({ mediaCodecs, appData: { churn: true } });
	const peers = [];
	try {
		const count = 2 + Math.floor(random() * 3);
		for (let i = 0; i < count; i++) peers.push(await participant(router));
		for (const peer of peers) {
			for (const other of peers) {
				if (other === peer) continue;
				peer.consumers.push(await peer.recv.consume({ producerId: other.producer.id, rtpCapabilities: router.rtpCapabilities }));
				const dataConsumer = await peer.direct.consumeData({ dataProducerId: other.dataProducer.id });
				dataConsumer.on('message', () => { peer.messages += 1; });
				peer.dataConsumers.push(dataConsumer);
			}
		}
		// Everyone hears everyone (each sink gets every other SSRC), and data crosses.
		const heard = await waitFor(() => peers.every((peer) => new Set(peer.sink.packets.map((p) => p.ssrc)).size >= peers.length - 1), { timeoutMs: 10000 });
		for (const peer of peers) peer.dataProducer.send(`hello from ${peer.producer.id}`);
		const talked = await waitFor(() => peers.every((peer) => peer.messages >= peers.length - 1), { timeoutMs: 5000 });
		// Churn inside the room: a consumer goes and comes back, a data consumer goes.
		const peer = peers[Math.floor(random() * peers.length)];
		const gone = peer.consumers.shift();
		gone.close();
		peer.consumers.push(await peer.recv.consume({ producerId: gone.producerId, rtpCapabilities: router.rtpCapabilities }));
		peer.dataConsumers.shift()?.close();
		await sleep(holdMs);
		return { heard: Boolean(heard), talked: Boolean(talked), peers: peers.length, packets: peers.reduce((n, p) => n + p.sink.packets.length, 0) };
	} finally {
		for (const p of peers) {
			p.source.stop();
			p.sink.close();
		}
		if (random() < routerCloseShare) router.close();
		else {
			for (const p of peers) {
				for (const t of [p.webRtc, p.direct, p.recv, p.send]) t.close();
			}
			router.close();
		}
	}
}

/**
 * Kills the worker of a consumer while RTP flows to it and more calls are in flight:
 * every call settles, `workerdied` names the worker, and the router carries on (a new
 * consumer on it receives the stream). Resolves with what was seen.
 */
async function workerDeathUnderLoad(mafalda) {
	const router = await mafalda.createRouter({ mediaCodecs });
	const cleanups = [];
	try {
		const ssrc = nextSsrc++;
		const send = await router.createPlainTransport({ listenIp: LISTEN, comedia: true, rtcpMux: true });
		const producer = await send.produce({ kind: 'audio', rtpParameters: opusProducerParameters(ssrc) });
		const source = await rtpSource({ port: send.tuple.localPort, ssrc, payloadType: 111 });
		cleanups.push(() => source.stop());
		// A consumer on the other worker (if there is one) is where the death happens.
		let recv;
		for (let i = 0; i < 4 && (!recv || recv.workerId === send.workerId); i++) {
			recv = await router.createPlainTransport({ listenIp: LISTEN, rtcpMux: true });
		}
		const sink = await rtpSink();
		cleanups.push(() => sink.close());
		await recv.connect({ ip: LISTEN, port: sink.port });
		await recv.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		const flowed = await waitFor(() => sink.packets.length >= 10);
		const victim = recv.workerId;
		const died = new Promise((resolve) => mafalda.once('workerdied', resolve));

		// Calls in flight when the worker goes: each must resolve or reject, none hang.
		const inFlight = [];
		for (let i = 0; i < 6; i++) {
			inFlight.push(router.createPlainTransport({ listenIp: LISTEN }).then((t) => t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities })));
			inFlight.push(recv.getStats(), recv.dump(), mafalda.dump(), router.dump());
		}
		mafalda.simulateWorkerDeath(victim);
		const hang = Symbol('hang');
		const outcome = await within(Promise.allSettled(inFlight), 15000, hang);
		const deathEvent = await within(died, 5000, undefined);

		// The router carries on: a fresh consumer gets the stream.
		const again = await router.createPlainTransport({ listenIp: LISTEN, rtcpMux: true });
		const sink2 = await rtpSink();
		cleanups.push(() => sink2.close());
		await again.connect({ ip: LISTEN, port: sink2.port });
		await again.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		const carriesOn = await waitFor(() => sink2.packets.length >= 10);
		return {
			flowed: Boolean(flowed),
			hung: outcome === hang,
			settled: outcome === hang ? 0 : outcome.length,
			rejected: outcome === hang ? 0 : outcome.filter((o) => o.status === 'rejected').length,
			victim,
			deathEvent,
			recvClosed: recv.closed,
			carriesOn: Boolean(carriesOn),
		};
	} finally {
		for (const cleanup of cleanups) cleanup();
		router.close();
	}
}

module.exports = { processSample, sample, settled, roomLife, workerDeathUnderLoad };
