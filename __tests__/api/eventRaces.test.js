'use strict';

/**
 * Worker notifications that cross a change made in JS, and calls that cross a close made
 * elsewhere (coverage of the JS layer, issue 12). A notification is injected where the addon
 * delivers it (`_handleNativeEvent`), as the worker would send it in that race: a
 * repeated pause, a report naming a producer already gone, one of another kind.
 */

const { Mafalda, InvalidStateError } = require('../..');
const { record, namesOf } = require('../helpers/events');
const { mediaCodecs, opusProducerParameters, vp8ProducerParameters } = require('../helpers/codecs');
const { waitFor } = require('../helpers/rtp');

const listenIp = '127.0.0.1';

describe('notifications that cross a change', () => {
	const ctx = {};

	beforeEach(async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		ctx.router = await ctx.mafalda.createRouter({ mediaCodecs });
		ctx.send = await ctx.router.createPlainTransport({ listenIp, comedia: true, rtcpMux: true });
		ctx.producer = await ctx.send.produce({ kind: 'audio', rtpParameters: opusProducerParameters(0x1234) });
	});

	afterEach(() => ctx.mafalda.close());

	test('a repeated producerpause or producerresume changes nothing and is not re-emitted', async () => {
		const recv = await ctx.router.createPlainTransport({ listenIp, rtcpMux: true });
		const consumer = await recv.consume({ producerId: ctx.producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		const events = record(consumer, ['producerpause', 'producerresume']);
		const observed = record(consumer.observer, ['pause', 'resume']);
		await ctx.producer.pause();
		expect(await waitFor(() => consumer.producerPaused)).toBe(true);
		consumer._handleNativeEvent('producerpause');
		await ctx.producer.resume();
		expect(await waitFor(() => !consumer.producerPaused)).toBe(true);
		consumer._handleNativeEvent('producerresume');
		expect(namesOf(events)).toEqual(['producerpause', 'producerresume']);
		expect(namesOf(observed)).toEqual(['pause', 'resume']);
	});

	test('level and speaker reports naming a producer no longer known are dropped; notifications of another kind are ignored', async () => {
		const levels = await ctx.router.createAudioLevelObserver();
		const speaker = await ctx.router.createActiveSpeakerObserver();
		const events = [...record(levels, ['volumes']), ...record(speaker, ['dominantspeaker'])];
		levels._handleNativeEvent('volumes', [{ producerId: 'gone', volume: -20 }]);
		speaker._handleNativeEvent('dominantspeaker', { producerId: 'gone' });
		speaker._handleNativeEvent('volumes', []);
		expect(events).toEqual([]);
		expect([levels.closed, speaker.closed]).toEqual([false, false]);
		// A paused observer paused again tells the observer once.
		const observed = record(levels.observer, ['pause']);
		await levels.pause();
		await levels.pause();
		expect(levels.paused).toBe(true);
		expect(observed).toHaveLength(1);
	});

	test('a test-channel notification of a kind nobody decodes is ignored', async () => {
		const recv = await ctx.router.createPlainTransport({ listenIp, rtcpMux: true });
		const consumer = await recv.consume({ producerId: ctx.producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		const scores = record(consumer, ['score']);
		consumer.channelForTesting.emit(consumer.id, 'consumer.unknown', { unpack: () => ({ body: { constructor: { name: 'UnknownT' } } }) });
		consumer.channelForTesting.emit(consumer.id, 'consumer.empty', {});
		expect(scores).toEqual([]);
		expect(consumer.closed).toBe(false);
	});

	test('layerschange without layers (the worker\'s null once a stream stops) leaves no current layers', async () => {
		const producer = await ctx.send.produce({
			kind: 'video',
			rtpParameters: { ...vp8ProducerParameters(0x7100), encodings: [{ ssrc: 0x7100, scalabilityMode: 'L1T1' }] },
		});
		const recv = await ctx.router.createPlainTransport({ listenIp, rtcpMux: true });
		const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: ctx.router.rtpCapabilities });
		const layers = record(consumer, ['layerschange']);
		consumer._handleNativeEvent('layerschange', { spatialLayer: 0, temporalLayer: 0 });
		consumer._handleNativeEvent('layerschange', null);
		expect(layers).toEqual([['layerschange', { spatialLayer: 0, temporalLayer: 0 }], ['layerschange', undefined]]);
		expect(consumer.currentLayers).toBeUndefined();
	});
});

describe('calls that cross a close made elsewhere', () => {
	/**
	 * The native object is closed under the JS one, as when its worker died or its router
	 * closed and the news has not reached JS yet.
	 */
	test('sendRtcp() then neither throws nor leaves an unhandled rejection; queued pause and resume each reject with InvalidStateError', async () => {
		const mafalda = new Mafalda({ maxWorkers: 1 });
		const unhandled = [];
		const onUnhandled = (reason) => unhandled.push(reason);
		process.on('unhandledRejection', onUnhandled);
		try {
			const router = await mafalda.createRouter({ mediaCodecs });
			const send = await router.createPlainTransport({ listenIp, comedia: true, rtcpMux: true });
			const producer = await send.produce({ kind: 'audio', rtpParameters: opusProducerParameters(0x4321) });
			const direct = await router.createDirectTransport();
			const consumer = await direct.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
			direct._native.close();
			direct.sendRtcp(Buffer.from([0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 1]));
			const outcomes = await Promise.allSettled([consumer.pause(), consumer.resume()]);
			expect(outcomes.map(({ status, reason }) => [status, reason?.constructor])).toEqual([
				['rejected', InvalidStateError],
				['rejected', InvalidStateError],
			]);
			await new Promise((resolve) => setTimeout(resolve, 100));
			expect(unhandled).toEqual([]);
		} finally {
			process.off('unhandledRejection', onUnhandled);
			mafalda.close();
		}
	});
});
