'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { call } = require('./native');
const { checkAppDataValue } = require('./validate');

/** WebRTC data channel PPIDs, as mediasoup uses them. */
function ppidFor(message, ppid) {
	if (ppid !== undefined) return ppid;
	if (typeof message === 'string') return message.length > 0 ? 51 : 56;
	return message.length > 0 ? 53 : 57;
}

function payloadFor(message, ppid) {
	if (ppid === 56 || ppid === 57) return Buffer.alloc(1);
	return typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
}

/** A data source injected into a router (mediasoup's DataProducer). */
class DataProducer extends EnhancedEventEmitter {
	#native;
	#registry;
	#data;
	#closed = false;
	#appData;
	#observer = new EnhancedEventEmitter();

	constructor({ native, registry, appData }) {
		super();
		this.#native = native;
		this.#registry = registry;
		this.#data = native.data();
		this.#appData = appData || {};
		registry.add(native.handle, this);
	}

	get id() { return this.#data.id; }
	get closed() { return this.#closed; }
	get type() { return this.#data.type; }
	get sctpStreamParameters() { return this.#data.sctpStreamParameters ?? undefined; }
	get label() { return this.#data.label; }
	get protocol() { return this.#data.protocol; }
	get paused() { return false; }
	get appData() { return this.#appData; }
	set appData(appData) { checkAppDataValue(appData); this.#appData = appData; }
	get observer() { return this.#observer; }

	close() {
		if (this.#closed) return;
		this.#closed = true;
		this.#registry.remove(this.#native.handle);
		this.#native.close();
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	transportClosed() {
		if (this.#closed) return;
		this.#closed = true;
		this.#registry.remove(this.#native.handle);
		this.safeEmit('transportclose');
		this.#observer.safeEmit('close');
	}

	async dump() {
		this.#checkOpen();
		return call(this.#native.dump());
	}

	async getStats() {
		this.#checkOpen();
		const stats = await call(this.#native.getStats());
		return stats.map((s) => ({ type: 'data-producer', ...s }));
	}

	/** Sends a message (data producers of a DirectTransport only). */
	send(message, ppid) {
		if (typeof message !== 'string' && !Buffer.isBuffer(message)) {
			throw new TypeError('message must be a string or a Buffer');
		}
		if (this.#closed) throw new InvalidStateError('DataProducer closed');
		const id = ppidFor(message, ppid);
		this.#native.send(id, payloadFor(message, id)).catch(() => {});
	}

	_handleNativeEvent() {}

	#checkOpen() {
		if (this.#closed) throw new InvalidStateError('DataProducer closed');
	}
}

module.exports = { DataProducer, ppidFor, payloadFor };
