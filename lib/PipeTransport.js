'use strict';

const { Transport } = require('./Transport');
const { call } = require('./native');
const { clone } = require('./validate');

/** Router-to-router RTP over UDP (what Mafalda itself uses between workers). */
class PipeTransport extends Transport {
	get tuple() { return this._data.tuple; }
	get sctpParameters() { return this._data.sctpParameters ?? undefined; }
	get sctpState() { return this._data.sctpState ?? undefined; }
	get srtpParameters() { return this._data.srtpParameters ?? undefined; }

	async connect({ ip, port, srtpParameters } = {}) {
		if (typeof ip !== 'string') throw new TypeError('missing ip');
		if (typeof port !== 'number') throw new TypeError('missing port');
		this._checkOpen();
		this._data = { ...this._data, ...(await call(this._native.connect({ ip, port, srtpParameters: clone(srtpParameters) }))) };
	}

	/** Pipe consumers take the producer's parameters as they are. */
	async consume({ producerId, appData } = {}) {
		return super.consume({ producerId, rtpCapabilities: {}, pipe: true, appData });
	}

	_onClosed() {
		if (this._data.sctpState) this._data.sctpState = 'closed';
	}

	_handleNativeEvent(name, data) {
		const events = { tuple: 'tuple', sctpstatechange: 'sctpState' };
		const field = events[name];
		if (!field) return super._handleNativeEvent(name, data);
		this._data[field] = data;
		if (name !== 'tuple') {
			this.safeEmit(name, data);
			this.observer.safeEmit(name, data);
		}
	}
}

module.exports = { PipeTransport };
