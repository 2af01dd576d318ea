'use strict';

const { Mafalda } = require('./Mafalda');

/**
 * The Mafalda pools behind mediasoup-shaped Workers. Workers created with the same
 * native settings (log, ports, DTLS files) share one pool, so its real workers
 * serve all of them; a pool closes with the last Worker using it.
 */
class SharedPools {
	#poolOptions;
	/** settings key → { mafalda, users } */
	#pools = new Map();

	constructor(poolOptions) {
		this.#poolOptions = poolOptions;
	}

	/** Returns `{ mafalda, release }`; call `release()` once when done with it. */
	acquire(workerSettings) {
		const key = JSON.stringify(workerSettings);
		let entry = this.#pools.get(key);
		if (!entry) {
			const mafalda = new Mafalda({ ...this.#poolOptions, workerSettings: { ...this.#poolOptions.workerSettings, ...workerSettings } });
			entry = { mafalda, users: 0 };
			this.#pools.set(key, entry);
		}
		entry.users += 1;
		// The Worker calls it once, from its first close().
		const release = () => {
			entry.users -= 1;
			if (entry.users === 0) {
				this.#pools.delete(key);
				entry.mafalda.close();
			}
		};
		return { mafalda: entry.mafalda, release };
	}
}

module.exports = { SharedPools };
