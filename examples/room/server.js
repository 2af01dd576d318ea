#!/usr/bin/env node
'use strict';

/**
 * The video room demo: `npm start` (or `node examples/room/server.js --help`).
 * Prints `room server listening on <url>` once ready.
 */

const { readConfig, usage, ConfigError } = require('./lib/config');
const { startRoomServer } = require('./lib/startRoomServer');

async function main() {
	let config;
	try {
		config = readConfig();
	} catch (error) {
		if (!(error instanceof ConfigError)) throw error;
		console.error(`${error.message}\n\n${usage()}`);
		process.exit(2);
	}
	if (config.help) {
		console.log(usage());
		return;
	}

	const server = await startRoomServer(config);
	console.log(`room server listening on ${server.url}`);
	console.log(`  join a room: ${server.url}/?room=demo   monitor: ${server.url}/monitor`);
	console.log(`  workers: ${config.maxWorkers ?? 'one per core'}, policy: ${config.policy}, media on ${config.listenIp}` +
		(config.announcedIp ? ` (announced as ${config.announcedIp})` : ''));

	const stop = () => {
		server.close().then(() => process.exit(0));
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
