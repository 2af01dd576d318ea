'use strict';

const { NativeObject } = require('./NativeObject');
const { call, callSync } = require('./native');
const { checkAppData, checkUnsignedInteger, clone, shown } = require('./validate');
const { encodeCodecParameterValues } = require('./codecParameterValues');
const { normalizeSctpStreamParameters } = require('./sctpStreamParameters');
const { knownTraceEventTypes } = require('./traceEventTypes');
const { transportDump, appIdsOf } = require('./dumps');
const { TestChannel } = require('./TestChannel');
const { Producer } = require('./Producer');
const { Consumer } = require('./Consumer');
const { DataProducer } = require('./DataProducer');
const { DataConsumer, subchannelSet } = require('./DataConsumer');

/**
 * Base of the four transport kinds (mediasoup's Transport). The router reaches its
 * producers through `@newproducer`/`@producerclose` events, as in mediasoup.
 */
class Transport extends NativeObject {
	#getProducerById;
	#getDataProducerById;
	#producers = new Map();
	#consumers = new Map();
	#dataProducers = new Map();
	#dataConsumers = new Map();
	/** Where the scheduler placed it (kept after the worker is gone). */
	#workerId;
	#nodeId;
	#channel;
	/** Native getter state; updated by events. */
	_data;
	/** Creation options the getters and checks need (listen infos, announced address...). */
	_options;

	constructor({ native, registry, appData, options, getProducerById, getDataProducerById }) {
		super({ native, registry, appData, kind: 'Transport' });
		this._options = options ?? {};
		this.#getProducerById = getProducerById;
		this.#getDataProducerById = getDataProducerById;
		// Its worker may have died since the creation resolved: then no events may reach this half-made object.
		try { this._data = callSync(() => native.data()); } catch (error) { registry.remove(native.handle); throw error; }
		this.#workerId = native.workerId ?? undefined;
		this.#nodeId = native.nodeId ?? undefined;
	}

	get id() { return this._native.id; }

	/** Id of the worker (CPU core) this transport was placed on. */
	get workerId() { return this.#workerId; }
	/** Node of the cluster it lives on (undefined: this one). */
	get nodeId() { return this.#nodeId; }

	/** Private API of mediasoup's tests: inject worker notifications (3.14 format). */
	get channelForTesting() {
		this.#channel ??= new TestChannel(this);
		return this.#channel;
	}

	close() {
		if (!this._markClosed()) return;
		this._native.close();
		this.#closeChildren(true);
		this._onClosed();
		this.emit('@close');
		this.observer.safeEmit('close');
	}

	/** The router closed: event `routerclose`. */
	routerClosed() {
		this.#closedWithRouter(false);
	}

	/**
	 * Event `routerclose`. `tellRouter` when the router lives on (the transport's worker
	 * died): it forgets this transport and its producers, as after `close()`.
	 */
	#closedWithRouter(tellRouter) {
		if (!this._markClosed()) return;
		this._native.close();
		this.#closeChildren(tellRouter);
		this._onClosed();
		if (tellRouter) this.emit('@close');
		this.safeEmit('routerclose');
		this.observer.safeEmit('close');
	}

	/** The WebRtcServer it listens on closed: event `listenserverclose`. */
	listenServerClosed() {
		if (!this._markClosed()) return;
		this._native.close();
		this.#closeChildren(true);
		this._onClosed();
		this.emit('@close');
		this.safeEmit('listenserverclose');
		this.observer.safeEmit('close');
	}

	/** Children close with `transportclose`; `tellRouter` forgets their producers. */
	#closeChildren(tellRouter) {
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
		const dump = this._shapeDump(transportDump(await call(this._native.dump())));
		const appId = appIdsOf([...this.#producers.values(), ...this.#dataProducers.values()]);
		// A child the app closed is gone from the dump, as on mediasoup's single ordered
		// channel; here its close may still be on its way to the worker.
		dump.producerIds = dump.producerIds?.map(appId).filter((id) => this.#producers.has(id));
		dump.consumerIds = dump.consumerIds?.filter((id) => this.#consumers.has(id));
		dump.dataProducerIds = dump.dataProducerIds?.map(appId).filter((id) => this.#dataProducers.has(id));
		dump.dataConsumerIds = dump.dataConsumerIds?.filter((id) => this.#dataConsumers.has(id));
		// The listeners name the producers by the worker's ids too.
		const withAppIds = (table) => table.map(({ key, value }) => ({ key, value: appId(value) }));
		const { ssrcTable, midTable, ridTable } = dump.rtpListener;
		dump.rtpListener = { ssrcTable: withAppIds(ssrcTable), midTable: withAppIds(midTable), ridTable: withAppIds(ridTable) };
		if (dump.sctpListener) dump.sctpListener = { streamIdTable: withAppIds(dump.sctpListener.streamIdTable) };
		return dump;
	}

	/** Subclasses put their getter state into the dump (as the 3.14 worker reports it). */
	_shapeDump(dump) {
		return dump;
	}

	/** Each kind shapes its stats (`_shapeStats()`: their `type` and state). */
	async getStats() {
		this._checkOpen();
		const stats = await call(this._native.getStats());
		return stats.map((stat) => this._shapeStats(stat));
	}

	async setMaxIncomingBitrate(bitrate) {
		this._checkOpen();
		checkUnsignedInteger(bitrate, 'bitrate');
		await call(this._native.setMaxIncomingBitrate(bitrate));
	}

	async setMaxOutgoingBitrate(bitrate) {
		this._checkOpen();
		checkUnsignedInteger(bitrate, 'bitrate');
		await call(this._native.setMaxOutgoingBitrate(bitrate));
	}

	async setMinOutgoingBitrate(bitrate) {
		this._checkOpen();
		checkUnsignedInteger(bitrate, 'bitrate');
		await call(this._native.setMinOutgoingBitrate(bitrate));
	}

	async enableTraceEvent(types = []) {
		const known = knownTraceEventTypes(types, 'transport');
		this._checkOpen();
		await call(this._native.enableTraceEvent(known));
	}

	async produce({ id, kind, rtpParameters, paused = false, keyFrameRequestDelay, appData } = {}) {
		if (id && this.#producers.has(id)) throw new TypeError(`a Producer with same id "${id}" already exists`);
		if (id && this.#getProducerById(id)) throw new Error(`a Producer with id "${id}" already exists in this Router`);
		if (!['audio', 'video'].includes(kind)) throw new TypeError(`invalid kind "${shown(kind)}"`);
		if (!rtpParameters || typeof rtpParameters !== 'object') throw new TypeError('missing rtpParameters');
		if (Array.isArray(rtpParameters.encodings) && rtpParameters.encodings.length === 0) {
			throw new TypeError('empty rtpParameters.encodings');
		}
		checkRtxCodecs(rtpParameters);
		checkAppData(appData);
		this._checkOpen();
		const native = await call(
			this._native.produce(clone({
				// An id the app gives stays in JS (see Producer); the worker picks its own.
				kind,
				rtpParameters: encodeCodecParameterValues(clone(rtpParameters, 'rtpParameters')),
				paused,
				keyFrameRequestDelay,
			}))
		);
		const producer = new Producer({ native, registry: this._registry, id, appData });
		this.#producers.set(producer.id, producer);
		producer.on('@close', () => {
			this.#producers.delete(producer.id);
			this.emit('@producerclose', producer);
		});
		this.emit('@newproducer', producer);
		this.observer.safeEmit('newproducer', producer);
		return producer;
	}

	async consume({ producerId, rtpCapabilities, paused = false, mid, preferredLayers, enableRtx, ignoreDtx = false, pipe = false, appData, _score } = {}) {
		if (!producerId || typeof producerId !== 'string') throw new TypeError('missing producerId');
		checkAppData(appData);
		if (mid !== undefined && (typeof mid !== 'string' || mid.length === 0)) {
			throw new TypeError('if given, mid must be non empty string');
		}
		if (!rtpCapabilities || typeof rtpCapabilities !== 'object') throw new TypeError('missing rtpCapabilities');
		// The core would skip such codecs; mediasoup refuses them.
		if (Array.isArray(rtpCapabilities.codecs) && rtpCapabilities.codecs.some((codec) => !codec || typeof codec !== 'object')) {
			throw new TypeError('codec is not an object');
		}
		if (enableRtx !== undefined && typeof enableRtx !== 'boolean') throw new TypeError('if given, enableRtx must be a boolean');
		if (typeof ignoreDtx !== 'boolean') throw new TypeError('if given, ignoreDtx must be a boolean');
		this._checkOpen();
		const producer = this.#getProducerById(producerId);
		if (!producer) throw new Error(`Producer with id "${producerId}" not found`);
		const native = await call(
			this._native.consume(clone({
				producerId: producer._nativeId,
				rtpCapabilities: encodeCodecParameterValues(clone(rtpCapabilities, 'rtpCapabilities')),
				paused,
				mid,
				preferredLayers: clone(preferredLayers, 'preferredLayers'),
				// The worker's default when not given: on for video, off (no RTX, no NACK) for audio.
				enableRtx,
				ignoreDtx,
				pipe,
			}))
		);
		const consumer = new Consumer({
			native,
			registry: this._registry,
			producerId: producer.id,
			consumableRtpParameters: producer.consumableRtpParameters,
			score: _score,
			appData,
		});
		this.#consumers.set(consumer.id, consumer);
		consumer.on('@close', () => this.#consumers.delete(consumer.id));
		consumer.on('@producerclose', () => this.#consumers.delete(consumer.id));
		this.observer.safeEmit('newconsumer', consumer);
		return consumer;
	}

	async produceData({ id, sctpStreamParameters, label = '', protocol = '', paused = false, appData } = {}) {
		if (id && this.#dataProducers.has(id)) throw new TypeError(`a DataProducer with same id "${id}" already exists`);
		const direct = this._native.kind === 'direct';
		const streamParameters = direct ? undefined : normalizeSctpStreamParameters(sctpStreamParameters);
		if (typeof label !== 'string') throw new TypeError('label must be a string');
		if (typeof protocol !== 'string') throw new TypeError('protocol must be a string');
		checkAppData(appData);
		this._checkOpen();
		// SCTP data producers pause in the worker; direct ones in DataProducer.
		const native = await call(this._native.produceData(clone({ sctpStreamParameters: streamParameters, label, protocol, paused: Boolean(paused) && !direct })));
		const dataProducer = new DataProducer({ native, registry: this._registry, id, paused, appData });
		this.#dataProducers.set(dataProducer.id, dataProducer);
		dataProducer.on('@close', () => {
			this.#dataProducers.delete(dataProducer.id);
			this.emit('@dataproducerclose', dataProducer);
		});
		this.emit('@newdataproducer', dataProducer);
		this.observer.safeEmit('newdataproducer', dataProducer);
		return dataProducer;
	}

	async consumeData({ dataProducerId, ordered, maxPacketLifeTime, maxRetransmits, paused = false, subchannels, appData } = {}) {
		if (!dataProducerId || typeof dataProducerId !== 'string') throw new TypeError('missing dataProducerId');
		checkAppData(appData);
		// Before the worker makes a data consumer that a bad value would leave behind.
		subchannelSet(subchannels);
		this._checkOpen();
		const dataProducer = this.#getDataProducerById(dataProducerId);
		if (!dataProducer) throw new Error(`DataProducer with id "${dataProducerId}" not found`);
		// SCTP data consumers pause in the worker; direct ones in DataConsumer, where
		// their messages arrive.
		const direct = this._native.kind === 'direct';
		const native = await call(
			this._native.consumeData(clone({ dataProducerId: dataProducer._nativeId, ordered, maxPacketLifeTime, maxRetransmits, paused: Boolean(paused) && !direct }))
		);
		const dataConsumer = new DataConsumer({ native, registry: this._registry, dataProducer, paused, subchannels, appData });
		this.#dataConsumers.set(dataConsumer.id, dataConsumer);
		dataConsumer.on('@close', () => this.#dataConsumers.delete(dataConsumer.id));
		dataConsumer.on('@dataproducerclose', () => this.#dataConsumers.delete(dataConsumer.id));
		this.observer.safeEmit('newdataconsumer', dataConsumer);
		return dataConsumer;
	}

	/** Events common to every kind; subclasses handle their own first. */
	_handleNativeEvent(name, data) {
		if (name === 'trace') {
			this.safeEmit('trace', data);
			this.observer.safeEmit('trace', data);
		} else if (name === 'routerclose') {
			// Its worker died; the router carries on without it.
			this.#closedWithRouter(true);
		}
	}
}


/** As mediasoup: each RTX codec must name (`apt`) a media codec of the same parameters. */
function checkRtxCodecs({ codecs }) {
	if (!Array.isArray(codecs)) return;
	for (const codec of codecs) {
		if (!/\/rtx$/i.test(codec?.mimeType ?? '')) continue;
		const apt = codec.parameters?.apt;
		if (!codecs.some((media) => media !== codec && media.payloadType === apt)) {
			throw new TypeError(`missing media codec found for RTX PT ${shown(codec.payloadType)}`);
		}
	}
}

module.exports = { Transport };
