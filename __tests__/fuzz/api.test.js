'use strict';

/**
 * API fuzzing (issue 12): random, wrong-typed, huge and deeply nested arguments at
 * every public method of every class. Each call resolves, or rejects with one of
 * mediasoup's classes (or an Error naming the call), never with the binding's
 * conversion text or an empty reason; nothing hangs and the process lives; a real
 * producer → consumer path across workers still forwards RTP afterwards.
 *
 * Cases: env MAFALDA_FUZZ_RUNS (default 1000); `npm run soak` runs 50,000.
 * MAFALDA_FUZZ_SEED replays the run of the seed printed with the figures.
 */

const fc = require('fast-check');
const { call, TEMPLATES } = require('./arbitraries');
const { createWorld, renew, closeWorld } = require('./world');
const { createTally, invoke, report } = require('./caller');
const { opusProducerParameters } = require('../helpers/codecs');
const { rtpSink, rtpSource, waitFor } = require('../helpers/rtp');

const RUNS = Number(process.env.MAFALDA_FUZZ_RUNS) || 1000;
/** Printed with the figures: MAFALDA_FUZZ_SEED=<seed> replays a run. */
const SEED = Number(process.env.MAFALDA_FUZZ_SEED) || Date.now() % 2 ** 31;
/** Cases between two rounds of fresh objects (what calls created is closed then). */
const ROUND = 50;
/** A bound for the whole run, not a timing under test: ~25 ms a case here. */
const TIMEOUT_MS = 120000 + RUNS * 250;

/** One to three calls at once: the native side sees them concurrently. */
const calls = fc.array(call, { minLength: 1, maxLength: 3 });

/** "<s> s, RSS <MiB> MiB": how long a run took and what the process holds after it. */
function elapsedAndRss(started) {
	return `${((Date.now() - started) / 1000).toFixed(0)} s, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`;
}

/** RTP from a plain producer on one worker reaches a plain consumer on another. */
async function expectRtpAcrossWorkers(router, cleanups) {
	const send = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
	const producer = await send.produce({ kind: 'audio', rtpParameters: opusProducerParameters(0x5151) });
	const recv = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
	const sink = await rtpSink();
	await recv.connect({ ip: '127.0.0.1', port: sink.port });
	const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	const source = await rtpSource({ port: send.tuple.localPort, ssrc: 0x5151, payloadType: 111 });
	cleanups.push(() => source.stop(), () => sink.close(), () => send.close(), () => recv.close());
	expect(send.workerId).not.toBe(recv.workerId);
	expect(consumer.piped).toBe(true);
	expect(await waitFor(() => sink.packets.length >= 25)).toBe(true);
	const { ssrc } = consumer.rtpParameters.encodings[0];
	expect(sink.packets.every((packet) => packet.ssrc === ssrc)).toBe(true);
}

/**
 * Runs `runs` fuzz cases on `world`; `during(caseIndex)` may act alongside a case's
 * calls (e.g. kill a worker while they are in flight).
 */
async function fuzz(world, tally, runs, during = async () => {}) {
	let index = 0;
	await fc.assert(
		fc.asyncProperty(calls, async (batch) => {
			index += 1;
			if (index % ROUND === 0) await renew(world);
			const outcomes = await Promise.all([...batch.map((c) => invoke(world, tally, c)), during(index).then(() => undefined)]);
			expect(outcomes.filter(Boolean)).toEqual([]);
		}),
		{ numRuns: runs, seed: SEED }
	);
}

describe('the fuzzer itself', () => {
	test('a template shares no object between two builds (mutations edit it in place: a shared one kept them all and grew case after case)', () => {
		const objectsOf = (value, out = new Set()) => {
			if (value === null || typeof value !== 'object' || out.has(value)) return out;
			out.add(value);
			for (const child of Object.values(value)) objectsOf(child, out);
			return out;
		};
		for (const [name, template] of Object.entries(TEMPLATES)) {
			const first = objectsOf(template());
			const shared = [...objectsOf(template())].filter((object) => first.has(object));
			expect({ name, shared }).toEqual({ name, shared: [] });
		}
	});
});

describe('API fuzzing', () => {
	const ctx = { cleanups: [] };

	afterEach(() => {
		for (const cleanup of ctx.cleanups.splice(0)) cleanup();
		if (ctx.world) closeWorld(ctx.world);
		ctx.world = undefined;
	});

	test(`${RUNS} cases of random, wrong-typed, huge and deeply nested calls at every public method of every class resolve or reject with mediasoup's error classes, and RTP still crosses workers afterwards`, async () => {
		ctx.world = await createWorld();
		const tally = createTally();
		const started = Date.now();
		// The figures also when a case failed: its broken contract is in them. Time and RSS are printed, not checked.
		await fuzz(ctx.world, tally, RUNS).finally(() => console.log(report(`API fuzzing, ${RUNS} cases (seed ${SEED}; ${elapsedAndRss(started)})`, tally)));
		expect(tally.broken).toEqual([]);
		expect(tally.calls).toBeGreaterThanOrEqual(RUNS);
		await expectRtpAcrossWorkers(ctx.world.router, ctx.cleanups);
	}, TIMEOUT_MS);

	test('a worker killed in the middle of a fuzz run leaves no call unsettled, and the router carries on across workers', async () => {
		ctx.world = await createWorld();
		const tally = createTally();
		const runs = Math.max(100, Math.round(RUNS / 5));
		const died = [];
		ctx.world.mafalda.on('workerdied', ({ workerId }) => died.push(workerId));
		const killAt = Math.round(runs / 3);
		await fuzz(ctx.world, tally, runs, async (index) => {
			if (index !== killAt) return;
			const victim = ctx.world.objects.find((object) => object.workerId && !object.closed);
			ctx.world.mafalda.simulateWorkerDeath(victim.workerId);
		}).finally(() => console.log(report(`API fuzzing with a worker killed at case ${killAt} of ${runs} (seed ${SEED})`, tally)));
		expect(tally.broken).toEqual([]);
		expect(await waitFor(() => died.length === 1)).toBe(true);
		await renew(ctx.world);
		await expectRtpAcrossWorkers(ctx.world.router, ctx.cleanups);
	}, TIMEOUT_MS);
});
