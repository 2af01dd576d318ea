'use strict';

/**
 * Dumps in mediasoup 3.14's shapes (lib/dumps.js, the dump() of Router and Transport):
 * maps and listener tables as `[{ key, value(s) }]`, producers named by the app's ids.
 */

const { Mafalda } = require('../..');
const { mediaCodecs, opusProducerParameters, vp8ProducerParameters } = require('../helpers/codecs');

const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };

describe('dumps', () => {
	const ctx = {};

	beforeEach(async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		ctx.router = await ctx.mafalda.createRouter({ mediaCodecs });
	});

	afterEach(() => ctx.mafalda.close());

	test('transport dump: the RTP listener\'s ssrc, mid and rid tables and the SCTP listener, by the app\'s producer ids', async () => {
		const transport = await ctx.router.createPlainTransport({ listenInfo, comedia: true, enableSctp: true });
		const byRid = vp8ProducerParameters(0);
		byRid.mid = 'v0';
		byRid.encodings = [{ rid: 'r0' }, { rid: 'r1' }];
		const simulcast = await transport.produce({ id: 'app-video', kind: 'video', rtpParameters: byRid });
		const audio = await transport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(1111) });
		const dataProducer = await transport.produceData({ id: 'app-data', sctpStreamParameters: { streamId: 3 } });
		const dump = await transport.dump();
		expect(dump.producerIds.sort()).toEqual([audio.id, 'app-video'].sort());
		expect(dump.dataProducerIds).toEqual(['app-data']);
		expect(dump.rtpListener).toEqual({
			ssrcTable: [{ key: 1111, value: audio.id }],
			midTable: [{ key: 'v0', value: simulcast.id }],
			ridTable: expect.arrayContaining([{ key: 'r0', value: 'app-video' }, { key: 'r1', value: 'app-video' }]),
		});
		expect(dump.rtpListener.ridTable).toHaveLength(2);
		expect(dump.sctpListener).toEqual({ streamIdTable: [{ key: 3, value: dataProducer.id }] });
		expect(dump.traceEventTypes).toEqual([]);
	});

	test('transport dump: consumers by ssrc as numeric keys; no SCTP listener without SCTP; trace types as an array', async () => {
		const transport = await ctx.router.createPlainTransport({ listenInfo, comedia: true });
		const producer = await transport.produce({ kind: 'video', rtpParameters: vp8ProducerParameters(2222) });
		const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		await transport.enableTraceEvent(['bwe', 'probation']);
		const dump = await transport.dump();
		const ssrc = consumer.rtpParameters.encodings[0].ssrc;
		const rtxSsrc = consumer.rtpParameters.encodings[0].rtx.ssrc;
		expect(dump.mapSsrcConsumerId).toEqual([{ key: ssrc, value: consumer.id }]);
		expect(dump.mapRtxSsrcConsumerId).toEqual([{ key: rtxSsrc, value: consumer.id }]);
		expect(dump).not.toHaveProperty('sctpListener');
		expect(dump.traceEventTypes.sort()).toEqual(['bwe', 'probation']);
	});

	test('a DirectTransport dump (its maps come as pairs) has the same shapes', async () => {
		const transport = await ctx.router.createDirectTransport();
		const dump = await transport.dump();
		expect(dump).toMatchObject({
			id: transport.id,
			direct: true,
			mapSsrcConsumerId: [],
			mapRtxSsrcConsumerId: [],
			rtpListener: { ssrcTable: [], midTable: [], ridTable: [] },
		});
	});

	test('producer and consumer dumps: RTCP feedback without empty parameters, header extensions with parameters', async () => {
		const transport = await ctx.router.createPlainTransport({ listenInfo, comedia: true });
		const rtpParameters = vp8ProducerParameters(3333);
		rtpParameters.headerExtensions = [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }];
		const producer = await transport.produce({ kind: 'video', rtpParameters });
		const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		for (const dump of [await producer.dump(), await consumer.dump()]) {
			const [vp8] = dump.rtpParameters.codecs;
			expect(vp8.rtcpFeedback).toEqual(expect.arrayContaining([{ type: 'nack' }, { type: 'nack', parameter: 'pli' }]));
			for (const feedback of vp8.rtcpFeedback) expect(feedback.parameter).not.toBe('');
			expect(dump.rtpParameters.headerExtensions.length).toBeGreaterThan(0);
			for (const extension of dump.rtpParameters.headerExtensions) expect(extension.parameters).toEqual(expect.any(Object));
			expect(dump.traceEventTypes).toEqual([]);
		}
	});

	test('router dump: producers by the app\'s ids in every map, observers included', async () => {
		const transport = await ctx.router.createPlainTransport({ listenInfo, comedia: true, enableSctp: true });
		const producer = await transport.produce({ id: 'app-audio', kind: 'audio', rtpParameters: opusProducerParameters(4444) });
		const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		const observer = await ctx.router.createAudioLevelObserver();
		await observer.addProducer({ producerId: producer.id });
		const dataProducer = await transport.produceData({ id: 'app-data', sctpStreamParameters: { streamId: 1 } });
		const dataConsumer = await transport.consumeData({ dataProducerId: dataProducer.id });
		const dump = await ctx.router.dump();
		expect(dump.mapProducerIdConsumerIds).toEqual([{ key: 'app-audio', values: [consumer.id] }]);
		expect(dump.mapConsumerIdProducerId).toEqual([{ key: consumer.id, value: 'app-audio' }]);
		expect(dump.mapProducerIdObserverIds).toEqual([{ key: 'app-audio', values: [observer.id] }]);
		expect(dump.mapDataProducerIdDataConsumerIds).toEqual([{ key: 'app-data', values: [dataConsumer.id] }]);
		expect(dump.mapDataConsumerIdDataProducerId).toEqual([{ key: dataConsumer.id, value: 'app-data' }]);
	});
});
