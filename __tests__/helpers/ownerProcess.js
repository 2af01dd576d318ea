'use strict';

/**
 * A router owner in a process of its own, for the test that kills it with -9:
 * `node ownerProcess.js NATS_URL TOKEN`. Joins as a signaling-only node, creates a
 * router with three transports on the media nodes, prints their nodes as one JSON
 * line, then waits to be killed.
 */

const { Mafalda } = require('../..');
const { mediaCodecs } = require('./codecs');

async function main() {
	const [servers, token] = process.argv.slice(2);
	const mafalda = new Mafalda({
		maxWorkers: 0,
		policy: 'spread',
		cluster: { servers, token, nodeId: 'doomed-owner', announcedAddress: '127.0.0.1', heartbeatInterval: 300 },
	});
	await mafalda.ready();
	for (let i = 0; i < 100 && (await mafalda.dump()).nodes.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
	const router = await mafalda.createRouter({ mediaCodecs });
	const nodes = [];
	for (let i = 0; i < 3; i++) nodes.push((await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } })).nodeId);
	process.stdout.write(`${JSON.stringify({ nodes })}\n`);
	setInterval(() => {}, 1 << 30);
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
