'use strict';

const { fork } = require('node:child_process');
const path = require('node:path');

/**
 * The test's side of the hostile sender child process (hostileSender.js): one socket per
 * target name, priming packets, the flood, and the child's pid to stop it by.
 */
async function startHostileSender(names) {
	const child = fork(path.join(__dirname, 'hostileSender.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const waiters = [];
	let progress = 0;
	child.on('message', (message) => {
		if (message.type === 'progress') progress = message.sent;
		const index = waiters.findIndex((w) => w.type === message.type);
		if (index >= 0) waiters.splice(index, 1)[0].resolve(message);
	});
	const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
		for (const w of waiters.splice(0)) w.reject(new Error(`hostile sender exited (${code ?? signal})`));
		resolve();
	}));
	const request = (message, replyType) => new Promise((resolve, reject) => {
		waiters.push({ type: replyType, resolve, reject });
		child.send(message);
	});
	const { ports } = await request({ type: 'sockets', names }, 'ports');
	return {
		pid: child.pid,
		ports,
		get progress() { return progress; },
		send: (name, packet, port) => request({ type: 'send', name, hex: packet.toString('hex'), port }, 'sent'),
		retarget: (name, port, ctx) => request({ type: 'retarget', name, port, ctx }, 'retargeted'),
		/** Resolves with `{ counts, replies, ms, sendErrors }` once every packet is sent. */
		flood: (options) => request({ type: 'start', ...options }, 'done'),
		async stop() {
			if (child.exitCode === null && child.signalCode === null) {
				if (child.connected) child.send({ type: 'stop' });
				const timer = setTimeout(() => process.kill(child.pid, 'SIGKILL'), 3000);
				await exited;
				clearTimeout(timer);
			}
		},
	};
}

module.exports = { startHostileSender };
