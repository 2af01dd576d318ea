'use strict';

/**
 * Polls `probe` until `accept(value)` holds, and resolves with that value. Fails after
 * `timeoutMs` with `message` and the last value seen: the machine may be slow, so waits
 * are generous and nothing is asserted about how long things take.
 */
async function waitFor(probe, accept, { timeoutMs = 60000, intervalMs = 500, message = 'condition' } = {}) {
	const deadline = Date.now() + timeoutMs;
	let last;
	let lastError;
	for (;;) {
		try {
			last = await probe();
			lastError = undefined;
			if (accept(last)) return last;
		} catch (error) {
			lastError = error;
		}
		if (Date.now() > deadline) {
			const detail = lastError ? `last error: ${lastError.message}` : `last value: ${JSON.stringify(last, null, 1)}`;
			throw new Error(`timed out waiting for ${message}; ${detail}`);
		}
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}

module.exports = { waitFor };
