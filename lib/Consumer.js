'use strict';

const { NativeObject } = require('./NativeObject');
const { call, callSync } = require('./native');
const { knownTraceEventTypes } = require('./traceEventTypes');
const { consumerDump, withoutNulls, withExtensionParameters } = require('./dumps');
const { RequestQueue } = require('./RequestQueue');
const { clone } = require('./validate');
const { TestChannel } = require('./TestChannel');

/** RTP parameters as 3.14 reports them: header extensions with their (empty) `parameters`. */
function shapeRtpParameters(rtpParameters) {
	return { ...rtpParameters, headerExtensions: rtpParameters.headerExtensions.map(withExtensionParameters) };
}

/** A media sink forwarded from a producer of the router (mediasoup's Consumer). */
class Consumer extends NativeObject {
	#data;
	#paused;
	#producerPaused;
	#priority;
	#score;
	#preferredLayers;
	#currentLayers;
	#requests = new RequestQueue();
	#channel;
	/** The producer's consumable encodings (for dumps). */
	#consumableEncodings;

	constructor({ native, registry, producerId, consumableRtpParameters, score, appData }) {
		super({ native, registry, appData, kind: 'Consumer' });
		this.#data = callSync(() => native.data());
		// The app's id of the producer (the worker may know it by another, see Producer).
		this.#data.producerId = producerId;
		this.#data.rtpParameters = shapeRtpParameters(this.#data.rtpParameters);
		this.#consumableEncodings = consumableRtpParameters.encodings;
		this.#paused = this.#data.paused;
		this.#producerPaused = this.#data.producerPaused;
		this.#priority = this.#data.priority;
		this.#score = score ?? this.#data.score;
		this.#preferredLayers = this.#data.preferredLayers ?? undefined;
		this.#currentLayers = this.#data.currentLayers ?? undefined;
	}

	get id() { return this.#data.id; }
	get producerId() { return this.#data.producerId; }
	get kind() { return this.#data.kind; }
	get rtpParameters() { return this.#data.rtpParameters; }
	get type() { return this.#data.type; }
	get paused() { return this.#paused; }
	get producerPaused() { return this.#producerPaused; }
	get priority() { return this.#priority; }
	get score() { return this.#score; }
	get preferredLayers() { return this.#preferredLayers; }
	get currentLayers() { return this.#currentLayers; }

	/** Private API of mediasoup's tests: inject worker notifications (3.14 format). */
	get channelForTesting() {
		this.#channel ??= new TestChannel(this);
		return this.#channel;
	}

	/** Whether the producer lives on another worker and reaches this one via a pipe. */
	get piped() { return !this.closed && this._native.piped; }

	/** The transport closed: no worker request, event `transportclose`. */
	transportClosed() {
		this._closedBy('transportclose');
	}

	async dump() {
		this._checkOpen();
		const dump = { ...consumerDump(await call(this._native.dump())), producerId: this.producerId };
		dump.rtpParameters = shapeRtpParameters(dump.rtpParameters);
		// A piped consumer reads the pipe's producer on its worker: the router's view is
		// the original producer's consumable encodings.
		if (this._native.piped) dump.consumableRtpEncodings = structuredClone(this.#consumableEncodings);
		// The crate's dump keeps layer counts, not the producer's scalability modes.
		dump.consumableRtpEncodings?.forEach((encoding, i) => {
			const scalabilityMode = this.#consumableEncodings[i]?.scalabilityMode;
			if (scalabilityMode) encoding.scalabilityMode = scalabilityMode;
		});
		return dump;
	}

	async getStats() {
		this._checkOpen();
		const [consumerStat, producerStat] = await call(this._native.getStats());
		const stats = [withoutNulls({ ...consumerStat, type: 'outbound-rtp' })];
		if (producerStat) stats.push(withoutNulls({ ...producerStat, type: 'inbound-rtp' }));
		return stats;
	}

	async pause() {
		this._checkOpen();
		await this.#requests.run(async () => {
			await call(this._native.pause());
			const wasPaused = this.#paused;
			this.#paused = true;
			if (!wasPaused && !this.#producerPaused) this.observer.safeEmit('pause');
		});
	}

	async resume() {
		this._checkOpen();
		await this.#requests.run(async () => {
			await call(this._native.resume());
			const wasPaused = this.#paused;
			this.#paused = false;
			if (wasPaused && !this.#producerPaused) this.observer.safeEmit('resume');
		});
	}

	async setPreferredLayers({ spatialLayer, temporalLayer } = {}) {
		this._checkOpen();
		if (typeof spatialLayer !== 'number') throw new TypeError('spatialLayer must be a number');
		if (temporalLayer !== undefined && typeof temporalLayer !== 'number') {
			throw new TypeError('if given, temporalLayer must be a number');
		}
		await call(this._native.setPreferredLayers(clone({ spatialLayer, temporalLayer })));
		this.#preferredLayers = callSync(() => this._native.data()).preferredLayers ?? undefined;
	}

	/** Priority is 1 to 255 (mediasoup's worker refuses 0). */
	async setPriority(priority) {
		this._checkOpen();
		if (!Number.isFinite(priority) || priority < 1) throw new TypeError('wrong priority (must be a number higher than 0)');
		await call(this._native.setPriority(priority));
		this.#priority = callSync(() => this._native.data()).priority;
	}

	async unsetPriority() {
		this._checkOpen();
		await call(this._native.unsetPriority());
		this.#priority = callSync(() => this._native.data()).priority;
	}

	async requestKeyFrame() {
		this._checkOpen();
		await call(this._native.requestKeyFrame());
	}

	async enableTraceEvent(types = []) {
		const known = knownTraceEventTypes(types, 'consumer');
		this._checkOpen();
		await call(this._native.enableTraceEvent(known));
	}

	_handleNativeEvent(name, data, bytes) {
		switch (name) {
			case 'producerclose':
				this._closedBy('producerclose', '@producerclose');
				break;
			case 'producerpause': {
				if (this.#producerPaused) break;
				this.#producerPaused = true;
				this.safeEmit('producerpause');
				if (!this.#paused) this.observer.safeEmit('pause');
				break;
			}
			case 'producerresume': {
				if (!this.#producerPaused) break;
				this.#producerPaused = false;
				this.safeEmit('producerresume');
				if (!this.#paused) this.observer.safeEmit('resume');
				break;
			}
			case 'score':
				this.#score = data;
				this.safeEmit('score', data);
				this.observer.safeEmit('score', data);
				break;
			case 'layerschange':
				this.#currentLayers = data ?? undefined;
				this.safeEmit('layerschange', this.#currentLayers);
				this.observer.safeEmit('layerschange', this.#currentLayers);
				break;
			case 'trace':
				this.safeEmit('trace', data);
				this.observer.safeEmit('trace', data);
				break;
			case 'rtp':
				this.safeEmit('rtp', bytes);
				break;
		}
	}

}

module.exports = { Consumer };
