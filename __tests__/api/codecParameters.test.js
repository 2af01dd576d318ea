'use strict';

/**
 * Codec parameters of any JSON type (mediasoup allows `foo: 222.222`) cross the crate,
 * which types them as string or u32, and come back as they were
 * (lib/codecParameterValues.js).
 */

const { Mafalda } = require('../..');
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
});
