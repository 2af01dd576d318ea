'use strict';

const { Transport } = require('./Transport');
const { UnsupportedError, InvalidStateError } = require('./errors');
const { withoutNulls } = require('./dumps');

/** RTP and data from and to the app itself (no network). */
class DirectTransport extends Transport {
	async connect() {}

	async setMaxIncomingBitrate() {
		throw new UnsupportedError('setMaxIncomingBitrate() not implemented in DirectTransport');
	}

	async setMaxOutgoingBitrate() {
		throw new UnsupportedError('setMaxOutgoingBitrate() not implemented in DirectTransport');
	}

	async setMinOutgoingBitrate() {
		throw new UnsupportedError('setMinOutgoingBitrate() not implemented in DirectTransport');
	}

	_shapeStats(stat) {
		return withoutNulls({ type: 'direct-transport', ...stat });
	}

	sendRtcp(rtcpPacket) {
		if (!Buffer.isBuffer(rtcpPacket)) throw new TypeError('rtcpPacket must be a Buffer');
		if (this.closed) throw new InvalidStateError('Transport closed');
		this._native.sendRtcp(rtcpPacket).catch(() => {});
	}

	_handleNativeEvent(name, data, bytes) {
		if (name !== 'rtcp') return super._handleNativeEvent(name, data);
		this.safeEmit('rtcp', bytes);
	}
}

module.exports = { DirectTransport };
