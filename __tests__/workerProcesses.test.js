'use strict';

/**
 * Workers in processes of their own (the default backing): pids, what a worker's
 * death does and does not take with it, no host outliving its parent, hosts that
 * cannot start, and figures read from the child.
 */

const { execFile, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Mafalda } = require('..');
const mediasoup = require('../mediasoup');
const { mediaCodecs, opusProducerParameters } = require('./helpers/codecs');
const { rtpSink, rtpSource, waitFor, sleep } = require('./helpers/rtp');
const { alive, parentOf, commandOf, cpuMs, memoryKiB } = require('./helpers/processes');

async function plainProducer(router, ssrc) {
	const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
	const producer = await transport.produce({ kind: 'audio', rtpParameters: opusProducerParameters(ssrc) });
	const source = await rtpSource({ port: transport.tuple.localPort, ssrc, payloadType: 111 });
	return { transport, producer, source };
}

async function plainConsumer(router, producer) {
	const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
	const sink = await rtpSink();
	await transport.connect({ ip: '127.0.0.1', port: sink.port });
	const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
	return { transport, consumer, sink };
}

const pidOf = async (mafalda, workerId) => (await mafalda.dump()).workers.find((w) => w.id === workerId)?.pid;

describe('workers in processes of their own', () => {
	const ctx = { cleanups: [] };

	afterEach(() => {
		for (const cleanup of ctx.cleanups.splice(0)) cleanup();
		ctx.mafalda?.close();
		ctx.mafalda = undefined;
	});

	test('each worker is a mafalda-worker-host child of this process, its worker thread read there; pool close ends them', async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread' });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		await router.createPlainTransport({ listenIp: '127.0.0.1' });
		const { workers, workerBacking } = await ctx.mafalda.dump();
		expect(workerBacking).toBe('process');
		expect(workers).toHaveLength(2);
		const pids = workers.map((w) => w.pid);
		expect(new Set(pids).size).toBe(2);
		for (const worker of workers) {
			expect(worker.pid).not.toBe(process.pid);
			expect(parentOf(worker.pid)).toBe(process.pid);
			expect(path.basename(commandOf(worker.pid)[0])).toBe('mafalda-worker-host');
			expect(fs.existsSync(`/proc/${worker.pid}/task/${worker.tid}/schedstat`)).toBe(true);
		}
		ctx.mafalda.close();
		ctx.mafalda = undefined;
		expect(await waitFor(() => pids.every((pid) => !alive(pid)))).toBe(true);
	});

	test('the pool samples the CPU time of the worker thread in its child process', async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		const { producer, source } = await plainProducer(router, 1212);
		const { sink } = await plainConsumer(router, producer);
		ctx.cleanups.push(() => source.stop(), () => sink.close());
		expect(await waitFor(() => sink.packets.length >= 20)).toBe(true);
		ctx.mafalda.housekeep();
		await sleep(300);
		ctx.mafalda.housekeep();
		const [worker] = (await ctx.mafalda.dump()).workers;
		expect(worker.cpu).toBeGreaterThan(0);
	});

	test.each(['SIGKILL', 'SIGABRT', 'SIGSEGV'])(
		'%s of a worker process: workerdied names the signal, its objects close with mediasoup\'s events, its pipes go, the next new worker is a fresh process, and the room on the other worker keeps flowing',
		async (signal) => {
			ctx.mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread' });
			// spread takes slots 0, 1, 0, 1...: R on 0, R's sender on 1, R's receiver on 0
			// (piped from 1); S on 1 (an empty shard), S's sender on 0, a transport of R on 1,
			// S's receiver on 0. Worker 1 dies; S lives on worker 0 only.
			const doomedRoom = await ctx.mafalda.createRouter({ mediaCodecs });
			const doomed = await plainProducer(doomedRoom, 3001);
			const fed = await plainConsumer(doomedRoom, doomed.producer);
			const room = await ctx.mafalda.createRouter({ mediaCodecs });
			const survivor = await plainProducer(room, 3002);
			const extra = await doomedRoom.createPlainTransport({ listenIp: '127.0.0.1' });
			const survivorOut = await plainConsumer(room, survivor.producer);
			ctx.cleanups.push(() => doomed.source.stop(), () => fed.sink.close(), () => survivor.source.stop(), () => survivorOut.sink.close());
			const victim = doomed.transport.workerId;
			expect(extra.workerId).toBe(victim);
			expect([fed.transport.workerId, survivor.transport.workerId, survivorOut.transport.workerId].every((id) => id !== victim)).toBe(true);
			expect(fed.consumer.piped).toBe(true);
			expect(await waitFor(() => fed.sink.packets.length >= 10 && survivorOut.sink.packets.length >= 25)).toBe(true);
			const pid = await pidOf(ctx.mafalda, victim);

			const events = [];
			const on = (object, name) => object.on(name, () => events.push(name));
			on(doomed.transport, 'routerclose');
			on(extra, 'routerclose');
			on(doomed.producer, 'transportclose');
			on(fed.consumer, 'producerclose');
			const died = new Promise((resolve) => ctx.mafalda.once('workerdied', resolve));
			const before = { received: survivorOut.sink.packets.length, sent: survivor.source.sent };
			process.kill(pid, signal);

			const death = await died;
			expect(death.workerId).toBe(victim);
			expect(death.pid).toBe(pid);
			expect(death.error).toBeInstanceOf(Error);
			expect(death.error.message).toContain(`[pid:${pid}, code:null, signal:${signal}]`);
			expect(death.routers).toContain(doomedRoom);
			expect(await waitFor(() => events.length === 4)).toBe(true);
			expect(events.sort()).toEqual(['producerclose', 'routerclose', 'routerclose', 'transportclose']);
			expect(doomed.producer.closed && fed.consumer.closed && extra.closed).toBe(true);
			expect(alive(pid)).toBe(false);
			expect(doomedRoom.closed).toBe(false);
			expect(fed.transport.closed).toBe(false);

			const dump = await ctx.mafalda.dump();
			expect(dump.workers.map((w) => w.id)).not.toContain(victim);
			expect(dump.workers.flatMap((w) => w.pipes)).toEqual([]);
			doomed.source.stop();

			// The room on worker 0 did not notice: every packet sent since the kill arrived
			// but the few in flight.
			await sleep(1000);
			const after = { received: survivorOut.sink.packets.length, sent: survivor.source.sent };
			expect(after.received - before.received).toBeGreaterThanOrEqual(after.sent - before.sent - 5);

			// The next worker the pool starts is a fresh process; the router goes on there.
			const again = await plainProducer(doomedRoom, 3003);
			const out = await plainConsumer(doomedRoom, again.producer);
			ctx.cleanups.push(() => again.source.stop(), () => out.sink.close());
			const pids = (await ctx.mafalda.dump()).workers.map((w) => w.pid);
			expect(pids).toHaveLength(2);
			expect(pids).not.toContain(pid);
			expect(await waitFor(() => out.sink.packets.length >= 10)).toBe(true);
		},
		30000
	);

	test('a mediasoup-shaped Worker stands for a worker process: pid, getResourceUsage() of that child, and died with workerclose on its kill', async () => {
		const worker = await mediasoup.createWorker();
		ctx.cleanups.push(() => worker.close());
		expect(parentOf(worker.pid)).toBe(process.pid);
		const router = await worker.createRouter({ mediaCodecs });
		const transport = await router.createPlainTransport({ listenIp: '127.0.0.1' });
		// The child's CPU time as the kernel counts it before and after the call (user and
		// system in 10 ms ticks each: 20 ms of rounding).
		const before = cpuMs(worker.pid);
		const usage = await worker.getResourceUsage();
		const after = cpuMs(worker.pid);
		expect(usage.ru_utime + usage.ru_stime).toBeGreaterThanOrEqual(before);
		expect(usage.ru_utime + usage.ru_stime).toBeLessThanOrEqual(after + 20);
		expect(usage.ru_maxrss).toBeGreaterThanOrEqual(memoryKiB(worker.pid, 'VmHWM'));
		expect((await worker.dump()).pid).toBe(worker.pid);

		const onWorkerClose = jest.fn();
		const onRouterClose = jest.fn();
		router.on('workerclose', onWorkerClose);
		transport.on('routerclose', onRouterClose);
		const died = new Promise((resolve) => worker.once('died', resolve));
		process.kill(worker.pid, 'SIGSEGV');
		const error = await died;
		expect(error.message).toContain('signal:SIGSEGV');
		expect(worker.died && worker.closed && router.closed && transport.closed).toBe(true);
		expect(onWorkerClose).toHaveBeenCalledTimes(1);
		expect(onRouterClose).toHaveBeenCalledTimes(1);
	});

	test('two mediasoup-shaped Workers of the same settings stand for two worker processes: one dying leaves the other working', async () => {
		const first = await mediasoup.createWorker();
		const second = await mediasoup.createWorker();
		ctx.cleanups.push(() => first.close(), () => second.close());
		expect(first.pid).not.toBe(second.pid);
		const onSecondDied = jest.fn();
		second.on('died', onSecondDied);
		const died = new Promise((resolve) => first.once('died', resolve));
		process.kill(first.pid, 'SIGKILL');
		expect((await died).message).toContain(`[pid:${first.pid}, code:null, signal:SIGKILL]`);
		const router = await second.createRouter({ mediaCodecs });
		const transport = await router.createPlainTransport({ listenIp: '127.0.0.1' });
		expect(transport.tuple.localPort).toBeGreaterThan(0);
		expect(onSecondDied).not.toHaveBeenCalled();
		expect(second.closed).toBe(false);
	});

	test('createWorker() rejects with the start error of its worker process, and leaves no pool behind', async () => {
		const binary = path.join(os.tmpdir(), 'no-such-dir', 'mafalda-worker-host');
		const broken = mediasoup.createMediasoup({ workerHost: binary });
		await expect(broken.createWorker()).rejects.toThrow(`the worker host ${binary} failed to start: No such file or directory`);
		// The pool of those settings was released: a second try starts from scratch and fails alike.
		await expect(broken.createWorker()).rejects.toThrow(`the worker host ${binary} failed to start`);
	});

	test('with workerBacking "thread" the workers are threads of this process', async () => {
		ctx.mafalda = new Mafalda({ maxWorkers: 1, workerBacking: 'thread' });
		const router = await ctx.mafalda.createRouter({ mediaCodecs });
		await router.createPlainTransport({ listenIp: '127.0.0.1' });
		const { workers, workerBacking } = await ctx.mafalda.dump();
		expect(workerBacking).toBe('thread');
		expect(workers[0].pid).toBe(process.pid);
		expect(fs.existsSync(`/proc/self/task/${workers[0].tid}`)).toBe(true);
	});
});

describe('no worker process outlives its parent', () => {
	/** Starts the pool owner; resolves with it and the pids of its worker processes. */
	function startOwner(mode) {
		const owner = spawn(process.execPath, [path.join(__dirname, 'helpers', 'poolProcess.js'), ...(mode ? [mode] : [])], {
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		return new Promise((resolve, reject) => {
			let out = '';
			owner.stdout.on('data', (chunk) => {
				out += chunk;
				if (out.includes('\n')) resolve({ owner, pids: JSON.parse(out).pids });
			});
			owner.once('exit', (code) => reject(new Error(`pool owner exited with ${code} before it told its pids`)));
		});
	}

	test('kill -9 of the pool owner: every worker process is gone', async () => {
		const { owner, pids } = await startOwner();
		expect(pids).toHaveLength(2);
		expect(pids.every((pid) => alive(pid) && parentOf(pid) === owner.pid)).toBe(true);
		const exited = new Promise((resolve) => owner.once('exit', resolve));
		owner.kill('SIGKILL');
		await exited;
		expect(await waitFor(() => pids.every((pid) => !alive(pid)))).toBe(true);
	});

	test('an owner that ends without closing its pool leaves no worker process', async () => {
		const { owner, pids } = await startOwner('exit');
		await new Promise((resolve) => (owner.exitCode === null ? owner.once('exit', resolve) : resolve()));
		expect(await waitFor(() => pids.every((pid) => !alive(pid)))).toBe(true);
	});
});

describe('a worker host that cannot start', () => {
	const ctx = {};

	afterEach(() => ctx.mafalda?.close());

	test('a missing binary rejects with an Error naming it and the reason', async () => {
		const binary = path.join(os.tmpdir(), 'no-such-dir', 'mafalda-worker-host');
		ctx.mafalda = new Mafalda({ workerHost: binary });
		const created = ctx.mafalda.createRouter({ mediaCodecs });
		await expect(created).rejects.toThrow(Error);
		await expect(created).rejects.toThrow(`the worker host ${binary} failed to start: No such file or directory`);
	});

	test('a binary that exits at once rejects with its exit code and what it said', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mafalda-host-'));
		const binary = path.join(dir, 'broken-host');
		fs.writeFileSync(binary, '#!/bin/sh\necho "cannot open the worker library" >&2\nexit 3\n', { mode: 0o755 });
		ctx.mafalda = new Mafalda({ workerHost: binary });
		await expect(ctx.mafalda.createRouter({ mediaCodecs })).rejects.toThrow(
			`the worker host ${binary} failed to start: it exited with code 3 before its worker was running; it said: cannot open the worker library`
		);
		fs.rmSync(dir, { recursive: true, force: true });
	});

	test('the host binary run by hand explains what it is', async () => {
		const binary = path.join(__dirname, '..', 'native', 'mafalda-worker-host');
		const { code, stderr } = await new Promise((resolve) => {
			execFile(binary, [], (error, _stdout, stderr) => resolve({ code: error?.code, stderr }));
		});
		expect(code).toBe(2);
		expect(stderr).toContain('it runs a mediasoup worker for mafalda-sfu');
	});
});
