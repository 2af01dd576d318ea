'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { call } = require('./native');
const { checkAppDataValue } = require('./validate');

/**
 * Base of the RTP observers. `addProducer()` takes any producer of the router:
 * one living on another worker is piped into the observer's worker.
 */
class RtpObserver extends EnhancedEventEmitter {
	#native;
	#registry;
	#closed = false;
	#paused = false;
	#appData;
	#observer = new EnhancedEventEmitter();
	_getProducerById;

	constructor({ native, registry, appData, getProducerById }) {
		super();
		this.#native = native;
		this.#registry = registry;
		this.#appData = appData || {};
		this._getProducerById = getProducerById;
		registry.add(native.handle, this);
	}

	get id() { return this.#native.id; }
	get closed() { return this.#closed; }
	get paused() { return this.#paused; }
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

	routerClosed() {
		if (this.#closed) return;
		this.#closed = true;
		this.#registry.remove(this.#native.handle);
		this.#native.close();
		this.safeEmit('routerclose');
		this.#observer.safeEmit('close');
	}

	async pause() {
		this.#checkOpen();
		const wasPaused = this.#paused;
		await call(this.#native.pause());
		this.#paused = true;
		if (!wasPaused) this.#observer.safeEmit('pause');
	}

	async resume() {
		this.#checkOpen();
		const wasPaused = this.#paused;
		await call(this.#native.resume());
		this.#paused = false;
		if (wasPaused) this.#observer.safeEmit('resume');
	}

	async addProducer({ producerId } = {}) {
		const producer = this.#producer(producerId);
		this.#checkOpen();
		await call(this.#native.addProducer(producerId));
		this.#observer.safeEmit('addproducer', producer);
	}

	async removeProducer({ producerId } = {}) {
		const producer = this.#producer(producerId);
		this.#checkOpen();
		await call(this.#native.removeProducer(producerId));
		this.#observer.safeEmit('removeproducer', producer);
	}

	#producer(producerId) {
		if (!producerId || typeof producerId !== 'string') throw new TypeError('missing producerId');
		const producer = this._getProducerById(producerId);
		if (!producer) throw new Error(`Producer with id "${producerId}" not found`);
		return producer;
	}

	#checkOpen() {
		if (this.#closed) throw new InvalidStateError('RtpObserver closed');
	}

	_handleNativeEvent(name) {
		if (name === 'routerclose') this.routerClosed();
	}
}

module.exports = { RtpObserver };
