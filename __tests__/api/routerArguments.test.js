'use strict';

/**
 * What a router's transport factories refuse and how they read listen infos and the
 * deprecated listenIps (lib/Router.js, lib/listenInfos.js), with mediasoup 3.14's
 * error classes and messages.
 */

const { Mafalda, InvalidStateError } = require('../..');
const { mediaCodecs, opusProducerParameters } = require('../helpers/codecs');
const { rtpSink } = require('../helpers/rtp');

const ip = '127.0.0.1';
const udp = { protocol: 'udp', ip };

/** A UDP port free right now (bound, then closed). */
async function freeUdpPort() {
	const sink = await rtpSink();
	sink.close();
	return sink.port;
}

describe('router arguments', () => {
	const ctx = {};

	beforeAll(async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		ctx.router = await ctx.mafalda.createRouter({ mediaCodecs });
	});

	afterAll(() => ctx.mafalda.close());

	const webRtc = (options) => ctx.router.createWebRtcTransport(options);
	const withInfo = (info) => ctx.router.createWebRtcTransport({ listenInfos: [info] });

	test.each([
		['no options at all', () => ctx.router.createWebRtcTransport(),
			TypeError, 'missing webRtcServer, listenInfos and listenIps (one of them is mandatory)'],
		['webRtcServer, listenInfos and listenIps together', () => webRtc({ webRtcServer: {}, listenInfos: [udp], listenIps: [ip] }),
			TypeError, 'only one of webRtcServer, listenInfos and listenIps must be given'],
		['a webRtcServer that is not one', () => webRtc({ webRtcServer: { id: 'x' } }), TypeError, 'webRtcServer must be a WebRtcServer'],
		['empty listenInfos', () => webRtc({ listenInfos: [] }), TypeError, 'empty listenInfos'],
		['listenIps with neither UDP nor TCP enabled', () => webRtc({ listenIps: [ip], enableUdp: false }), TypeError, 'empty listenInfos'],
		['numSctpStreams without MIS', () => webRtc({ listenInfos: [udp], numSctpStreams: { OS: 10 } }),
			TypeError, 'if given, numSctpStreams must contain OS and MIS'],
		['a listen info that is not an object', () => withInfo('127.0.0.1'), TypeError, 'wrong listenInfo (not an object)'],
		['a listen info that is an array', () => withInfo([ip]), TypeError, 'wrong listenInfo (not an object)'],
		['an unknown protocol', () => withInfo({ protocol: 'sctp', ip }), TypeError, 'invalid listenInfo.protocol "sctp"'],
		['no ip', () => withInfo({ protocol: 'udp' }), TypeError, 'listenInfo.ip must be an IP address string'],
		['an ip that is a host name', () => withInfo({ protocol: 'udp', ip: 'localhost' }), TypeError, 'listenInfo.ip must be an IP address string'],
		['a listenIps entry that is null', () => webRtc({ listenIps: [null] }), TypeError, 'listenInfo.ip must be an IP address string'],
		['an announcedAddress that is not a string', () => withInfo({ ...udp, announcedAddress: 5 }),
			TypeError, 'if given, announcedAddress must be a string'],
		['a deprecated announcedIp that is not a string', () => withInfo({ ...udp, announcedIp: {} }),
			TypeError, 'if given, announcedAddress must be a string'],
		['a port above 65535', () => withInfo({ ...udp, port: 65536 }), TypeError, 'listenInfo.port must be an integer between 0 and 65535'],
		['a portRange that is null', () => withInfo({ ...udp, portRange: null }), TypeError, 'wrong listenInfo.portRange (not an object)'],
		['a portRange that is a number', () => withInfo({ ...udp, portRange: 2000 }), TypeError, 'wrong listenInfo.portRange (not an object)'],
		['a portRange starting at 0', () => withInfo({ ...udp, portRange: { min: 0, max: 10 } }),
			TypeError, 'portRange.min must be an integer between 1 and 65535'],
		['a portRange without bounds', () => withInfo({ ...udp, portRange: {} }),
			TypeError, 'wrong listenInfo.portRange (min must not be greater than max)'],
		['a portRange upside down', () => withInfo({ ...udp, portRange: { min: 3000, max: 2000 } }),
			TypeError, 'wrong listenInfo.portRange (min must not be greater than max)'],
		['flags that are null', () => withInfo({ ...udp, flags: null }), TypeError, 'wrong listenInfo.flags (not an object)'],
		['flags that are a string', () => withInfo({ ...udp, flags: 'ipv6Only' }), TypeError, 'wrong listenInfo.flags (not an object)'],
		['flags.ipv6Only not a boolean', () => withInfo({ ...udp, flags: { ipv6Only: 'yes' } }),
			TypeError, 'if given, flags.ipv6Only must be a boolean'],
		['flags.udpReusePort not a boolean', () => withInfo({ ...udp, flags: { udpReusePort: 1 } }),
			TypeError, 'if given, flags.udpReusePort must be a boolean'],
		['a negative sendBufferSize', () => withInfo({ ...udp, sendBufferSize: -1 }),
			TypeError, 'listenInfo.sendBufferSize must be an integer between 0 and 2147483647'],
		['a fractional recvBufferSize', () => withInfo({ ...udp, recvBufferSize: 1.5 }),
			TypeError, 'listenInfo.recvBufferSize must be an integer between 0 and 2147483647'],
		['exposeInternalIp not a boolean', () => withInfo({ ...udp, exposeInternalIp: 'no' }),
			TypeError, 'if given, listenInfo.exposeInternalIp must be a boolean'],
		// PlainTransport and PipeTransport
		['PlainTransport: listenInfo and listenIp together', () => ctx.router.createPlainTransport({ listenInfo: udp, listenIp: ip }),
			TypeError, 'only one of listenInfo and listenIp must be given'],
		['PlainTransport: a TCP listen info', () => ctx.router.createPlainTransport({ listenInfo: { protocol: 'tcp', ip } }),
			TypeError, 'only UDP listenInfo is supported by this transport'],
		['PlainTransport: an unknown SRTP crypto suite', () => ctx.router.createPlainTransport({ listenInfo: udp, enableSrtp: true, srtpCryptoSuite: 'ROT13' }),
			TypeError, 'invalid SRTP crypto suite "ROT13"'],
		['PlainTransport: a TCP rtcpListenInfo', () => ctx.router.createPlainTransport({ listenInfo: udp, rtcpMux: false, rtcpListenInfo: { protocol: 'tcp', ip } }),
			TypeError, 'only UDP listenInfo is supported by this transport'],
		['PipeTransport: listenInfo and listenIp together', () => ctx.router.createPipeTransport({ listenInfo: udp, listenIp: ip }),
			TypeError, 'only one of listenInfo and listenIp must be given'],
		['PipeTransport: no listenInfo nor listenIp', () => ctx.router.createPipeTransport(),
			TypeError, 'missing listenInfo and listenIp (one of them is mandatory)'],
	])('%s: rejected', async (_what, act, ErrorClass, message) => {
		const before = ctx.router.transportsForTesting.size;
		const error = await act().then(() => null, (e) => e);
		expect(error).toBeInstanceOf(ErrorClass);
		expect(error.message).toBe(message);
		expect(ctx.router.transportsForTesting.size).toBe(before);
		expect((await ctx.router.dump()).transportIds).toHaveLength(before);
	});

	test.each([
		['UDP only by default', {}, ['udp']],
		['UDP then TCP with enableTcp', { enableTcp: true }, ['udp', 'tcp']],
		['TCP then UDP with preferTcp', { enableTcp: true, preferTcp: true }, ['tcp', 'udp']],
		['UDP first when both are preferred', { enableTcp: true, preferTcp: true, preferUdp: true }, ['udp', 'tcp']],
		['TCP only without UDP', { enableUdp: false, enableTcp: true }, ['tcp']],
		['UDP only with preferTcp but no TCP', { preferTcp: true }, ['udp']],
	])('listenIps: %s', async (_what, options, protocols) => {
		const transport = await webRtc({ listenIps: [ip], ...options });
		try {
			expect(transport.iceCandidates.map((candidate) => candidate.protocol)).toEqual(protocols);
			for (const candidate of transport.iceCandidates) expect(candidate).toMatchObject({ address: ip, ip });
		} finally {
			transport.close();
		}
	});

	test('listenIps entries may be objects with a (deprecated) announcedIp, given for each protocol', async () => {
		const transport = await webRtc({ listenIps: [{ ip, announcedIp: '203.0.113.7' }], enableTcp: true });
		try {
			expect(transport.iceCandidates.map(({ protocol, address, ip: twin }) => [protocol, address, twin]))
				.toEqual([['udp', '203.0.113.7', '203.0.113.7'], ['tcp', '203.0.113.7', '203.0.113.7']]);
		} finally {
			transport.close();
		}
	});

	test('a listen info without protocol is UDP; its port, port range and flags are used', async () => {
		const port = await freeUdpPort();
		const transport = await withInfo({ ip, port, flags: { ipv6Only: false, udpReusePort: false }, sendBufferSize: 65536, exposeInternalIp: true });
		try {
			expect(transport.iceCandidates).toEqual([expect.objectContaining({ protocol: 'udp', address: ip, port })]);
		} finally {
			transport.close();
		}
		const ranged = await withInfo({ ...udp, portRange: { min: 40000, max: 40100 } });
		try {
			expect(ranged.iceCandidates[0].port).toBeGreaterThanOrEqual(40000);
			expect(ranged.iceCandidates[0].port).toBeLessThanOrEqual(40100);
		} finally {
			ranged.close();
		}
	});

	test('PlainTransport and PipeTransport take a deprecated listenIp (string or object) and a port', async () => {
		const port = await freeUdpPort();
		const plain = await ctx.router.createPlainTransport({ listenIp: { ip, announcedIp: '203.0.113.8' }, port });
		expect(plain.tuple).toMatchObject({ localAddress: '203.0.113.8', localPort: port, protocol: 'udp' });
		plain.close();
		const pipe = await ctx.router.createPipeTransport({ listenIp: ip });
		expect(pipe.tuple).toMatchObject({ localAddress: ip, localIp: ip, protocol: 'udp' });
		pipe.close();
	});

	test('a PlainTransport with rtcpMux ignores an rtcpListenInfo: no RTCP tuple', async () => {
		const plain = await ctx.router.createPlainTransport({ listenInfo: udp, rtcpListenInfo: udp });
		expect(plain.rtcpTuple).toBeUndefined();
		plain.close();
	});

	test('SRTP with a chosen crypto suite', async () => {
		const plain = await ctx.router.createPlainTransport({ listenInfo: udp, enableSrtp: true, srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_32' });
		expect(plain.srtpParameters.cryptoSuite).toBe('AES_CM_128_HMAC_SHA1_32');
		await expect(plain.connect({ ip, port: 5004 })).rejects.toThrow(new TypeError('missing srtpParameters'));
		plain.close();
	});
});

describe('router.canConsume()', () => {
	test('true for capabilities that fit, false for an unknown producer and for capabilities the worker cannot read', async () => {
		const mafalda = new Mafalda({ maxWorkers: 1 });
		try {
			const router = await mafalda.createRouter({ mediaCodecs });
			const transport = await router.createPlainTransport({ listenInfo: udp, comedia: true });
			const producer = await transport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(1111) });
			expect(router.canConsume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities })).toBe(true);
			expect(router.canConsume({ producerId: 'nope', rtpCapabilities: router.rtpCapabilities })).toBe(false);
			expect(router.canConsume({ producerId: producer.id, rtpCapabilities: { codecs: 'opus' } })).toBe(false);
			// Not even JSON: refused before the worker, still just false.
			expect(router.canConsume({ producerId: producer.id, rtpCapabilities: { codecs: [], extra: 1n } })).toBe(false);
			expect(router.canConsume()).toBe(false);
		} finally {
			mafalda.close();
		}
	});
});

describe('router close', () => {
	test('close() twice closes once; a transport then refuses with InvalidStateError', async () => {
		const mafalda = new Mafalda({ maxWorkers: 1 });
		try {
			const router = await mafalda.createRouter({ mediaCodecs });
			const onClose = jest.fn();
			router.observer.on('close', onClose);
			router.close();
			router.close();
			expect(onClose).toHaveBeenCalledTimes(1);
			expect(router.closed).toBe(true);
			await expect(router.createPlainTransport({ listenInfo: udp })).rejects.toThrow(new InvalidStateError('Router closed'));
			await expect(router.dump()).rejects.toThrow(new InvalidStateError('Router closed'));
		} finally {
			mafalda.close();
		}
	});

	test('closed while transports are being created: each creation rejects with InvalidStateError, nothing is left', async () => {
		const mafalda = new Mafalda({ maxWorkers: 1 });
		try {
			const router = await mafalda.createRouter({ mediaCodecs });
			const onNewTransport = jest.fn();
			router.observer.on('newtransport', onNewTransport);
			const creations = [
				router.createPlainTransport({ listenInfo: udp }),
				router.createWebRtcTransport({ listenInfos: [udp] }),
				router.createPipeTransport({ listenInfo: udp }),
				router.createDirectTransport(),
			];
			router.close();
			for (const creation of creations) await expect(creation).rejects.toThrow(new InvalidStateError('Router closed'));
			expect(onNewTransport).not.toHaveBeenCalled();
			expect(router.transportsForTesting.size).toBe(0);
			const dump = await mafalda.dump();
			expect(dump.routerIds).not.toContain(router.id);
			expect(dump.workers.flatMap((worker) => worker.shards)).toEqual([]);
		} finally {
			mafalda.close();
		}
	});
});
