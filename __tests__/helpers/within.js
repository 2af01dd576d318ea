'use strict';

/** `promise`, or `fallback` after `ms`; the timer is cleared either way, so it keeps nothing (Jest, Node) alive. */
async function within(promise, ms, fallback) {
	let timer;
	const late = new Promise((resolve) => { timer = setTimeout(() => resolve(fallback), ms); });
	try {
		return await Promise.race([promise, late]);
	} finally {
		clearTimeout(timer);
	}
}

module.exports = { within };
