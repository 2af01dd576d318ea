'use strict';

const { Transport } = require('./Transport');
const { call } = require('./native');
const { clone } = require('./validate');

/** A WebRTC endpoint: ICE + DTLS (+ SCTP) over UDP/TCP. */
class WebRtcTransport extends Transport {
	get iceRole() { return this._data.iceRole; }
	get iceParameters() { return this._data.iceParameters; }
	get iceCandidates() { return this._data.iceCandidates; }
	get iceState() { return this._data.iceState; }
	get iceSelectedTuple() { return this._data.iceSelectedTuple ?? undefined; }
	get dtlsParameters() { return this._data.dtlsParameters; }
	get dtlsState() { return this._data.dtlsState; }
	get dtlsRemoteCert() { return this._data.dtlsRemoteCert ?? undefined; }
	get sctpParameters() { return this._data.sctpParameters ?? undefined; }
	get sctpState() { return this._data.sctpState ?? undefined; }

	async connect({ dtlsParameters } = {}) {
		if (!dtlsParameters || typeof dtlsParameters !== 'object') throw new TypeError('missing dtlsParameters');
		this._checkOpen();
		this._data = { ...this._data, ...(await call(this._native.connect({ dtlsParameters: clone(dtlsParameters) }))) };
	}

	async restartIce() {
		this._checkOpen();
		const iceParameters = await call(this._native.restartIce());
		this._data.iceParameters = iceParameters;
		return iceParameters;
	}

	_onClosed() {
		this._data.iceState = 'closed';
		this._data.iceSelectedTuple = undefined;
		this._data.dtlsState = 'closed';
		if (this._data.sctpState) this._data.sctpState = 'closed';
	}

	_handleNativeEvent(name, data) {
		const events = {
			icestatechange: 'iceState',
			iceselectedtuplechange: 'iceSelectedTuple',
			dtlsstatechange: 'dtlsState',
			sctpstatechange: 'sctpState',
		};
		const field = events[name];
		if (!field) return super._handleNativeEvent(name, data);
		this._data[field] = data;
		if (name === 'dtlsstatechange' && data === 'connected') {
			try { this._data.dtlsRemoteCert = this._native.data().dtlsRemoteCert; } catch { /* closed */ }
		}
		this.safeEmit(name, data);
		this.observer.safeEmit(name, data);
	}
}

module.exports = { WebRtcTransport };
