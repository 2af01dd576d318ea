'use strict';

const { spawn } = require('node:child_process');
const path = require('node:path');

const SERVER = path.join(__dirname, '..', 'server.js');
const READY = /room server listening on (http:\/\/\S+)/;

/**
 * Runs examples/room/server.js as `npm start` would, on a free port, and resolves once it
 * prints its URL: `{ url, pid, output(), stop() }`. Flags are the server's own (`--max-workers`…).
 */
function startRoomServerProcess(flags = [], { readyTimeoutMs = 60000 } = {}) {
	const child = spawn(process.execPath, [SERVER, '--port', '0', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

	async function stop() {
		if (child.exitCode !== null || child.signalCode !== null) return exited;
		child.kill('SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
		const result = await exited;
		clearTimeout(timer);
		return result;
	}

	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			stop();
			reject(new Error(`room server not ready after ${readyTimeoutMs} ms:\n${output}`));
		}, readyTimeoutMs);
		const onData = (chunk) => {
			output += chunk;
			const match = READY.exec(output);
			if (match) {
				clearTimeout(timer);
				resolve({ url: match[1], pid: child.pid, output: () => output, stop, exited });
			}
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		exited.then(({ code, signal }) => {
			clearTimeout(timer);
			reject(new Error(`room server exited (${code ?? signal}) before it was ready:\n${output}`));
		});
	});
}

module.exports = { startRoomServerProcess };
