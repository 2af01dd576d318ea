'use strict';

/**
 * The /monitor page of the example server draws what the scheduler did: two pages in a
 * room spread over two workers must show up as two worker cards, a shard of the room on
 * each, and a pipe carrying the room's producers. A third page alone in another room
 * shows rooms living side by side, apart.
 */

const { startRoomScenario } = require('../../examples/room/tools/roomScenario');
const { waitFor } = require('../../examples/room/tools/waitFor');
const { openRoomPage, remoteMediaStats, localMediaStats, roomState, mediaFlowsFromAll } = require('../../examples/room/tools/roomPage');
const { parentOf } = require('../helpers/processes');

jest.setTimeout(180000);

const ROOM = 'e2e-monitored';
const OTHER_ROOM = 'e2e-elsewhere';

const ctx = {};

beforeAll(async () => {
	Object.assign(ctx, await startRoomScenario({ room: ROOM, names: ['dora', 'emil'], height: 240 }));
	for (const page of Object.values(ctx.pages)) {
		await waitFor(() => remoteMediaStats(page), (stats) => mediaFlowsFromAll(stats, 1), { timeoutMs: 90000, message: 'media between the participants' });
	}
	ctx.loner = await openRoomPage(ctx.browser.context, ctx.server.url, { room: OTHER_ROOM, name: 'finn', height: 240 });
	ctx.monitor = await ctx.browser.context.newPage();
	await ctx.monitor.goto(`${ctx.server.url}/monitor`);
}, 150000);

afterAll(() => ctx.close?.());

/** What the monitor's DOM shows, as plain data. */
function readMonitor(page) {
	return page.evaluate(() => ({
		workers: [...document.querySelectorAll('.worker')].map((card) => ({
			id: card.dataset.workerId,
			pid: Number(card.querySelector('[data-pid]')?.dataset.pid),
			cpuLabel: card.querySelector('.gauge-label')?.textContent ?? '',
			hasGauge: Boolean(card.querySelector('.gauge-fill')),
			counts: Object.fromEntries([...card.querySelectorAll('[data-count]')].map((dd) => [dd.dataset.count, Number(dd.textContent)])),
			shards: [...card.querySelectorAll('[data-shard-room]')].map((shard) => ({
				room: shard.dataset.shardRoom,
				transports: [...shard.querySelectorAll('.transport')].map((t) => t.textContent),
			})),
		})),
		pipes: [...document.querySelectorAll('svg .pipe')].map((pipe) => ({
			from: pipe.dataset.pipeFrom,
			to: pipe.dataset.pipeTo,
			producers: Number(pipe.dataset.producers),
			label: pipe.querySelector('text')?.textContent ?? '',
			drawn: Boolean(pipe.querySelector('path')?.getAttribute('d')),
		})),
		rooms: [...document.querySelectorAll('[data-room]')].map((row) => row.textContent),
	}));
}

test('the monitor shows two workers, each with its process, a shard of the room and its CPU', async () => {
	const shown = await waitFor(() => readMonitor(ctx.monitor), (view) => (
		view.workers.length === 2 && view.workers.every((worker) => worker.shards.some((shard) => shard.room === ROOM))
	), { message: 'two workers with a shard of the room each' });
	// Each worker its own process: the room server's child, named on its card.
	const pids = shown.workers.map((worker) => worker.pid);
	expect(new Set(pids).size).toBe(2);
	for (const pid of pids) expect(parentOf(pid)).toBe(ctx.server.pid);
	for (const worker of shown.workers) {
		expect(worker.hasGauge).toBe(true);
		expect(worker.cpuLabel).toMatch(/CPU \d+\.\d %/);
		expect(worker.counts.transports).toBeGreaterThan(0);
	}
	const transports = shown.workers.flatMap((worker) => worker.shards.filter((shard) => shard.room === ROOM).flatMap((shard) => shard.transports)).sort();
	expect(transports).toEqual(['dora ↑ sends', 'dora ↓ receives', 'emil ↑ sends', 'emil ↓ receives']);
	expect(shown.rooms.some((row) => row.includes(ROOM) && row.includes('dora') && row.includes('emil'))).toBe(true);
});

test('the monitor draws the pipes that carry the room between the workers', async () => {
	const shown = await waitFor(() => readMonitor(ctx.monitor), (view) => view.pipes.some((pipe) => pipe.producers > 0), {
		message: 'a pipe carrying producers',
	});
	const workerIds = shown.workers.map((worker) => worker.id);
	for (const pipe of shown.pipes) {
		expect(workerIds).toContain(pipe.from);
		expect(workerIds).toContain(pipe.to);
		expect(pipe.from).not.toBe(pipe.to);
		expect(pipe.drawn).toBe(true);
		expect(pipe.label).toContain(ROOM);
	}
	// The picture says what the scheduler says.
	const snapshot = await (await fetch(`${ctx.server.url}/monitor.json`)).json();
	const pipedInSnapshot = snapshot.workers.flatMap((worker) => worker.pipes).reduce((n, pipe) => n + pipe.producers, 0);
	expect(shown.pipes.reduce((n, pipe) => n + pipe.producers, 0)).toBe(pipedInSnapshot);
	const consumers = shown.workers.reduce((n, worker) => n + worker.counts.consumers, 0);
	expect(consumers).toBeGreaterThanOrEqual(4);
});

test('a second room lives beside the first, apart from it', async () => {
	// finn publishes, alone: nobody in the first room receives finn, and finn receives nobody.
	await waitFor(() => localMediaStats(ctx.loner), (stats) => stats.some((s) => s.kind === 'video' && s.framesEncoded > 0), {
		message: 'finn to publish video',
	});
	expect(await roomState(ctx.loner)).toMatchObject({ state: 'joined', errors: [] });
	expect(await remoteMediaStats(ctx.loner)).toEqual([]);
	for (const page of Object.values(ctx.pages)) expect((await remoteMediaStats(page)).map((s) => s.displayName)).not.toContain('finn');

	const transportsOf = (view, room) => view.workers.flatMap((worker) => worker.shards.filter((shard) => shard.room === room).flatMap((shard) => shard.transports)).sort();
	// The monitor redraws once a second: wait for a picture taken after finn published.
	const shown = await waitFor(() => readMonitor(ctx.monitor), (view) => (
		view.rooms.some((row) => row.includes(OTHER_ROOM) && row.includes('finn')) && transportsOf(view, OTHER_ROOM).length === 2
	), { message: 'the monitor to show the second room' });
	expect(shown.rooms).toHaveLength(2);
	expect(transportsOf(shown, OTHER_ROOM)).toEqual(['finn ↑ sends', 'finn ↓ receives']);
	expect(transportsOf(shown, ROOM)).toHaveLength(4);
});
