'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { call } = require('./native');
const { checkAppDataValue } = require('./validate');
const { ppidFor, payloadFor } = require('./DataProducer');

/** A data sink forwarded from a data producer (mediasoup's DataConsumer). */
class DataConsumer extends EnhancedEventEmitter {
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
	get dataProducerId() { return this.#data.dataProducerId; }
	get closed() { return this.#closed; }
	get type() { return this.#data.type; }
	get sctpStreamParameters() { return this.#data.sctpStreamParameters ?? undefined; }
	get label() { return this.#data.label; }
	get protocol() { return this.#data.protocol; }
	get paused() { return false; }
	get dataProducerPaused() { return false; }
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
		return stats.map((s) => ({ type: 'data-consumer', ...s }));
	}

	async setBufferedAmountLowThreshold(threshold) {
		this.#checkOpen();
		await call(this.#native.setBufferedAmountLowThreshold(threshold));
	}

	async getBufferedAmount() {
		this.#checkOpen();
		return call(this.#native.getBufferedAmount());
	}

	async send(message, ppid) {
		if (typeof message !== 'string' && !Buffer.isBuffer(message)) {
			throw new TypeError('message must be a string or a Buffer');
		}
		this.#checkOpen();
		const id = ppidFor(message, ppid);
		await call(this.#native.send(id, payloadFor(message, id)));
	}

	_handleNativeEvent(name, data, bytes) {
		switch (name) {
			case 'dataproducerclose':
				if (this.#closed) break;
				this.#closed = true;
				this.#registry.remove(this.#native.handle);
				this.emit('@dataproducerclose');
				this.safeEmit('dataproducerclose');
				this.#observer.safeEmit('close');
				break;
			case 'message':
				this.safeEmit('message', bytes, data);
				break;
			case 'sctpsendbufferfull':
				this.safeEmit('sctpsendbufferfull');
				break;
			case 'bufferedamountlow':
				this.safeEmit('bufferedamountlow', data);
				break;
			default:
		}
	}

	#checkOpen() {
		if (this.#closed) throw new InvalidStateError('DataConsumer closed');
	}
}

module.exports = { DataConsumer };
