'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { call } = require('./native');
const { checkAppDataValue, checkTraceTypes } = require('./validate');

/** A media sink forwarded from a producer of the router (mediasoup's Consumer). */
class Consumer extends EnhancedEventEmitter {
	#native;
	#registry;
	#data;
	#closed = false;
	#appData;
	#paused;
	#producerPaused;
	#priority;
	#score;
	#preferredLayers;
	#currentLayers;
	#observer = new EnhancedEventEmitter();

	constructor({ native, registry, appData }) {
		super();
		this.#native = native;
		this.#registry = registry;
		this.#data = native.data();
		this.#paused = this.#data.paused;
		this.#producerPaused = this.#data.producerPaused;
		this.#priority = this.#data.priority;
		this.#score = this.#data.score;
		this.#preferredLayers = this.#data.preferredLayers ?? undefined;
		this.#currentLayers = this.#data.currentLayers ?? undefined;
		this.#appData = appData || {};
		registry.add(native.handle, this);
	}

	get id() { return this.#data.id; }
	get producerId() { return this.#data.producerId; }
	get closed() { return this.#closed; }
	get kind() { return this.#data.kind; }
	get rtpParameters() { return this.#data.rtpParameters; }
	get type() { return this.#data.type; }
	get paused() { return this.#paused; }
	get producerPaused() { return this.#producerPaused; }
	get priority() { return this.#priority; }
	get score() { return this.#score; }
	get preferredLayers() { return this.#preferredLayers; }
	get currentLayers() { return this.#currentLayers; }
	get appData() { return this.#appData; }
	set appData(appData) { checkAppDataValue(appData); this.#appData = appData; }
	get observer() { return this.#observer; }

	/** Whether the producer lives on another worker and reaches this one via a pipe. */
	get piped() { return !this.#closed && this.#native.piped; }

	close() {
		if (this.#closed) return;
		this.#closed = true;
		this.#release();
		this.#native.close();
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

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
		const [consumerStat, producerStat] = stats;
		const out = [{ type: 'outbound-rtp', ...consumerStat }];
		if (producerStat) out.push({ type: 'inbound-rtp', ...producerStat });
		return out;
	}

	async pause() {
		this.#checkOpen();
		const wasPaused = this.#paused;
		await call(this.#native.pause());
		this.#paused = true;
		if (!wasPaused && !this.#producerPaused) this.#observer.safeEmit('pause');
	}

	async resume() {
		this.#checkOpen();
		const wasPaused = this.#paused;
		await call(this.#native.resume());
		this.#paused = false;
		if (wasPaused && !this.#producerPaused) this.#observer.safeEmit('resume');
	}

	async setPreferredLayers({ spatialLayer, temporalLayer } = {}) {
		if (typeof spatialLayer !== 'number') throw new TypeError('spatialLayer must be a number');
		if (temporalLayer !== undefined && typeof temporalLayer !== 'number') {
			throw new TypeError('if given, temporalLayer must be a number');
		}
		this.#checkOpen();
		await call(this.#native.setPreferredLayers({ spatialLayer, temporalLayer }));
		this.#preferredLayers = this.#native.data().preferredLayers ?? undefined;
	}

	async setPriority(priority) {
		if (typeof priority !== 'number' || priority < 0) throw new TypeError('wrong priority');
		this.#checkOpen();
		await call(this.#native.setPriority(priority));
		this.#priority = this.#native.data().priority;
	}

	async unsetPriority() {
		this.#checkOpen();
		await call(this.#native.unsetPriority());
		this.#priority = this.#native.data().priority;
	}

	async requestKeyFrame() {
		this.#checkOpen();
		await call(this.#native.requestKeyFrame());
	}

	async enableTraceEvent(types = []) {
		checkTraceTypes(types);
		this.#checkOpen();
		await call(this.#native.enableTraceEvent(types));
	}

	_handleNativeEvent(name, data, bytes) {
		switch (name) {
			case 'producerclose':
				if (this.#closed) break;
				this.#closed = true;
				this.#release();
				this.emit('@producerclose');
				this.safeEmit('producerclose');
				this.#observer.safeEmit('close');
				break;
			case 'producerpause': {
				if (this.#producerPaused) break;
				this.#producerPaused = true;
				this.safeEmit('producerpause');
				if (!this.#paused) this.#observer.safeEmit('pause');
				break;
			}
			case 'producerresume': {
				if (!this.#producerPaused) break;
				this.#producerPaused = false;
				this.safeEmit('producerresume');
				if (!this.#paused) this.#observer.safeEmit('resume');
				break;
			}
			case 'score':
				this.#score = data;
				this.safeEmit('score', data);
				this.#observer.safeEmit('score', data);
				break;
			case 'layerschange':
				this.#currentLayers = data ?? undefined;
				this.safeEmit('layerschange', this.#currentLayers);
				this.#observer.safeEmit('layerschange', this.#currentLayers);
				break;
			case 'trace':
				this.safeEmit('trace', data);
				this.#observer.safeEmit('trace', data);
				break;
			case 'rtp':
				this.safeEmit('rtp', bytes);
				break;
			default:
		}
	}

	#checkOpen() {
		if (this.#closed) throw new InvalidStateError('Consumer closed');
	}

	#release() {
		this.#registry.remove(this.#native.handle);
	}
}

module.exports = { Consumer };
