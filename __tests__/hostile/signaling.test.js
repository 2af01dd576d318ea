'use strict';

/**
 * Hostile signaling at the room example's WebSocket (examples/room, started in this
 * process): bad frames, oversized messages, floods and racing sequences get errors,
 * while a room next door keeps working; once everyone left, no room, router or transport
 * is left on the server.
 */

const { startRoomServer } = require('../../examples/room/lib/startRoomServer');
const { readConfig } = require('../../examples/room/lib/config');
const { opusProducerParameters } = require('../helpers/codecs');
const { signalingClient } = require('../helpers/signalingClient');
const { waitFor, sleep } = require('../helpers/rtp');
const { within } = require('../helpers/within');

jest.setTimeout(60000);

const quiet = { log() {}, info() {}, warn() {}, error() {} };
const ctx = { clients: [] };

async function client() {
	const c = await signalingClient(ctx.server.url);
	ctx.clients.push(c);
	return c;
}

/** A participant that joined `room` and has a send transport. */
async function joined(room) {
	const c = await client();
	const join = await c.request('join', { room, displayName: 'x' });
	expect(join.ok).toBe(true);
	c.rtpCapabilities = join.data.routerRtpCapabilities;
	const send = await c.request('createWebRtcTransport', { direction: 'send' });
	expect(send.ok).toBe(true);
	c.sendTransportId = send.data.id;
	return c;
}

let ssrc = 1000;
const produce = (c) => c.request('produce', { transportId: c.sendTransportId, kind: 'audio', rtpParameters: opusProducerParameters(ssrc++) });

/** What the server holds: rooms, routers, and transports over all workers. */
async function serverHolds() {
	const dump = await ctx.server.mafalda.dump();
	return {
		rooms: ctx.server.rooms.list.length,
		routers: dump.routerIds.length,
		transports: dump.workers.reduce((n, w) => n + w.shards.reduce((m, s) => m + s.transportIds.length, 0), 0),
	};
}

beforeAll(async () => {
	const config = readConfig(['--port', '0', '--max-workers', '2', '--webrtc-ports', '47100-47199'], {});
	ctx.server = await startRoomServer(config, { log: quiet });
	// The room next door: two participants, one producing, the other consuming it.
	ctx.alice = await joined('next-door');
	ctx.bob = await joined('next-door');
	const recv = await ctx.bob.request('createWebRtcTransport', { direction: 'recv' });
	expect(recv.ok).toBe(true);
	const produced = await produce(ctx.alice);
	expect(produced.ok).toBe(true);
	ctx.producerId = produced.data.id;
	const consumed = await ctx.bob.request('consume', { producerId: ctx.producerId, rtpCapabilities: ctx.bob.rtpCapabilities });
	expect(consumed.ok).toBe(true);
	ctx.consumerId = consumed.data.id;
	ctx.clients.splice(0); // alice and bob stay for every test
	ctx.baseline = await serverHolds();
}, 60000);

// A test that fails half-way must not leave its clients (and their rooms) to the next.
afterEach(async () => {
	await Promise.all(ctx.clients.splice(0).map((c) => c.terminate()));
});

afterAll(async () => {
	await Promise.all([ctx.alice, ctx.bob].filter(Boolean).map((c) => c.terminate()));
	await ctx.server?.close();
});

/** The room next door still answers, and its consumer is still there. */
async function nextDoorWorks() {
	const reply = await ctx.bob.request('resumeConsumer', { consumerId: ctx.consumerId });
	return reply.ok;
}

test('frames that are no requests, unknown methods and requests out of order get an error reply', async () => {
	const c = await client();
	const cases = [
		['{"id": 1, "method": "join", ', /malformed JSON/],
		['[' .repeat(100000), /malformed JSON/],
		['"just a string"', /must be a JSON object/],
		['null', /must be a JSON object/],
		['{"method": "join"}', /id must be/],
		['{"id": {}, "method": "join"}', /id must be/],
	];
	for (const [frame, error] of cases) expect((await c.sendRaw(frame)).error).toMatch(error);
	expect((await c.sendRaw(Buffer.from([1, 2, 3]))).error).toMatch(/binary/);

	for (const method of ['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 42]) {
		const reply = await c.request(method, {});
		expect(reply).toMatchObject({ ok: false });
		expect(reply.error).toMatch(/unknown method/);
	}
	// Before join, every room method is refused.
	for (const method of ['createWebRtcTransport', 'connectWebRtcTransport', 'produce', 'consume', 'resumeConsumer', 'leave']) {
		expect((await c.request(method, { direction: 'send', producerId: 'x', transportId: 'y', consumerId: 'z', kind: 'audio', rtpParameters: {}, rtpCapabilities: {} })).error).toMatch(/join a room first/);
	}
	// Wrong types and sizes, after join.
	expect((await c.request('join', { room: 'r'.repeat(100000) })).error).toMatch(/at most 64/);
	expect((await c.request('join', { room: ['a'] })).error).toMatch(/room must be/);
	expect((await c.request('join', [])).error).toMatch(/data must be an object/);
	const j = await c.request('join', { room: 'hostile-types' });
	expect(j.ok).toBe(true);
	expect((await c.request('join', { room: 'again' })).error).toMatch(/already joined/);
	expect((await c.request('createWebRtcTransport', { direction: 'sideways' })).error).toMatch(/direction must be/);
	expect((await c.request('consume', { producerId: ctx.producerId, rtpCapabilities: {} })).error).toMatch(/not found in room/);
	expect((await c.request('produce', { transportId: 'nope', kind: 'audio', rtpParameters: {} })).error).toMatch(/not found/);
	const t = await c.request('createWebRtcTransport', { direction: 'send' });
	expect((await c.request('produce', { transportId: t.data.id, kind: 'audio', rtpParameters: { codecs: 'x' } })).ok).toBe(false);
	expect((await c.request('connectWebRtcTransport', { transportId: t.data.id, dtlsParameters: { fingerprints: 7 } })).ok).toBe(false);
	expect(await nextDoorWorks()).toBe(true);
	await c.close();
});

test('a message over 256 KiB closes only that connection (1009); the next room carries on', async () => {
	const c = await client();
	await c.request('join', { room: 'oversized' });
	c.ws.send(JSON.stringify({ id: 1, method: 'join', data: { room: 'x'.repeat(300 * 1024) } }));
	expect(await c.closed).toBe(1009);
	expect(await nextDoorWorks()).toBe(true);
	// Its room went with it.
	expect(await waitFor(() => !ctx.server.rooms.list.some((r) => r.name === 'oversized'))).toBe(true);
});

test('a flood of 5,000 requests without waiting gets 5,000 replies, and the room next door is answered meanwhile', async () => {
	const c = await client();
	await c.request('join', { room: 'flood' });
	const flood = [];
	for (let i = 0; i < 5000; i++) flood.push(c.request(i % 2 ? 'consume' : 'unknown', { producerId: `p${i}`, rtpCapabilities: {} }));
	const nextDoor = await nextDoorWorks();
	const replies = await Promise.all(flood);
	expect(nextDoor).toBe(true);
	expect(replies).toHaveLength(5000);
	expect(replies.every((r) => r.ok === false && typeof r.error === 'string')).toBe(true);
	// Beyond 64 requests in flight at once, the server refuses at once instead of queueing.
	const busy = await Promise.all(Array.from({ length: 300 }, () => c.request('createWebRtcTransport', { direction: 'recv' })));
	expect(busy.filter((r) => r.ok)).toHaveLength(1);
	expect(busy.some((r) => /at most 64 requests in flight/.test(r.error))).toBe(true);
	await c.close();
});

test('a client that sends and never reads its replies is dropped; the room next door carries on', async () => {
	const c = await client();
	c.ws._socket.pause(); // reads nothing more: the server's replies pile up
	// Each frame's error reply names the (80-character) method: ~150 bytes back per frame.
	const frame = JSON.stringify({ id: 1, method: 'x'.repeat(80), data: {} });
	const deadline = Date.now() + 40000;
	while (c.ws.readyState === 1 && Date.now() < deadline) {
		for (let i = 0; i < 2000; i++) c.ws.send(frame);
		await sleep(20);
	}
	c.ws._socket.resume();
	expect(await within(c.closed, 5000, 'still open')).not.toBe('still open');
	expect(await nextDoorWorks()).toBe(true);
});

test('a flood of transport and producer requests is bounded: one transport per direction, at most 4 producers, one consumer per producer', async () => {
	const c = await client();
	await c.request('join', { room: 'bounded' });
	const transports = await Promise.all(Array.from({ length: 20 }, () => c.request('createWebRtcTransport', { direction: 'send' })));
	expect(transports.filter((r) => r.ok)).toHaveLength(1);
	c.sendTransportId = transports.find((r) => r.ok).data.id;
	const producers = await Promise.all(Array.from({ length: 20 }, () => produce(c)));
	expect(producers.filter((r) => r.ok)).toHaveLength(4);
	expect(producers.filter((r) => !r.ok).every((r) => /at most 4 producers/.test(r.error))).toBe(true);

	const d = await client();
	const join = await d.request('join', { room: 'bounded' });
	expect((await d.request('createWebRtcTransport', { direction: 'recv' })).ok).toBe(true);
	const producerId = producers.find((r) => r.ok).data.id;
	const consumers = await Promise.all(Array.from({ length: 10 }, () => d.request('consume', { producerId, rtpCapabilities: join.data.routerRtpCapabilities })));
	expect(consumers.filter((r) => r.ok)).toHaveLength(1);
	await Promise.all([c.close(), d.close()]);
});

test('racing sequences (leave during join, close during produce and consume, leave and rejoin) leak no room, router or transport', async () => {
	for (let round = 0; round < 6; round++) {
		const room = `race-${round}`;
		// Gone before its join (and the room's creation) finished.
		const early = await client();
		early.request('join', { room });
		early.terminate();

		// Closes its socket while its produce is on the way.
		const producer = await joined(room);
		produce(producer);
		producer.request('createWebRtcTransport', { direction: 'recv' });
		producer.terminate();

		// Consumes, and leaves while it does; another leaves and joins again at once.
		const a = await joined(room);
		const produced = await produce(a);
		const b = await joined(room);
		await b.request('createWebRtcTransport', { direction: 'recv' });
		const consume = b.request('consume', { producerId: produced.data?.id, rtpCapabilities: b.rtpCapabilities });
		b.request('leave', {});
		b.request('join', { room });
		a.request('leave', {});
		await consume;
		await sleep(20);
		await Promise.all([a.close(), b.close()]);
	}
	expect(await nextDoorWorks()).toBe(true);
	const left = await waitFor(async () => {
		const holds = await serverHolds();
		return holds.rooms === ctx.baseline.rooms && holds.routers === ctx.baseline.routers && holds.transports === ctx.baseline.transports ? holds : false;
	}, { timeoutMs: 10000 });
	expect(left || await serverHolds()).toEqual(ctx.baseline);
});

test('a client that leaves while its join is still making the room leaves no room behind', async () => {
	for (let i = 0; i < 10; i++) {
		const c = await client();
		// The close frame follows the join on the wire: the server reads the join, starts
		// creating the room's router, and sees the connection go before that is done.
		c.request('join', { room: `vanishing-${i}` });
		c.ws.close();
		await c.closed;
	}
	const left = await waitFor(async () => (await serverHolds()).rooms === ctx.baseline.rooms, { timeoutMs: 5000 });
	expect(left ? ctx.baseline : await serverHolds()).toEqual(ctx.baseline);
});

test('once every client left, the server holds no room, router or transport', async () => {
	await Promise.all([ctx.alice.close(), ctx.bob.close()]);
	const empty = await waitFor(async () => {
		const holds = await serverHolds();
		return holds.rooms === 0 && holds.routers === 0 && holds.transports === 0;
	}, { timeoutMs: 10000 });
	expect(empty ? { rooms: 0, routers: 0, transports: 0 } : await serverHolds()).toEqual({ rooms: 0, routers: 0, transports: 0 });
});
