'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { call, callSync } = require('./native');
const { checkAppDataValue } = require('./validate');
const { knownTraceEventTypes } = require('./traceEventTypes');
const { producerDump, withExtensionParameters } = require('./dumps');
const { RequestQueue } = require('./RequestQueue');
const { TestChannel } = require('./TestChannel');

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
	#requests = new RequestQueue();
	#channel;

	constructor({ native, registry, appData }) {
		super();
		this.#native = native;
		this.#registry = registry;
		this.#data = callSync(() => native.data());
		// 3.14 gives every header extension its (empty) parameters; the crate drops them.
		for (const rtpParameters of [this.#data.rtpParameters, this.#data.consumableRtpParameters]) {
			if (rtpParameters?.headerExtensions) rtpParameters.headerExtensions = rtpParameters.headerExtensions.map(withExtensionParameters);
		}
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

	/** Private API of mediasoup's tests: inject worker notifications (3.14 format). */
	get channelForTesting() {
		this.#channel ??= new TestChannel(this);
		return this.#channel;
	}

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
		const dump = producerDump(await call(this.#native.dump()));
		// The crate's dump keeps no scalability modes; they are the app's.
		dump.rtpParameters?.encodings?.forEach((encoding, i) => {
			const scalabilityMode = this.rtpParameters.encodings?.[i]?.scalabilityMode;
			if (scalabilityMode && !encoding.scalabilityMode) encoding.scalabilityMode = scalabilityMode;
		});
		return dump;
	}

	async getStats() {
		this.#checkOpen();
		const stats = await call(this.#native.getStats());
		return stats.map((s) => ({ type: 'inbound-rtp', ...s }));
	}

	async pause() {
		this.#checkOpen();
		await this.#requests.run(async () => {
			await call(this.#native.pause());
			const wasPaused = this.#paused;
			this.#paused = true;
			if (!wasPaused) this.#observer.safeEmit('pause');
		});
	}

	async resume() {
		this.#checkOpen();
		await this.#requests.run(async () => {
			await call(this.#native.resume());
			const wasPaused = this.#paused;
			this.#paused = false;
			if (wasPaused) this.#observer.safeEmit('resume');
		});
	}

	async enableTraceEvent(types = []) {
		const known = knownTraceEventTypes(types, 'producer');
		this.#checkOpen();
		await call(this.#native.enableTraceEvent(known));
	}

	/** Injects an RTP packet (producers of a DirectTransport only). */
	send(rtpPacket) {
		if (!Buffer.isBuffer(rtpPacket)) throw new TypeError('rtpPacket must be a Buffer');
		if (this.#closed) throw new InvalidStateError('Producer closed');
		callSync(() => this.#native.send(rtpPacket));
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
