'use strict';

const WebSocket = require('ws');
const { requestHandlers } = require('./requestHandlers');
const { RequestError } = require('./RequestError');
const { isPlainObject } = require('./requestChecks');

/** Requests of one connection being handled at once; more get an error at once. */
const MAX_IN_FLIGHT = 64;
/** Replies waiting for a client that does not read them, before it is dropped. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * One browser's signaling WebSocket. Requests are JSON `{ id, method, data }` and get
 * `{ response: true, id, ok, data | error }`; the server pushes
 * `{ notification: true, method, data }`. Whatever arrives, the reply is an error at
 * worst: nothing a client sends may throw out of here and disturb other rooms.
 */
class SignalingConnection {
	#ws;
	#log;
	#session;
	#inFlight = 0;

	constructor({ ws, rooms, transportOptions, log }) {
		this.#ws = ws;
		this.#log = log;
		this.#session = {
			rooms,
			transportOptions,
			notify: (method, data) => this.#send({ notification: true, method, data }),
			peer: undefined,
			room: undefined,
			closed: false,
		};
		ws.on('message', (message, isBinary) => {
			this.#handleMessage(message, isBinary).catch((error) => this.#log.error('signaling: unexpected failure', error));
		});
		ws.on('close', () => this.#handleClose());
		// A 'close' event always follows; without a listener an 'error' would be thrown.
		ws.on('error', (error) => this.#log.warn(`signaling: socket error: ${error.message}`));
	}

	async #handleMessage(message, isBinary) {
		if (isBinary) return this.#replyError(null, 'binary messages are not supported');
		let request;
		try {
			request = JSON.parse(message.toString('utf8'));
		} catch {
			return this.#replyError(null, 'malformed JSON');
		}
		if (!isPlainObject(request)) return this.#replyError(null, 'a request must be a JSON object');
		const { id, method, data = {} } = request;
		if (!(typeof id === 'string' || Number.isFinite(id))) return this.#replyError(null, 'id must be a number or a string');
		if (typeof method !== 'string' || !Object.hasOwn(requestHandlers, method)) {
			return this.#replyError(id, `unknown method ${JSON.stringify(String(method)).slice(0, 80)}`);
		}
		if (!isPlainObject(data)) return this.#replyError(id, 'data must be an object');
		if (this.#inFlight >= MAX_IN_FLIGHT) return this.#replyError(id, `at most ${MAX_IN_FLIGHT} requests in flight`);
		this.#inFlight += 1;
		try {
			const result = await requestHandlers[method](this.#session, data);
			this.#send({ response: true, id, ok: true, data: result });
		} catch (error) {
			if (!(error instanceof RequestError)) this.#log.warn(`signaling: ${method} failed: ${error.message}`);
			this.#replyError(id, error.message || String(error));
		} finally {
			this.#inFlight -= 1;
		}
	}

	#handleClose() {
		const { peer, room } = this.#session;
		this.#session.closed = true;
		this.#session.peer = undefined;
		this.#session.room = undefined;
		if (peer) room.removePeer(peer);
	}

	#replyError(id, error) {
		this.#send({ response: true, id, ok: false, error });
	}

	#send(message) {
		if (this.#ws.readyState !== WebSocket.OPEN) return;
		// A client that sends and never reads would make us buffer its replies without end.
		if (this.#ws.bufferedAmount > MAX_BUFFERED_BYTES) {
			this.#log.warn('signaling: dropping a client that does not read its replies');
			this.#ws.terminate();
			return;
		}
		this.#ws.send(JSON.stringify(message));
	}
}

module.exports = { SignalingConnection };
