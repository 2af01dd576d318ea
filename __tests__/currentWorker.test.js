'use strict';

const { Mafalda } = require('..');
const { mediaCodecs } = require('./helpers/codecs');
const { rtpSink, rtpSource, waitFor } = require('./helpers/rtp');

/** What the 2021 worker and its crate (0.8.5) got wrong, on today's worker. */
describe('on the current worker', () => {
	const ctx = { cleanups: [] };

	afterEach(() => {
		for (const cleanup of ctx.cleanups.splice(0)) cleanup();
		ctx.mafalda?.close();
	});

	async function plainProducer(router, ssrc) {
		const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true });
		const producer = await transport.produce({
			kind: 'audio',
			rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] },
		});
		const source = await rtpSource({ port: transport.tuple.localPort, ssrc, payloadType: 100 });
		ctx.cleanups.push(() => source.stop());
		return { producer, source };
	}

	test.each(['pack', 'spread'])('a DirectTransport data producer is consumed by a WebRtcTransport over SCTP (%s)', async (policy) => {
		ctx.mafalda = new Mafalda({ maxWorkers: 2, policy });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const direct = await router.createDirectTransport();
		const dataProducer = await direct.produceData({ label: 'bot' });
		const webRtcTransport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], enableSctp: true });
		const dataConsumer = await webRtcTransport.consumeData({ dataProducerId: dataProducer.id });
		expect(dataConsumer.type).toBe('sctp');
		expect(dataConsumer.dataProducerId).toBe(dataProducer.id);
		expect(dataConsumer.sctpStreamParameters).toMatchObject({ streamId: expect.any(Number), ordered: true });
		expect((await webRtcTransport.dump()).dataConsumerIds).toEqual([dataConsumer.id]);
	});

	test('producer.dump() after RTP arrived lists its RTP stream with the packets it received', async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const { producer } = await plainProducer(router, 3333);
		expect(await waitFor(async () => ((await producer.getStats())[0]?.packetCount ?? 0) >= 10)).toBe(true);
		const dump = await producer.dump();
		expect(dump.id).toBe(producer.id);
		expect(dump.rtpStreams).toHaveLength(1);
		expect(dump.rtpStreams[0].params.ssrc).toBe(3333);
	});

	test('consumer.enableTraceEvent(["rtp"]) emits a trace event per RTP packet sent, also across a pipe', async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread' });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const { producer } = await plainProducer(router, 4444);
		const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
		const sink = await rtpSink();
		ctx.cleanups.push(() => sink.close());
		await transport.connect({ ip: '127.0.0.1', port: sink.port });
		const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		expect(consumer.piped).toBe(true);
		const traces = [];
		consumer.on('trace', (trace) => traces.push(trace));
		await consumer.enableTraceEvent(['rtp']);
		expect(await waitFor(() => traces.length >= 5)).toBe(true);
		expect(traces.every((trace) => trace.type === 'rtp' && trace.direction === 'out')).toBe(true);
		expect(sink.packets.length).toBeGreaterThan(0);
	});
});
