'use strict';

const { NativeObject } = require('./NativeObject');
const { call, callSync } = require('./native');
const { knownTraceEventTypes } = require('./traceEventTypes');
const { producerDump, withExtensionParameters, withoutNulls } = require('./dumps');
const { RequestQueue } = require('./RequestQueue');
const { TestChannel } = require('./TestChannel');

/**
 * A media source injected into a router (mediasoup's Producer).
 *
 * An id the app gives (a pipe transport's `produce({ id })`) is the app's name for it;
 * the worker knows it by an id of its own. A worker holds each id once, and routers of
 * one pool share workers: the same id given in two routers would collide there.
 */
class Producer extends NativeObject {
	#data;
	#id;
	#paused;
	#score;
	#requests = new RequestQueue();
	#channel;

	constructor({ native, registry, id, appData }) {
		super({ native, registry, appData, kind: 'Producer' });
		this.#data = callSync(() => native.data());
		this.#id = id ?? this.#data.id;
		// 3.14 gives every header extension its (empty) parameters; the crate drops them.
		for (const rtpParameters of [this.#data.rtpParameters, this.#data.consumableRtpParameters]) {
			rtpParameters.headerExtensions = rtpParameters.headerExtensions.map(withExtensionParameters);
		}
		this.#paused = this.#data.paused;
		this.#score = this.#data.score;
	}

	get id() { return this.#id; }
	/** The worker's id of this producer (differs from `id` when the app gave one). */
	get _nativeId() { return this.#data.id; }
	get kind() { return this.#data.kind; }
	get rtpParameters() { return this.#data.rtpParameters; }
	get type() { return this.#data.type; }
	get consumableRtpParameters() { return this.#data.consumableRtpParameters; }
	get paused() { return this.#paused; }
	get score() { return this.#score; }

	/** Private API of mediasoup's tests: inject worker notifications (3.14 format). */
	get channelForTesting() {
		this.#channel ??= new TestChannel(this);
		return this.#channel;
	}

	/** The transport closed: no worker request, event `transportclose`. */
	transportClosed() {
		this._closedBy('transportclose');
	}

	async dump() {
		this._checkOpen();
		return { ...producerDump(await call(this._native.dump())), id: this.#id };
	}

	async getStats() {
		this._checkOpen();
		const stats = await call(this._native.getStats());
		return stats.map((s) => ({ type: 'inbound-rtp', ...s }));
	}

	async pause() {
		this._checkOpen();
		await this.#requests.run(async () => {
			await call(this._native.pause());
			const wasPaused = this.#paused;
			this.#paused = true;
			if (!wasPaused) this.observer.safeEmit('pause');
		});
	}

	async resume() {
		this._checkOpen();
		await this.#requests.run(async () => {
			await call(this._native.resume());
			const wasPaused = this.#paused;
			this.#paused = false;
			if (wasPaused) this.observer.safeEmit('resume');
		});
	}

	async enableTraceEvent(types = []) {
		const known = knownTraceEventTypes(types, 'producer');
		this._checkOpen();
		await call(this._native.enableTraceEvent(known));
	}

	/** Injects an RTP packet (producers of a DirectTransport only). */
	send(rtpPacket) {
		if (!Buffer.isBuffer(rtpPacket)) throw new TypeError('rtpPacket must be a Buffer');
		this._checkOpen();
		callSync(() => this._native.send(rtpPacket));
	}

	_handleNativeEvent(name, data) {
		switch (name) {
			case 'score':
				// Without `rid: null` for encodings that have none, as mediasoup reports them.
				this.#score = withoutNulls(data);
				this.safeEmit('score', this.#score);
				this.observer.safeEmit('score', this.#score);
				break;
			case 'videoorientationchange':
				this.safeEmit('videoorientationchange', data);
				this.observer.safeEmit('videoorientationchange', data);
				break;
			case 'trace':
				this.safeEmit('trace', data);
				this.observer.safeEmit('trace', data);
				break;
		}
	}

}

module.exports = { Producer };
