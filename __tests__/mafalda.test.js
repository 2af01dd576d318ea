'use strict';

const { Mafalda, UnsupportedError, InvalidStateError } = require('..');
const { mediaCodecs } = require('./helpers/codecs');

describe('Mafalda and MafaldaRouter basics', () => {
	const ctx = {};

	beforeEach(() => {
		ctx.mafalda = new Mafalda({ maxWorkers: 2 });
	});

	afterEach(() => {
		ctx.mafalda.close();
	});

	test('mafalda.createRouter() creates a real router whose RTP capabilities are computed by mediasoup', async () => {
		const onNewRouter = jest.fn();
		ctx.mafalda.observer.once('newrouter', onNewRouter);
		const router = await ctx.mafalda.createRouter({ mediaCodecs, appData: { room: 'a' } });

		expect(onNewRouter).toHaveBeenCalledWith(router);
		expect(typeof router.id).toBe('string');
		expect(router.closed).toBe(false);
		expect(router.appData).toEqual({ room: 'a' });
		const opus = router.rtpCapabilities.codecs.find((c) => c.mimeType === 'audio/opus');
		expect(opus).toMatchObject({ kind: 'audio', clockRate: 48000, channels: 2 });
		expect(opus.preferredPayloadType).toBeGreaterThanOrEqual(96);
		const vp8 = router.rtpCapabilities.codecs.find((c) => c.mimeType === 'video/VP8');
		const rtx = router.rtpCapabilities.codecs.find((c) => c.mimeType === 'video/rtx');
		expect(rtx.parameters.apt).toBe(vp8.preferredPayloadType);
		const uris = router.rtpCapabilities.headerExtensions.map((e) => e.uri);
		expect(uris).toEqual(expect.arrayContaining([
			'urn:ietf:params:rtp-hdrext:sdes:mid',
			'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
			'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
		]));
	});

	test('router.appData can be replaced by an object and nothing else', async () => {
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		router.appData = { foo: 1 };
		expect(router.appData).toEqual({ foo: 1 });
		expect(() => { router.appData = 'x'; }).toThrow(TypeError);
	});

	test('mafalda.dump() lists the workers with their ids and the routers on each', async () => {
		const router1 = await ctx.mafalda.createRouter({ mediaCodecs });
		const router2 = await ctx.mafalda.createRouter({ mediaCodecs });
		const dump = await ctx.mafalda.dump();
		expect(dump.workers.length).toBeGreaterThanOrEqual(1);
		for (const worker of dump.workers) expect(typeof worker.id).toBe('string');
		const routerIds = dump.workers.flatMap((w) => w.shards.map((s) => s.routerId));
		expect(routerIds).toEqual(expect.arrayContaining([router1.id, router2.id]));
		expect(dump.routerIds.sort()).toEqual([router1.id, router2.id].sort());
	});

	test('router.close() closes its transports, which emit routerclose', async () => {
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const transport = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] });
		const onRouterClose = jest.fn();
		const onObserverClose = jest.fn();
		transport.on('routerclose', onRouterClose);
		router.observer.on('close', onObserverClose);
		router.close();
		expect(router.closed).toBe(true);
		expect(transport.closed).toBe(true);
		expect(onRouterClose).toHaveBeenCalledTimes(1);
		expect(onObserverClose).toHaveBeenCalledTimes(1);
		await expect(router.createWebRtcTransport({ listenIps: ['127.0.0.1'] })).rejects.toThrow(InvalidStateError);
		expect((await ctx.mafalda.dump()).routerIds).not.toContain(router.id);
	});

	test('mafalda.close() makes every router emit workerclose', async () => {
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const onWorkerClose = jest.fn();
		router.on('workerclose', onWorkerClose);
		ctx.mafalda.close();
		expect(onWorkerClose).toHaveBeenCalledTimes(1);
		expect(router.closed).toBe(true);
	});

	test('bad arguments reject with TypeError naming them', async () => {
		await expect(ctx.mafalda.createRouter({ mediaCodecs: 'x' })).rejects.toThrow(new TypeError('if given, mediaCodecs must be an array'));
		await expect(ctx.mafalda.createRouter({ appData: 'NOT-AN-OBJECT' })).rejects.toThrow(new TypeError('if given, appData must be an object'));
		await expect(ctx.mafalda.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus' }] })).rejects.toThrow(TypeError);
		expect(() => new Mafalda({ maxWorkers: 0 })).toThrow(new TypeError('maxWorkers must be a positive integer (got 0; 0 is only for a signaling-only node of a cluster)'));
		expect(() => new Mafalda({ policy: 'random' })).toThrow(TypeError);
	});

	test('a codec mediasoup does not support rejects with UnsupportedError', async () => {
		const codecs = [{ kind: 'audio', mimeType: 'audio/foo', clockRate: 48000 }];
		await expect(ctx.mafalda.createRouter({ mediaCodecs: codecs })).rejects.toThrow(new UnsupportedError('media codec not supported [mimeType:audio/foo]'));
		const wrongClockRate = [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 44100, channels: 2 }];
		await expect(ctx.mafalda.createRouter({ mediaCodecs: wrongClockRate })).rejects.toThrow(UnsupportedError);
	});

	test('a closed Mafalda rejects with InvalidStateError', async () => {
		ctx.mafalda.close();
		await expect(ctx.mafalda.createRouter({ mediaCodecs })).rejects.toThrow(new InvalidStateError('Mafalda closed'));
		await expect(ctx.mafalda.dump()).rejects.toThrow(InvalidStateError);
	});
});
