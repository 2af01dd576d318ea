'use strict';

const { Mafalda } = require('..');
const { mediaCodecs, opusProducerParameters, vp8ProducerParameters } = require('./helpers/codecs');
const { rtpSink, rtpSource, waitFor, sleep } = require('./helpers/rtp');

/** A PlainTransport producer fed by a UDP source in the test. */
async function plainProducer(router, { ssrc, audioLevel }) {
	const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
	const producer = await transport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(ssrc) });
	const source = await rtpSource({ port: transport.tuple.localPort, ssrc, payloadType: 111, audioLevel });
	return { transport, producer, source };
}

/** A PlainTransport consumer delivering to a UDP sink in the test. */
async function plainConsumer(router, producer) {
	const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
	const sink = await rtpSink();
	await transport.connect({ ip: '127.0.0.1', port: sink.port });
	const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	return { transport, consumer, sink };
}

async function pipeCount(mafalda) {
	const dump = await mafalda.dump();
	return dump.workers.reduce((n, w) => n + w.pipes.reduce((m, p) => m + p.producerIds.length, 0), 0);
}

// Both backings: worker processes (the default) and worker threads (kept as an option).
describe.each(['process', 'thread'])('MafaldaRouter across workers (worker %s)', (workerBacking) => {
	const ctx = { cleanups: [] };

	afterEach(() => {
		for (const cleanup of ctx.cleanups.splice(0)) cleanup();
		ctx.mafalda?.close();
	});

	test('RTP from a producer on worker A reaches a consumer on worker B with the consumer SSRC and payload type; pause stops it, resume restarts it', async () => {
		ctx.mafalda = new Mafalda({ workerBacking, maxWorkers: 2, policy: 'spread' });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const { transport: sendTransport, producer, source } = await plainProducer(router, { ssrc: 1111 });
		const { transport: recvTransport, consumer, sink } = await plainConsumer(router, producer);
		ctx.cleanups.push(() => source.stop(), () => sink.close());

		expect(sendTransport.workerId).not.toBe(recvTransport.workerId);
		expect(consumer.piped).toBe(true);
		const { ssrc } = consumer.rtpParameters.encodings[0];
		const { payloadType } = consumer.rtpParameters.codecs[0];

		expect(await waitFor(() => sink.packets.length >= 25)).toBe(true);
		expect(sink.packets.every((p) => p.ssrc === ssrc && p.payloadType === payloadType)).toBe(true);

		const onProducerPause = jest.fn();
		consumer.on('producerpause', onProducerPause);
		await producer.pause();
		expect(await waitFor(() => onProducerPause.mock.calls.length === 1)).toBe(true);
		await sleep(300); // packets in flight drain
		const whilePaused = sink.packets.length;
		await sleep(600);
		expect(sink.packets.length).toBe(whilePaused);

		await producer.resume();
		expect(await waitFor(() => sink.packets.length >= whilePaused + 10)).toBe(true);
		expect(consumer.producerPaused).toBe(false);
	});

	test('one pipe serves every consumer of a producer on a worker, and goes when the last one closes; the idle worker is then freed', async () => {
		ctx.mafalda = new Mafalda({ workerBacking, maxWorkers: 2, policy: 'spread', workerIdleTimeout: 200 });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		// spread: router shard on slot 0, then transports alternate 1, 0, 1, 0...
		const { producer, source } = await plainProducer(router, { ssrc: 2222 });
		ctx.cleanups.push(() => source.stop());
		const a = await plainConsumer(router, producer);
		const skip = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] });
		const b = await plainConsumer(router, producer);
		ctx.cleanups.push(() => a.sink.close(), () => b.sink.close());
		expect(a.transport.workerId).toBe(b.transport.workerId);
		expect(a.consumer.piped && b.consumer.piped).toBe(true);
		expect(await pipeCount(ctx.mafalda)).toBe(1);
		expect(await waitFor(() => a.sink.packets.length > 5 && b.sink.packets.length > 5)).toBe(true);

		a.consumer.close();
		expect(await pipeCount(ctx.mafalda)).toBe(1);
		b.consumer.close();
		expect(await pipeCount(ctx.mafalda)).toBe(0);

		// Empty the consumers' worker: its shard closes, then the worker itself.
		const consumerWorker = a.transport.workerId;
		a.transport.close();
		b.transport.close();
		skip.close();
		const freed = await waitFor(async () => {
			const dump = await ctx.mafalda.dump();
			return !dump.workers.some((w) => w.id === consumerWorker);
		});
		expect(freed).toBe(true);
		expect((await ctx.mafalda.dump()).workers).toHaveLength(1);
	});

	test('pack keeps a 4-participant room on one worker, and a second room shares it while under the watermark', async () => {
		ctx.mafalda = new Mafalda({ workerBacking, maxWorkers: 2, policy: 'pack' });
		const rooms = [];
		for (let r = 0; r < 2; r++) {
			const router = await ctx.mafalda.createRouter({ mediaCodecs });
			const transports = [];
			for (let p = 0; p < 4; p++) {
				transports.push(await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] }));
				transports.push(await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] }));
			}
			rooms.push(transports);
		}
		const workerIds = new Set(rooms.flat().map((t) => t.workerId));
		expect(workerIds.size).toBe(1);
		const dump = await ctx.mafalda.dump();
		expect(dump.workers).toHaveLength(1);
		expect(dump.workers[0].load).toBeLessThan(dump.watermark);
		expect(dump.workers[0].shards).toHaveLength(2);
		expect(dump.decisions.at(-1)).toMatchObject({ policy: 'pack', reason: 'under-watermark-with-shard' });
	});

	test('an audio level observer reports volumes of a producer that lives on another worker', async () => {
		ctx.mafalda = new Mafalda({ workerBacking, maxWorkers: 2, policy: 'spread' });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const observer = await router.createAudioLevelObserver({ interval: 200, threshold: -70 });
		const { transport, producer, source } = await plainProducer(router, { ssrc: 3333, audioLevel: 20 });
		ctx.cleanups.push(() => source.stop());
		const observerWorker = (await ctx.mafalda.dump()).workers.find((w) => w.shards.length > 0 && w.id !== transport.workerId);
		expect(observerWorker).toBeDefined();

		const volumes = [];
		observer.on('volumes', (v) => volumes.push(...v));
		await observer.addProducer({ producerId: producer.id });
		expect(await waitFor(() => volumes.length > 0)).toBe(true);
		expect(volumes[0].producer).toBe(producer);
		expect(volumes[0].volume).toBe(-20);
		expect(await pipeCount(ctx.mafalda)).toBe(1);
		await observer.removeProducer({ producerId: producer.id });
		expect(await pipeCount(ctx.mafalda)).toBe(0);
	});

	test('an active speaker observer names a producer that lives on another worker', async () => {
		ctx.mafalda = new Mafalda({ workerBacking, maxWorkers: 2, policy: 'spread' });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const observer = await router.createActiveSpeakerObserver({ interval: 100 });
		const { producer, source } = await plainProducer(router, { ssrc: 3434, audioLevel: 10 });
		ctx.cleanups.push(() => source.stop());
		const speakers = [];
		observer.on('dominantspeaker', ({ producer: speaker }) => speakers.push(speaker));
		await observer.addProducer({ producerId: producer.id });
		expect(await waitFor(() => speakers.length > 0, { timeoutMs: 15000 })).toBe(true);
		expect(speakers[0]).toBe(producer);
		expect(await pipeCount(ctx.mafalda)).toBe(1);
	});

	test('a key frame request on a consumer reaches the sender of its producer on another worker as an RTCP PLI', async () => {
		ctx.mafalda = new Mafalda({ workerBacking, maxWorkers: 2, policy: 'spread' });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const sendTransport = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
		const producer = await sendTransport.produce({ kind: 'video', rtpParameters: vp8ProducerParameters(4545) });
		// Every packet a VP8 key frame: payload descriptor (X=1, S=1, PID 0, 15-bit picture id),
		// then a key frame header (P=0, start code, 640x480), so no key frame request stays pending.
		const keyFrame = [0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01];
		const payload = Buffer.concat([Buffer.from([0x90, 0x80, 0x80, 0x01, ...keyFrame]), Buffer.alloc(100, 0x55)]);
		const source = await rtpSource({ port: sendTransport.tuple.localPort, ssrc: 4545, payloadType: 96, payload });
		const { transport: recvTransport, consumer, sink } = await plainConsumer(router, producer);
		ctx.cleanups.push(() => source.stop(), () => sink.close());
		expect(recvTransport.workerId).not.toBe(sendTransport.workerId);
		expect(await waitFor(() => sink.packets.length > 10)).toBe(true);

		const plis = () => source.rtcpReceived.filter((p) => p.packetType === 206 && p.format === 1).length;
		await sleep(1000);
		const quiet = plis();
		await sleep(1000);
		expect(plis()).toBe(quiet); // key frames flow: nobody asks for one
		await consumer.requestKeyFrame();
		expect(await waitFor(() => plis() > quiet)).toBe(true);
	});

	test('consumeData of a data producer on another worker delivers its messages', async () => {
		ctx.mafalda = new Mafalda({ workerBacking, maxWorkers: 2, policy: 'spread' });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const sender = await router.createDirectTransport();
		const receiver = await router.createDirectTransport();
		expect(sender.workerId).not.toBe(receiver.workerId);
		const dataProducer = await sender.produceData({ label: 'chat' });
		const dataConsumer = await receiver.consumeData({ dataProducerId: dataProducer.id });
		const messages = [];
		dataConsumer.on('message', (message, ppid) => messages.push([message.toString(), ppid]));
		const delivered = await waitFor(() => {
			dataProducer.send('hello');
			return messages.length > 0;
		}, { intervalMs: 100 });
		expect(delivered).toBe(true);
		expect(messages[0]).toEqual(['hello', 51]);
		const onClose = jest.fn();
		dataConsumer.on('dataproducerclose', onClose);
		dataProducer.close();
		expect(await waitFor(() => onClose.mock.calls.length === 1)).toBe(true);
		expect(dataConsumer.closed).toBe(true);
	});

	test('closing a producer closes its consumers on other workers with producerclose', async () => {
		ctx.mafalda = new Mafalda({ workerBacking, maxWorkers: 2, policy: 'spread' });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const { producer, source } = await plainProducer(router, { ssrc: 4444 });
		const { consumer, sink } = await plainConsumer(router, producer);
		ctx.cleanups.push(() => source.stop(), () => sink.close());
		const onProducerClose = jest.fn();
		consumer.on('producerclose', onProducerClose);
		producer.close();
		expect(await waitFor(() => onProducerClose.mock.calls.length === 1)).toBe(true);
		expect(consumer.closed).toBe(true);
		expect(await pipeCount(ctx.mafalda)).toBe(0);
	});

	test('router.pipeToRouter() pipes a producer into another MafaldaRouter whose transports consume it', async () => {
		ctx.mafalda = new Mafalda({ workerBacking, maxWorkers: 2, policy: 'spread' });
		const router1 = await ctx.mafalda.createRouter({ mediaCodecs });
		const router2 = await ctx.mafalda.createRouter({ mediaCodecs });
		const { producer, source } = await plainProducer(router1, { ssrc: 5555 });
		ctx.cleanups.push(() => source.stop());
		const { pipeConsumer, pipeProducer } = await router1.pipeToRouter({ producerId: producer.id, router: router2 });
		expect(pipeProducer.id).toBe(producer.id);
		expect(pipeConsumer.type).toBe('pipe');
		const { consumer, sink } = await plainConsumer(router2, pipeProducer);
		ctx.cleanups.push(() => sink.close());
		expect(await waitFor(() => sink.packets.length >= 10)).toBe(true);
		expect(sink.packets[0].ssrc).toBe(consumer.rtpParameters.encodings[0].ssrc);
	});

	test('a worker that dies closes what lived on it, Mafalda reports workerdied, and the router goes on on the other worker', async () => {
		ctx.mafalda = new Mafalda({ workerBacking, maxWorkers: 2, policy: 'spread' });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const { transport: sendTransport, producer, source } = await plainProducer(router, { ssrc: 7777 });
		const { transport: recvTransport, consumer, sink } = await plainConsumer(router, producer);
		ctx.cleanups.push(() => source.stop(), () => sink.close());
		expect(await waitFor(() => sink.packets.length > 5)).toBe(true);

		const died = new Promise((resolve) => ctx.mafalda.once('workerdied', resolve));
		const onRouterClose = jest.fn();
		const onProducerClose = jest.fn();
		sendTransport.on('routerclose', onRouterClose);
		consumer.on('producerclose', onProducerClose);
		ctx.mafalda.simulateWorkerDeath(sendTransport.workerId);

		const { workerId, routers } = await died;
		// Its sender goes quiet too: a 3.8 worker started next may well pick the same
		// "random" port (each worker seeds its generator alike) and latch onto it (comedia).
		source.stop();
		expect(workerId).toBe(sendTransport.workerId);
		expect(routers).toEqual([router]);
		expect(await waitFor(() => onRouterClose.mock.calls.length === 1 && onProducerClose.mock.calls.length === 1)).toBe(true);
		expect(sendTransport.closed && producer.closed && consumer.closed).toBe(true);
		expect(router.closed).toBe(false);
		expect(recvTransport.closed).toBe(false);
		const dump = await ctx.mafalda.dump();
		expect(dump.workers.map((w) => w.id)).not.toContain(workerId);

		const again = await plainProducer(router, { ssrc: 8888 });
		ctx.cleanups.push(() => again.source.stop());
		const { sink: sink2 } = await plainConsumer(router, again.producer);
		ctx.cleanups.push(() => sink2.close());
		expect(await waitFor(() => sink2.packets.length > 5)).toBe(true);
	});

	test('bad input is a TypeError and never breaks the router', async () => {
		ctx.mafalda = new Mafalda({ workerBacking, maxWorkers: 2 });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const transport = await router.createPlainTransport({ listenIp: '127.0.0.1' });
		await expect(router.createWebRtcTransport({})).rejects.toThrow(TypeError);
		await expect(router.createPlainTransport({ listenIp: 'not-an-ip' })).rejects.toThrow(TypeError);
		await expect(transport.produce({ kind: 'data', rtpParameters: {} })).rejects.toThrow(new TypeError('invalid kind "data"'));
		await expect(transport.produce({ kind: 'audio', rtpParameters: { codecs: 'x' } })).rejects.toThrow(TypeError);
		await expect(transport.consume({ producerId: 'nope', rtpCapabilities: router.rtpCapabilities })).rejects.toThrow('Producer with id "nope" not found');
		const producer = await transport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(6666) });
		expect(router.canConsume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities })).toBe(true);
	});
});
