'use strict';

/**
 * Starts and stops the real processes a cluster test needs: one nats-server on a
 * free loopback port, and `mafalda-node` processes (bin/mafalda-node.js), each on
 * its own loopback address. Only processes started here are stopped, by pid.
 */

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');

const NODE_BIN = path.join(__dirname, '..', '..', 'bin', 'mafalda-node.js');

function natsServerPath() {
	for (const candidate of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) {
		if (fs.existsSync(candidate)) return candidate;
	}
	try {
		return execFileSync('sh', ['-c', 'command -v nats-server']).toString().trim();
	} catch {
		throw new Error('nats-server not found: install Debian\'s nats-server (.ci/run does)');
	}
}

async function freePort(host = '127.0.0.1') {
	const server = net.createServer();
	await new Promise((resolve) => server.listen(0, host, resolve));
	const { port } = server.address();
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** Waits for a line of `stream` that `match` accepts; rejects when the process exits first. */
function waitForLine(child, stream, match, what) {
	return new Promise((resolve, reject) => {
		const lines = readline.createInterface({ input: stream });
		const seen = [];
		const onExit = (code) => reject(new Error(`${what} exited (${code}) before it was ready:\n${seen.join('\n')}`));
		lines.on('line', (line) => {
			seen.push(line);
			const result = match(line);
			if (result) {
				child.off('exit', onExit);
				resolve(result);
			}
		});
		child.once('exit', onExit);
	});
}

/** A real nats-server on 127.0.0.1; `restart()` stops it and starts it again on the same port. */
async function startNats({ token } = {}) {
	const port = await freePort();
	const bin = natsServerPath();
	const args = ['-a', '127.0.0.1', '-p', String(port), ...(token ? ['--auth', token] : [])];
	let child;
	const start = async () => {
		child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
		await waitForLine(child, child.stderr, (line) => line.includes('Server is ready'), 'nats-server');
	};
	const stop = async () => {
		if (!child || child.exitCode !== null) return;
		const exited = new Promise((resolve) => child.once('exit', resolve));
		process.kill(child.pid, 'SIGTERM');
		await exited;
	};
	await start();
	return {
		url: `nats://127.0.0.1:${port}`,
		get pid() { return child.pid; },
		stop,
		restart: async () => {
			await stop();
			await start();
		},
	};
}

/** A `mafalda-node` process; resolves once it joined (its `ready` line). */
async function startNode({ nats, nodeId, ip, token, args = [] }) {
	const child = spawn(process.execPath, [
		NODE_BIN,
		'--nats', nats,
		'--node-id', nodeId,
		'--announced-address', ip,
		'--max-workers', '1',
		'--heartbeat-interval', '300',
		'--node-timeout', '3000',
		...(token ? ['--token', token] : []),
		...args,
	], { stdio: ['ignore', 'pipe', 'pipe'] });
	const stderr = [];
	child.stderr.on('data', (chunk) => stderr.push(chunk));
	const states = [];
	const ready = waitForLine(child, child.stdout, (line) => {
		try {
			const message = JSON.parse(line);
			states.push(message);
			return message.state === 'ready' && message;
		} catch {
			return false;
		}
	}, `mafalda-node ${nodeId}`);
	const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
	const node = {
		nodeId,
		ip,
		pid: child.pid,
		states,
		exited,
		stderr: () => Buffer.concat(stderr).toString(),
		kill: (signal = 'SIGKILL') => {
			if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, signal);
			return exited;
		},
	};
	node.ready = ready.then(() => node);
	return node;
}

module.exports = { startNats, startNode, freePort };

/**
 * A bare NATS client over the text protocol, for tests that must send what no
 * well-behaved node sends: `publish(subject, payload, replyTo)`, `subscribe(subject)`
 * collecting payloads, `close()`.
 */
async function rawNats(url, { token } = {}) {
	const { hostname, port } = new URL(url);
	const socket = net.connect(Number(port), hostname);
	await new Promise((resolve, reject) => {
		socket.once('connect', resolve);
		socket.once('error', reject);
	});
	const received = new Map();
	let buffer = '';
	socket.on('data', (chunk) => {
		buffer += chunk.toString('latin1');
		for (;;) {
			const end = buffer.indexOf('\r\n');
			if (end < 0) return;
			const line = buffer.slice(0, end);
			const match = /^MSG (\S+) (\d+)(?: \S+)? (\d+)$/.exec(line);
			if (!match) {
				if (line === 'PING') socket.write('PONG\r\n');
				buffer = buffer.slice(end + 2);
				continue;
			}
			const size = Number(match[3]);
			if (buffer.length < end + 2 + size + 2) return;
			const payload = buffer.slice(end + 2, end + 2 + size);
			buffer = buffer.slice(end + 2 + size + 2);
			received.get(match[2])?.push(payload);
		}
	});
	socket.write(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, ...(token ? { auth_token: token } : {}) })}\r\n`);
	let sid = 0;
	return {
		publish(subject, payload, replyTo) {
			const bytes = Buffer.from(payload);
			socket.write(`PUB ${subject}${replyTo ? ` ${replyTo}` : ''} ${bytes.length}\r\n`);
			socket.write(Buffer.concat([bytes, Buffer.from('\r\n')]));
		},
		subscribe(subject) {
			sid += 1;
			const messages = [];
			received.set(String(sid), messages);
			socket.write(`SUB ${subject} ${sid}\r\n`);
			return messages;
		},
		close: () => socket.destroy(),
	};
}

module.exports.rawNats = rawNats;
