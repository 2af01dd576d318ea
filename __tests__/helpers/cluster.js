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

/**
 * A real nats-server on 127.0.0.1; `restart()` stops it and starts it again on the
 * same port. `config` (text) goes to a file it is started with, `env` to its
 * environment (a config's `$NAME`s), `args` after the others. Its log lines are kept
 * (`log`).
 */
async function startNats({ token, config, env, args: extra = [], port: wanted, scheme = 'nats' } = {}) {
	const port = wanted ?? await freePort();
	const bin = natsServerPath();
	const args = ['-a', '127.0.0.1', '-p', String(port), ...(token ? ['--auth', token] : [])];
	let dir;
	if (config) {
		dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'mafalda-nats-'));
		fs.writeFileSync(path.join(dir, 'nats-server.conf'), config);
		args.unshift('-c', path.join(dir, 'nats-server.conf'));
	}
	args.push(...extra);
	let child;
	const log = [];
	const start = async () => {
		child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
		readline.createInterface({ input: child.stderr }).on('line', (line) => log.push(line));
		await new Promise((resolve, reject) => {
			const check = setInterval(() => {
				if (log.some((line) => line.includes('Server is ready'))) done(resolve);
			}, 10);
			const done = (settle, value) => {
				clearInterval(check);
				child.off('exit', onExit);
				settle(value);
			};
			const onExit = (code) => done(reject, new Error(`nats-server exited (${code}) before it was ready:\n${log.join('\n')}`));
			child.once('exit', onExit);
		});
	};
	const stop = async (signal = 'SIGTERM') => {
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		const exited = new Promise((resolve) => child.once('exit', resolve));
		process.kill(child.pid, signal);
		await exited;
	};
	await start();
	return {
		url: `${scheme}://127.0.0.1:${port}`,
		port,
		log,
		get pid() { return child.pid; },
		stop: async (signal) => {
			await stop(signal);
			if (dir) fs.rmSync(dir, { recursive: true, force: true });
		},
		restart: async () => {
			await stop();
			log.length = 0;
			await start();
		},
	};
}

/** A `mafalda-node` process; resolves once it joined (its `ready` line). */
async function startNode({ nats, nodeId, ip, token, args = [], env }) {
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
	], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
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
	const stdout = [];
	child.stdout.on('data', (chunk) => stdout.push(chunk));
	const node = {
		nodeId,
		ip,
		pid: child.pid,
		stdout: () => Buffer.concat(stdout).toString(),
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
 * collecting payloads, `flush()` (a PING answered: the server has handled everything
 * sent before), `errors` (the server's -ERR lines), `close()`. With `tls` (`{ ca,
 * cert, key }` file names) it upgrades after the server's INFO, as NATS clients do.
 */
async function rawNats(url, { token, user, pass, tls } = {}) {
	const { hostname, port } = new URL(url);
	let socket = net.connect(Number(port), hostname);
	await new Promise((resolve, reject) => {
		socket.once('connect', resolve);
		socket.once('error', reject);
	});
	if (tls) {
		await new Promise((resolve) => {
			let seen = '';
			const onData = (chunk) => {
				seen += chunk.toString('latin1');
				if (seen.includes('\r\n')) {
					socket.off('data', onData);
					resolve();
				}
			};
			socket.on('data', onData);
		});
		const read = (file) => file && fs.readFileSync(file);
		socket = require('node:tls').connect({ socket, host: hostname, ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key) });
		await new Promise((resolve, reject) => {
			socket.once('secureConnect', resolve);
			socket.once('error', reject);
		});
	}
	const received = new Map();
	const errors = [];
	const pongs = [];
	let buffer = '';
	socket.on('error', (error) => errors.push(error.message));
	socket.on('data', (chunk) => {
		buffer += chunk.toString('latin1');
		for (;;) {
			const end = buffer.indexOf('\r\n');
			if (end < 0) return;
			const line = buffer.slice(0, end);
			const match = /^MSG (\S+) (\d+)(?: \S+)? (\d+)$/.exec(line);
			if (!match) {
				if (line === 'PING') socket.write('PONG\r\n');
				if (line === 'PONG') pongs.shift()?.();
				if (line.startsWith('-ERR')) errors.push(line);
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
	const credentials = { ...(token ? { auth_token: token } : {}), ...(user ? { user, pass } : {}) };
	socket.write(`CONNECT ${JSON.stringify({ verbose: false, pedantic: false, ...credentials })}\r\n`);
	let sid = 0;
	return {
		errors,
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
		flush: () => new Promise((resolve) => {
			pongs.push(resolve);
			socket.write('PING\r\n');
		}),
		close: () => socket.destroy(),
	};
}

module.exports.rawNats = rawNats;
