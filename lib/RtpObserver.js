'use strict';

const { NativeObject } = require('./NativeObject');
const { call } = require('./native');

/**
 * Base of the RTP observers. `addProducer()` takes any producer of the router:
 * one living on another worker is piped into the observer's worker.
 */
class RtpObserver extends NativeObject {
	#paused = false;
	#getProducerById;
	/** Events of the worker name producers by its own ids (see Producer). */
	_getProducerByNativeId;

	constructor({ native, registry, appData, getProducerById, getProducerByNativeId }) {
		super({ native, registry, appData, kind: 'RtpObserver' });
		this.#getProducerById = getProducerById;
		this._getProducerByNativeId = getProducerByNativeId;
	}

	get id() { return this._native.id; }
	get paused() { return this.#paused; }

	/** The router closed (or its worker died): event `routerclose`. */
	routerClosed() {
		if (this.closed) return;
		this._native.close();
		this._closedBy('routerclose');
	}

	async pause() {
		this._checkOpen();
		const wasPaused = this.#paused;
		await call(this._native.pause());
		this.#paused = true;
		if (!wasPaused) this.observer.safeEmit('pause');
	}

	async resume() {
		this._checkOpen();
		const wasPaused = this.#paused;
		await call(this._native.resume());
		this.#paused = false;
		if (wasPaused) this.observer.safeEmit('resume');
	}

	async addProducer({ producerId } = {}) {
		const producer = this.#producer(producerId);
		this._checkOpen();
		await call(this._native.addProducer(producer._nativeId));
		this.observer.safeEmit('addproducer', producer);
	}

	async removeProducer({ producerId } = {}) {
		const producer = this.#producer(producerId);
		this._checkOpen();
		await call(this._native.removeProducer(producer._nativeId));
		this.observer.safeEmit('removeproducer', producer);
	}

	#producer(producerId) {
		if (!producerId || typeof producerId !== 'string') throw new TypeError('missing producerId');
		const producer = this.#getProducerById(producerId);
		if (!producer) throw new Error(`Producer with id "${producerId}" not found`);
		return producer;
	}

	/** Its worker died while the router lives on (on other workers): the router forgets it too. */
	_handleNativeEvent(name) {
		if (name === 'routerclose') this._closedBy('routerclose', '@close');
	}
}

module.exports = { RtpObserver };
