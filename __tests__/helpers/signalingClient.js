'use strict';

const WebSocket = require('ws');

/**
 * A signaling client of the room example for hostile tests: many requests in flight at
 * once (replies matched by id), raw frames, and what the server pushed.
 */
async function signalingClient(baseUrl) {
	const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
	const pending = new Map();
	const notifications = [];
	const unmatched = [];
	let nextId = 1;
	ws.on('message', (message) => {
		const parsed = JSON.parse(message.toString());
		if (parsed.notification) notifications.push(parsed);
		else if (pending.has(parsed.id)) {
			pending.get(parsed.id)(parsed);
			pending.delete(parsed.id);
		} else unmatched.push(parsed);
	});
	const closed = new Promise((resolve) => ws.once('close', (code) => {
		for (const resolveReply of pending.values()) resolveReply({ ok: false, error: 'socket closed', closed: true });
		pending.clear();
		resolve(code);
	}));
	ws.on('error', () => {}); // a server that drops us shows as 'close'
	await new Promise((resolve, reject) => {
		ws.once('open', resolve);
		ws.once('error', reject);
	});

	return {
		ws,
		notifications,
		/** Replies that named no request of ours (id null: the server could not read one). */
		unmatched,
		closed,
		/** Sends `{ id, method, data }` and resolves with the reply (`{ ok, data | error }`). */
		request(method, data) {
			const id = nextId++;
			const reply = new Promise((resolve) => pending.set(id, resolve));
			ws.send(JSON.stringify({ id, method, data }));
			return reply;
		},
		/** Sends a frame as is; resolves with the next reply that names no request. */
		sendRaw(payload) {
			const count = unmatched.length;
			ws.send(payload, { binary: Buffer.isBuffer(payload) });
			return new Promise((resolve) => {
				const poll = setInterval(() => {
					if (unmatched.length > count || ws.readyState !== WebSocket.OPEN) {
						clearInterval(poll);
						resolve(unmatched[count]);
					}
				}, 10);
			});
		},
		close() {
			ws.close();
			return closed;
		},
		terminate() {
			ws.terminate();
			return closed;
		},
	};
}

module.exports = { signalingClient };
