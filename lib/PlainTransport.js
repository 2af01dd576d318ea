'use strict';

const net = require('node:net');
const { Transport } = require('./Transport');
const { call } = require('./native');
const { clone } = require('./validate');
const { withoutNulls } = require('./dumps');
const { tuple314 } = require('./listenInfos');
const { checkConnectSrtpParameters } = require('./srtpParameters');

/** Plain RTP/RTCP over UDP (optionally SRTP), e.g. for FFmpeg or GStreamer. */
class PlainTransport extends Transport {
	get tuple() { return tuple314(this._data.tuple); }
	get rtcpTuple() { return tuple314(this._data.rtcpTuple); }
	get sctpParameters() { return this._data.sctpParameters ?? undefined; }
	get sctpState() { return this._data.sctpState ?? undefined; }
	get srtpParameters() { return this._data.srtpParameters ?? undefined; }

	/** Checked as mediasoup 3.14's worker does: what comedia, rtcpMux and SRTP require. */
	async connect({ ip, port, rtcpPort, srtpParameters } = {}) {
		this._checkOpen();
		const { comedia, rtcpMux, enableSrtp } = this._options;
		if (ip !== undefined && (typeof ip !== 'string' || net.isIP(ip) === 0)) throw new TypeError('wrong ip');
		if (port !== undefined && (!Number.isInteger(port) || port <= 0 || port > 65535)) throw new TypeError('wrong port');
		if (rtcpPort !== undefined && (!Number.isInteger(rtcpPort) || rtcpPort <= 0 || rtcpPort > 65535)) throw new TypeError('wrong rtcpPort');
		if (!comedia) {
			if (ip === undefined) throw new TypeError('missing ip');
			if (port === undefined) throw new TypeError('missing port');
			if (rtcpMux === false && rtcpPort === undefined) throw new TypeError('missing rtcpPort (required if rtcpMux is false)');
		}
		checkConnectSrtpParameters(srtpParameters, enableSrtp);
		this._data = { ...this._data, ...(await call(this._native.connect({ ip, port, rtcpPort, srtpParameters: clone(srtpParameters) }))) };
	}

	_shapeDump(dump) {
		return withoutNulls({ ...dump, tuple: this.tuple, rtcpTuple: this.rtcpTuple });
	}

	_shapeStats(stat) {
		return withoutNulls({ type: 'plain-rtp-transport', ...stat, tuple: this.tuple, rtcpTuple: this.rtcpTuple });
	}

	_onClosed() {
		if (this._data.sctpState) this._data.sctpState = 'closed';
	}

	_handleNativeEvent(name, data) {
		const events = { tuple: 'tuple', rtcptuple: 'rtcpTuple', sctpstatechange: 'sctpState' };
		const field = events[name];
		if (!field) return super._handleNativeEvent(name, data);
		this._data[field] = data;
		const value = this[field];
		this.safeEmit(name, value);
		this.observer.safeEmit(name, value);
	}
}

module.exports = { PlainTransport };
