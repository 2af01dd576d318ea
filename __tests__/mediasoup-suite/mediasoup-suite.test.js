'use strict';

/**
 * The third-party mediasoup suite against `mafalda-sfu/mediasoup` with its default
 * workers, processes of their own: every test runs, the signal tests too (they kill
 * `worker.pid`). Two placements: `pack`, and `spread` over 2 workers (every test's
 * transports on different workers, so it goes through pipes).
 */

const { runModes } = require('./runSuite');

runModes([
	{ name: 'pack', poolOptions: {} },
	{ name: 'spread', poolOptions: { policy: 'spread', maxWorkers: 2 } },
]);
