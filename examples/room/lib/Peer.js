'use strict';

const { RequestError } = require('./RequestError');

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

	checkCanProduce() {
		if (this.#producers.size >= MAX_PRODUCERS_PER_PEER) {
			throw new RequestError(`at most ${MAX_PRODUCERS_PER_PEER} producers per participant`);
		}
	}

	addProducer(producer) {
		this.#producers.set(producer.id, producer);
		producer.observer.once('close', () => this.#producers.delete(producer.id));
	}

	isConsuming(producerId) {
		return this.consumers.some((consumer) => consumer.producerId === producerId);
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
