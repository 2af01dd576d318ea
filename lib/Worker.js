'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { checkAppData, checkAppDataValue } = require('./validate');
const { checkLogSettings } = require('./workerSettings');

/**
 * mediasoup's Worker, made virtual: its routers live in a shared Mafalda pool
 * whose real workers are threads of this process, so `pid` is this process's pid
 * and there is no subprocess of its own (`subprocessclose` follows `close()`).
 */
class Worker extends EnhancedEventEmitter {
	#lease;
	#closed = false;
	#died = false;
	#subprocessClosed = false;
	#appData;
	#settings;
	#routers = new Set();
	#webRtcServers = new Set();
	#observer = new EnhancedEventEmitter();

	/** Created by `createWorker()` only. */
	constructor({ lease, settings, appData }) {
		super();
		this.#lease = lease;
		this.#settings = settings;
		this.#appData = appData || {};
	}

	get pid() { return process.pid; }
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
		this.#closeRouters();
		for (const webRtcServer of this.#webRtcServers) webRtcServer.workerClosed();
		this.#webRtcServers.clear();
		this.#observer.safeEmit('close');
		this.#releasePool();
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

	/** Usage of this process, which runs the worker threads. */
	async getResourceUsage() {
		this.#checkOpen();
		const usage = process.resourceUsage();
		return {
			ru_utime: usage.userCPUTime / 1000,
			ru_stime: usage.systemCPUTime / 1000,
			ru_maxrss: usage.maxRSS,
			ru_ixrss: usage.sharedMemorySize,
			ru_idrss: usage.unsharedDataSize,
			ru_isrss: usage.unsharedStackSize,
			ru_minflt: usage.minorPageFault,
			ru_majflt: usage.majorPageFault,
			ru_nswap: usage.swappedOut,
			ru_inblock: usage.fsRead,
			ru_oublock: usage.fsWrite,
			ru_msgsnd: usage.ipcSent,
			ru_msgrcv: usage.ipcReceived,
			ru_nsignals: usage.signalsCount,
			ru_nvcsw: usage.voluntaryContextSwitches,
			ru_nivcsw: usage.involuntaryContextSwitches,
		};
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

	/** The real workers are released; mediasoup's subprocess exit comes just after. */
	#releasePool() {
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
