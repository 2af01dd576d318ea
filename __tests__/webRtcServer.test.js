'use strict';

const dgram = require('node:dgram');
const { Mafalda, InvalidStateError } = require('..');
const mediasoup = require('../mediasoup');
const { mediaCodecs } = require('./helpers/codecs');

/** A free UDP port of 127.0.0.1 (bound, read, released). */
async function freeUdpPort() {
	const socket = dgram.createSocket('udp4');
	await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
	const { port } = socket.address();
	await new Promise((resolve) => socket.close(resolve));
	return port;
}

/** Whether something already listens on UDP `port` of 127.0.0.1. */
async function udpPortTaken(port) {
	const socket = dgram.createSocket('udp4');
	try {
		await new Promise((resolve, reject) => {
			socket.once('error', reject);
			socket.bind(port, '127.0.0.1', resolve);
		});
		return false;
	} catch (error) {
		return error.code === 'EADDRINUSE';
	} finally {
		socket.close();
	}
}

describe('WebRtcServer', () => {
	const ctx = {};

	afterEach(() => {
		ctx.mafalda?.close();
		ctx.mafalda = undefined;
		ctx.worker?.close();
		ctx.worker = undefined;
	});

	test('webRtcServerOptions gives each pool worker its own server, and transports without listen infos share its port', async () => {
		const base = await freeUdpPort();
		ctx.mafalda = new Mafalda({
			maxWorkers: 2,
			policy: 'spread',
			webRtcServerOptions: { listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', portRange: { min: base, max: base + 1 } }] },
		});
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const transports = [];
		for (let i = 0; i < 4; i += 1) transports.push(await router.createWebRtcTransport({}));

		const workerIds = new Set(transports.map((t) => t.workerId));
		expect(workerIds.size).toBe(2);
		// One port per worker, shared by every transport placed there.
		for (const workerId of workerIds) {
			const ports = new Set(transports.filter((t) => t.workerId === workerId).map((t) => t.iceCandidates[0].port));
			expect(ports.size).toBe(1);
		}
		const ports = new Set(transports.map((t) => t.iceCandidates[0].port));
		expect([...ports].sort()).toEqual([base, base + 1]);
		for (const t of transports) expect(t.iceCandidates).toMatchObject([{ protocol: 'udp', address: '127.0.0.1', ip: '127.0.0.1', type: 'host' }]);
		expect(await udpPortTaken(base)).toBe(true);
	});

	test('createWebRtcTransport() without listen infos, nor a pool server, is a TypeError', async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		await expect(router.createWebRtcTransport({})).rejects.toThrow(
			new TypeError('missing webRtcServer, listenInfos and listenIps (one of them is mandatory)')
		);
	});

	test('mafalda.createWebRtcServer() binds its port; its transports go to its worker and close with listenserverclose', async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread' });
		const port = await freeUdpPort();
		const webRtcServer = await ctx.mafalda.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }], appData: { n: 1 } });
		expect(webRtcServer.appData).toEqual({ n: 1 });
		expect(await udpPortTaken(port)).toBe(true);
		const dump = await webRtcServer.dump();
		expect(dump).toMatchObject({ id: webRtcServer.id, udpSockets: [{ ip: '127.0.0.1', port }], webRtcTransportIds: [] });

		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const onHandled = jest.fn();
		webRtcServer.observer.on('webrtctransporthandled', onHandled);
		// spread would alternate workers: the server pins every transport to its own.
		const transports = [];
		for (let i = 0; i < 3; i += 1) transports.push(await router.createWebRtcTransport({ webRtcServer }));
		expect(onHandled).toHaveBeenCalledTimes(3);
		for (const t of transports) {
			expect(t.workerId).toBe(webRtcServer.workerId);
			expect(t.iceCandidates.map((c) => c.port)).toEqual([port]);
		}
		expect((await webRtcServer.dump()).webRtcTransportIds.sort()).toEqual(transports.map((t) => t.id).sort());

		const onListenServerClose = jest.fn();
		transports[0].on('listenserverclose', onListenServerClose);
		webRtcServer.close();
		expect(onListenServerClose).toHaveBeenCalledTimes(1);
		expect(transports.every((t) => t.closed)).toBe(true);
		expect(router.transportsForTesting.size).toBe(0);
		await expect(router.createWebRtcTransport({ webRtcServer })).rejects.toThrow(InvalidStateError);
		// The port is free again once the server is gone.
		let free = false;
		for (let i = 0; i < 50 && !free; i += 1) {
			free = !(await udpPortTaken(port));
			if (!free) await new Promise((resolve) => setTimeout(resolve, 20));
		}
		expect(free).toBe(true);
	});

	test('a second server on a port in use rejects with an Error from the worker', async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		const port = await freeUdpPort();
		await ctx.mafalda.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }] });
		const error = await ctx.mafalda.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }] }).catch((e) => e);
		expect(error).toBeInstanceOf(Error);
		expect(error).not.toBeInstanceOf(TypeError);
		expect(error.message).not.toBe('');
	});
});

describe('what a real mediasoup app does at start', () => {
	test('createWorker({ rtcMinPort: NaN, rtcMaxPort: NaN }) ignores the NaN ports, as mediasoup 3.14 does', async () => {
		const worker = await mediasoup.createWorker({ rtcMinPort: Number(undefined), rtcMaxPort: Number(undefined), logLevel: 'warn' });
		try {
			const port = await freeUdpPort();
			const webRtcServer = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }] });
			const router = await worker.createRouter({ mediaCodecs });
			const transport = await router.createWebRtcTransport({ webRtcServer, enableUdp: true });
			expect(transport.iceCandidates[0].port).toBe(port);
			expect((await worker.dump()).webRtcServerIds).toEqual([webRtcServer.id]);
			const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
			expect(plain.tuple.localPort).toBeGreaterThanOrEqual(10000);
			expect(plain.tuple.localPort).toBeLessThanOrEqual(59999);
		} finally {
			worker.close();
		}
	});
});
