'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { call } = require('./native');
const { checkAppData, checkAppDataValue, checkTraceTypes, clone } = require('./validate');
const { Producer } = require('./Producer');
const { Consumer } = require('./Consumer');
const { DataProducer } = require('./DataProducer');
const { DataConsumer } = require('./DataConsumer');

/**
 * Base of the four transport kinds (mediasoup's Transport). The router reaches its
 * producers through `@newproducer`/`@producerclose` events, as in mediasoup.
 */
class Transport extends EnhancedEventEmitter {
	#native;
	#registry;
	#closed = false;
	#appData;
	#getProducerById;
	#getDataProducerById;
	#producers = new Map();
	#consumers = new Map();
	#dataProducers = new Map();
	#dataConsumers = new Map();
	#observer = new EnhancedEventEmitter();
	/** Where the scheduler placed it (kept after the worker is gone). */
	#workerId;
	/** Native getter state; updated by events. */
	_data;

	constructor({ native, registry, appData, getProducerById, getDataProducerById }) {
		super();
		this.#native = native;
		this.#registry = registry;
		this.#appData = appData || {};
		this.#getProducerById = getProducerById;
		this.#getDataProducerById = getDataProducerById;
		this._data = native.data();
		this.#workerId = native.workerId ?? undefined;
		registry.add(native.handle, this);
	}

	get id() { return this.#native.id; }
	get closed() { return this.#closed; }
	get appData() { return this.#appData; }
	set appData(appData) { checkAppDataValue(appData); this.#appData = appData; }
	get observer() { return this.#observer; }

	/** Id of the worker (CPU core) this transport was placed on. */
	get workerId() { return this.#workerId; }

	get producersForTesting() { return this.#producers; }
	get consumersForTesting() { return this.#consumers; }
	get dataProducersForTesting() { return this.#dataProducers; }
	get dataConsumersForTesting() { return this.#dataConsumers; }

	get _native() { return this.#native; }

	close() {
		if (this.#closed) return;
		this.#closed = true;
		this.#native.close();
		this.#closeChildren(true);
		this._onClosed();
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** The router closed (or its worker died): event `routerclose`. */
	routerClosed() {
		if (this.#closed) return;
		this.#closed = true;
		this.#native.close();
		this.#closeChildren(false);
		this._onClosed();
		this.safeEmit('routerclose');
		this.#observer.safeEmit('close');
	}

	#closeChildren(tellRouter) {
		this.#registry.remove(this.#native.handle);
		for (const producer of this.#producers.values()) {
			producer.transportClosed();
			if (tellRouter) this.emit('@producerclose', producer);
		}
		this.#producers.clear();
		for (const consumer of this.#consumers.values()) consumer.transportClosed();
		this.#consumers.clear();
		for (const dataProducer of this.#dataProducers.values()) {
			dataProducer.transportClosed();
			if (tellRouter) this.emit('@dataproducerclose', dataProducer);
		}
		this.#dataProducers.clear();
		for (const dataConsumer of this.#dataConsumers.values()) dataConsumer.transportClosed();
		this.#dataConsumers.clear();
	}

	/** Subclasses reset their state getters here. */
	_onClosed() {}

	async dump() {
		this._checkOpen();
		return call(this.#native.dump());
	}

	async getStats() {
		this._checkOpen();
		return call(this.#native.getStats());
	}

	async setMaxIncomingBitrate(bitrate) {
		this._checkOpen();
		await call(this.#native.setMaxIncomingBitrate(bitrate));
	}

	async setMaxOutgoingBitrate(bitrate) {
		this._checkOpen();
		await call(this.#native.setMaxOutgoingBitrate(bitrate));
	}

	async enableTraceEvent(types = []) {
		checkTraceTypes(types);
		this._checkOpen();
		await call(this.#native.enableTraceEvent(types));
	}

	async produce({ id, kind, rtpParameters, paused = false, keyFrameRequestDelay, appData } = {}) {
		if (id && this.#producers.has(id)) throw new TypeError(`a Producer with same id "${id}" already exists`);
		if (!['audio', 'video'].includes(kind)) throw new TypeError(`invalid kind "${kind}"`);
		if (!rtpParameters || typeof rtpParameters !== 'object') throw new TypeError('missing rtpParameters');
		checkAppData(appData);
		this._checkOpen();
		const native = await call(
			this.#native.produce({ id, kind, rtpParameters: clone(rtpParameters), paused, keyFrameRequestDelay })
		);
		const producer = new Producer({ native, registry: this.#registry, appData });
		this.#producers.set(producer.id, producer);
		producer.on('@close', () => {
			this.#producers.delete(producer.id);
			this.emit('@producerclose', producer);
		});
		this.emit('@newproducer', producer);
		this.#observer.safeEmit('newproducer', producer);
		return producer;
	}

	async consume({ producerId, rtpCapabilities, paused = false, mid, preferredLayers, pipe = false, appData } = {}) {
		if (!producerId || typeof producerId !== 'string') throw new TypeError('missing producerId');
		checkAppData(appData);
		if (mid !== undefined && (typeof mid !== 'string' || mid.length === 0)) {
			throw new TypeError('if given, mid must be non empty string');
		}
		if (!rtpCapabilities || typeof rtpCapabilities !== 'object') throw new TypeError('missing rtpCapabilities');
		this._checkOpen();
		if (!this.#getProducerById(producerId)) throw new Error(`Producer with id "${producerId}" not found`);
		const native = await call(
			this.#native.consume({
				producerId,
				rtpCapabilities: clone(rtpCapabilities),
				paused,
				mid,
				preferredLayers: clone(preferredLayers),
				pipe,
			})
		);
		const consumer = new Consumer({ native, registry: this.#registry, appData });
		this.#consumers.set(consumer.id, consumer);
		consumer.on('@close', () => this.#consumers.delete(consumer.id));
		consumer.on('@producerclose', () => this.#consumers.delete(consumer.id));
		this.#observer.safeEmit('newconsumer', consumer);
		return consumer;
	}

	async produceData({ id, sctpStreamParameters, label = '', protocol = '', appData } = {}) {
		if (id && this.#dataProducers.has(id)) throw new TypeError(`a DataProducer with same id "${id}" already exists`);
		if (this.#native.kind !== 'direct' && (!sctpStreamParameters || typeof sctpStreamParameters !== 'object')) {
			throw new TypeError('missing sctpStreamParameters');
		}
		if (typeof label !== 'string') throw new TypeError('label must be a string');
		if (typeof protocol !== 'string') throw new TypeError('protocol must be a string');
		checkAppData(appData);
		this._checkOpen();
		const native = await call(
			this.#native.produceData({ sctpStreamParameters: clone(sctpStreamParameters), label, protocol })
		);
		const dataProducer = new DataProducer({ native, registry: this.#registry, appData });
		this.#dataProducers.set(dataProducer.id, dataProducer);
		dataProducer.on('@close', () => {
			this.#dataProducers.delete(dataProducer.id);
			this.emit('@dataproducerclose', dataProducer);
		});
		this.emit('@newdataproducer', dataProducer);
		this.#observer.safeEmit('newdataproducer', dataProducer);
		return dataProducer;
	}

	async consumeData({ dataProducerId, ordered, maxPacketLifeTime, maxRetransmits, appData } = {}) {
		if (!dataProducerId || typeof dataProducerId !== 'string') throw new TypeError('missing dataProducerId');
		checkAppData(appData);
		this._checkOpen();
		if (!this.#getDataProducerById(dataProducerId)) {
			throw new Error(`DataProducer with id "${dataProducerId}" not found`);
		}
		const native = await call(
			this.#native.consumeData({ dataProducerId, ordered, maxPacketLifeTime, maxRetransmits })
		);
		const dataConsumer = new DataConsumer({ native, registry: this.#registry, appData });
		this.#dataConsumers.set(dataConsumer.id, dataConsumer);
		dataConsumer.on('@close', () => this.#dataConsumers.delete(dataConsumer.id));
		dataConsumer.on('@dataproducerclose', () => this.#dataConsumers.delete(dataConsumer.id));
		this.#observer.safeEmit('newdataconsumer', dataConsumer);
		return dataConsumer;
	}

	_checkOpen() {
		if (this.#closed) throw new InvalidStateError('Transport closed');
	}

	/** Events common to every kind; subclasses handle their own first. */
	_handleNativeEvent(name, data) {
		if (name === 'trace') {
			this.safeEmit('trace', data);
			this.#observer.safeEmit('trace', data);
		} else if (name === 'routerclose') {
			this.routerClosed();
		}
	}
}

module.exports = { Transport };
