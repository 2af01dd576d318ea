'use strict';

/**
 * A pool owner in a process of its own, for the tests that kill it: `node
 * poolProcess.js [exit]`. Starts two worker processes (a router with transports on
 * both), prints their pids as one JSON line, then waits to be killed — or, with
 * `exit`, ends with process.exit() without closing anything.
 */

const { Mafalda } = require('../..');
const { mediaCodecs } = require('./codecs');

async function main() {
	const mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread' });
	const router = await mafalda.createRouter({ mediaCodecs });
	await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
	const { workers } = await mafalda.dump();
	process.stdout.write(`${JSON.stringify({ pids: workers.map((w) => w.pid) })}\n`);
	if (process.argv[2] === 'exit') process.exit(0);
	setInterval(() => {}, 1 << 30);
}

main().catch((error) => {
	process.stderr.write(`${error.stack}\n`);
	process.exit(1);
});
