'use strict';

/**
 * RTP counters of the producers and consumers of one Mafalda's routers, wherever they
 * live (another node answers for its own): `sample()` reads every open one's stats and
 * returns the totals by (node, kind). A stream that closes keeps what its last sample
 * read, so the totals never go down; what it carried after that sample is not counted.
 */

const FIELDS = ['packets', 'bytes', 'lost', 'retransmitted'];
// At most this many getStats() calls at once (each may be a call to another node).
const CONCURRENCY = 64;

function zero() {
	return { in: { packets: 0, bytes: 0, lost: 0, retransmitted: 0 }, out: { packets: 0, bytes: 0, lost: 0, retransmitted: 0 } };
}

class LiveMedia {
	/** object → { direction, kind, node, last } */
	#open = new Map();
	/** `${node} ${kind}` → totals of closed streams */
	#closed = new Map();

	/** Follows `mafalda.observer`: every router, transport, producer and consumer it makes. */
	constructor(observer) {
		observer.on('newrouter', (router) => {
			router.observer.on('newtransport', (transport) => {
				transport.observer.on('newproducer', (producer) => this.#track(producer, 'in', transport));
				transport.observer.on('newconsumer', (consumer) => this.#track(consumer, 'out', transport));
			});
		});
	}

	#track(object, direction, transport) {
		const entry = { direction, kind: object.kind, node: transport.nodeId, last: null };
		this.#open.set(object, entry);
		object.observer.once('close', () => {
			this.#open.delete(object);
			if (entry.last) this.#add(this.#closed, entry, entry.last);
		});
	}

	#add(totals, { node, kind, direction }, values) {
		const key = `${node ?? ''}\u0000${kind}`;
		if (!totals.has(key)) totals.set(key, { node, kind, ...zero() });
		const sum = totals.get(key)[direction];
		for (const field of FIELDS) sum[field] += values[field];
	}

	/** Totals by node (`undefined`: this one) and kind: `[{ node, kind, in, out }]`. */
	async sample() {
		const open = [...this.#open];
		for (let i = 0; i < open.length; i += CONCURRENCY) {
			await Promise.all(open.slice(i, i + CONCURRENCY).map(([object, entry]) => read(object, entry)));
		}
		const totals = new Map();
		for (const [key, value] of this.#closed) totals.set(key, structuredClone(value));
		for (const entry of this.#open.values()) if (entry.last) this.#add(totals, entry, entry.last);
		return [...totals.values()];
	}
}

/** The stream's counters, kept in `entry.last`; a stream that closed meanwhile keeps its last. */
async function read(object, entry) {
	let stats;
	try {
		stats = await object.getStats();
	} catch {
		return;
	}
	const type = entry.direction === 'in' ? 'inbound-rtp' : 'outbound-rtp';
	const values = { packets: 0, bytes: 0, lost: 0, retransmitted: 0 };
	for (const stat of stats.filter((s) => s.type === type)) {
		values.packets += stat.packetCount ?? 0;
		values.bytes += stat.byteCount ?? 0;
		values.lost += Math.max(0, stat.packetsLost ?? 0);
		values.retransmitted += stat.packetsRetransmitted ?? 0;
	}
	// A stream's counters restart when its encodings change: keep what was counted.
	if (entry.last) for (const field of FIELDS) values[field] = Math.max(values[field], entry.last[field]);
	entry.last = values;
}

module.exports = { LiveMedia };
