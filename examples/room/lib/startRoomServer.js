'use strict';

const http = require('node:http');
const { WebSocketServer } = require('ws');
const { Mafalda } = require('mafalda-sfu');
const { bundleClient } = require('./bundleClient');
const { httpRoutes } = require('./httpRoutes');
const { Rooms } = require('./Rooms');
const { SignalingConnection } = require('./SignalingConnection');

/** A browser that stops answering pings this long is dropped (and leaves its room). */
const HEARTBEAT_MS = 15000;
/** Room requests are small; the largest (rtpCapabilities, rtpParameters) stay well below. */
const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * Starts the room server: one Mafalda shared by every room, the pages over HTTP and the
 * signaling over a WebSocket at /ws. Resolves to `{ url, mafalda, rooms, close() }`.
 */
async function startRoomServer(config, { log = console } = {}) {
	const bundle = await bundleClient();
	// Each worker gets a WebRtcServer: one UDP and one TCP port (of the range) for all
	// of its transports, which is what a firewall in front of the server wants.
	const listen = { ip: config.listenIp, announcedAddress: config.announcedIp, portRange: config.webRtcPorts };
	// With --nats this server is a node of a cluster: rooms also grow onto the
	// mafalda-node media servers (docs/cluster.md).
	const cluster = config.nats && {
		servers: config.nats.split(','),
		token: config.natsToken,
		nodeId: config.nodeId,
		announcedAddress: config.announcedIp ?? config.listenIp,
		listenIp: config.listenIp,
	};
	const mafalda = new Mafalda({
		maxWorkers: config.maxWorkers,
		policy: config.policy,
		...(config.maxWorkers === 0 ? {} : { webRtcServerOptions: { listenInfos: [{ protocol: 'udp', ...listen }, { protocol: 'tcp', ...listen }] } }),
		...(cluster ? { cluster } : {}),
	});
	await mafalda.ready();
	const rooms = new Rooms({ mafalda });
	const transportOptions = {
		enableUdp: true,
		enableTcp: true,
		preferUdp: true,
		initialAvailableOutgoingBitrate: 1_000_000,
	};

	const httpServer = http.createServer(httpRoutes({ bundle, mafalda, rooms, log }));
	const wss = new WebSocketServer({ server: httpServer, path: '/ws', maxPayload: MAX_MESSAGE_BYTES });
	wss.on('connection', (ws) => {
		ws.isAlive = true;
		ws.on('pong', () => { ws.isAlive = true; });
		new SignalingConnection({ ws, rooms, transportOptions, log });
	});
	const heartbeat = setInterval(() => {
		for (const ws of wss.clients) {
			if (!ws.isAlive) ws.terminate();
			ws.isAlive = false;
			ws.ping();
		}
	}, HEARTBEAT_MS);

	try {
		await new Promise((resolve, reject) => {
			httpServer.once('error', reject);
			httpServer.listen(config.port, config.host, resolve);
		});
	} catch (error) {
		clearInterval(heartbeat);
		mafalda.close();
		throw error;
	}
	const { address, port } = httpServer.address();
	const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;

	let closing;
	function close() {
		closing ??= (async () => {
			clearInterval(heartbeat);
			for (const ws of wss.clients) ws.terminate();
			wss.close();
			rooms.closeAll();
			mafalda.close();
			httpServer.closeAllConnections();
			await new Promise((resolve) => httpServer.close(resolve));
		})();
		return closing;
	}

	return { url, mafalda, rooms, close };
}

module.exports = { startRoomServer };
