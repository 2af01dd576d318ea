'use strict';

/**
 * Codec parameters of any JSON type (mediasoup allows `foo: 222.222`) cross the crate,
 * which types them as string or u32, and come back as they were
 * (lib/codecParameterValues.js).
 */

const { Mafalda } = require('../..');
const mediasoup = require('../../mediasoup');
const { mediaCodecs } = require('../helpers/codecs');

describe('codec parameter values', () => {
	const ctx = {};

	beforeAll(async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		ctx.router = await ctx.mafalda.createRouter({ mediaCodecs });
		ctx.transport = await ctx.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true });
	});

	afterAll(() => ctx.mafalda.close());

	test('a producer keeps floats, negatives, booleans, big numbers, arrays, and strings that look like our tag', async () => {
		const parameters = {
			useinbandfec: 1, 'sprop-stereo': 0, foo: 222.222, neg: -3, flag: true, big: 2 ** 33, list: [1, 'a'], text: 'mafalda-json:not a tag',
		};
		const producer = await ctx.transport.produce({
			kind: 'audio',
			rtpParameters: {
				codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters }],
				encodings: [{ ssrc: 1234 }],
			},
		});
		expect(producer.rtpParameters.codecs[0].parameters).toEqual(parameters);
		expect((await producer.dump()).rtpParameters.codecs[0].parameters).toEqual(parameters);
		const consumer = await ctx.transport.consume({ producerId: producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		expect(consumer.rtpParameters.codecs[0].parameters).toMatchObject({ foo: 222.222, neg: -3, flag: true, text: 'mafalda-json:not a tag' });
	});

	test('router codecs keep them too: in the router\'s rtpCapabilities (of a Mafalda and of a mediasoup Worker), and canConsume() with those capabilities', async () => {
		const parameters = { foo: 1.5, neg: -3, text: 'x', nested: { a: 1 } };
		const codec = { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters };
		const router = await ctx.mafalda.createRouter({ mediaCodecs: [codec] });
		expect(router.rtpCapabilities.codecs[0].parameters).toEqual(parameters);
		const worker = await mediasoup.createWorker();
		try {
			const workerRouter = await worker.createRouter({ mediaCodecs: [codec] });
			expect(workerRouter.rtpCapabilities.codecs[0].parameters).toEqual(parameters);
		} finally {
			worker.close();
		}
		const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true });
		const producer = await transport.produce({
			kind: 'video',
			rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters }], encodings: [{ ssrc: 4321 }] },
		});
		expect(router.canConsume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities })).toBe(true);
		router.close();
	});
});
