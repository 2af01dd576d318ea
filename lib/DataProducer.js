'use strict';

const { NativeObject } = require('./NativeObject');
const { UnsupportedError } = require('./errors');
const { checkUnsignedInteger } = require('./validate');
const { call, callSync } = require('./native');
const { withoutNulls } = require('./dumps');
const { RequestQueue } = require('./RequestQueue');
const { changeDataPaused } = require('./dataPause');

/**
 * WebRTC data channel PPIDs, as mediasoup uses them: a PPID that is not a number
 * means "from the message"; a number must be a 32-bit one.
 */
function ppidFor(message, ppid) {
	if (typeof ppid === 'number') {
		checkUnsignedInteger(ppid, 'ppid');
		return ppid;
	}
	if (typeof message === 'string') return message.length > 0 ? 51 : 56;
	return message.length > 0 ? 53 : 57;
}

function payloadFor(message, ppid) {
	if (ppid === 56 || ppid === 57) return Buffer.alloc(1);
	return typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
}

/**
 * A data source injected into a router (mediasoup's DataProducer).
 *
 * An SCTP data producer pauses in the worker. A DirectTransport one pauses here,
 * where its messages come from: while paused, `send()` counts the message as
 * received (as the worker does) and drops it, so that consumers on other workers
 * (fed through a bridge) stop at once too.
 */
class DataProducer extends NativeObject {
	#data;
	/** The app's id: a piped data producer keeps its source's id (the crate cannot set it). */
	#id;
	#paused;
	/** Messages handed to the worker, and those dropped while paused. */
	#sent = 0;
	#dropped = { messages: 0, bytes: 0 };
	#requests = new RequestQueue();

	constructor({ native, registry, id, paused, appData }) {
		super({ native, registry, appData, kind: 'DataProducer' });
		this.#data = callSync(() => native.data());
		this.#id = id ?? this.#data.id;
		this.#paused = Boolean(paused);
	}

	get id() { return this.#id; }
	/** The worker's id of this data producer (differs from `id` when piped). */
	get _nativeId() { return this.#data.id; }
	get type() { return this.#data.type; }
	get sctpStreamParameters() { return this.#data.sctpStreamParameters ?? undefined; }
	get label() { return this.#data.label; }
	get protocol() { return this.#data.protocol; }
	get paused() { return this.#paused; }

	/** How many messages `send()` has handed to the worker (direct consumers count against it). */
	get _sentCount() { return this.#sent; }

	/** The transport closed: no worker request, event `transportclose`. */
	transportClosed() {
		this._closedBy('transportclose');
	}

	async dump() {
		this._checkOpen();
		return { ...withoutNulls(await call(this._native.dump())), id: this.#id, paused: this.#paused };
	}

	async getStats() {
		this._checkOpen();
		const stats = await call(this._native.getStats());
		return stats.map((stat) => withoutNulls({
			...stat,
			type: 'data-producer',
			messagesReceived: stat.messagesReceived + this.#dropped.messages,
			bytesReceived: stat.bytesReceived + this.#dropped.bytes,
		}));
	}

	async pause() {
		this._checkOpen();
		await this.#changePaused(true);
	}

	async resume() {
		this._checkOpen();
		await this.#changePaused(false);
	}

	async #changePaused(paused) {
		await changeDataPaused({
			direct: this.type === 'direct',
			requests: this.#requests,
			native: this._native,
			paused,
			apply: () => {
				const wasPaused = this.#paused;
				this.#paused = paused;
				if (wasPaused === paused) return;
				this.emit(paused ? '@pause' : '@resume');
				this.observer.safeEmit(paused ? 'pause' : 'resume');
			},
		});
	}

	/**
	 * Sends a message (data producers of a DirectTransport only). Subchannels are
	 * refused: the bridge that carries these messages to other workers loses them.
	 */
	send(message, ppid, subchannels, requiredSubchannel) {
		if (typeof message !== 'string' && !Buffer.isBuffer(message)) {
			throw new TypeError('message must be a string or a Buffer');
		}
		if ((Array.isArray(subchannels) && subchannels.length > 0) || requiredSubchannel !== undefined) {
			throw new UnsupportedError('sending to subchannels is not supported (a DirectTransport data producer is bridged to other workers without its subchannels)');
		}
		this._checkOpen();
		const id = ppidFor(message, ppid);
		const payload = payloadFor(message, id);
		if (this.#paused) {
			this.#dropped.messages += 1;
			this.#dropped.bytes += payload.length;
			return;
		}
		this.#sent += 1;
		callSync(() => this._native.send(id, payload));
	}

}

module.exports = { DataProducer, ppidFor, payloadFor };
