'use strict';

/**
 * Whatever a client sends over the signaling WebSocket, it gets an error reply at worst,
 * and the room (two Chromium pages talking) goes on as if nothing happened.
 */

const { startRoomScenario } = require('../../examples/room/tools/roomScenario');
const { waitFor } = require('../../examples/room/tools/waitFor');
const { openSignalingSocket } = require('../../examples/room/tools/signalingSocket');
const { remoteMediaStats, roomState, mediaFlowsFromAll, mediaCounters } = require('../../examples/room/tools/roomPage');

jest.setTimeout(180000);

const ROOM = 'e2e-sturdy';

const ctx = {};

beforeAll(async () => {
	Object.assign(ctx, await startRoomScenario({ room: ROOM, names: ['fern', 'gus'], height: 240 }));
	ctx.baselines = {};
	for (const [name, page] of Object.entries(ctx.pages)) {
		ctx.baselines[name] = await waitFor(() => remoteMediaStats(page), (s) => mediaFlowsFromAll(s, 1), { timeoutMs: 90000, message: 'media between the participants' });
	}
	ctx.socket = await openSignalingSocket(ctx.server.url);
}, 150000);

afterAll(async () => {
	await ctx.socket?.close();
	await ctx.close?.();
});

function expectError(reply, id, pattern) {
	expect(reply).toMatchObject({ response: true, id, ok: false });
	expect(reply.error).toMatch(pattern);
}

test('messages that are no requests get an error reply', async () => {
	expectError(await ctx.socket.sendRaw('{"id": 1, "method": "join", '), null, /malformed JSON/);
	expectError(await ctx.socket.sendRaw('hello'), null, /malformed JSON/);
	expectError(await ctx.socket.sendRaw('[1, 2, 3]'), null, /must be a JSON object/);
	expectError(await ctx.socket.sendRaw('42'), null, /must be a JSON object/);
	expectError(await ctx.socket.sendRaw('null'), null, /must be a JSON object/);
	expectError(await ctx.socket.sendRaw(Buffer.from([1, 2, 3])), null, /binary/);
	expectError(await ctx.socket.send({ id: { nested: true }, method: 'join', data: { room: ROOM } }), null, /id must be/);
});

test('unknown methods, inherited names included, get an error reply', async () => {
	expectError(await ctx.socket.send({ id: 1, method: 'fly', data: {} }), 1, /unknown method "fly"/);
	expectError(await ctx.socket.send({ id: 2 }), 2, /unknown method/);
	expectError(await ctx.socket.send({ id: 3, method: 'toString' }), 3, /unknown method "toString"/);
	expectError(await ctx.socket.send({ id: 4, method: '__proto__' }), 4, /unknown method/);
	expectError(await ctx.socket.send({ id: 5, method: 'constructor' }), 5, /unknown method/);
	expectError(await ctx.socket.send({ id: 6, method: 42 }), 6, /unknown method/);
});

test('requests with wrong types or out of order get an error reply', async () => {
	const { socket } = ctx;
	expectError(await socket.send({ id: 10, method: 'consume', data: { producerId: 'x', rtpCapabilities: {} } }), 10, /join a room first/);
	expectError(await socket.send({ id: 11, method: 'join', data: 'sturdy' }), 11, /data must be an object/);
	expectError(await socket.send({ id: 12, method: 'join', data: { room: 42 } }), 12, /room must be a non-empty string/);
	expectError(await socket.send({ id: 13, method: 'join', data: { room: 'x'.repeat(1000) } }), 13, /at most 64/);
	expectError(await socket.send({ id: 14, method: 'join', data: { room: ROOM, displayName: ['m'] } }), 14, /displayName/);

	const joined = await socket.send({ id: 15, method: 'join', data: { room: ROOM, displayName: 'mallory' } });
	expect(joined).toMatchObject({ id: 15, ok: true });
	const producers = joined.data.peers.flatMap((peer) => peer.producers);
	expect(producers).toHaveLength(4);
	const videoProducerId = producers.find((p) => p.kind === 'video').producerId;
	ctx.routerRtpCapabilities = joined.data.routerRtpCapabilities;
	ctx.videoProducerId = videoProducerId;

	expectError(await socket.send({ id: 16, method: 'join', data: { room: ROOM } }), 16, /already joined/);
	expectError(await socket.send({ id: 17, method: 'consume', data: { producerId: 'no-such-producer', rtpCapabilities: {} } }), 17, /producer "no-such-producer" not found/);
	expectError(await socket.send({ id: 18, method: 'consume', data: { producerId: 123, rtpCapabilities: {} } }), 18, /producerId must be a non-empty string/);
	expectError(await socket.send({ id: 19, method: 'consume', data: { producerId: videoProducerId, rtpCapabilities: 'all of them' } }), 19, /rtpCapabilities must be an object/);
	expectError(await socket.send({ id: 20, method: 'consume', data: { producerId: videoProducerId, rtpCapabilities: { codecs: 'vp8' } } }), 20, /cannot consume/);
	expectError(await socket.send({ id: 21, method: 'consume', data: { producerId: videoProducerId, rtpCapabilities: ctx.routerRtpCapabilities } }), 21, /create a recv transport first/);
	expectError(await socket.send({ id: 22, method: 'createWebRtcTransport', data: { direction: 'sideways' } }), 22, /direction must be one of/);
	expectError(await socket.send({ id: 23, method: 'resumeConsumer', data: { consumerId: 'nope' } }), 23, /consumer "nope" not found/);

	const recv = await socket.send({ id: 24, method: 'createWebRtcTransport', data: { direction: 'recv' } });
	expect(recv).toMatchObject({ id: 24, ok: true });
	expectError(await socket.send({ id: 25, method: 'createWebRtcTransport', data: { direction: 'recv' } }), 25, /exists already/);
	expectError(await socket.send({ id: 26, method: 'connectWebRtcTransport', data: { transportId: 'nope', dtlsParameters: {} } }), 26, /transport "nope" not found/);
	const badDtls = await socket.send({ id: 27, method: 'connectWebRtcTransport', data: { transportId: recv.data.id, dtlsParameters: { role: 'client', fingerprints: 'none' } } });
	expect(badDtls).toMatchObject({ id: 27, ok: false });
	expectError(await socket.send({ id: 28, method: 'produce', data: { transportId: recv.data.id, kind: 'video', rtpParameters: {} } }), 28, /not a send transport/);

	const send = await socket.send({ id: 29, method: 'createWebRtcTransport', data: { direction: 'send' } });
	expect(send).toMatchObject({ id: 29, ok: true });
	expectError(await socket.send({ id: 30, method: 'produce', data: { transportId: send.data.id, kind: 'smell', rtpParameters: {} } }), 30, /kind must be one of/);
	const badProduce = await socket.send({ id: 31, method: 'produce', data: { transportId: send.data.id, kind: 'video', rtpParameters: { codecs: 'vp8', encodings: 7 } } });
	expect(badProduce).toMatchObject({ id: 31, ok: false });
});

test('after all that, the same connection can still consume for real', async () => {
	const consumed = await ctx.socket.send({ id: 40, method: 'consume', data: { producerId: ctx.videoProducerId, rtpCapabilities: ctx.routerRtpCapabilities } });
	expect(consumed).toMatchObject({ id: 40, ok: true, data: { producerId: ctx.videoProducerId, kind: 'video' } });
	expectError(await ctx.socket.send({ id: 41, method: 'consume', data: { producerId: ctx.videoProducerId, rtpCapabilities: ctx.routerRtpCapabilities } }), 41, /already consuming/);
	expect(await ctx.socket.send({ id: 42, method: 'resumeConsumer', data: { consumerId: consumed.data.id } })).toMatchObject({ id: 42, ok: true });
	expect(await ctx.socket.send({ id: 43, method: 'leave' })).toMatchObject({ id: 43, ok: true });
	expectError(await ctx.socket.send({ id: 44, method: 'leave' }), 44, /join a room first/);
});

test('a message over the size limit closes only that connection', async () => {
	const oversized = await openSignalingSocket(ctx.server.url);
	const reply = oversized.sendRaw(JSON.stringify({ id: 1, method: 'join', data: { room: 'x'.repeat(512 * 1024) } }));
	await expect(reply).rejects.toThrow(/closed/);
	expect(await oversized.closed).toBe(1009);
});

test('the room kept working for the two pages all along', async () => {
	for (const [name, page] of Object.entries(ctx.pages)) {
		const baseline = mediaCounters(ctx.baselines[name]);
		await waitFor(() => remoteMediaStats(page), (stats) => mediaFlowsFromAll(stats, 1, { baseline, growth: 10 }), {
			message: 'media to keep flowing between the pages',
		});
		const state = await roomState(page);
		expect(state.state).toBe('joined');
		expect(state.errors).toEqual([]);
	}
	// The server process is still the one we started.
	expect(await Promise.race([ctx.server.exited.then(() => 'exited'), Promise.resolve('running')])).toBe('running');
});
