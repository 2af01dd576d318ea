'use strict';

const { NativeObject } = require('./NativeObject');
const { InvalidStateError, UnsupportedError } = require('./errors');
const { call, callSync } = require('./native');
const { checkAppData, clone } = require('./validate');
const { encodeCodecParameterValues, decodeCodecParameterValues } = require('./codecParameterValues');
const { normalizeListenInfo, listenInfoFromListenIp, listenInfosFromListenIps } = require('./listenInfos');
const { checkCryptoSuite } = require('./srtpParameters');
const { routerDump, appIdsOf } = require('./dumps');
const { WebRtcTransport } = require('./WebRtcTransport');
const { WebRtcServer } = require('./WebRtcServer');
const { PlainTransport } = require('./PlainTransport');
const { PipeTransport } = require('./PipeTransport');
const { DirectTransport } = require('./DirectTransport');
const { AudioLevelObserver } = require('./AudioLevelObserver');
const { ActiveSpeakerObserver } = require('./ActiveSpeakerObserver');

function checkNumSctpStreams(numSctpStreams) {
	if (numSctpStreams && (typeof numSctpStreams.OS !== 'number' || typeof numSctpStreams.MIS !== 'number')) {
		throw new TypeError('if given, numSctpStreams must contain OS and MIS');
	}
}

/** For promises whose failure the caller learns otherwise (or that no longer matter: a closed pipe end). */
function ignoreError() {}

/** The defined options among `keys`. */
function pick(options, keys) {
	return Object.fromEntries(keys.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]));
}

/**
 * MafaldaRouter: behaves as one mediasoup Router while its transports live on
 * several workers. Placement and cross-worker piping happen in the native core.
 */
class MafaldaRouter extends NativeObject {
	#rtpCapabilities;
	#transports = new Map();
	#producers = new Map();
	/** The same producers by the worker's id (observers' events and dumps carry it). */
	#producersByNativeId = new Map();
	#dataProducers = new Map();
	#rtpObservers = new Map();
	/** `${routerId}` → Promise<[localPipeTransport, remotePipeTransport]> for pipeToRouter(). */
	#pipeTransportPairs = new Map();
	#worker;

	/** Whether the pool gives each worker a WebRtcServer (Mafalda's `webRtcServerOptions`). */
	#poolWebRtcServers;

	constructor({ native, registry, appData, poolWebRtcServers }) {
		super({ native, registry, appData, kind: 'Router' });
		this.#poolWebRtcServers = poolWebRtcServers;
		this.#rtpCapabilities = decodeCodecParameterValues(native.rtpCapabilities);
	}

	get id() { return this._native.id; }
	get rtpCapabilities() { return this.#rtpCapabilities; }
	get transportsForTesting() { return this.#transports; }

	close() {
		if (!this._markClosed()) return;
		this._native.close();
		this.#closeAll();
		this.emit('@close');
		this.observer.safeEmit('close');
	}

	/** Mafalda (the worker pool) closed: event `workerclose`. */
	workerClosed() {
		if (!this._markClosed()) return;
		this._native.close();
		this.#closeAll();
		this.safeEmit('workerclose');
		this.observer.safeEmit('close');
	}

	/** Its transports and observers close with `routerclose`. */
	#closeAll() {
		for (const transport of this.#transports.values()) transport.routerClosed();
		this.#transports.clear();
		this.#producers.clear();
		this.#producersByNativeId.clear();
		for (const rtpObserver of this.#rtpObservers.values()) rtpObserver.routerClosed();
		this.#rtpObservers.clear();
		this.#dataProducers.clear();
		this.#pipeTransportPairs.clear();
	}

	async dump() {
		this._checkOpen();
		const dump = routerDump(await call(this._native.dump()));
		// Producers and data producers may have an app id other than the worker's (see Producer, DataProducer).
		const appId = appIdsOf([...this.#producers.values(), ...this.#dataProducers.values()]);
		dump.mapProducerIdConsumerIds = dump.mapProducerIdConsumerIds?.map(({ key, values }) => ({ key: appId(key), values }));
		dump.mapConsumerIdProducerId = dump.mapConsumerIdProducerId?.map(({ key, value }) => ({ key, value: appId(value) }));
		dump.mapProducerIdObserverIds = dump.mapProducerIdObserverIds?.map(({ key, values }) => ({ key: appId(key), values }));
		dump.mapDataProducerIdDataConsumerIds = dump.mapDataProducerIdDataConsumerIds.map(({ key, values }) => ({ key: appId(key), values }));
		dump.mapDataConsumerIdDataProducerId = dump.mapDataConsumerIdDataProducerId.map(({ key, value }) => ({ key, value: appId(value) }));
		return dump;
	}

	async createWebRtcTransport(options = {}) {
		const { webRtcServer, listenIps, numSctpStreams, appData, enableUdp, enableTcp, preferUdp = false, preferTcp = false } = options;
		let { listenInfos } = options;
		const usePoolServer = !webRtcServer && !listenInfos && !listenIps && this.#poolWebRtcServers;
		if (!webRtcServer && !Array.isArray(listenInfos) && !Array.isArray(listenIps) && !usePoolServer) {
			throw new TypeError('missing webRtcServer, listenInfos and listenIps (one of them is mandatory)');
		}
		if (webRtcServer && listenInfos && listenIps) {
			throw new TypeError('only one of webRtcServer, listenInfos and listenIps must be given');
		}
		checkNumSctpStreams(numSctpStreams);
		checkAppData(appData);
		if (webRtcServer && !(webRtcServer instanceof WebRtcServer)) throw new TypeError('webRtcServer must be a WebRtcServer');
		if (webRtcServer?.closed) throw new InvalidStateError('WebRtcServer closed');
		const nativeOptions = pick(options, [
			'enableSctp', 'maxSctpMessageSize', 'sctpSendBufferSize', 'initialAvailableOutgoingBitrate', 'iceConsentTimeout',
		]);
		if (webRtcServer || usePoolServer) {
			Object.assign(nativeOptions, pick(options, ['enableUdp', 'enableTcp', 'preferUdp', 'preferTcp']));
		} else {
			listenInfos ??= listenInfosFromListenIps(listenIps, { enableUdp, enableTcp, preferUdp, preferTcp, port: options.port });
			if (listenInfos.length === 0) throw new TypeError('empty listenInfos');
			nativeOptions.listenInfos = listenInfos.map((info) => normalizeListenInfo(info));
		}
		const transport = await this.#createTransport(
			WebRtcTransport,
			() => this._native.createWebRtcTransport(clone(nativeOptions), webRtcServer?._native),
			{ appData }
		);
		webRtcServer?._handleWebRtcTransport(transport);
		return transport;
	}

	async createPlainTransport(options = {}) {
		const { listenInfo, listenIp, rtcpListenInfo, numSctpStreams, appData } = options;
		if (!listenInfo && !listenIp) throw new TypeError('missing listenInfo and listenIp (one of them is mandatory)');
		if (listenInfo && listenIp) throw new TypeError('only one of listenInfo and listenIp must be given');
		checkNumSctpStreams(numSctpStreams);
		checkAppData(appData);
		const info = normalizeListenInfo(listenInfo ?? listenInfoFromListenIp(listenIp, options.port), { udpOnly: true });
		if (options.srtpCryptoSuite !== undefined) checkCryptoSuite(options.srtpCryptoSuite);
		const { rtcpMux = true } = options;
		const rtcpInfo = rtcpListenInfo && !rtcpMux ? normalizeListenInfo(rtcpListenInfo, { udpOnly: true }) : undefined;
		const nativeOptions = {
			...pick(options, ['comedia', 'enableSctp', 'maxSctpMessageSize', 'sctpSendBufferSize', 'enableSrtp', 'srtpCryptoSuite']),
			rtcpMux,
			listenInfo: info,
			rtcpListenInfo: rtcpInfo,
		};
		return this.#createTransport(PlainTransport, () => this._native.createPlainTransport(clone(nativeOptions)), {
			appData,
			options: { comedia: Boolean(options.comedia), rtcpMux, enableSrtp: Boolean(options.enableSrtp) },
		});
	}

	async createPipeTransport(options = {}) {
		const { listenInfo, listenIp, numSctpStreams, appData } = options;
		if (!listenInfo && !listenIp) throw new TypeError('missing listenInfo and listenIp (one of them is mandatory)');
		if (listenInfo && listenIp) throw new TypeError('only one of listenInfo and listenIp must be given');
		checkNumSctpStreams(numSctpStreams);
		checkAppData(appData);
		const info = normalizeListenInfo(listenInfo ?? listenInfoFromListenIp(listenIp, options.port), { udpOnly: true });
		const nativeOptions = {
			...pick(options, ['enableSctp', 'maxSctpMessageSize', 'sctpSendBufferSize', 'enableRtx', 'enableSrtp']),
			listenInfo: info,
		};
		return this.#createTransport(PipeTransport, () => this._native.createPipeTransport(clone(nativeOptions)), {
			appData,
			options: { enableSrtp: Boolean(options.enableSrtp) },
		});
	}

	async createDirectTransport(options = { maxMessageSize: 262144 }) {
		const { maxMessageSize = 262144, appData } = options;
		if (typeof maxMessageSize !== 'number' || maxMessageSize < 0) {
			throw new TypeError('if given, maxMessageSize must be a positive number');
		}
		checkAppData(appData);
		return this.#createTransport(DirectTransport, () => this._native.createDirectTransport(clone({ maxMessageSize })), { appData });
	}

	/** `create()` makes the native transport. */
	async #createTransport(TransportClass, create, { appData, options }) {
		this._checkOpen();
		const native = await call(create());
		if (this.closed) {
			native.close();
			throw new InvalidStateError('Router closed');
		}
		const transport = new TransportClass({
			native,
			registry: this._registry,
			appData,
			options,
			getProducerById: (id) => this.#producers.get(id),
			getDataProducerById: (id) => this.#dataProducers.get(id),
		});
		this.#transports.set(transport.id, transport);
		transport.on('@close', () => this.#transports.delete(transport.id));
		transport.on('@newproducer', (producer) => {
			this.#producers.set(producer.id, producer);
			this.#producersByNativeId.set(producer._nativeId, producer);
		});
		transport.on('@producerclose', (producer) => {
			this.#producers.delete(producer.id);
			this.#producersByNativeId.delete(producer._nativeId);
		});
		transport.on('@newdataproducer', (dataProducer) => this.#dataProducers.set(dataProducer.id, dataProducer));
		transport.on('@dataproducerclose', (dataProducer) => this.#dataProducers.delete(dataProducer.id));
		this.observer.safeEmit('newtransport', transport);
		return transport;
	}

	async createAudioLevelObserver({ maxEntries = 1, threshold = -80, interval = 1000, appData } = {}) {
		checkAppData(appData);
		return this.#createRtpObserver(AudioLevelObserver, 'createAudioLevelObserver', { maxEntries, threshold, interval }, appData);
	}

	async createActiveSpeakerObserver({ interval = 300, appData } = {}) {
		checkAppData(appData);
		return this.#createRtpObserver(ActiveSpeakerObserver, 'createActiveSpeakerObserver', { interval }, appData);
	}

	async #createRtpObserver(ObserverClass, method, options, appData) {
		this._checkOpen();
		const native = await call(this._native[method](clone(options)));
		const rtpObserver = new ObserverClass({
			native,
			registry: this._registry,
			appData,
			getProducerById: (id) => this.#producers.get(id),
			getProducerByNativeId: (id) => this.#producersByNativeId.get(id),
		});
		this.#rtpObservers.set(rtpObserver.id, rtpObserver);
		rtpObserver.on('@close', () => this.#rtpObservers.delete(rtpObserver.id));
		this.observer.safeEmit('newrtpobserver', rtpObserver);
		return rtpObserver;
	}

	canConsume({ producerId, rtpCapabilities } = {}) {
		const producer = this.#producers.get(producerId);
		if (!producer) return false;
		try {
			return callSync(() => this._native.canConsume(producer._nativeId, encodeCodecParameterValues(clone(rtpCapabilities))));
		} catch {
			return false;
		}
	}

	/**
	 * Pipes a producer (or data producer) of this router into another router of this
	 * process, as mediasoup's `router.pipeToRouter()`: one PipeTransport pair per
	 * router pair, reused.
	 */
	async pipeToRouter({
		producerId,
		dataProducerId,
		router,
		listenInfo,
		listenIp,
		enableSctp = true,
		numSctpStreams = { OS: 1024, MIS: 1024 },
		enableRtx = false,
		enableSrtp = false,
	} = {}) {
		if (!producerId && !dataProducerId) throw new TypeError('missing producerId or dataProducerId');
		if (producerId && dataProducerId) throw new TypeError('just producerId or dataProducerId can be given');
		if (!router) throw new TypeError('Router not found');
		if (!(router instanceof MafaldaRouter)) throw new TypeError('router must be a Router');
		if (router === this) throw new TypeError('cannot use this Router as destination');
		if (router.closed) throw new InvalidStateError('destination Router closed');
		// As in mediasoup, a worker holds each producer id once: no piping inside one Worker.
		if (this.#worker && this.#worker === router._worker) {
			throw new Error('cannot pipe to a Router of the same Worker (a piped producer keeps its id)');
		}
		const producer = producerId && this.#producers.get(producerId);
		const dataProducer = dataProducerId && this.#dataProducers.get(dataProducerId);
		if (producerId && !producer) throw new TypeError('Producer not found');
		if (dataProducerId && !dataProducer) throw new TypeError('DataProducer not found');
		this._checkOpen();

		const listen = listenInfo ? { listenInfo } : { listenIp: listenIp ?? '127.0.0.1' };
		const [local, remote] = await this.#pipeTransportPair(router, { ...listen, enableSctp, numSctpStreams, enableRtx, enableSrtp });

		if (producer) {
			let pipeConsumer;
			let pipeProducer;
			try {
				pipeConsumer = await local.consume({ producerId });
				pipeProducer = await remote.produce({
					id: producer.id,
					kind: pipeConsumer.kind,
					rtpParameters: pipeConsumer.rtpParameters,
					paused: pipeConsumer.producerPaused,
					appData: producer.appData,
				});
			} catch (error) {
				pipeConsumer?.close();
				throw error;
			}
			if (producer.closed) {
				pipeConsumer.close();
				pipeProducer.close();
				throw new InvalidStateError('original Producer closed');
			}
			pipeConsumer.observer.on('close', () => pipeProducer.close());
			pipeConsumer.observer.on('pause', () => pipeProducer.pause().catch(ignoreError));
			pipeConsumer.observer.on('resume', () => pipeProducer.resume().catch(ignoreError));
			pipeProducer.observer.on('close', () => pipeConsumer.close());
			return { pipeConsumer, pipeProducer };
		}

		let pipeDataConsumer;
		let pipeDataProducer;
		try {
			pipeDataConsumer = await local.consumeData({ dataProducerId });
			pipeDataProducer = await remote.produceData({
				id: dataProducer.id,
				sctpStreamParameters: pipeDataConsumer.sctpStreamParameters,
				label: pipeDataConsumer.label,
				protocol: pipeDataConsumer.protocol,
				appData: dataProducer.appData,
			});
		} catch (error) {
			pipeDataConsumer?.close();
			throw error;
		}
		pipeDataConsumer.observer.on('close', () => pipeDataProducer.close());
		pipeDataProducer.observer.on('close', () => pipeDataConsumer.close());
		return { pipeDataConsumer, pipeDataProducer };
	}

	/**
	 * One in-flight creation per router pair, awaited by every caller; the destination
	 * router gets the same pair (reversed), so that piping back reuses it.
	 */
	#pipeTransportPair(router, options) {
		let pair = this.#pipeTransportPairs.get(router.id);
		if (pair) return pair;
		const forget = () => {
			this.#pipeTransportPairs.delete(router.id);
			router._forgetPipeTransportPair(this.id);
		};
		pair = (async () => {
			const [local, remote] = await Promise.all([
				this.createPipeTransport(options),
				router.createPipeTransport(options),
			]);
			await Promise.all([
				local.connect({ ip: remote.tuple.localIp, port: remote.tuple.localPort, srtpParameters: remote.srtpParameters }),
				remote.connect({ ip: local.tuple.localIp, port: local.tuple.localPort, srtpParameters: local.srtpParameters }),
			]);
			local.observer.on('close', () => { remote.close(); forget(); });
			remote.observer.on('close', () => { local.close(); forget(); });
			return [local, remote];
		})();
		pair.catch(forget);
		this.#pipeTransportPairs.set(router.id, pair);
		router._addPipeTransportPair(this.id, pair.then(([local, remote]) => [remote, local]));
		return pair;
	}

	/**
	 * The pipe pair `router` made towards this router, seen from here. This side has
	 * none towards it: `router` would have found and reused it.
	 */
	_addPipeTransportPair(routerId, pair) {
		pair.catch(ignoreError);
		this.#pipeTransportPairs.set(routerId, pair);
	}

	_forgetPipeTransportPair(routerId) {
		this.#pipeTransportPairs.delete(routerId);
	}

	/** The mediasoup-shaped Worker this router was created by, if any. */
	get _worker() { return this.#worker; }

	_setWorker(worker) {
		this.#worker = worker;
	}
}

module.exports = { MafaldaRouter };
