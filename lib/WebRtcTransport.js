'use strict';

const { Transport } = require('./Transport');
const { call, callSync } = require('./native');
const { clone } = require('./validate');
const { withoutNulls } = require('./dumps');
const { iceCandidates314, tuple314 } = require('./listenInfos');

const FINGERPRINT_ALGORITHMS = ['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512'];
const DTLS_ROLES = ['auto', 'client', 'server'];

/** mediasoup's checks of remote DTLS parameters (TypeError). */
function checkDtlsParameters(dtlsParameters) {
	if (!dtlsParameters || typeof dtlsParameters !== 'object') throw new TypeError('missing dtlsParameters');
	const { fingerprints, role } = dtlsParameters;
	if (!Array.isArray(fingerprints) || fingerprints.length === 0) throw new TypeError('missing dtlsParameters.fingerprints');
	for (const fingerprint of fingerprints) {
		if (!FINGERPRINT_ALGORITHMS.includes(fingerprint?.algorithm)) throw new TypeError('invalid fingerprint.algorithm');
		if (typeof fingerprint.value !== 'string') throw new TypeError('invalid fingerprint.value');
	}
	if (role !== undefined && !DTLS_ROLES.includes(role)) throw new TypeError('invalid dtlsParameters.role');
}

/** A WebRTC endpoint: ICE + DTLS (+ SCTP) over UDP/TCP. */
class WebRtcTransport extends Transport {
	get iceRole() { return this._data.iceRole; }
	get iceParameters() { return this._data.iceParameters; }
	get iceCandidates() { return iceCandidates314(this._data.iceCandidates); }
	get iceState() { return this._data.iceState; }
	get iceSelectedTuple() { return tuple314(this._data.iceSelectedTuple); }
	get dtlsParameters() { return this._data.dtlsParameters; }
	get dtlsState() { return this._data.dtlsState; }
	get dtlsRemoteCert() { return this._data.dtlsRemoteCert ?? undefined; }
	get sctpParameters() { return this._data.sctpParameters ?? undefined; }
	get sctpState() { return this._data.sctpState ?? undefined; }

	async connect({ dtlsParameters } = {}) {
		this._checkOpen();
		checkDtlsParameters(dtlsParameters);
		this._data = { ...this._data, ...(await call(this._native.connect({ dtlsParameters: clone(dtlsParameters) }))) };
	}

	async restartIce() {
		this._checkOpen();
		const iceParameters = await call(this._native.restartIce());
		this._data.iceParameters = iceParameters;
		return iceParameters;
	}

	_shapeDump(dump) {
		return { ...dump, iceCandidates: this.iceCandidates, iceSelectedTuple: this.iceSelectedTuple };
	}

	_shapeStats(stat) {
		return withoutNulls({ type: 'webrtc-transport', ...stat, iceSelectedTuple: this.iceSelectedTuple });
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
			try { this._data.dtlsRemoteCert = callSync(() => this._native.data()).dtlsRemoteCert; } catch { /* closed */ }
		}
		const value = this[field];
		this.safeEmit(name, value);
		this.observer.safeEmit(name, value);
	}
}

module.exports = { WebRtcTransport };
