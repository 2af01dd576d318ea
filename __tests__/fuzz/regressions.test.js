'use strict';

/**
 * Cases the API fuzzer (api.test.js) found, shrunk, each as a plain test: the
 * rejection's class and message, and that the process lives on.
 */

const { Mafalda } = require('../..');
const { InvalidStateError } = require('../../lib/errors');
const { mediaCodecs, opusProducerParameters } = require('../helpers/codecs');

const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };

describe('API fuzzing regressions', () => {
	const ctx = {};

	beforeEach(async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread' });
		ctx.router = await ctx.mafalda.createRouter({ mediaCodecs });
	});

	afterEach(() => {
		ctx.mafalda.close();
	});

	test('router.pipeToRouter() rejects with TypeError if router is not a Router (it crashed the process with an unhandled rejection)', async () => {
		const transport = await ctx.router.createPlainTransport({ listenInfo, comedia: true });
		const producer = await transport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(1111) });
		await expect(ctx.router.pipeToRouter({ producerId: producer.id, router: transport })).rejects.toThrow(new TypeError('router must be a Router'));
		await expect(ctx.router.pipeToRouter({ producerId: producer.id, router: {} })).rejects.toThrow(TypeError);
	});

	test('router.pipeToRouter() rejects with InvalidStateError if the destination Router is closed', async () => {
		const transport = await ctx.router.createPlainTransport({ listenInfo, comedia: true });
		const producer = await transport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(1112) });
		const other = await ctx.mafalda.createRouter({ mediaCodecs });
		other.close();
		await expect(ctx.router.pipeToRouter({ producerId: producer.id, router: other })).rejects.toThrow(InvalidStateError);
	});

	test.each(['setMaxIncomingBitrate', 'setMaxOutgoingBitrate', 'setMinOutgoingBitrate'])(
		'transport.%s() rejects with TypeError naming bitrate for a string, an object, undefined or a value beyond 32 bits (it leaked "Failed to convert napi value")',
		async (method) => {
			const transport = await ctx.router.createWebRtcTransport({ listenInfos: [listenInfo] });
			for (const bitrate of ['1000', {}, undefined, 2 ** 32, -1, 1.5]) {
				await expect(transport[method](bitrate)).rejects.toThrow(new TypeError('bitrate must be an integer between 0 and 4294967295'));
			}
			await expect(transport[method](100000)).resolves.toBeUndefined();
		}
	);

	test('dataConsumer.setBufferedAmountLowThreshold() rejects with TypeError naming threshold (it leaked "Failed to convert napi value")', async () => {
		const transport = await ctx.router.createWebRtcTransport({ listenInfos: [listenInfo], enableSctp: true });
		const dataProducer = await transport.produceData({ sctpStreamParameters: { streamId: 1, ordered: true } });
		const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		await expect(dataConsumer.setBufferedAmountLowThreshold(undefined)).rejects.toThrow(new TypeError('threshold must be an integer between 0 and 4294967295'));
		await expect(dataConsumer.setBufferedAmountLowThreshold('x')).rejects.toThrow(TypeError);
		await expect(dataConsumer.setBufferedAmountLowThreshold(1024)).resolves.toBeUndefined();
	});

	test('dataConsumer.getBufferedAmount() of a direct DataConsumer rejects with TypeError "invalid DataConsumer type" (it was a plain Error without the call)', async () => {
		const direct = await ctx.router.createDirectTransport();
		const dataProducer = await direct.produceData();
		const dataConsumer = await direct.consumeData({ dataProducerId: dataProducer.id });
		await expect(dataConsumer.getBufferedAmount()).rejects.toThrow(new TypeError('invalid DataConsumer type'));
		await expect(dataConsumer.setBufferedAmountLowThreshold(10)).rejects.toThrow(new TypeError('invalid DataConsumer type'));
	});

	test('dataConsumer.send() and dataProducer.send() reject a ppid beyond 32 bits with TypeError (it leaked "Failed to convert napi value")', async () => {
		const direct = await ctx.router.createDirectTransport();
		const dataProducer = await direct.produceData();
		const transport = await ctx.router.createWebRtcTransport({ listenInfos: [listenInfo], enableSctp: true });
		const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		await expect(dataConsumer.send('hi', 2 ** 40)).rejects.toThrow(new TypeError('ppid must be an integer between 0 and 4294967295'));
		expect(() => dataProducer.send('hi', -5)).toThrow(new TypeError('ppid must be an integer between 0 and 4294967295'));
	});

	test('consumer.setPriority() rejects with TypeError for Infinity or NaN (the worker answered a plain Error)', async () => {
		const send = await ctx.router.createPlainTransport({ listenInfo, comedia: true });
		const producer = await send.produce({ kind: 'audio', rtpParameters: opusProducerParameters(1113) });
		const recv = await ctx.router.createWebRtcTransport({ listenInfos: [listenInfo] });
		const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		for (const priority of [Infinity, NaN, 0]) {
			await expect(consumer.setPriority(priority)).rejects.toThrow(new TypeError('wrong priority (must be a number higher than 0)'));
		}
	});

	test('transport.consumeData() and transport.produce() with functions or 10,000-deep nesting in their options reject with TypeError naming the options (the binding answered "JS functions cannot be represented" and "Exceeded maximum JSON nesting depth")', async () => {
		const direct = await ctx.router.createDirectTransport();
		const dataProducer = await direct.produceData();
		const transport = await ctx.router.createWebRtcTransport({ listenInfos: [listenInfo], enableSctp: true });
		let deep = 1;
		for (let i = 0; i < 10000; i++) deep = { a: deep };
		await expect(transport.consumeData({ dataProducerId: dataProducer.id, ordered: deep })).rejects.toThrow(new TypeError('options is nested too deeply (more than 32 levels)'));
		await expect(transport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(1114), keyFrameRequestDelay: deep })).rejects.toThrow(TypeError);
		await expect(transport.produce({ kind: 'audio', rtpParameters: { ...opusProducerParameters(1115), mid: 10n } })).rejects.toThrow(/^rtpParameters must be JSON-serializable/);
		const consumer = await transport.consumeData({ dataProducerId: dataProducer.id, maxRetransmits: () => 1 });
		expect(consumer.closed).toBe(false);
	});

	test('transport.consumeData() with bad subchannels rejects with TypeError before the worker makes a data consumer (a half-made one crashed the process at its dataproducerclose)', async () => {
		const direct = await ctx.router.createDirectTransport();
		const dataProducer = await direct.produceData();
		const transport = await ctx.router.createWebRtcTransport({ listenInfos: [listenInfo], enableSctp: true });
		await expect(transport.consumeData({ dataProducerId: dataProducer.id, subchannels: [-1] })).rejects.toThrow(new TypeError('subchannels must be non negative integers'));
		expect((await transport.dump()).dataConsumerIds).toEqual([]);
		dataProducer.close();
		const survivor = await transport.consumeData({ dataProducerId: (await direct.produceData()).id });
		expect(survivor.closed).toBe(false);
	});

	test('parseScalabilityMode() of a 10,000-deep array is one layer of each (it overflowed the stack)', () => {
		const { parseScalabilityMode } = require('../../mediasoup');
		let deep = ['L2T3'];
		for (let i = 0; i < 10000; i++) deep = [deep];
		expect(parseScalabilityMode(deep)).toEqual({ spatialLayers: 1, temporalLayers: 1, ksvc: false });
		expect(parseScalabilityMode('L2T3_KEY')).toEqual({ spatialLayers: 2, temporalLayers: 3, ksvc: true });
	});

	test('a 20,000-deep array as a listen protocol, kind, SRTP crypto suite, RTX payload type, log level or log tag rejects with TypeError (writing it into the message overflowed the stack: RangeError)', async () => {
		const { createMediasoup } = require('../../mediasoup');
		let deep = 'udp';
		for (let i = 0; i < 20000; i++) deep = [deep];
		await expect(ctx.mafalda.createWebRtcServer({ listenInfos: [{ ...listenInfo, protocol: deep }] })).rejects.toThrow(new TypeError('invalid listenInfo.protocol "[object Array]"'));
		await expect(ctx.router.createPlainTransport({ listenInfo, srtpCryptoSuite: deep })).rejects.toThrow(new TypeError('invalid SRTP crypto suite "[object Array]"'));
		const transport = await ctx.router.createPlainTransport({ listenInfo, comedia: true });
		await expect(transport.produce({ kind: deep, rtpParameters: opusProducerParameters(1116) })).rejects.toThrow(new TypeError('invalid kind "[object Array]"'));
		const rtx = { mimeType: 'audio/rtx', payloadType: deep, clockRate: 48000, parameters: { apt: 5 } };
		const rtpParameters = { ...opusProducerParameters(1117), codecs: [...opusProducerParameters(1117).codecs, rtx] };
		await expect(transport.produce({ kind: 'audio', rtpParameters })).rejects.toThrow(new TypeError('missing media codec found for RTX PT [object Array]'));
		const mediasoup = createMediasoup({ maxWorkers: 1 });
		await expect(mediasoup.createWorker({ logLevel: deep })).rejects.toThrow(new TypeError('invalid logLevel "[object Array]"'));
		await expect(mediasoup.createWorker({ logTags: [deep] })).rejects.toThrow(new TypeError('invalid logTag "[object Array]"'));
		await expect(mediasoup.createWorker({ logLevel: 'bogus' })).rejects.toThrow(new TypeError('invalid logLevel "bogus"'));
	});

	test('a worker request that fails names the call and the reason (it was "Received response error: " with an empty or bare reason)', async () => {
		const transport = await ctx.router.createPlainTransport({ listenInfo, comedia: true });
		// SCTP is off on this transport: the worker refuses; the crate keeps only its reason.
		await expect(transport.produceData({ sctpStreamParameters: { streamId: 1 } })).rejects.toThrow(/^transport\.produceData failed: \S/);
	});
});
