'use strict';

const { NativeObject } = require('./NativeObject');
const { call } = require('./native');

/**
 * mediasoup's WebRtcServer: the UDP/TCP sockets many WebRTC transports share. It
 * lives on one pool worker; the transports created with it are placed there.
 */
class WebRtcServer extends NativeObject {
	#transports = new Map();

	constructor({ native, registry, appData }) {
		super({ native, registry, appData, kind: 'WebRtcServer' });
	}

	get id() { return this._native.id; }
	/** Id of the pool worker the server (and its transports) live on. */
	get workerId() { return this._native.workerId; }
	get webRtcTransportsForTesting() { return this.#transports; }

	/** Its transports close first, with `listenserverclose`. */
	close() {
		if (!this._markClosed()) return;
		this.#closeTransports();
		this._native.close();
		this.emit('@close');
		this.observer.safeEmit('close');
	}

	/** The worker (or pool) it lives on closed: event `workerclose`. */
	workerClosed() {
		if (!this._markClosed()) return;
		this.#closeTransports();
		this._native.close();
		this.safeEmit('workerclose');
		this.observer.safeEmit('close');
	}

	async dump() {
		this._checkOpen();
		return call(this._native.dump());
	}

	/** A new WebRtcTransport listens on this server (called by the router). */
	_handleWebRtcTransport(transport) {
		this.#transports.set(transport.id, transport);
		this.observer.safeEmit('webrtctransporthandled', transport);
		// Also when this server closes and takes the transport with it, as in mediasoup.
		transport.on('@close', () => {
			this.#transports.delete(transport.id);
			this.observer.safeEmit('webrtctransportunhandled', transport);
		});
	}

	#closeTransports() {
		for (const transport of [...this.#transports.values()]) transport.listenServerClosed();
		this.#transports.clear();
	}
}

module.exports = { WebRtcServer };
