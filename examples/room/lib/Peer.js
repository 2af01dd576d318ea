'use strict';

const { RequestError } = require('./RequestError');

function once(fn) {
	let done = false;
	return () => {
		if (!done) {
			done = true;
			fn();
		}
	};
}

/** Bounds one participant's footprint on the workers (camera, microphone, a screen or two). */
const MAX_PRODUCERS_PER_PEER = 4;

/**
 * One participant of a room: at most one sending and one receiving WebRTC transport,
 * the producers it publishes and the consumers it receives. Talks back to its browser
 * through `notify(method, data)`.
 */
class Peer {
	#closed = false;
	/** 'send' | 'recv' → WebRtcTransport */
	#transports = new Map();
	#producers = new Map();
	#consumers = new Map();
	/** Produce requests in flight, and the producer ids being consumed. */
	#producing = 0;
	#consuming = new Set();

	constructor({ id, displayName, notify }) {
		this.id = id;
		this.displayName = displayName;
		this.notify = notify;
	}

	get closed() { return this.#closed; }
	get producers() { return [...this.#producers.values()]; }
	get consumers() { return [...this.#consumers.values()]; }

	/** `[transportId, 'send' | 'recv']` pairs, for the monitor. */
	get transportDirections() {
		return [...this.#transports].map(([direction, transport]) => [transport.id, direction]);
	}

	hasTransport(direction) {
		return this.#transports.has(direction);
	}

	addTransport(direction, transport) {
		this.#transports.set(direction, transport);
		transport.observer.once('close', () => {
			if (this.#transports.get(direction) === transport) this.#transports.delete(direction);
		});
	}

	/** The transport with this id, which must go in `direction`. */
	transport(transportId, direction) {
		const transport = [...this.#transports.values()].find((t) => t.id === transportId);
		if (!transport) throw new RequestError(`transport "${transportId}" not found`);
		if (direction && this.#transports.get(direction) !== transport) {
			throw new RequestError(`transport "${transportId}" is not a ${direction} transport`);
		}
		return transport;
	}

	transportOf(direction) {
		const transport = this.#transports.get(direction);
		if (!transport) throw new RequestError(`create a ${direction} transport first`);
		return transport;
	}

	/**
	 * Holds one of the peer's producer slots while its produce is in flight (so that
	 * concurrent requests cannot all pass the check); returns the function that frees it.
	 */
	reserveProducerSlot() {
		if (this.#producers.size + this.#producing >= MAX_PRODUCERS_PER_PEER) {
			throw new RequestError(`at most ${MAX_PRODUCERS_PER_PEER} producers per participant`);
		}
		this.#producing += 1;
		return once(() => { this.#producing -= 1; });
	}

	addProducer(producer) {
		this.#producers.set(producer.id, producer);
		producer.observer.once('close', () => this.#producers.delete(producer.id));
	}

	/** Marks a consume of `producerId` in flight (one per producer); returns its release. */
	beginConsuming(producerId) {
		if (this.#consuming.has(producerId) || this.consumers.some((consumer) => consumer.producerId === producerId)) {
			throw new RequestError(`already consuming producer "${producerId}"`);
		}
		this.#consuming.add(producerId);
		return once(() => this.#consuming.delete(producerId));
	}

	/** Keeps the consumer and tells the browser when its producer goes away. */
	addConsumer(consumer) {
		this.#consumers.set(consumer.id, consumer);
		consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
		consumer.on('producerclose', () => {
			this.notify('consumerClosed', { consumerId: consumer.id, producerId: consumer.producerId });
		});
	}

	consumer(consumerId) {
		const consumer = this.#consumers.get(consumerId);
		if (!consumer) throw new RequestError(`consumer "${consumerId}" not found`);
		return consumer;
	}

	/** Closing the transports closes this peer's producers and consumers with them. */
	close() {
		if (this.#closed) return;
		this.#closed = true;
		for (const transport of this.#transports.values()) transport.close();
		this.#transports.clear();
	}
}

module.exports = { Peer };
