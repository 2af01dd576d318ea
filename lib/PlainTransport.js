'use strict';

const { Transport } = require('./Transport');
const { call } = require('./native');
const { clone } = require('./validate');

/** Plain RTP/RTCP over UDP (optionally SRTP), e.g. for FFmpeg or GStreamer. */
class PlainTransport extends Transport {
	get tuple() { return this._data.tuple; }
	get rtcpTuple() { return this._data.rtcpTuple ?? undefined; }
	get sctpParameters() { return this._data.sctpParameters ?? undefined; }
	get sctpState() { return this._data.sctpState ?? undefined; }
	get srtpParameters() { return this._data.srtpParameters ?? undefined; }

	async connect({ ip, port, rtcpPort, srtpParameters } = {}) {
		if (ip !== undefined && typeof ip !== 'string') throw new TypeError('if given, ip must be a string');
		if (port !== undefined && typeof port !== 'number') throw new TypeError('if given, port must be a number');
		if (rtcpPort !== undefined && typeof rtcpPort !== 'number') throw new TypeError('if given, rtcpPort must be a number');
		this._checkOpen();
		this._data = { ...this._data, ...(await call(this._native.connect({ ip, port, rtcpPort, srtpParameters: clone(srtpParameters) }))) };
	}

	_onClosed() {
		if (this._data.sctpState) this._data.sctpState = 'closed';
	}

	_handleNativeEvent(name, data) {
		const events = { tuple: 'tuple', rtcptuple: 'rtcpTuple', sctpstatechange: 'sctpState' };
		const field = events[name];
		if (!field) return super._handleNativeEvent(name, data);
		this._data[field] = data;
		this.safeEmit(name, data);
		this.observer.safeEmit(name, data);
	}
}

module.exports = { PlainTransport };
