'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { call } = require('./native');
const { checkAppDataValue, checkTraceTypes } = require('./validate');

/** A media source injected into a router (mediasoup's Producer). */
class Producer extends EnhancedEventEmitter {
	#native;
	#registry;
	#data;
	#closed = false;
	#appData;
	#paused;
	#score;
	#observer = new EnhancedEventEmitter();

	constructor({ native, registry, appData }) {
		super();
		this.#native = native;
		this.#registry = registry;
		this.#data = native.data();
		this.#paused = this.#data.paused;
		this.#score = this.#data.score || [];
		this.#appData = appData || {};
		registry.add(native.handle, this);
	}

	get id() { return this.#data.id; }
	get closed() { return this.#closed; }
	get kind() { return this.#data.kind; }
	get rtpParameters() { return this.#data.rtpParameters; }
	get type() { return this.#data.type; }
	get consumableRtpParameters() { return this.#data.consumableRtpParameters; }
	get paused() { return this.#paused; }
	get score() { return this.#score; }
	get appData() { return this.#appData; }
	set appData(appData) { checkAppDataValue(appData); this.#appData = appData; }
	get observer() { return this.#observer; }

	/** The native handle (used by the router to reach this producer). */
	get _native() { return this.#native; }

	close() {
		if (this.#closed) return;
		this.#closed = true;
		this.#release();
		this.#native.close();
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** The transport closed: no worker request, event `transportclose`. */
	transportClosed() {
		if (this.#closed) return;
		this.#closed = true;
		this.#release();
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
		return stats.map((s) => ({ type: 'inbound-rtp', ...s }));
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

	async enableTraceEvent(types = []) {
		checkTraceTypes(types);
		this.#checkOpen();
		await call(this.#native.enableTraceEvent(types));
	}

	/** Injects an RTP packet (producers of a DirectTransport only). */
	send(rtpPacket) {
		if (!Buffer.isBuffer(rtpPacket)) throw new TypeError('rtpPacket must be a Buffer');
		if (this.#closed) throw new InvalidStateError('Producer closed');
		this.#native.send(rtpPacket).catch(() => {});
	}

	_handleNativeEvent(name, data) {
		switch (name) {
			case 'score':
				this.#score = data;
				this.safeEmit('score', data);
				this.#observer.safeEmit('score', data);
				break;
			case 'videoorientationchange':
				this.safeEmit('videoorientationchange', data);
				this.#observer.safeEmit('videoorientationchange', data);
				break;
			case 'trace':
				this.safeEmit('trace', data);
				this.#observer.safeEmit('trace', data);
				break;
			default:
		}
	}

	#checkOpen() {
		if (this.#closed) throw new InvalidStateError('Producer closed');
	}

	#release() {
		this.#registry.remove(this.#native.handle);
	}
}

module.exports = { Producer };
