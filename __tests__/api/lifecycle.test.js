'use strict';

/**
 * Lifecycles of the entry points (coverage of the JS layer, issue 12): a Mafalda pool
 * and mediasoup-shaped Workers closing while their calls are in flight, calls on
 * closed ones, workers sharing one pool, the addon's error classes, and the event
 * routing from the addon that must never throw back into it.
 */

const { Mafalda, InvalidStateError, UnsupportedError } = require('../..');
const mediasoup = require('../../mediasoup');
const { toJsError } = require('../../lib/native');
const { Registry } = require('../../lib/registry');
const { mediaCodecs } = require('../helpers/codecs');

const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };

describe('Mafalda lifecycle', () => {
	const opened = [];
	afterEach(() => {
		for (const closable of opened.splice(0)) closable.close();
	});
	const open = (closable) => {
		opened.push(closable);
		return closable;
	};

	test('null options give the defaults; closed turns true once, and every call on a closed pool is an InvalidStateError', async () => {
		const mafalda = open(new Mafalda(null));
		const router = await mafalda.createRouter({ mediaCodecs });
		expect(router.rtpCapabilities.codecs.length).toBeGreaterThan(0);
		expect(mafalda.closed).toBe(false);
		const closes = [];
		mafalda.observer.on('close', () => closes.push('close'));
		mafalda.close();
		mafalda.close();
		expect(mafalda.closed).toBe(true);
		expect(closes).toEqual(['close']);
		expect(router.closed).toBe(true);
		for (const call of [
			() => mafalda.createRouter({ mediaCodecs }),
			() => mafalda.createWebRtcServer({ listenInfos: [listenInfo] }),
			() => mafalda.dump(),
			() => mafalda.ready(),
			() => mafalda.drain(),
		]) {
			await expect(call()).rejects.toThrow(new InvalidStateError('Mafalda closed'));
		}
		// Housekeeping a closed pool does nothing (it is also called by timers).
		expect(mafalda.housekeep()).toBeUndefined();
	});

	// A worker thread finishes the creation, a worker process has it cut short: both reject alike.
	test.each(['process', 'thread'])('a router or WebRtcServer whose creation finishes after the pool closed is closed and the call rejects (worker %s)', async (workerBacking) => {
		const mafalda = open(new Mafalda({ maxWorkers: 1, workerBacking }));
		await mafalda.createRouter({ mediaCodecs });
		const calls = [mafalda.createRouter({ mediaCodecs }), mafalda.createWebRtcServer({ listenInfos: [listenInfo] })];
		mafalda.close();
		const outcomes = await Promise.allSettled(calls);
		expect(outcomes.map(({ status, reason }) => [status, reason?.constructor, reason?.message])).toEqual([
			['rejected', InvalidStateError, 'Mafalda closed'],
			['rejected', InvalidStateError, 'Mafalda closed'],
		]);
	});

	test('an app listener that throws becomes a process warning: the call that emitted the event still resolves', async () => {
		const mafalda = open(new Mafalda({ maxWorkers: 1 }));
		mafalda.observer.on('newrouter', () => { throw new Error('listener bug'); });
		const warnings = [];
		const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation((message) => warnings.push(message));
		let router;
		try {
			router = await mafalda.createRouter({ mediaCodecs });
		} finally {
			emitWarning.mockRestore();
		}
		expect(router.closed).toBe(false);
		expect(warnings).toEqual(['safeEmit() | event listener threw an error [event:newrouter]: Error: listener bug']);
	});

	test('drain() is refused outside a cluster, and the pool carries on', async () => {
		const mafalda = open(new Mafalda({ maxWorkers: 1 }));
		await expect(mafalda.drain()).rejects.toThrow(new InvalidStateError('drain() is for a node of a cluster (no cluster option)'));
		await mafalda.createRouter({ mediaCodecs });
		expect((await mafalda.dump()).workers).toHaveLength(1);
	});

	test('simulateWorkerDeath() wants a worker id string', () => {
		const mafalda = open(new Mafalda({ maxWorkers: 1 }));
		expect(() => mafalda.simulateWorkerDeath(42)).toThrow(new TypeError('workerId must be a string'));
	});
});

describe('mediasoup-shaped Worker lifecycle', () => {
	const workers = [];
	afterEach(() => {
		for (const worker of workers.splice(0)) worker.close();
	});
	const createWorker = async (settings) => {
		const worker = await mediasoup.createWorker(settings);
		workers.push(worker);
		return worker;
	};

	test('workers with the same settings share one pool: closing one while its router and WebRtcServer are being created rejects them, the other worker carries on', async () => {
		const [a, b] = [await createWorker(), await createWorker()];
		const router = a.createRouter({ mediaCodecs });
		const server = a.createWebRtcServer({ listenInfos: [listenInfo] });
		a.close();
		await expect(router).rejects.toThrow(new InvalidStateError('Worker closed'));
		await expect(server).rejects.toThrow(new InvalidStateError('Worker closed'));
		expect(a.routersForTesting.size).toBe(0);
		expect(a.webRtcServersForTesting.size).toBe(0);
		const other = await b.createRouter({ mediaCodecs });
		expect(other.closed).toBe(false);
		const otherServer = await b.createWebRtcServer({ listenInfos: [listenInfo] });
		expect(b.webRtcServersForTesting.has(otherServer)).toBe(true);
		expect((await b.dump()).webRtcServerIds).toEqual([otherServer.id]);
	});

	test('updateSettings() without arguments keeps the settings; a closed worker refuses it', async () => {
		const worker = await createWorker({ logLevel: 'warn' });
		await worker.updateSettings();
		await worker.updateSettings({ logLevel: 'debug', logTags: ['ice'] });
		worker.close();
		await expect(worker.updateSettings()).rejects.toThrow(new InvalidStateError('Worker closed'));
	});
});

describe('errors from the addon and events to the app', () => {
	test('an addon error "[Class] reason" becomes that class made in JS; an unknown class becomes Error; other errors pass through', () => {
		const invalid = toJsError(new Error('[InvalidStateError] transport closed'));
		expect(invalid).toBeInstanceOf(InvalidStateError);
		expect(invalid.message).toBe('transport closed');
		expect(toJsError(new Error('[UnsupportedError] no'))).toBeInstanceOf(UnsupportedError);
		const unknown = toJsError(new Error('[SomethingError] odd'));
		expect(unknown.constructor).toBe(Error);
		expect(unknown.message).toBe('odd');
		const plain = new RangeError('as is');
		expect(toJsError(plain)).toBe(plain);
	});

	test('the error classes name themselves and their stack starts at the throw, not in the constructor', () => {
		const error = new InvalidStateError('x');
		expect(error.name).toBe('InvalidStateError');
		expect(error.stack.split('\n')[1]).toContain('lifecycle.test.js');
		expect(new UnsupportedError('y').stack.split('\n')[1]).toContain('lifecycle.test.js');
	});

	test('a handler that throws on a native event becomes a process warning, never an exception back into the addon', () => {
		const registry = new Registry();
		const handled = [];
		registry.add(1, { _handleNativeEvent: (name) => { handled.push(name); throw new Error('handler bug'); } });
		// One that throws a value that is not an Error, one that takes no native events, and a handle nobody has.
		registry.add(4, { _handleNativeEvent: () => { throw 'not an Error'; } });
		registry.add(2, {});
		const warnings = [];
		const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation((message) => warnings.push(message));
		try {
			registry.dispatch(1, 'score', []);
			registry.dispatch(4, 'trace', {});
			registry.dispatch(2, 'score', []);
			registry.dispatch(3, 'score', []);
		} finally {
			emitWarning.mockRestore();
		}
		expect(handled).toEqual(['score']);
		expect(warnings).toHaveLength(2);
		expect(warnings[0]).toMatch(/^Object failed to handle the native event "score": Error: handler bug/);
		expect(warnings[1]).toBe('Object failed to handle the native event "trace": not an Error');
	});
});
