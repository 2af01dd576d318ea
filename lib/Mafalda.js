'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { binding, call, callSync } = require('./native');
const { checkAppData, checkOptionsObject, clone } = require('./validate');
const { encodeCodecParameterValues } = require('./codecParameterValues');
const { normalizeListenInfo } = require('./listenInfos');
const { Registry } = require('./registry');
const { MafaldaRouter } = require('./Router');
const { WebRtcServer } = require('./WebRtcServer');
const { LiveMedia } = require('./liveMedia');

/**
 * The entry point: one pool of mediasoup workers (at most one per core) shared by
 * every MafaldaRouter created from it.
 *
 * Options: `maxWorkers` (default: the number of cores, re-read while running),
 * `workerIdleTimeout` (ms, default 30000), `watermark` (fraction of one core above
 * which no new room starts on a worker, default 0.4), `roomCeiling` (fraction of one core
 * up to which a room grows on its worker, default 0.7), `policy` ('pack' | 'spread' |
 * 'least-loaded', default 'pack'),
 * `workerBacking` ('process', the default: each worker in a child process of its
 * own, as mediasoup runs them; 'thread': threads of this process), `workerHost`
 * (the worker host binary; default: the one next to the addon, or
 * `MAFALDA_WORKER_HOST`), `workerSettings` (mediasoup's: logLevel, logTags, rtcMinPort, rtcMaxPort,
 * dtlsCertificateFile, dtlsPrivateKeyFile), `webRtcServerOptions` (`{ listenInfos }`:
 * each worker gets a WebRtcServer on them, used by WebRTC transports created without
 * listen infos; give a `portRange` so that every worker finds a port).
 *
 * `cluster` (`{ servers, nodeId, announcedAddress, listenIp, token, user, pass, nkey,
 * credsFile, tls, heartbeatInterval, nodeTimeout, requestTimeout, minFreeCores }`) makes this a node
 * of a cluster of servers coordinated over NATS: routers then also place transports
 * on the other nodes (`maxWorkers: 0`: this node hosts no media). Events `nodeadded`
 * `{ nodeId, announcedAddress }`, `nodelost` `{ nodeId, routers }`,
 * `needmoreservers` `{ freeCores, threshold, nodes }` and `clustererror` `{ message }`
 * (the node was refused, e.g. wrong credentials). See docs/cluster.md.
 */
class Mafalda extends EnhancedEventEmitter {
	#native;
	#registry = new Registry();
	#closed = false;
	#routers = new Map();
	#webRtcServers = new Set();
	#poolWebRtcServers;
	#observer = new EnhancedEventEmitter();
	#media = new LiveMedia(this.#observer);
	#eventCounts = { workerdied: 0, nodelost: 0, needmoreservers: 0 };
	#metrics;

	constructor(options = {}) {
		super();
		checkOptionsObject(options);
		// In a cluster the node that gets the transport may have WebRtcServers of its
		// own; it checks the options there (with the same TypeError).
		this.#poolWebRtcServers = Boolean(options?.webRtcServerOptions || options?.cluster);
		const registry = this.#registry;
		this.#native = callSync(
			() => new binding.NativeMafalda(clone(options ?? {}), (handle, name, data, bytes) => registry.dispatch(handle, name, data, bytes))
		);
		registry.add(this.#native.handle, this);
	}

	get closed() { return this.#closed; }
	get observer() { return this.#observer; }

	async createRouter({ mediaCodecs, appData } = {}) {
		if (mediaCodecs !== undefined && !Array.isArray(mediaCodecs)) {
			throw new TypeError('if given, mediaCodecs must be an array');
		}
		checkAppData(appData);
		if (this.#closed) throw new InvalidStateError('Mafalda closed');
		const native = await this.#unlessClosed(call(this.#native.createRouter(encodeCodecParameterValues({ codecs: clone(mediaCodecs) }).codecs)));
		if (this.#closed) {
			native.close();
			throw new InvalidStateError('Mafalda closed');
		}
		const router = new MafaldaRouter({ native, registry: this.#registry, appData, poolWebRtcServers: this.#poolWebRtcServers });
		this.#routers.set(router.id, router);
		router.on('@close', () => this.#routers.delete(router.id));
		this.#observer.safeEmit('newrouter', router);
		return router;
	}

	/**
	 * mediasoup's `worker.createWebRtcServer()`: a WebRtcServer on a pool worker the
	 * scheduler chooses; WebRTC transports created with it are placed on that worker.
	 */
	async createWebRtcServer({ listenInfos, appData } = {}) {
		if (!Array.isArray(listenInfos)) throw new TypeError('missing listenInfos');
		if (listenInfos.length === 0) throw new TypeError('empty listenInfos array provided');
		const infos = listenInfos.map((info) => normalizeListenInfo(info));
		checkAppData(appData);
		if (this.#closed) throw new InvalidStateError('Mafalda closed');
		const native = await this.#unlessClosed(call(this.#native.createWebRtcServer(clone({ listenInfos: infos }))));
		if (this.#closed) {
			native.close();
			throw new InvalidStateError('Mafalda closed');
		}
		const webRtcServer = new WebRtcServer({ native, registry: this.#registry, appData });
		this.#webRtcServers.add(webRtcServer);
		webRtcServer.on('@close', () => this.#webRtcServers.delete(webRtcServer));
		this.#observer.safeEmit('newwebrtcserver', webRtcServer);
		return webRtcServer;
	}

	/**
	 * Workers with their load (fraction of one core), shards per router and pipes
	 * between workers, plus the last placement decisions with their inputs.
	 */
	async dump() {
		if (this.#closed) throw new InvalidStateError('Mafalda closed');
		return call(this.#native.dump());
	}

	/**
	 * Resolves once this node joined its cluster (at once without `cluster`);
	 * rejects with the reason it was refused.
	 */
	async ready() {
		if (this.#closed) throw new InvalidStateError('Mafalda closed');
		return call(this.#native.ready());
	}

	/**
	 * A node of a cluster stops taking placements; resolves once nothing is left
	 * on it (its transports closed), so that its process can stop.
	 */
	async drain() {
		if (this.#closed) throw new InvalidStateError('Mafalda closed');
		return call(this.#native.drain());
	}

	/**
	 * This node's metrics in Prometheus' text format (docs/cluster.md, "Metrics"),
	 * computed now: workers and loads, what they hold, pipes, placements by reason,
	 * RTP of this app's producers and consumers, the cluster's nodes and NATS link,
	 * and the latency of calls to other nodes.
	 */
	async metrics() {
		if (this.#closed) throw new InvalidStateError('Mafalda closed');
		return this.#metricsOf().text();
	}

	/** A `(request, response)` handler answering with `metrics()`, to mount on the app's HTTP server. */
	metricsHandler() {
		return this.#metricsOf().handler();
	}

	#metricsOf() {
		// prom-client is loaded by the first use only.
		const { MafaldaMetrics } = require('./metrics');
		this.#metrics ??= new MafaldaMetrics({
			dump: () => this.dump(),
			native: () => call(this.#native.metrics()),
			media: () => this.#media.sample(),
			events: () => ({ ...this.#eventCounts }),
		});
		return this.#metrics;
	}

	/**
	 * A worker for a mediasoup-shaped Worker to stand for (`{ id, pid, ... }`): it is
	 * kept while pinned, and its death is that Worker's `died`.
	 */
	async _pinWorker() {
		if (this.#closed) throw new InvalidStateError('Mafalda closed');
		return call(this.#native.pinWorker());
	}

	_unpinWorker(workerId) {
		if (!this.#closed) this.#native.unpinWorker(workerId);
	}

	/** mediasoup's `worker.getResourceUsage()`: `getrusage()` of the process the worker runs in. */
	async _workerResourceUsage(workerId) {
		if (this.#closed) throw new InvalidStateError('Mafalda closed');
		return call(this.#native.workerResourceUsage(workerId));
	}

	/** Samples worker loads and frees idle workers now (normally periodic). */
	housekeep() {
		if (!this.#closed) this.#native.housekeep();
	}

	/**
	 * Kills a worker, for failure drills and tests: a worker process gets SIGKILL; a
	 * worker thread is cut off as a crash would, its thread exits. Either way every
	 * shard on it closes and `workerdied` follows.
	 */
	simulateWorkerDeath(workerId) {
		if (typeof workerId !== 'string') throw new TypeError('workerId must be a string');
		callSync(() => this.#native.simulateWorkerDeath(workerId));
	}

	close() {
		if (this.#closed) return;
		this.#closed = true;
		for (const router of this.#routers.values()) router.workerClosed();
		this.#routers.clear();
		for (const webRtcServer of this.#webRtcServers) webRtcServer.workerClosed();
		this.#webRtcServers.clear();
		this.#native.close();
		this.#registry.remove(this.#native.handle);
		this.#observer.safeEmit('close');
	}

	/** A call that close() cut short (its worker process went with the pool) says so. */
	async #unlessClosed(promise) {
		try {
			return await promise;
		} catch (error) {
			if (this.#closed) throw new InvalidStateError('Mafalda closed');
			throw error;
		}
	}

	_handleNativeEvent(name, data) {
		const routersOf = (ids) => ids.map((id) => this.#routers.get(id)).filter(Boolean);
		if (name in this.#eventCounts) this.#eventCounts[name] += 1;
		switch (name) {
			case 'workerdied':
				this.safeEmit('workerdied', {
					workerId: data.workerId,
					pid: data.pid,
					error: new Error(`worker died unexpectedly ${data.reason}`),
					routers: routersOf(data.routerIds),
				});
				break;
			case 'nodelost':
				this.safeEmit('nodelost', { nodeId: data.nodeId, routers: routersOf(data.routers) });
				break;
			case 'nodeadded':
			case 'needmoreservers':
			case 'clustererror':
				this.safeEmit(name, data);
				break;
		}
	}
}

module.exports = { Mafalda };
