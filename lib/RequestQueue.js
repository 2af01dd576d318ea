'use strict';

/**
 * Runs one object's state-changing requests (pause, resume...) one after the other, so
 * that they reach the worker, resolve and update the state in the order they were
 * made, as mediasoup's single channel guarantees.
 */
class RequestQueue {
	#last = Promise.resolve();

	run(request) {
		const result = this.#last.then(request);
		this.#last = result.catch(() => {});
		return result;
	}
}

module.exports = { RequestQueue };
