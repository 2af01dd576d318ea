'use strict';

/**
 * The room demo across servers: a real nats-server, two `mafalda-node` media servers
 * (127.0.0.2 and 127.0.0.3, one worker each, per-worker WebRtcServers), and the room
 * server as a signaling-only node (`--max-workers 0 --policy spread`). Three headless
 * Chromium pages join one room: their transports alternate between the two servers,
 * so every page receives some of its media through a pipe between servers.
 */

const { startRoomScenario } = require('../../examples/room/tools/roomScenario');
const { waitFor } = require('../../examples/room/tools/waitFor');
const { remoteMediaStats, roomState, mediaFlowsFromAll, mediaCounters } = require('../../examples/room/tools/roomPage');
const { startNats, startNode } = require('../helpers/cluster');

jest.setTimeout(240000);

const ROOM = 'cluster-meeting';
const NAMES = ['alice', 'bob', 'carol'];
const ctx = {};

beforeAll(async () => {
	ctx.nats = await startNats();
	ctx.nodes = await Promise.all([
		startNode({ nats: ctx.nats.url, nodeId: 'media-a', ip: '127.0.0.2', args: ['--webrtc-ports', '41000-41099'] }),
		startNode({ nats: ctx.nats.url, nodeId: 'media-b', ip: '127.0.0.3', args: ['--webrtc-ports', '41100-41199'] }),
	].map((started) => started.then((node) => node.ready)));
	ctx.scenario = await startRoomScenario({
		room: ROOM,
		names: NAMES,
		serverFlags: ['--max-workers', '0', '--policy', 'spread', '--nats', ctx.nats.url, '--node-id', 'room-signaling'],
		beforePages: async (server) => {
			// The room server must know both media servers before the first page joins.
			await waitFor(async () => (await (await fetch(`${server.url}/monitor.json`)).json()).nodes, (nodes) => nodes?.length === 3, {
				message: 'the room server to see both media servers',
			});
		},
	});
}, 180000);

afterAll(async () => {
	await ctx.scenario?.close();
	await Promise.all((ctx.nodes ?? []).map((node) => node.kill('SIGKILL')));
	await ctx.nats?.stop();
});

test('every page decodes the video and receives the audio of both others, across two media servers', async () => {
	for (const name of NAMES) {
		const page = ctx.scenario.pages[name];
		const first = await waitFor(() => remoteMediaStats(page), (stats) => mediaFlowsFromAll(stats, 2), {
			timeoutMs: 90000,
			message: `${name} to receive media from 2 participants`,
		});
		const baseline = mediaCounters(first);
		const later = await waitFor(() => remoteMediaStats(page), (stats) => mediaFlowsFromAll(stats, 2, { baseline, growth: 10 }), {
			timeoutMs: 60000,
			message: `${name}'s framesDecoded and packetsReceived to grow`,
		});
		const frames = later.filter((s) => s.kind === 'video').map((s) => `${s.displayName} ${s.framesDecoded} frames`);
		console.log(`${name} decodes: ${frames.join(', ')}`);
		expect((await roomState(page)).errors).toEqual([]);
	}
	const snapshot = await (await fetch(`${ctx.scenario.server.url}/monitor.json`)).json();
	// Both media servers host transports of the room, and media crosses between them.
	const media = snapshot.nodes.filter((node) => !node.self);
	expect(media.map((node) => node.nodeId).sort()).toEqual(['media-a', 'media-b']);
	expect(media.every((node) => node.shards > 0)).toBe(true);
	const directions = new Set(snapshot.nodePipes.filter((pipe) => pipe.room === ROOM).map((pipe) => `${pipe.fromNodeId}>${pipe.toNodeId}`));
	expect(directions.size).toBeGreaterThan(0);
	console.log(`pipes between servers: ${[...directions].join(', ')}`);
});
