'use strict';

/**
 * Events and state of producers, consumers, data channels, DirectTransports, RTP
 * observers and WebRtcServers with real media (coverage of the JS layer, issue 12):
 * what a mediasoup app listens to, driven by real RTP and real worker state.
 */

const dgram = require('node:dgram');
const { Mafalda, InvalidStateError } = require('../..');
const { record, namesOf } = require('../helpers/events');
const { mediaCodecs, opusProducerParameters, vp8ProducerParameters } = require('../helpers/codecs');
const { rtpPacket, rtpSink, rtpSource, waitFor } = require('../helpers/rtp');

const listenIp = '127.0.0.1';

/**
 * A VP8 key frame (descriptor S=1, PID 0; payload header P=0 with the key frame start
 * code) carrying the video orientation extension (id 4) with `rotation` (0..3 × 90°).
 */
function vp8KeyFrame({ seq, ssrc, rotation }) {
	const header = Buffer.alloc(12);
	header[0] = 0x90;
	header[1] = 96;
	header.writeUInt16BE(seq, 2);
	header.writeUInt32BE(seq * 3000, 4);
	header.writeUInt32BE(ssrc, 8);
	const extension = Buffer.from([0xbe, 0xde, 0x00, 0x01, 4 << 4, rotation & 3, 0, 0]);
	const payload = Buffer.from([0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, ...Buffer.alloc(30)]);
	return Buffer.concat([header, extension, payload]);
}

describe('events with real media', () => {
	const ctx = { cleanups: [] };

	beforeEach(async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		ctx.router = await ctx.mafalda.createRouter({ mediaCodecs });
	});

	afterEach(() => {
		for (const cleanup of ctx.cleanups.splice(0)) cleanup();
		ctx.mafalda.close();
	});

	/** An audio producer on a comedia PlainTransport, fed by a UDP source. */
	async function flowingProducer(ssrc) {
		const transport = await ctx.router.createPlainTransport({ listenIp, comedia: true, rtcpMux: true });
		const producer = await transport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(ssrc) });
		const source = await rtpSource({ port: transport.tuple.localPort, ssrc, payloadType: 111 });
		ctx.cleanups.push(() => source.stop());
		return { transport, producer, source };
	}

	test('a DirectTransport consumer gets the RTP packets as `rtp` (its own SSRC) and the worker\'s RTCP as `rtcp`; the producer traces `rtp`', async () => {
		const { producer } = await flowingProducer(0x1111);
		const traces = record(producer, ['trace']);
		await producer.enableTraceEvent(['rtp']);
		const direct = await ctx.router.createDirectTransport();
		const consumer = await direct.consume({ producerId: producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		const packets = [];
		consumer.on('rtp', (packet) => packets.push(packet));
		const rtcp = [];
		direct.on('rtcp', (packet) => rtcp.push(packet));
		expect(await waitFor(() => packets.length >= 10 && traces.length >= 5)).toBe(true);
		expect(packets.every((packet) => packet.readUInt32BE(8) === consumer.rtpParameters.encodings[0].ssrc)).toBe(true);
		expect(traces[0][1]).toMatchObject({ type: 'rtp', direction: 'in' });
		// The consumer's sender reports (RTCP type 200) go to the app on a DirectTransport.
		expect(await waitFor(() => rtcp.some((packet) => packet[1] === 200), { timeoutMs: 15000 })).toBe(true);
	});

	test('a simulcast video producer reports its orientation changes and its scores (no null rid); its consumer reports the layers it forwards', async () => {
		const send = await ctx.router.createPlainTransport({ listenIp, comedia: true, rtcpMux: true });
		const producer = await send.produce({
			kind: 'video',
			rtpParameters: { ...vp8ProducerParameters(0x7000), headerExtensions: [{ uri: 'urn:3gpp:video-orientation', id: 4 }], encodings: [{ ssrc: 0x7000 }, { ssrc: 0x7001 }] },
		});
		const orientations = record(producer, ['videoorientationchange']);
		const observedOrientations = record(producer.observer, ['videoorientationchange']);
		const recv = await ctx.router.createPlainTransport({ listenIp, rtcpMux: true });
		const sink = await rtpSink();
		ctx.cleanups.push(() => sink.close());
		await recv.connect({ ip: listenIp, port: sink.port });
		const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		const layers = record(consumer, ['layerschange']);
		const socket = dgram.createSocket('udp4');
		await new Promise((resolve) => socket.bind(0, listenIp, resolve));
		let seq = 0;
		const timer = setInterval(() => {
			seq += 1;
			// Upright for a while, then turned by 90°.
			const rotation = seq > 25 ? 1 : 0;
			for (const ssrc of [0x7000, 0x7001]) socket.send(vp8KeyFrame({ seq, ssrc, rotation }), send.tuple.localPort, listenIp);
		}, 20);
		ctx.cleanups.push(() => {
			clearInterval(timer);
			socket.close();
		});
		expect(await waitFor(() => orientations.length >= 2 && producer.score.length === 2)).toBe(true);
		expect(orientations.map(([, o]) => o.rotation).slice(0, 2)).toEqual([0, 90]);
		expect(observedOrientations.length).toBe(orientations.length);
		expect(producer.score).toEqual([
			{ encodingIdx: 0, ssrc: 0x7000, score: expect.any(Number) },
			{ encodingIdx: 1, ssrc: 0x7001, score: expect.any(Number) },
		]);
		expect(await waitFor(() => layers.length > 0)).toBe(true);
		expect(consumer.currentLayers).toEqual({ spatialLayer: expect.any(Number), temporalLayer: 0 });
		expect(layers.at(-1)[1]).toEqual(consumer.currentLayers);
		expect(await waitFor(() => sink.packets.length > 0)).toBe(true);
	});

	test('RTP the app injects into a DirectTransport producer (send()) reaches a PlainTransport consumer with the consumer\'s SSRC', async () => {
		const direct = await ctx.router.createDirectTransport();
		const producer = await direct.produce({ kind: 'audio', rtpParameters: opusProducerParameters(0x8888) });
		const recv = await ctx.router.createPlainTransport({ listenIp, rtcpMux: true });
		const sink = await rtpSink();
		ctx.cleanups.push(() => sink.close());
		await recv.connect({ ip: listenIp, port: sink.port });
		const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		expect(() => producer.send('not a packet')).toThrow(new TypeError('rtpPacket must be a Buffer'));
		for (let seq = 1; seq <= 20; seq += 1) producer.send(rtpPacket({ seq, ssrc: 0x8888, payloadType: 111 }));
		expect(await waitFor(() => sink.packets.length >= 10)).toBe(true);
		expect(sink.packets.every((packet) => packet.ssrc === consumer.rtpParameters.encodings[0].ssrc)).toBe(true);
	});

	test('sendRtcp() wants a Buffer and an open transport', async () => {
		const direct = await ctx.router.createDirectTransport();
		expect(() => direct.sendRtcp('rtcp')).toThrow(new TypeError('rtcpPacket must be a Buffer'));
		direct.close();
		expect(() => direct.sendRtcp(Buffer.alloc(8))).toThrow(new InvalidStateError('Transport closed'));
	});

	test('a paused consumer follows its producer\'s pause and resume (producerpause, producerresume) without observer pause or resume', async () => {
		const { producer } = await flowingProducer(0x2222);
		const recv = await ctx.router.createPlainTransport({ listenIp, rtcpMux: true });
		const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: ctx.router.rtpCapabilities, paused: true });
		const events = record(consumer, ['producerpause', 'producerresume']);
		const observed = record(consumer.observer, ['pause', 'resume']);
		await producer.pause();
		expect(await waitFor(() => consumer.producerPaused)).toBe(true);
		await producer.resume();
		expect(await waitFor(() => !consumer.producerPaused)).toBe(true);
		expect(namesOf(events)).toEqual(['producerpause', 'producerresume']);
		expect(observed).toEqual([]);
		expect(consumer.paused).toBe(true);
	});

	test('a consumer closed by the app takes no later transportclose', async () => {
		const { producer } = await flowingProducer(0x3333);
		const recv = await ctx.router.createPlainTransport({ listenIp, rtcpMux: true });
		const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		const events = record(consumer, ['transportclose']);
		const closes = record(consumer.observer, ['close']);
		consumer.close();
		consumer.transportClosed();
		recv.close();
		expect(events).toEqual([]);
		expect(namesOf(closes)).toEqual(['close']);
	});

	test('scalability modes: the producer\'s (L1T3) in its dump and in the consumer\'s consumable encodings; a simulcast consumer spells its layers L3T1', async () => {
		const send = await ctx.router.createPlainTransport({ listenIp, comedia: true, rtcpMux: true });
		const svc = await send.produce({ kind: 'video', rtpParameters: { ...vp8ProducerParameters(0x4444), encodings: [{ ssrc: 0x4444, scalabilityMode: 'L1T3' }] } });
		const simulcast = await send.produce({
			kind: 'video',
			rtpParameters: { ...vp8ProducerParameters(0x5550), encodings: [{ ssrc: 0x5550 }, { ssrc: 0x5551 }, { ssrc: 0x5552 }] },
		});
		const recv = await ctx.router.createPlainTransport({ listenIp, rtcpMux: true });
		const svcConsumer = await recv.consume({ producerId: svc.id, rtpCapabilities: ctx.router.rtpCapabilities });
		const simulcastConsumer = await recv.consume({ producerId: simulcast.id, rtpCapabilities: ctx.router.rtpCapabilities });
		expect((await svc.dump()).rtpParameters.encodings[0].scalabilityMode).toBe('L1T3');
		expect(svcConsumer.type).toBe('svc');
		expect((await svcConsumer.dump()).consumableRtpEncodings[0].scalabilityMode).toBe('L1T3');
		expect(simulcastConsumer.type).toBe('simulcast');
		expect(simulcastConsumer.rtpParameters.encodings[0].scalabilityMode).toBe('L3T1');
		await expect(svcConsumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 'top' })).rejects.toThrow(
			new TypeError('if given, temporalLayer must be a number')
		);
	});

	test('empty messages go out with the WebRTC "empty" PPIDs (56 string, 57 binary) as one byte, as mediasoup sends them', async () => {
		const direct = await ctx.router.createDirectTransport();
		const dataProducer = await direct.produceData();
		const dataConsumer = await direct.consumeData({ dataProducerId: dataProducer.id });
		const messages = [];
		dataConsumer.on('message', (message, ppid) => messages.push([ppid, message.length]));
		dataProducer.send('');
		dataProducer.send(Buffer.alloc(0));
		dataProducer.send('hi');
		dataProducer.send(Buffer.from([1, 2, 3]));
		// A PPID the app gives is kept (here: binary sent as a string's).
		dataProducer.send(Buffer.from([4, 5]), 51);
		expect(await waitFor(() => messages.length === 5)).toBe(true);
		expect(messages).toEqual([[56, 1], [57, 1], [51, 2], [53, 3], [51, 2]]);
	});

	test('a paused data consumer follows its data producer (dataproducerpause/resume once each, no observer events); transportclose does not follow an app close', async () => {
		const direct = await ctx.router.createDirectTransport();
		const dataProducer = await direct.produceData();
		expect(dataProducer.sctpStreamParameters).toBeUndefined();
		const dataConsumer = await direct.consumeData({ dataProducerId: dataProducer.id, paused: true });
		const events = record(dataConsumer, ['dataproducerpause', 'dataproducerresume', 'transportclose']);
		const observed = record(dataConsumer.observer, ['pause', 'resume']);
		await dataProducer.pause();
		await dataProducer.pause();
		expect(dataConsumer.dataProducerPaused).toBe(true);
		await dataProducer.resume();
		expect(dataConsumer.dataProducerPaused).toBe(false);
		expect(namesOf(events)).toEqual(['dataproducerpause', 'dataproducerresume']);
		expect(observed).toEqual([]);
		dataConsumer.close();
		dataConsumer.transportClosed();
		expect(namesOf(events)).toEqual(['dataproducerpause', 'dataproducerresume']);
	});

	test('an SCTP data consumer created paused is paused in the worker: it gets no message until resumed', async () => {
		const direct = await ctx.router.createDirectTransport();
		const dataProducer = await direct.produceData();
		const sctp = await ctx.router.createPlainTransport({ listenIp, enableSctp: true });
		const dataConsumer = await sctp.consumeData({ dataProducerId: dataProducer.id, paused: true });
		expect(dataConsumer.paused).toBe(true);
		expect(dataConsumer.type).toBe('sctp');
		expect((await dataConsumer.dump()).paused).toBe(true);
		await dataConsumer.resume();
		expect((await dataConsumer.dump()).paused).toBe(false);
	});

	test('two PlainTransports joined by SCTP carry messages; a small send buffer reports sctpsendbufferfull for what does not fit, and bufferedamountlow once drained', async () => {
		const a = await ctx.router.createPlainTransport({ listenIp, rtcpMux: true, enableSctp: true, sctpSendBufferSize: 4096 });
		const b = await ctx.router.createPlainTransport({ listenIp, rtcpMux: true, enableSctp: true });
		await a.connect({ ip: listenIp, port: b.tuple.localPort });
		await b.connect({ ip: listenIp, port: a.tuple.localPort });
		const direct = await ctx.router.createDirectTransport();
		const dataProducer = await direct.produceData();
		// The association starts with the first SCTP stream.
		const sender = await a.consumeData({ dataProducerId: dataProducer.id });
		expect(await waitFor(() => a.sctpState === 'connected' && b.sctpState === 'connected')).toBe(true);
		// What arrives on b comes back to the app through a direct consumer.
		const arriving = await b.produceData({ sctpStreamParameters: { streamId: sender.sctpStreamParameters.streamId, ordered: true } });
		const receiver = await direct.consumeData({ dataProducerId: arriving.id });
		let received = 0;
		receiver.on('message', () => { received += 1; });
		const events = record(sender, ['sctpsendbufferfull', 'bufferedamountlow']);
		await sender.setBufferedAmountLowThreshold(1000);
		// An empty send buffer takes one message bigger than itself; until the peer has
		// acknowledged it, what follows does not fit. (A burst that the worker gets in
		// two pieces, its sender scheduled late on a busy machine, may be acknowledged in
		// between: the burst is sent again until one piece did not fit.)
		const burst = () => {
			dataProducer.send(Buffer.alloc(10000, 1));
			for (let i = 0; i < 5; i += 1) dataProducer.send(Buffer.alloc(3000, i));
			return events.some(([name]) => name === 'sctpsendbufferfull');
		};
		expect(await waitFor(burst, { intervalMs: 100 })).toBe(true);
		expect(await waitFor(() => events.some(([name]) => name === 'bufferedamountlow'))).toBe(true);
		expect(await waitFor(() => received > 0)).toBe(true);
		expect(events.find(([name]) => name === 'bufferedamountlow')[1]).toBeLessThan(1000);
		expect(await waitFor(async () => (await sender.getBufferedAmount()) === 0)).toBe(true);
	});

	test('a WebRtcServer closing takes its transports with it (listenserverclose) and reports each unhandled, as mediasoup does', async () => {
		const server = await ctx.mafalda.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: listenIp }] });
		const handled = record(server.observer, ['webrtctransporthandled', 'webrtctransportunhandled']);
		const transport = await ctx.router.createWebRtcTransport({ webRtcServer: server });
		const transportEvents = record(transport, ['listenserverclose']);
		server.close();
		expect(transport.closed).toBe(true);
		expect(namesOf(transportEvents)).toEqual(['listenserverclose']);
		expect(handled).toEqual([['webrtctransporthandled', transport], ['webrtctransportunhandled', transport]]);
	});
});

describe('RTP observers when their worker dies', () => {
	test('the audio level observer reports volumes, then silence when the source stops; both observers and a DirectTransport close with routerclose', async () => {
		const mafalda = new Mafalda({ maxWorkers: 1 });
		try {
			const router = await mafalda.createRouter({ mediaCodecs });
			const levels = await router.createAudioLevelObserver({ interval: 100 });
			const speaker = await router.createActiveSpeakerObserver({ interval: 100 });
			const send = await router.createPlainTransport({ listenIp, comedia: true, rtcpMux: true });
			const producer = await send.produce({ kind: 'audio', rtpParameters: opusProducerParameters(0x6666) });
			await levels.addProducer({ producerId: producer.id });
			await speaker.addProducer({ producerId: producer.id });
			const reports = record(levels, ['volumes', 'silence']);
			// -10 dBov: loud.
			const source = await rtpSource({ port: send.tuple.localPort, ssrc: 0x6666, payloadType: 111, audioLevel: 10 });
			try {
				expect(await waitFor(() => reports.length > 0)).toBe(true);
			} finally {
				source.stop();
			}
			expect(await waitFor(() => reports.at(-1)[0] === 'silence')).toBe(true);
			const [, volumes] = reports.find(([name]) => name === 'volumes');
			expect(volumes).toEqual([{ producer, volume: -10 }]);
			const direct = await router.createDirectTransport();
			// `@close` is how the router forgets an observer (it would keep a dead one otherwise).
			const closes = [record(levels, ['@close', 'routerclose']), record(speaker, ['@close', 'routerclose']), record(direct, ['routerclose'])];
			const [{ id: workerId }] = (await mafalda.dump()).workers;
			mafalda.simulateWorkerDeath(workerId);
			expect(await waitFor(() => levels.closed && speaker.closed && direct.closed)).toBe(true);
			expect(closes.map(namesOf)).toEqual([['@close', 'routerclose'], ['@close', 'routerclose'], ['routerclose']]);
		} finally {
			mafalda.close();
		}
	});
});
