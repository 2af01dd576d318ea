'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { call, callSync } = require('./native');
const { checkAppDataValue } = require('./validate');
const { knownTraceEventTypes } = require('./traceEventTypes');
const { consumerDump, withoutNulls, withExtensionParameters } = require('./dumps');
const { RequestQueue } = require('./RequestQueue');
const { TestChannel } = require('./TestChannel');

/**
 * RTP parameters as 3.14 reports them: header extensions with `parameters`, and a
 * simulcast consumer's scalability mode spelled `L<n>T<m>` (the crate writes the
 * same layers as `S<n>T<m>`).
 */
function shapeRtpParameters(rtpParameters, type) {
	if (!rtpParameters) return rtpParameters;
	return {
		...rtpParameters,
		headerExtensions: (rtpParameters.headerExtensions ?? []).map(withExtensionParameters),
		encodings: (rtpParameters.encodings ?? []).map((encoding) =>
			type === 'simulcast' && /^S\d/.test(encoding.scalabilityMode ?? '')
				? { ...encoding, scalabilityMode: `L${encoding.scalabilityMode.slice(1)}` }
				: encoding
		),
	};
}

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
	#requests = new RequestQueue();
	#channel;
	/** The producer's consumable encodings (for dumps). */
	#consumableEncodings;

	constructor({ native, registry, consumableRtpParameters, score, appData }) {
		super();
		this.#native = native;
		this.#registry = registry;
		this.#data = callSync(() => native.data());
		this.#data.rtpParameters = shapeRtpParameters(this.#data.rtpParameters, this.#data.type);
		this.#consumableEncodings = consumableRtpParameters?.encodings ?? [];
		this.#paused = this.#data.paused;
		this.#producerPaused = this.#data.producerPaused;
		this.#priority = this.#data.priority;
		this.#score = score ?? this.#data.score;
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

	/** Private API of mediasoup's tests: inject worker notifications (3.14 format). */
	get channelForTesting() {
		this.#channel ??= new TestChannel(this);
		return this.#channel;
	}

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
		const dump = consumerDump(await call(this.#native.dump()));
		dump.rtpParameters = shapeRtpParameters(dump.rtpParameters, dump.type);
		// A piped consumer reads the pipe's producer on its worker: the router's view is
		// the original producer's consumable encodings.
		if (this.#native.piped) dump.consumableRtpEncodings = structuredClone(this.#consumableEncodings);
		// The crate's dump keeps layer counts, not the producer's scalability modes.
		dump.consumableRtpEncodings?.forEach((encoding, i) => {
			const scalabilityMode = this.#consumableEncodings[i]?.scalabilityMode;
			if (scalabilityMode) encoding.scalabilityMode = scalabilityMode;
		});
		return dump;
	}

	async getStats() {
		this.#checkOpen();
		const [consumerStat, producerStat] = await call(this.#native.getStats());
		const stats = [withoutNulls({ ...consumerStat, type: 'outbound-rtp' })];
		if (producerStat) stats.push(withoutNulls({ ...producerStat, type: 'inbound-rtp' }));
		return stats;
	}

	async pause() {
		this.#checkOpen();
		await this.#requests.run(async () => {
			await call(this.#native.pause());
			const wasPaused = this.#paused;
			this.#paused = true;
			if (!wasPaused && !this.#producerPaused) this.#observer.safeEmit('pause');
		});
	}

	async resume() {
		this.#checkOpen();
		await this.#requests.run(async () => {
			await call(this.#native.resume());
			const wasPaused = this.#paused;
			this.#paused = false;
			if (wasPaused && !this.#producerPaused) this.#observer.safeEmit('resume');
		});
	}

	async setPreferredLayers({ spatialLayer, temporalLayer } = {}) {
		this.#checkOpen();
		if (typeof spatialLayer !== 'number') throw new TypeError('spatialLayer must be a number');
		if (temporalLayer !== undefined && typeof temporalLayer !== 'number') {
			throw new TypeError('if given, temporalLayer must be a number');
		}
		await call(this.#native.setPreferredLayers({ spatialLayer, temporalLayer }));
		this.#preferredLayers = callSync(() => this.#native.data()).preferredLayers ?? undefined;
	}

	/** Priority is 1 to 255 (mediasoup's worker refuses 0). */
	async setPriority(priority) {
		this.#checkOpen();
		if (typeof priority !== 'number' || priority < 1) throw new TypeError('wrong priority (must be a number higher than 0)');
		await call(this.#native.setPriority(priority));
		this.#priority = callSync(() => this.#native.data()).priority;
	}

	async unsetPriority() {
		this.#checkOpen();
		await call(this.#native.unsetPriority());
		this.#priority = callSync(() => this.#native.data()).priority;
	}

	async requestKeyFrame() {
		this.#checkOpen();
		await call(this.#native.requestKeyFrame());
	}

	async enableTraceEvent(types = []) {
		const known = knownTraceEventTypes(types, 'consumer');
		this.#checkOpen();
		await call(this.#native.enableTraceEvent(known));
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
