'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { checkAppData, checkAppDataValue } = require('./validate');
const { checkLogSettings } = require('./workerSettings');

/**
 * mediasoup's Worker over a shared Mafalda pool: its routers are MafaldaRouters of
 * the pool (they may spread over its workers), and it stands for one real worker
 * of it, pinned at its creation: `pid` is that worker's process (its own child
 * process, or this process with thread workers), `getResourceUsage()` is that
 * process's, and the death of that worker is this Worker's `died`.
 */
class Worker extends EnhancedEventEmitter {
	#lease;
	#pinned;
	#onWorkerDied;
	#closed = false;
	#died = false;
	#subprocessClosed = false;
	#appData;
	#settings;
	#routers = new Set();
	#webRtcServers = new Set();
	#observer = new EnhancedEventEmitter();

	/** Created by `createWorker()` only, with the pool worker it stands for (`pinned`). */
	constructor({ lease, pinned, settings, appData }) {
		super();
		this.#lease = lease;
		this.#pinned = pinned;
		this.#settings = settings;
		this.#appData = appData || {};
		this.#onWorkerDied = ({ workerId, error }) => {
			if (workerId === this.#pinned.id) this.#workerDied(error);
		};
		lease.mafalda.on('workerdied', this.#onWorkerDied);
	}

	get pid() { return this.#pinned.pid; }
	get closed() { return this.#closed; }
	get died() { return this.#died; }
	get subprocessClosed() { return this.#subprocessClosed; }
	get appData() { return this.#appData; }
	set appData(appData) { checkAppDataValue(appData); this.#appData = appData; }
	get observer() { return this.#observer; }
	get webRtcServersForTesting() { return this.#webRtcServers; }
	get routersForTesting() { return this.#routers; }

	close() {
		if (this.#closed) return;
		this.#closed = true;
		this.#closeChildren();
		this.#observer.safeEmit('close');
		this.#lease.mafalda._unpinWorker(this.#pinned.id);
		this.#releasePool();
	}

	/** mediasoup's order: closed, its routers closed, `died`, then observer `close`. */
	#workerDied(error) {
		if (this.#closed) return;
		this.#closed = true;
		this.#died = true;
		this.#closeChildren();
		this.safeEmit('died', error);
		this.#observer.safeEmit('close');
		this.#releasePool();
	}

	#closeChildren() {
		this.#closeRouters();
		for (const webRtcServer of this.#webRtcServers) webRtcServer.workerClosed();
		this.#webRtcServers.clear();
	}

	async dump() {
		this.#checkOpen();
		const routerIds = [...this.#routers].map((router) => router.id);
		const webRtcServerIds = [...this.#webRtcServers].map((webRtcServer) => webRtcServer.id);
		return {
			pid: this.pid,
			webRtcServerIds,
			routerIds,
			channelMessageHandlers: { channelRequestHandlers: [...webRtcServerIds, ...routerIds], channelNotificationHandlers: [] },
		};
	}

	/** `getrusage()` of the process its worker runs in (times in ms), as mediasoup's. */
	async getResourceUsage() {
		this.#checkOpen();
		return this.#lease.mafalda._workerResourceUsage(this.#pinned.id);
	}

	/** Log settings are checked and kept; the pool's workers keep the settings they started with. */
	async updateSettings({ logLevel, logTags } = {}) {
		this.#checkOpen();
		checkLogSettings({ logLevel, logTags });
		if (logLevel !== undefined) this.#settings.logLevel = logLevel;
		if (logTags !== undefined) this.#settings.logTags = [...logTags];
	}

	/** A WebRtcServer on one of the pool's real workers (see `Mafalda.createWebRtcServer()`). */
	async createWebRtcServer({ listenInfos, appData } = {}) {
		this.#checkOpen();
		const webRtcServer = await this.#lease.mafalda.createWebRtcServer({ listenInfos, appData });
		if (this.#closed) {
			webRtcServer.workerClosed();
			throw new InvalidStateError('Worker closed');
		}
		this.#webRtcServers.add(webRtcServer);
		webRtcServer.on('@close', () => this.#webRtcServers.delete(webRtcServer));
		this.#observer.safeEmit('newwebrtcserver', webRtcServer);
		return webRtcServer;
	}

	async createRouter({ mediaCodecs, appData } = {}) {
		if (mediaCodecs !== undefined && !Array.isArray(mediaCodecs)) {
			throw new TypeError('if given, mediaCodecs must be an array');
		}
		checkAppData(appData);
		this.#checkOpen();
		const router = await this.#lease.mafalda.createRouter({ mediaCodecs, appData });
		if (this.#closed) {
			router.workerClosed();
			throw new InvalidStateError('Worker closed');
		}
		router._setWorker(this);
		this.#routers.add(router);
		router.on('@close', () => this.#routers.delete(router));
		this.#observer.safeEmit('newrouter', router);
		return router;
	}

	#closeRouters() {
		for (const router of this.#routers) router.workerClosed();
		this.#routers.clear();
	}

	/** The pool is released (closed with its last Worker); `subprocessclose` comes just after. */
	#releasePool() {
		this.#lease.mafalda.off('workerdied', this.#onWorkerDied);
		this.#lease.release();
		setImmediate(() => {
			this.#subprocessClosed = true;
			this.safeEmit('subprocessclose');
		});
	}

	#checkOpen() {
		if (this.#closed) throw new InvalidStateError('Worker closed');
	}
}

module.exports = { Worker };
