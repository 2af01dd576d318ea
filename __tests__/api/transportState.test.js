'use strict';

/**
 * The transports' state getters and events as the worker reports them
 * (lib/WebRtcTransport.js, lib/PlainTransport.js, lib/PipeTransport.js,
 * lib/Transport.js, lib/listenInfos.js's tuple and candidate shapes).
 */

const flatbuffers = require('flatbuffers');
const { Notification, Event, Body } = require('@mafalda-sfu/mediasoup-node-fbs/notification');
const FbsTransport = require('@mafalda-sfu/mediasoup-node-fbs/transport');
const FbsWebRtcTransport = require('@mafalda-sfu/mediasoup-node-fbs/web-rtc-transport');
const { Mafalda } = require('../..');
const { mediaCodecs, vp8ProducerParameters } = require('../helpers/codecs');
const { rtpSink, waitFor } = require('../helpers/rtp');

const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };

/** A worker notification in mediasoup 3.14's FlatBuffers, as its tests inject them. */
function notification(targetId, event, bodyType, body) {
	const builder = new flatbuffers.Builder();
	builder.finish(Notification.createNotification(builder, builder.createString(targetId), event, bodyType, body.pack(builder)));
	return Notification.getRootAsNotification(new flatbuffers.ByteBuffer(builder.asUint8Array()));
}

describe('transport state', () => {
	const ctx = {};

	beforeEach(async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		ctx.router = await ctx.mafalda.createRouter({ mediaCodecs });
	});

	afterEach(() => {
		ctx.mafalda.close();
		ctx.sink?.close();
		ctx.sink = undefined;
	});

	test('PlainTransport without SCTP or SRTP: those getters are undefined, in the dump and stats too', async () => {
		const transport = await ctx.router.createPlainTransport({ listenInfo });
		expect(transport.sctpParameters).toBeUndefined();
		expect(transport.sctpState).toBeUndefined();
		expect(transport.srtpParameters).toBeUndefined();
		const dump = await transport.dump();
		expect(dump).not.toHaveProperty('sctpParameters');
		expect(dump.tuple).toEqual(transport.tuple);
		const [stats] = await transport.getStats();
		expect(stats).toMatchObject({ type: 'plain-rtp-transport', transportId: transport.id, tuple: transport.tuple });
		expect(stats).not.toHaveProperty('rtcpTuple');
	});

	test('PlainTransport with SCTP and SRTP: the worker\'s parameters; sctpState closes with it', async () => {
		const transport = await ctx.router.createPlainTransport({
			listenInfo, enableSctp: true, enableSrtp: true, srtpCryptoSuite: 'AEAD_AES_128_GCM',
		});
		// Today's SCTP stack offers 65535 streams whatever numSctpStreams says (known limitation).
		expect(transport.sctpParameters).toMatchObject({ port: 5000, OS: 65535, MIS: 65535, isDataChannel: false });
		expect(transport.sctpState).toBe('new');
		expect(transport.srtpParameters.cryptoSuite).toBe('AEAD_AES_128_GCM');
		expect(Buffer.from(transport.srtpParameters.keyBase64, 'base64')).toHaveLength(28);
		transport.close();
		expect(transport.sctpState).toBe('closed');
	});

	test('PlainTransport with rtcpMux off listens for RTCP where its rtcpListenInfo says', async () => {
		const probe = await rtpSink();
		const port = probe.port;
		probe.close();
		const transport = await ctx.router.createPlainTransport({ listenInfo, rtcpMux: false, rtcpListenInfo: { ...listenInfo, port } });
		expect(transport.rtcpTuple).toEqual({ localAddress: '127.0.0.1', localIp: '127.0.0.1', localPort: port, protocol: 'udp' });
		expect(transport.tuple.localPort).not.toBe(port);
	});

	test('PipeTransport: SCTP and SRTP getters, without and with them', async () => {
		const plain = await ctx.router.createPipeTransport({ listenInfo });
		expect(plain.sctpParameters).toBeUndefined();
		expect(plain.sctpState).toBeUndefined();
		expect(plain.srtpParameters).toBeUndefined();
		const full = await ctx.router.createPipeTransport({ listenInfo, enableSctp: true, enableSrtp: true });
		expect(full.sctpParameters).toMatchObject({ port: 5000 });
		expect(full.sctpState).toBe('new');
		expect(full.srtpParameters.cryptoSuite).toBe('AEAD_AES_256_GCM');
		const [stats] = await full.getStats();
		expect(stats).toMatchObject({ type: 'pipe-transport', transportId: full.id, tuple: full.tuple });
		full.close();
		expect(full.sctpState).toBe('closed');
	});

	test('WebRtcTransport without SCTP: sctpParameters and sctpState undefined; no remote certificate before DTLS', async () => {
		const transport = await ctx.router.createWebRtcTransport({ listenInfos: [listenInfo] });
		expect(transport.sctpParameters).toBeUndefined();
		expect(transport.sctpState).toBeUndefined();
		expect(transport.dtlsRemoteCert).toBeUndefined();
		expect(transport.iceCandidates).toEqual([
			expect.objectContaining({ address: '127.0.0.1', ip: '127.0.0.1', protocol: 'udp', type: 'host' }),
		]);
		transport.close();
		expect(transport.sctpState).toBeUndefined();
		expect(transport.dtlsState).toBe('closed');
	});

	test('WebRtcTransport: a DTLS "connected" notification reads the remote certificate (none here) and emits the state', async () => {
		const transport = await ctx.router.createWebRtcTransport({ listenInfos: [listenInfo], enableSctp: true });
		expect(transport.sctpParameters).toMatchObject({ port: 5000, isDataChannel: true });
		const states = [];
		transport.on('dtlsstatechange', (state) => states.push(state));
		transport.observer.on('dtlsstatechange', (state) => states.push(`observer:${state}`));
		transport.channelForTesting.emit(transport.id, Event.WEBRTCTRANSPORT_DTLS_STATE_CHANGE, notification(
			transport.id, Event.WEBRTCTRANSPORT_DTLS_STATE_CHANGE, Body.WebRtcTransport_DtlsStateChangeNotification,
			new FbsWebRtcTransport.DtlsStateChangeNotificationT(FbsWebRtcTransport.DtlsState.CONNECTED),
		));
		expect(states).toEqual(['connected', 'observer:connected']);
		expect(transport.dtlsState).toBe('connected');
		// The worker has no certificate (nothing did a handshake): still undefined, not null.
		expect(transport.dtlsRemoteCert).toBeUndefined();
		transport.close();
		expect(transport.sctpState).toBe('closed');
	});

	test('WebRtcTransport: a DTLS "connected" after the transport closed is told, the certificate read skipped', async () => {
		const transport = await ctx.router.createWebRtcTransport({ listenInfos: [listenInfo] });
		const onState = jest.fn();
		transport.on('dtlsstatechange', onState);
		// What an event already queued when the transport's native side went away does.
		transport._native.close();
		transport._handleNativeEvent('dtlsstatechange', 'connected');
		expect(onState).toHaveBeenCalledWith('connected');
		expect(transport.dtlsRemoteCert).toBeUndefined();
	});

	test('a selected tuple without a remote address has no remoteIp field (3.14 leaves it out)', async () => {
		const transport = await ctx.router.createWebRtcTransport({ listenInfos: [listenInfo] });
		const onTuple = jest.fn();
		transport.on('iceselectedtuplechange', onTuple);
		const tuple = new FbsTransport.TupleT('127.0.0.1', 4444, null, 0, FbsTransport.Protocol.TCP);
		transport.channelForTesting.emit(transport.id, Event.WEBRTCTRANSPORT_ICE_SELECTED_TUPLE_CHANGE, notification(
			transport.id, Event.WEBRTCTRANSPORT_ICE_SELECTED_TUPLE_CHANGE, Body.WebRtcTransport_IceSelectedTupleChangeNotification,
			new FbsWebRtcTransport.IceSelectedTupleChangeNotificationT(tuple),
		));
		const expected = { localAddress: '127.0.0.1', localIp: '127.0.0.1', localPort: 4444, remotePort: 0, protocol: 'tcp' };
		expect(onTuple).toHaveBeenCalledWith(expected);
		expect(transport.iceSelectedTuple).toEqual(expected);
		expect(transport.iceSelectedTuple).not.toHaveProperty('remoteIp');
	});

	test('"probation" trace events reach the transport and its observer', async () => {
		const producerTransport = await ctx.router.createPlainTransport({ listenInfo, comedia: true });
		const producer = await producerTransport.produce({ kind: 'video', rtpParameters: vp8ProducerParameters(1111) });
		ctx.sink = await rtpSink();
		const transport = await ctx.router.createPlainTransport({ listenInfo });
		await transport.connect({ ip: '127.0.0.1', port: ctx.sink.port });
		const traces = [];
		const observed = [];
		transport.on('trace', (trace) => traces.push(trace));
		transport.observer.on('trace', (trace) => observed.push(trace));
		await transport.enableTraceEvent(['probation', 'nonsense']);
		// The router's capabilities have transport-cc: the worker probes the bandwidth towards this consumer.
		await transport.consume({ producerId: producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		await waitFor(() => traces.length > 0 && ctx.sink.probation.length > 0);
		expect(traces[0]).toMatchObject({ type: 'probation', direction: 'out', info: expect.objectContaining({ ssrc: 1234, payloadType: 127 }) });
		expect(observed[0]).toBe(traces[0]);
		expect((await transport.dump()).traceEventTypes).toEqual(['probation']);
	});

	test('its worker dying closes every transport there with "routerclose", pipe transports included', async () => {
		const pipe = await ctx.router.createPipeTransport({ listenInfo });
		const plain = await ctx.router.createPlainTransport({ listenInfo });
		const closed = [];
		for (const transport of [pipe, plain]) {
			transport.on('routerclose', () => closed.push(transport.constructor.name));
		}
		ctx.mafalda.simulateWorkerDeath(pipe.workerId);
		await waitFor(() => closed.length === 2);
		expect(closed.sort()).toEqual(['PipeTransport', 'PlainTransport']);
		expect(pipe.closed).toBe(true);
		expect(plain.closed).toBe(true);
		expect(ctx.router.closed).toBe(false);
		expect(ctx.router.transportsForTesting.size).toBe(0);
		// The router works on (its worker is started again).
		const next = await ctx.router.createPlainTransport({ listenInfo });
		expect(next.closed).toBe(false);
		expect(ctx.router.transportsForTesting.size).toBe(1);
	});
});

describe('a transport lost with its worker', () => {
	test('the router forgets it and its producers: they cannot be consumed, the router dump lists none', async () => {
		const mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread' });
		try {
			const router = await mafalda.createRouter({ mediaCodecs });
			const transport = await router.createPlainTransport({ listenInfo, enableSctp: true });
			const producer = await transport.produce({ kind: 'video', rtpParameters: vp8ProducerParameters(5555) });
			const dataProducer = await transport.produceData({ sctpStreamParameters: { streamId: 1 } });
			const onProducerClose = jest.fn();
			producer.on('transportclose', onProducerClose);
			const onRouterClose = jest.fn();
			transport.on('routerclose', onRouterClose);
			mafalda.simulateWorkerDeath(transport.workerId);
			await waitFor(() => transport.closed);
			expect(onRouterClose).toHaveBeenCalledTimes(1);
			expect(onProducerClose).toHaveBeenCalledTimes(1);
			expect(router.closed).toBe(false);
			expect(router.transportsForTesting.has(transport.id)).toBe(false);
			expect(router.canConsume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities })).toBe(false);
			const other = await router.createPlainTransport({ listenInfo, enableSctp: true });
			await expect(other.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities }))
				.rejects.toThrow(new Error(`Producer with id "${producer.id}" not found`));
			await expect(other.consumeData({ dataProducerId: dataProducer.id }))
				.rejects.toThrow(new Error(`DataProducer with id "${dataProducer.id}" not found`));
			// A new producer may take the lost one's id.
			const again = await other.produce({ id: producer.id, kind: 'video', rtpParameters: vp8ProducerParameters(5556) });
			expect(again.id).toBe(producer.id);
		} finally {
			mafalda.close();
		}
	});
});
