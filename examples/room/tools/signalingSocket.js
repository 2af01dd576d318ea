'use strict';

const WebSocket = require('ws');

/**
 * A raw signaling client for the tests: sends anything (valid or not) and waits for the
 * next reply. Send one message at a time and await its reply, so replies cannot mix up.
 */
async function openSignalingSocket(baseUrl) {
	const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
	const replies = [];
	const notifications = [];
	let wake = () => {};
	ws.on('message', (message) => {
		const parsed = JSON.parse(message.toString());
		(parsed.notification ? notifications : replies).push(parsed);
		wake();
	});
	const closed = new Promise((resolve) => ws.once('close', (code) => { resolve(code); wake(); }));
	await new Promise((resolve, reject) => {
		ws.once('open', resolve);
		ws.once('error', reject);
	});

	async function nextReply(timeoutMs = 30000) {
		const deadline = Date.now() + timeoutMs;
		while (replies.length === 0) {
			if (ws.readyState !== WebSocket.OPEN) throw new Error('socket closed while waiting for a reply');
			if (Date.now() > deadline) throw new Error('no reply');
			await new Promise((resolve) => {
				wake = resolve;
				setTimeout(resolve, 200);
			});
		}
		return replies.shift();
	}

	return {
		notifications,
		closed,
		/** Sends a string or a Buffer as is (binary for a Buffer) and resolves with the reply. */
		sendRaw(payload) {
			ws.send(payload, { binary: Buffer.isBuffer(payload) });
			return nextReply();
		},
		send(message) {
			return this.sendRaw(JSON.stringify(message));
		},
		close() {
			ws.close();
			return closed;
		},
	};
}

module.exports = { openSignalingSocket };
