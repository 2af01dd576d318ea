'use strict';

const { NativeObject } = require('./NativeObject');
const { call, callSync } = require('./native');
const { withoutNulls } = require('./dumps');
const { RequestQueue } = require('./RequestQueue');
const { changeDataPaused } = require('./dataPause');
const { ppidFor, payloadFor } = require('./DataProducer');
const { checkUnsignedInteger } = require('./validate');

/** 3.14 keeps subchannels as a set of uint16 (larger numbers wrap, as its FlatBuffers do). */
function subchannelSet(subchannels = []) {
	if (!Array.isArray(subchannels)) throw new TypeError('subchannels must be an array');
	if (subchannels.some((subchannel) => !Number.isInteger(subchannel) || subchannel < 0)) {
		throw new TypeError('subchannels must be non negative integers');
	}
	return new Set(subchannels.map((subchannel) => subchannel % 65536));
}

/**
 * A data sink forwarded from a data producer (mediasoup's DataConsumer).
 *
 * An SCTP data consumer pauses in the worker. A DirectTransport one pauses here,
 * where its messages arrive: messages sent while paused are dropped (and not counted
 * as sent). When the data producer is a DirectTransport one of this process, "sent
 * while paused" is judged by the producer's send count, so that messages already
 * on their way when pause() is called still arrive, as with 3.14's single channel.
 * Subchannels are kept here: no message of a 3.8 worker carries subchannels, so
 * every consumer receives every message, as 3.14 does for such messages.
 */
class DataConsumer extends NativeObject {
	#data;
	#paused;
	#dataProducerPaused;
	#subchannels;
	#dataProducer;
	#dataProducerListeners;
	#requests = new RequestQueue();
	/** Producer send counts at which pauses began and ended (`to` undefined: still paused). */
	#pauses = [];
	#sendCountAtStart;
	#received = 0;
	#dropped = { messages: 0, bytes: 0 };

	constructor({ native, registry, dataProducer, paused, subchannels, appData }) {
		// Checked before super() registers this object for native events.
		const subchannelIds = subchannelSet(subchannels);
		super({ native, registry, appData, kind: 'DataConsumer' });
		this.#subchannels = subchannelIds;
		this.#data = callSync(() => native.data());
		this.#dataProducer = dataProducer;
		this.#dataProducerPaused = dataProducer.paused;
		this.#sendCountAtStart = dataProducer._sentCount;
		this.#paused = false;
		// An SCTP one was created paused in the worker.
		if (paused && this.type !== 'direct') this.#paused = true;
		else if (paused) this.#setPaused(true);
		this.#dataProducerListeners = {
			'@pause': () => this.#onDataProducerPaused(true),
			'@resume': () => this.#onDataProducerPaused(false),
		};
		for (const [event, listener] of Object.entries(this.#dataProducerListeners)) dataProducer.on(event, listener);
	}

	get id() { return this.#data.id; }
	get dataProducerId() { return this.#dataProducer.id; }
	get type() { return this.#data.type; }
	get sctpStreamParameters() { return this.#data.sctpStreamParameters ?? undefined; }
	get label() { return this.#data.label; }
	get protocol() { return this.#data.protocol; }
	get paused() { return this.#paused; }
	get dataProducerPaused() { return this.#dataProducerPaused; }
	get subchannels() { return [...this.#subchannels]; }

	close() {
		this.#stopFollowingDataProducer();
		super.close();
	}

	/** The transport closed: no worker request, event `transportclose`. */
	transportClosed() {
		this.#stopFollowingDataProducer();
		this._closedBy('transportclose');
	}

	async dump() {
		this._checkOpen();
		return {
			...withoutNulls(await call(this._native.dump())),
			dataProducerId: this.dataProducerId,
			paused: this.#paused,
			dataProducerPaused: this.#dataProducerPaused,
			subchannels: this.subchannels,
		};
	}

	async getStats() {
		this._checkOpen();
		const stats = await call(this._native.getStats());
		return stats.map((stat) => withoutNulls({
			...stat,
			type: 'data-consumer',
			messagesSent: stat.messagesSent - this.#dropped.messages,
			bytesSent: stat.bytesSent - this.#dropped.bytes,
		}));
	}

	async setBufferedAmountLowThreshold(threshold) {
		this._checkOpen();
		checkUnsignedInteger(threshold, 'threshold');
		this.#checkSctp();
		await call(this._native.setBufferedAmountLowThreshold(threshold));
	}

	async getBufferedAmount() {
		this._checkOpen();
		this.#checkSctp();
		return call(this._native.getBufferedAmount());
	}

	/** The worker's own check (its TypeError loses its class on the way here). */
	#checkSctp() {
		if (this.type !== 'sctp') throw new TypeError('invalid DataConsumer type');
	}

	async setSubchannels(subchannels) {
		this._checkOpen();
		this.#subchannels = subchannelSet(subchannels);
	}

	async addSubchannel(subchannel) {
		this._checkOpen();
		for (const added of subchannelSet([subchannel])) this.#subchannels.add(added);
	}

	async removeSubchannel(subchannel) {
		this._checkOpen();
		for (const removed of subchannelSet([subchannel])) this.#subchannels.delete(removed);
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
		const direct = this.type === 'direct';
		await changeDataPaused({
			direct,
			requests: this.#requests,
			native: this._native,
			paused,
			apply: () => {
				const wasPaused = this.#paused;
				if (direct) this.#setPaused(paused);
				else this.#paused = paused;
				if (wasPaused !== paused && !this.#dataProducerPaused) this.observer.safeEmit(paused ? 'pause' : 'resume');
			},
		});
	}

	async send(message, ppid) {
		if (typeof message !== 'string' && !Buffer.isBuffer(message)) {
			throw new TypeError('message must be a string or a Buffer');
		}
		this._checkOpen();
		const id = ppidFor(message, ppid);
		await call(this._native.send(id, payloadFor(message, id)));
	}

	/** Direct data consumers: pauses are recorded against the producer's send count. */
	#setPaused(paused) {
		if (paused === this.#paused) return;
		this.#paused = paused;
		const sendCount = this.#dataProducer._sentCount;
		if (paused) this.#pauses.push({ from: sendCount, to: undefined });
		else this.#pauses[this.#pauses.length - 1].to = sendCount;
	}

	/** Whether a message arriving now was sent while this consumer was paused. */
	#sentWhilePaused() {
		if (this.#dataProducer.type !== 'direct') return this.#paused;
		this.#received += 1;
		const index = this.#sendCountAtStart + this.#received;
		this.#pauses = this.#pauses.filter(({ to }) => to === undefined || to >= index);
		return this.#pauses.some(({ from, to }) => index > from && (to === undefined || index <= to));
	}

	/** Called on changes only (the data producer emits none twice), while open (see close()). */
	#onDataProducerPaused(paused) {
		this.#dataProducerPaused = paused;
		this.safeEmit(paused ? 'dataproducerpause' : 'dataproducerresume');
		if (!this.#paused) this.observer.safeEmit(paused ? 'pause' : 'resume');
	}

	/** Idempotent: listeners already removed are not there to remove. */
	#stopFollowingDataProducer() {
		for (const [event, listener] of Object.entries(this.#dataProducerListeners)) this.#dataProducer.off(event, listener);
	}

	_handleNativeEvent(name, data, bytes) {
		switch (name) {
			case 'dataproducerclose':
				this.#stopFollowingDataProducer();
				this._closedBy('dataproducerclose', '@dataproducerclose');
				break;
			case 'message':
				if (this.#sentWhilePaused()) {
					this.#dropped.messages += 1;
					this.#dropped.bytes += bytes.length;
					break;
				}
				this.safeEmit('message', bytes, data);
				break;
			case 'sctpsendbufferfull':
				this.safeEmit('sctpsendbufferfull');
				break;
			case 'bufferedamountlow':
				this.safeEmit('bufferedamountlow', data);
				break;
		}
	}

}

module.exports = { DataConsumer, subchannelSet };
