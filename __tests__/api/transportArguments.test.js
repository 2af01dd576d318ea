'use strict';

/**
 * What every transport's methods refuse, with mediasoup's error class and message
 * (lib/Transport.js, lib/sctpStreamParameters.js, the transports' connect()), and
 * that nothing was created when they do.
 */

const { Mafalda, InvalidStateError } = require('../..');
const { mediaCodecs, opusProducerParameters } = require('../helpers/codecs');

const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
const fingerprint = { algorithm: 'sha-256', value: 'AB:CD' };

describe('transport arguments', () => {
	const ctx = {};

	beforeAll(async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		ctx.router = await ctx.mafalda.createRouter({ mediaCodecs });
		ctx.plain = await ctx.router.createPlainTransport({ listenInfo, enableSctp: true });
		ctx.other = await ctx.router.createPlainTransport({ listenInfo, enableSctp: true });
		ctx.pipe = await ctx.router.createPipeTransport({ listenInfo, enableSctp: true });
		ctx.webRtc = await ctx.router.createWebRtcTransport({ listenInfos: [listenInfo] });
		ctx.producer = await ctx.plain.produce({ id: 'app-producer', kind: 'audio', rtpParameters: opusProducerParameters(1111) });
		ctx.dataProducer = await ctx.plain.produceData({ id: 'app-data-producer', sctpStreamParameters: { streamId: 1 } });
	});

	afterAll(() => ctx.mafalda.close());

	const audio = () => opusProducerParameters(2222);
	const caps = () => ctx.router.rtpCapabilities;

	test.each([
		// produce()
		['a Producer id this transport has', () => ctx.plain.produce({ id: 'app-producer', kind: 'audio', rtpParameters: audio() }),
			TypeError, 'a Producer with same id "app-producer" already exists'],
		['a Producer id another transport of the router has', () => ctx.other.produce({ id: 'app-producer', kind: 'audio', rtpParameters: audio() }),
			Error, 'a Producer with id "app-producer" already exists in this Router'],
		['no rtpParameters', () => ctx.plain.produce({ kind: 'audio' }), TypeError, 'missing rtpParameters'],
		['rtpParameters not an object', () => ctx.plain.produce({ kind: 'audio', rtpParameters: 'opus' }), TypeError, 'missing rtpParameters'],
		['an RTX codec naming no media codec', () => ctx.plain.produce({
			kind: 'video',
			rtpParameters: { codecs: [{ mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } }], encodings: [{ ssrc: 3 }] },
		}), TypeError, 'missing media codec found for RTX PT 97'],
		['a codec that is not an object (the worker says so; the RTX check skips it)', () => ctx.plain.produce({
			kind: 'audio', rtpParameters: { codecs: [null], encodings: [{ ssrc: 4 }] },
		}), TypeError, 'codec must be an object'],
		// consume()
		['an empty mid', () => ctx.other.consume({ producerId: ctx.producer.id, rtpCapabilities: caps(), mid: '' }),
			TypeError, 'if given, mid must be non empty string'],
		['a mid that is not a string', () => ctx.other.consume({ producerId: ctx.producer.id, rtpCapabilities: caps(), mid: 7 }),
			TypeError, 'if given, mid must be non empty string'],
		['no rtpCapabilities', () => ctx.other.consume({ producerId: ctx.producer.id }), TypeError, 'missing rtpCapabilities'],
		['rtpCapabilities not an object', () => ctx.other.consume({ producerId: ctx.producer.id, rtpCapabilities: 1 }),
			TypeError, 'missing rtpCapabilities'],
		['a capability codec that is not an object', () => ctx.other.consume({ producerId: ctx.producer.id, rtpCapabilities: { ...caps(), codecs: [...caps().codecs, 7] } }),
			TypeError, 'codec is not an object'],
		['a null capability codec', () => ctx.other.consume({ producerId: ctx.producer.id, rtpCapabilities: { ...caps(), codecs: [null] } }),
			TypeError, 'codec is not an object'],
		['enableRtx not a boolean', () => ctx.other.consume({ producerId: ctx.producer.id, rtpCapabilities: caps(), enableRtx: 'yes' }),
			TypeError, 'if given, enableRtx must be a boolean'],
		['ignoreDtx not a boolean', () => ctx.other.consume({ producerId: ctx.producer.id, rtpCapabilities: caps(), ignoreDtx: 1 }),
			TypeError, 'if given, ignoreDtx must be a boolean'],
		['a producer id nobody has', () => ctx.other.consume({ producerId: 'nope', rtpCapabilities: caps() }),
			Error, 'Producer with id "nope" not found'],
		// produceData() and its SCTP stream parameters
		['a DataProducer id this transport has', () => ctx.plain.produceData({ id: 'app-data-producer', sctpStreamParameters: { streamId: 2 } }),
			TypeError, 'a DataProducer with same id "app-data-producer" already exists'],
		['a label that is not a string', () => ctx.plain.produceData({ sctpStreamParameters: { streamId: 3 }, label: 5 }),
			TypeError, 'label must be a string'],
		['a protocol that is not a string', () => ctx.plain.produceData({ sctpStreamParameters: { streamId: 3 }, protocol: {} }),
			TypeError, 'protocol must be a string'],
		['no sctpStreamParameters', () => ctx.plain.produceData({}), TypeError, 'sctpStreamParameters must be an object'],
		['sctpStreamParameters an array', () => ctx.plain.produceData({ sctpStreamParameters: [1] }), TypeError, 'sctpStreamParameters must be an object'],
		['a streamId out of range', () => ctx.plain.produceData({ sctpStreamParameters: { streamId: 65536 } }),
			TypeError, 'missing sctpStreamParameters.streamId'],
		['ordered not a boolean', () => ctx.plain.produceData({ sctpStreamParameters: { streamId: 3, ordered: 'no' } }),
			TypeError, 'invalid sctpStreamParameters.ordered'],
		['maxPacketLifeTime not a number', () => ctx.plain.produceData({ sctpStreamParameters: { streamId: 3, maxPacketLifeTime: '1s' } }),
			TypeError, 'invalid sctpStreamParameters.maxPacketLifeTime'],
		['maxRetransmits not a number', () => ctx.plain.produceData({ sctpStreamParameters: { streamId: 3, maxRetransmits: null } }),
			TypeError, 'invalid sctpStreamParameters.maxRetransmits'],
		['both partial-reliability limits', () => ctx.plain.produceData({ sctpStreamParameters: { streamId: 3, maxPacketLifeTime: 10, maxRetransmits: 2 } }),
			TypeError, 'cannot provide both maxPacketLifeTime and maxRetransmits'],
		['ordered with a limit', () => ctx.plain.produceData({ sctpStreamParameters: { streamId: 3, ordered: true, maxRetransmits: 2 } }),
			TypeError, 'cannot be ordered with maxPacketLifeTime or maxRetransmits'],
		// consumeData()
		['no dataProducerId', () => ctx.other.consumeData({}), TypeError, 'missing dataProducerId'],
		['a data producer id nobody has', () => ctx.other.consumeData({ dataProducerId: 'nope' }),
			Error, 'DataProducer with id "nope" not found'],
		// connect()
		['PlainTransport: a port of 0', () => ctx.plain.connect({ ip: '127.0.0.1', port: 0 }), TypeError, 'wrong port'],
		['PlainTransport: a port that is not an integer', () => ctx.plain.connect({ ip: '127.0.0.1', port: 5004.5 }), TypeError, 'wrong port'],
		['PlainTransport: an rtcpPort above 65535', () => ctx.plain.connect({ ip: '127.0.0.1', port: 5004, rtcpPort: 65536 }),
			TypeError, 'wrong rtcpPort'],
		['PlainTransport: not an IP', () => ctx.plain.connect({ ip: 'localhost', port: 5004 }), TypeError, 'wrong ip'],
		['PipeTransport: no port', () => ctx.pipe.connect({ ip: '127.0.0.1' }), TypeError, 'missing port'],
		['PipeTransport: a port above 65535', () => ctx.pipe.connect({ ip: '127.0.0.1', port: 70000 }), TypeError, 'missing port'],
		['PipeTransport: no ip', () => ctx.pipe.connect({ port: 5004 }), TypeError, 'missing ip'],
		['PipeTransport: consume() without a producer id', () => ctx.pipe.consume(), TypeError, 'missing producerId'],
		['WebRtcTransport: a fingerprint value that is not a string', () => ctx.webRtc.connect({
			dtlsParameters: { fingerprints: [fingerprint, { algorithm: 'sha-1', value: 42 }] },
		}), TypeError, 'invalid fingerprint.value'],
		['WebRtcTransport: an unknown fingerprint algorithm', () => ctx.webRtc.connect({
			dtlsParameters: { fingerprints: [{ algorithm: 'md5', value: 'AB' }] },
		}), TypeError, 'invalid fingerprint.algorithm'],
		['WebRtcTransport: an unknown DTLS role', () => ctx.webRtc.connect({ dtlsParameters: { fingerprints: [fingerprint], role: 'both' } }),
			TypeError, 'invalid dtlsParameters.role'],
	])('%s: rejected', async (_what, act, ErrorClass, message) => {
		const before = await Promise.all([ctx.plain.dump(), ctx.other.dump()]);
		const error = await act().then(() => null, (e) => e);
		expect(error).toBeInstanceOf(ErrorClass);
		if (ErrorClass === Error) expect(error).not.toBeInstanceOf(TypeError);
		expect(error.message).toBe(message);
		// Nothing was left behind in the worker.
		const after = await Promise.all([ctx.plain.dump(), ctx.other.dump()]);
		for (const [i, dump] of after.entries()) {
			expect(dump.producerIds).toEqual(before[i].producerIds);
			expect(dump.consumerIds).toEqual(before[i].consumerIds);
			expect(dump.dataProducerIds).toEqual(before[i].dataProducerIds);
			expect(dump.dataConsumerIds).toEqual(before[i].dataConsumerIds);
		}
	});

	test('SCTP stream parameters get 3.14 defaults: ordered unless a limit is given', async () => {
		const reliable = await ctx.other.produceData({ sctpStreamParameters: { streamId: 10 } });
		const lifetime = await ctx.other.produceData({ sctpStreamParameters: { streamId: 11, maxPacketLifeTime: 500 } });
		const retransmits = await ctx.other.produceData({ sctpStreamParameters: { streamId: 12, ordered: false, maxRetransmits: 3 } });
		expect(reliable.sctpStreamParameters).toMatchObject({ streamId: 10, ordered: true });
		expect(lifetime.sctpStreamParameters).toMatchObject({ streamId: 11, ordered: false, maxPacketLifeTime: 500 });
		expect(retransmits.sctpStreamParameters).toMatchObject({ streamId: 12, ordered: false, maxRetransmits: 3 });
		for (const dataProducer of [reliable, lifetime, retransmits]) dataProducer.close();
	});

	test('a closed transport refuses its methods with InvalidStateError once the arguments are fine', async () => {
		const transport = await ctx.router.createPlainTransport({ listenInfo });
		transport.close();
		await expect(transport.produce({ kind: 'audio', rtpParameters: audio() })).rejects.toThrow(new InvalidStateError('Transport closed'));
		await expect(transport.consume({ producerId: ctx.producer.id, rtpCapabilities: caps() })).rejects.toThrow(InvalidStateError);
		await expect(transport.consumeData({ dataProducerId: ctx.dataProducer.id })).rejects.toThrow(InvalidStateError);
		await expect(transport.connect({ ip: '127.0.0.1', port: 5004 })).rejects.toThrow(InvalidStateError);
		await expect(transport.getStats()).rejects.toThrow(InvalidStateError);
	});
});
