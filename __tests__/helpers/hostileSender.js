'use strict';

/**
 * The hostile sender, a child process (`fork()`ed by __tests__/hostile/network.test.js):
 * its own event loop sends the flood, so that the test's loop stays free to count the
 * real stream, and it outlives a worker abort in the parent long enough to say which
 * batch was on the wire (bench-out/hostile/progress.json).
 *
 * Messages from the parent: { type: 'sockets', names } → { type: 'ports', ports };
 * { type: 'send', name, hex, port } (priming: a comedia lock, an ICE check) → { type: 'sent' };
 * { type: 'start', targets: [{ name, port, weights, ctx }], packets, seed, rate, progressFile };
 * { type: 'retarget', name, port, ctx } → { type: 'retargeted', name }.
 * To the parent: { type: 'progress', sent } and { type: 'done', counts, replies, ms, sendErrors }.
 */

const dgram = require('node:dgram');
const fs = require('node:fs');
const { random, hostilePacket, pickKind } = require('./hostilePackets');

const sockets = new Map();
const replies = {};
const targets = new Map();
let sendErrors = 0;

async function openSocket(name) {
	const socket = dgram.createSocket('udp4');
	replies[name] = 0;
	socket.on('message', () => { replies[name] += 1; });
	socket.on('error', () => {}); // ICMP port unreachable after a target closed
	await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
	sockets.set(name, socket);
	return socket.address().port;
}

function send(name, packet, port) {
	sockets.get(name).send(packet, port, '127.0.0.1', (error) => { if (error) sendErrors += 1; });
}

async function flood({ targets: list, packets, seed, rate, progressFile }) {
	for (const t of list) targets.set(t.name, t);
	const order = list.map((t) => t.name);
	const counts = Object.fromEntries(order.map((name) => [name, {}]));
	const r = random(seed);
	const started = Date.now();
	let sent = 0;
	let batch = 0;
	while (sent < packets) {
		const due = Math.min(packets, Math.floor(((Date.now() - started) * rate) / 1000));
		const end = Math.min(due, sent + 400);
		if (end > sent) {
			fs.writeFileSync(progressFile, JSON.stringify({ seed, batch, firstPacket: sent, lastPacket: end - 1, targets: order }));
			batch += 1;
		}
		for (; sent < end; sent++) {
			const target = targets.get(order[sent % order.length]);
			const kind = pickKind(r, target.weights);
			const packet = hostilePacket(r, kind, target.ctx);
			counts[target.name][kind] = (counts[target.name][kind] ?? 0) + 1;
			send(target.name, packet, target.port);
		}
		process.send({ type: 'progress', sent });
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	await new Promise((resolve) => setTimeout(resolve, 500)); // replies still arriving
	process.send({ type: 'done', counts, replies, ms: Date.now() - started, sendErrors });
}

process.on('message', async (message) => {
	switch (message.type) {
		case 'sockets': {
			const ports = {};
			for (const name of message.names) ports[name] = await openSocket(name);
			process.send({ type: 'ports', ports });
			break;
		}
		case 'send':
			send(message.name, Buffer.from(message.hex, 'hex'), message.port);
			process.send({ type: 'sent' });
			break;
		case 'retarget':
			Object.assign(targets.get(message.name), { port: message.port, ctx: message.ctx });
			process.send({ type: 'retargeted', name: message.name });
			break;
		case 'start':
			await flood(message);
			break;
		case 'stop':
			for (const socket of sockets.values()) socket.close();
			process.disconnect();
			break;
		default:
	}
});
// The parent went away (a worker abort takes the whole process): stop at once.
process.on('disconnect', () => process.exit(0));
