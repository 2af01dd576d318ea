'use strict';

/**
 * Churn, short: rooms open and close with transports, producers, consumers and data
 * channels piped across two workers while RTP and messages flow, then fds, threads,
 * pipes, shards and workers are back to baseline; and a worker dies under load.
 * The long version is `npm run soak` (scripts/soak.js), on the same scripts/soak/churn.js.
 */

const { Mafalda } = require('..');
const { settled, roomLife, workerDeathUnderLoad, processSample } = require('../scripts/soak/churn');
const { sleep, waitFor } = require('./helpers/rtp');

jest.setTimeout(120000);

const ROOMS = Number(process.env.MAFALDA_CHURN_ROOMS) || 60;

const ctx = {};

afterEach(() => {
	ctx.mafalda?.close();
});

test('rooms that open and close across two workers, two at a time, leave no router, shard, pipe, worker, fd or thread behind', async () => {
	const before = processSample();
	ctx.mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread', workerIdleTimeout: 300 });
	// A first room starts both workers and loads what is loaded once; then the baseline.
	await roomLife(ctx.mafalda);
	const baseline = await settled(ctx.mafalda);
	expect(baseline.idle).toBe(true);

	const started = Date.now();
	const lives = [];
	// Two rooms at a time, so that one opens while the other closes; half of them closed
	// by router.close() alone.
	for (let i = 0; i < ROOMS / 2; i++) {
		lives.push(...await Promise.all([roomLife(ctx.mafalda, { routerCloseShare: 0.5 }), roomLife(ctx.mafalda, { routerCloseShare: 0.5 })]));
	}
	await settled(ctx.mafalda);
	// A freed worker leaves the dump a moment before its thread has exited and closed its fds.
	await waitFor(() => { const p = processSample(); return p.fds <= baseline.fds + 2 && p.threads <= baseline.threads + 1; }, { timeoutMs: 5000 });
	const end = await settled(ctx.mafalda);
	ctx.mafalda.close();
	await sleep(500);
	const after = processSample();
	console.log([
		`churn: ${lives.length} rooms (${lives.reduce((n, l) => n + l.peers, 0)} participants, ${lives.reduce((n, l) => n + l.packets, 0)} RTP packets received) in ${Date.now() - started} ms`,
		`before Mafalda ${JSON.stringify(before)}`,
		`baseline       ${JSON.stringify(baseline)}`,
		`end            ${JSON.stringify(end)}`,
		`after close    ${JSON.stringify(after)}`,
	].join('\n'));

	expect(lives.every((l) => l.heard && l.talked)).toBe(true);
	expect(end).toMatchObject({ idle: true, routers: 0, shards: 0, pipes: 0, workers: 0 });
	expect(end.fds).toBeLessThanOrEqual(baseline.fds + 2);
	expect(end.threads).toBeLessThanOrEqual(baseline.threads + 1);
	// With every worker gone, a socket or thread the run left behind would show here. The
	// addon's first Mafalda opens 5 fds and 2 threads for good (its runtime), once per process.
	expect(after.fds).toBeLessThanOrEqual(baseline.fds + 2);
	expect(after.threads).toBeLessThanOrEqual(baseline.threads + 1);
});

test('a worker killed while RTP flows to it and calls are in flight: every call settles, workerdied names it, the router carries on, and nothing of its router is left', async () => {
	ctx.mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread', workerIdleTimeout: 300 });
	const death = await workerDeathUnderLoad(ctx.mafalda);
	const end = await settled(ctx.mafalda, { timeoutMs: 5000 });
	console.log(`worker death under load: ${JSON.stringify({ ...death, deathEvent: death.deathEvent && { workerId: death.deathEvent.workerId } })}\nafter it: ${JSON.stringify(end)}`);
	expect(death).toMatchObject({ flowed: true, hung: false, settled: 30, recvClosed: true, carriesOn: true });
	expect(death.deathEvent?.workerId).toBe(death.victim);
	expect(end).toMatchObject({ routers: 0, shards: 0, pipes: 0 });
});

// Was a bug: a pipe whose other end died (or whose router closed, or whose creation
// finished after its last user left) stayed counted on its source worker, which then
// never counted as idle. Pipes now count for exactly as long as they live (router/pipes.rs).
test('after a worker death the surviving worker is freed once idle', async () => {
	ctx.mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread', workerIdleTimeout: 300 });
	await roomLife(ctx.mafalda);
	await workerDeathUnderLoad(ctx.mafalda);
	const end = await settled(ctx.mafalda, { timeoutMs: 5000 });
	expect(end).toMatchObject({ idle: true, workers: 0 });
});
