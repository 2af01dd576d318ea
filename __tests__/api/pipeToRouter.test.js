'use strict';

/**
 * router.pipeToRouter() (lib/Router.js): its refusals, media and data that really cross,
 * pause and resume carried over, and what happens when the original closes midway.
 */

const { Mafalda, InvalidStateError } = require('../..');
const mediasoup = require('../../mediasoup');
const { mediaCodecs, opusProducerParameters } = require('../helpers/codecs');
const { rtpSink, rtpSource, waitFor } = require('../helpers/rtp');

const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };

describe('router.pipeToRouter()', () => {
	const ctx = {};
	const cleanups = [];

	beforeEach(async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread' });
		ctx.a = await ctx.mafalda.createRouter({ mediaCodecs });
		ctx.b = await ctx.mafalda.createRouter({ mediaCodecs });
		ctx.transport = await ctx.a.createPlainTransport({ listenInfo, comedia: true, enableSctp: true });
		ctx.producer = await ctx.transport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(7777), appData: { who: 'alice' } });
		ctx.dataProducer = await ctx.transport.produceData({ sctpStreamParameters: { streamId: 1 }, label: 'chat', protocol: 'text' });
	});

	afterEach(() => {
		for (const cleanup of cleanups.splice(0)) cleanup();
		ctx.mafalda.close();
	});

	test.each([
		['neither producerId nor dataProducerId', () => ({ router: ctx.b }), TypeError, 'missing producerId or dataProducerId'],
		['both producerId and dataProducerId', () => ({ producerId: ctx.producer.id, dataProducerId: ctx.dataProducer.id, router: ctx.b }),
			TypeError, 'just producerId or dataProducerId can be given'],
		['no router', () => ({ producerId: ctx.producer.id }), TypeError, 'Router not found'],
		['a router that is not one', () => ({ producerId: ctx.producer.id, router: { id: ctx.b.id } }), TypeError, 'router must be a Router'],
		['this router', () => ({ producerId: ctx.producer.id, router: ctx.a }), TypeError, 'cannot use this Router as destination'],
		['an unknown producer', () => ({ producerId: 'nope', router: ctx.b }), TypeError, 'Producer not found'],
		['an unknown data producer', () => ({ dataProducerId: 'nope', router: ctx.b }), TypeError, 'DataProducer not found'],
	])('%s: rejected', async (_what, options, ErrorClass, message) => {
		await expect(ctx.a.pipeToRouter(options())).rejects.toThrow(new ErrorClass(message));
		expect((await ctx.b.dump()).transportIds).toEqual([]);
	});

	test('a closed destination: InvalidStateError', async () => {
		ctx.b.close();
		await expect(ctx.a.pipeToRouter({ producerId: ctx.producer.id, router: ctx.b }))
			.rejects.toThrow(new InvalidStateError('destination Router closed'));
	});

	test('RTP crosses to a consumer of the destination router; the pipe pair listens where listenInfo says', async () => {
		const { pipeConsumer, pipeProducer } = await ctx.a.pipeToRouter({ producerId: ctx.producer.id, router: ctx.b, listenInfo });
		expect(pipeProducer.id).toBe(ctx.producer.id);
		expect(pipeProducer.appData).toEqual({ who: 'alice' });
		expect(pipeConsumer.producerId).toBe(ctx.producer.id);
		for (const router of [ctx.a, ctx.b]) {
			const pipes = [...router.transportsForTesting.values()].filter((t) => t.constructor.name === 'PipeTransport');
			expect(pipes).toHaveLength(1);
			expect(pipes[0].tuple).toMatchObject({ localAddress: '127.0.0.1', remoteIp: '127.0.0.1' });
		}
		const sink = await rtpSink();
		cleanups.push(() => sink.close());
		const out = await ctx.b.createPlainTransport({ listenInfo });
		await out.connect({ ip: '127.0.0.1', port: sink.port });
		const consumer = await out.consume({ producerId: ctx.producer.id, rtpCapabilities: ctx.b.rtpCapabilities });
		const source = await rtpSource({ port: ctx.transport.tuple.localPort, ssrc: 7777, payloadType: 111 });
		cleanups.push(() => source.stop());
		await waitFor(() => sink.packets.length >= 5);
		expect(sink.packets.length).toBeGreaterThanOrEqual(5);
		expect(sink.packets[0].ssrc).toBe(consumer.rtpParameters.encodings[0].ssrc);
	});

	test('pausing and resuming the original pauses and resumes the pipe producer', async () => {
		const { pipeProducer } = await ctx.a.pipeToRouter({ producerId: ctx.producer.id, router: ctx.b });
		await ctx.producer.pause();
		await waitFor(() => pipeProducer.paused);
		expect(pipeProducer.paused).toBe(true);
		await ctx.producer.resume();
		await waitFor(() => !pipeProducer.paused);
		expect(pipeProducer.paused).toBe(false);
	});

	test('data crosses too: the pipe data producer keeps the label and protocol', async () => {
		const { pipeDataConsumer, pipeDataProducer } = await ctx.a.pipeToRouter({ dataProducerId: ctx.dataProducer.id, router: ctx.b });
		expect(pipeDataProducer.id).toBe(ctx.dataProducer.id);
		expect(pipeDataProducer).toMatchObject({ label: 'chat', protocol: 'text' });
		expect(pipeDataConsumer.dataProducerId).toBe(ctx.dataProducer.id);
		pipeDataConsumer.close();
		expect(pipeDataProducer.closed).toBe(true);
	});

	test('the original producer closed before its pipe consumer exists: the consume error, nothing left', async () => {
		const piping = ctx.a.pipeToRouter({ producerId: ctx.producer.id, router: ctx.b });
		const id = ctx.producer.id;
		ctx.producer.close();
		await expect(piping).rejects.toThrow(new Error(`Producer with id "${id}" not found`));
		const pipes = [...ctx.a.transportsForTesting.values()].filter((t) => t.constructor.name === 'PipeTransport');
		expect((await pipes[0].dump()).consumerIds).toEqual([]);
	});

	test('the original data producer closed before its pipe data consumer exists: the same', async () => {
		const piping = ctx.a.pipeToRouter({ dataProducerId: ctx.dataProducer.id, router: ctx.b });
		const id = ctx.dataProducer.id;
		ctx.dataProducer.close();
		await expect(piping).rejects.toThrow(new Error(`DataProducer with id "${id}" not found`));
	});

	test('the original producer closed once its pipe producer exists: InvalidStateError, both pipe ends closed', async () => {
		const created = [];
		ctx.b.observer.on('newtransport', (transport) => {
			transport.observer.on('newproducer', (pipeProducer) => {
				created.push(pipeProducer);
				ctx.producer.close();
			});
		});
		const pipeConsumers = [];
		ctx.a.observer.on('newtransport', (transport) => transport.observer.on('newconsumer', (c) => pipeConsumers.push(c)));
		await expect(ctx.a.pipeToRouter({ producerId: ctx.producer.id, router: ctx.b }))
			.rejects.toThrow(new InvalidStateError('original Producer closed'));
		expect(created).toHaveLength(1);
		expect(created[0].closed).toBe(true);
		expect(pipeConsumers).toHaveLength(1);
		expect(pipeConsumers[0].closed).toBe(true);
	});

	test('a pipe pair that cannot be made rejects both ways and is forgotten: the next call makes a new one', async () => {
		await expect(ctx.a.pipeToRouter({ producerId: ctx.producer.id, router: ctx.b, listenInfo: { protocol: 'udp', ip: 'nowhere' } }))
			.rejects.toThrow(new TypeError('listenInfo.ip must be an IP address string'));
		// Neither side kept the failed pair: piping back from b makes a new one too.
		const { pipeProducer } = await ctx.a.pipeToRouter({ producerId: ctx.producer.id, router: ctx.b });
		expect(pipeProducer.closed).toBe(false);
		expect(ctx.b.transportsForTesting.size).toBe(1);
	});
});

describe('pipeToRouter() between routers of one mediasoup Worker', () => {
	test('is refused as mediasoup does (a piped producer keeps its id)', async () => {
		const worker = await mediasoup.createWorker();
		try {
			const a = await worker.createRouter({ mediaCodecs });
			const b = await worker.createRouter({ mediaCodecs });
			const transport = await a.createPlainTransport({ listenInfo, comedia: true });
			const producer = await transport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(8888) });
			const error = await a.pipeToRouter({ producerId: producer.id, router: b }).catch((e) => e);
			expect(error).toBeInstanceOf(Error);
			expect(error).not.toBeInstanceOf(TypeError);
			expect(error.message).toBe('cannot pipe to a Router of the same Worker (a piped producer keeps its id)');
		} finally {
			worker.close();
		}
	});
});
