'use strict';

const { call } = require('./native');

/**
 * Pauses or resumes a data producer or consumer. An SCTP one pauses in the worker, one
 * request after the other (`requests`, a RequestQueue) so that state and events follow
 * the order of the calls; a DirectTransport one pauses here, where its messages pass, at
 * once. `apply()` updates the state and emits the events.
 */
async function changeDataPaused({ direct, requests, native, paused, apply }) {
	if (direct) {
		apply();
		return;
	}
	await requests.run(async () => {
		await call(paused ? native.pause() : native.resume());
		apply();
	});
}

module.exports = { changeDataPaused };
