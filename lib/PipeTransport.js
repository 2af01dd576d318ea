'use strict';

const net = require('node:net');
const { Transport } = require('./Transport');
const { call } = require('./native');
const { clone } = require('./validate');
const { withoutNulls } = require('./dumps');
const { tuple314 } = require('./listenInfos');
const { checkConnectSrtpParameters } = require('./srtpParameters');

/** Router-to-router RTP over UDP (what Mafalda itself uses between workers). */
class PipeTransport extends Transport {
	get tuple() { return tuple314(this._data.tuple); }
	get sctpParameters() { return this._data.sctpParameters ?? undefined; }
	get sctpState() { return this._data.sctpState ?? undefined; }
	get srtpParameters() { return this._data.srtpParameters ?? undefined; }

	async connect({ ip, port, srtpParameters } = {}) {
		this._checkOpen();
		if (typeof ip !== 'string' || net.isIP(ip) === 0) throw new TypeError('missing ip');
		if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new TypeError('missing port');
		checkConnectSrtpParameters(srtpParameters, this._options.enableSrtp);
		this._data = { ...this._data, ...(await call(this._native.connect({ ip, port, srtpParameters: clone(srtpParameters) }))) };
	}

	/**
	 * Pipe consumers take the producer's parameters as they are. 3.14 starts them
	 * with a default score, not the worker's.
	 */
	async consume({ producerId, appData } = {}) {
		const _score = { score: 10, producerScore: 10, producerScores: [] };
		return super.consume({ producerId, rtpCapabilities: {}, enableRtx: true, pipe: true, appData, _score });
	}

	_shapeDump(dump) {
		return withoutNulls({ ...dump, tuple: this.tuple });
	}

	_shapeStats(stat) {
		return withoutNulls({ type: 'pipe-transport', ...stat, tuple: this.tuple });
	}

	_onClosed() {
		if (this._data.sctpState) this._data.sctpState = 'closed';
	}

	/** Its tuple is known once connected (a pipe has no comedia: no "tuple" event). */
	_handleNativeEvent(name, data) {
		if (name !== 'sctpstatechange') return super._handleNativeEvent(name, data);
		this._data.sctpState = data;
		this.safeEmit(name, data);
		this.observer.safeEmit(name, data);
	}
}

module.exports = { PipeTransport };
