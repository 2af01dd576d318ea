'use strict';

/**
 * The third-party mediasoup suite with worker threads (`workerBacking: 'thread'`),
 * the backing kept as an option: their pid is this process's, so the suite must not
 * kill it (it skips its two signal tests).
 */

process.env.HAS_VIRTUAL_PIDS = '1';

const { runModes } = require('./runSuite');

runModes([
	{ name: 'pack, worker threads', poolOptions: { workerBacking: 'thread' } },
	{ name: 'spread, worker threads', poolOptions: { workerBacking: 'thread', policy: 'spread', maxWorkers: 2 } },
]);
