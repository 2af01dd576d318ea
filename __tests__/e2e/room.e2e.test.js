'use strict';

/**
 * Three headless Chromium pages in one room of the example server (examples/room), with
 * two workers and the 'spread' policy: send and receive transports land on different
 * workers, so every stream crosses a pipe. The tests run in order, as one meeting.
 */

const { startRoomScenario } = require('../../examples/room/tools/roomScenario');
const { waitFor } = require('../../examples/room/tools/waitFor');
const { remoteMediaStats, transportSecurity, roomState, playingRemoteVideos, mediaFlowsFromAll, mediaCounters } = require('../../examples/room/tools/roomPage');

jest.setTimeout(240000);

const ROOM = 'e2e-meeting';
const NAMES = ['alice', 'bob', 'carol'];

const ctx = {};

beforeAll(async () => {
	Object.assign(ctx, await startRoomScenario({ room: ROOM, names: NAMES }));
}, 120000);

afterAll(() => ctx.close?.());

async function monitorSnapshot() {
	const response = await fetch(`${ctx.server.url}/monitor.json`);
	return response.json();
}

/** Waits until `page` decodes video and receives audio from every one of `peerCount` others, twice over. */
async function expectMediaFromAll(name, peerCount) {
	const page = ctx.pages[name];
	const first = await waitFor(() => remoteMediaStats(page), (stats) => mediaFlowsFromAll(stats, peerCount), {
		timeoutMs: 90000,
		message: `${name} to receive media from ${peerCount} participants`,
	});
	// Growing, not just non-zero: the streams keep flowing.
	const baseline = mediaCounters(first);
	const later = await waitFor(() => remoteMediaStats(page), (stats) => mediaFlowsFromAll(stats, peerCount, { baseline, growth: 10 }), {
		timeoutMs: 60000,
		message: `${name}'s framesDecoded and packetsReceived to grow`,
	});
	return { first, later };
}

test('every page decodes the video and receives the audio of both others', async () => {
	for (const name of NAMES) {
		const { first, later } = await expectMediaFromAll(name, 2);
		const figures = later.filter((s) => s.kind === 'video').map((s) => {
			const before = first.find((f) => f.consumerId === s.consumerId).framesDecoded;
			return `${s.displayName} ${before}→${s.framesDecoded} frames (${s.frameWidth}x${s.frameHeight})`;
		});
		console.log(`${name} decodes: ${figures.join(', ')}`);
		expect((await roomState(ctx.pages[name])).errors).toEqual([]);
	}
});

// The suite BENCHMARKS.md measures SRTP subscribers with: what Chromium really
// negotiates with our WebRtcTransports (the page is the DTLS client, the worker
// prefers GCM), over DTLS 1.2 on the worker's OpenSSL.
test('every transport of every page is SRTP with AEAD_AES_256_GCM over DTLS 1.2', async () => {
	for (const name of NAMES) {
		const security = await transportSecurity(ctx.pages[name]);
		console.log(`${name}: ${JSON.stringify(security)}`);
		for (const direction of ['send', 'recv']) {
			expect(security[direction]).toMatchObject({ srtpCipher: 'AEAD_AES_256_GCM', dtlsState: 'connected', tlsVersion: 'FEFD' });
			expect(security[direction].dtlsCipher).toMatch(/^TLS_ECDHE_/);
		}
	}
});

test('every page shows both others as playing <video> elements', async () => {
	for (const name of NAMES) {
		const videos = await waitFor(() => playingRemoteVideos(ctx.pages[name]), (playing) => playing.length === 2, {
			message: `${name} to play two remote videos`,
		});
		expect(videos.every((video) => video.width > 0 && video.height > 0)).toBe(true);
	}
});

test('publishers and subscribers sit on different workers, joined by pipes', async () => {
	const snapshot = await monitorSnapshot();
	expect(snapshot.workers).toHaveLength(2);
	const transports = snapshot.workers.flatMap((worker) => worker.shards
		.filter((shard) => shard.room === ROOM)
		.flatMap((shard) => shard.transports.map((transport) => ({ ...transport, workerId: worker.id }))));
	expect(transports).toHaveLength(NAMES.length * 2);
	// Some participant receives, on one worker, media sent on the other.
	const crossings = transports.filter((recv) => recv.direction === 'recv' && transports.some(
		(send) => send.direction === 'send' && send.peer !== recv.peer && send.workerId !== recv.workerId
	));
	expect(crossings.length).toBeGreaterThan(0);
	const pipedProducers = snapshot.workers.flatMap((worker) => worker.pipes).reduce((n, pipe) => n + pipe.producers, 0);
	expect(pipedProducers).toBeGreaterThan(0);
});

test('when carol leaves, alice and bob see her consumers close and keep seeing each other', async () => {
	const carolPeerId = await ctx.pages.carol.evaluate(() => window.mafaldaRoom.peerId);
	const carolConsumers = {};
	for (const name of ['alice', 'bob']) {
		const stats = await remoteMediaStats(ctx.pages[name]);
		carolConsumers[name] = stats.filter((s) => s.peerId === carolPeerId).map((s) => s.consumerId).sort();
		expect(carolConsumers[name]).toHaveLength(2);
	}

	await ctx.pages.carol.click('#leave');
	await waitFor(() => roomState(ctx.pages.carol), (state) => state.state === 'left', { message: 'carol to have left' });

	for (const name of ['alice', 'bob']) {
		const page = ctx.pages[name];
		const { closedConsumers } = await waitFor(() => roomState(page), (state) => (
			carolConsumers[name].every((id) => state.closedConsumers.some((closed) => closed.consumerId === id))
		), { message: `${name} to see carol's consumers close` });
		expect(closedConsumers.filter((c) => c.peerId === carolPeerId).map((c) => c.consumerId).sort()).toEqual(carolConsumers[name]);
		await waitFor(
			() => page.$$eval(`[data-peer-id="${carolPeerId}"]`, (tiles) => tiles.length),
			(count) => count === 0,
			{ message: `carol's tile to leave ${name}'s page` }
		);
		const stats = await remoteMediaStats(page);
		expect(stats.filter((s) => s.peerId === carolPeerId)).toEqual([]);
		await expectMediaFromAll(name, 1);
	}

	const snapshot = await monitorSnapshot();
	const room = snapshot.rooms.find((r) => r.name === ROOM);
	expect(room.participants.sort()).toEqual(['alice', 'bob']);
});
