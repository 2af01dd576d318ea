'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { call, callSync } = require('./native');
const { checkAppData, checkAppDataValue, clone } = require('./validate');
const { WebRtcTransport } = require('./WebRtcTransport');
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

/**
 * MafaldaRouter: behaves as one mediasoup Router while its transports live on
 * several workers. Placement and cross-worker piping happen in the native core.
 */
class MafaldaRouter extends EnhancedEventEmitter {
	#native;
	#registry;
	#closed = false;
	#appData;
	#rtpCapabilities;
	#transports = new Map();
	#producers = new Map();
	#dataProducers = new Map();
	#rtpObservers = new Map();
	/** `${routerId}` → Promise<[localPipeTransport, remotePipeTransport]> for pipeToRouter(). */
	#pipeTransportPairs = new Map();
	#observer = new EnhancedEventEmitter();

	constructor({ native, registry, appData }) {
		super();
		this.#native = native;
		this.#registry = registry;
		this.#appData = appData || {};
		this.#rtpCapabilities = native.rtpCapabilities;
		registry.add(native.handle, this);
	}

	get id() { return this.#native.id; }
	get closed() { return this.#closed; }
	get rtpCapabilities() { return this.#rtpCapabilities; }
	get appData() { return this.#appData; }
	set appData(appData) { checkAppDataValue(appData); this.#appData = appData; }
	get observer() { return this.#observer; }
	get transportsForTesting() { return this.#transports; }

	close() {
		if (this.#closed) return;
		this.#native.close();
		this.#closeAll();
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/** Mafalda (the worker pool) closed: event `workerclose`. */
	workerClosed() {
		if (this.#closed) return;
		this.#native.close();
		this.#closeAll();
		this.safeEmit('workerclose');
		this.#observer.safeEmit('close');
	}

	#closeAll() {
		this.#closed = true;
		this.#registry.remove(this.#native.handle);
		for (const transport of this.#transports.values()) transport.routerClosed();
		this.#transports.clear();
		this.#producers.clear();
		for (const rtpObserver of this.#rtpObservers.values()) rtpObserver.routerClosed();
		this.#rtpObservers.clear();
		this.#dataProducers.clear();
		this.#pipeTransportPairs.clear();
	}

	async dump() {
		this.#checkOpen();
		return call(this.#native.dump());
	}

	async createWebRtcTransport(options = {}) {
		const { webRtcServer, listenInfos, listenIps, numSctpStreams, appData } = options;
		if (!webRtcServer && !Array.isArray(listenInfos) && !Array.isArray(listenIps)) {
			throw new TypeError('missing webRtcServer, listenInfos and listenIps (one of them is mandatory)');
		}
		if (webRtcServer && listenInfos && listenIps) {
			throw new TypeError('only one of webRtcServer, listenInfos and listenIps must be given');
		}
		checkNumSctpStreams(numSctpStreams);
		checkAppData(appData);
		return this.#createTransport(WebRtcTransport, 'createWebRtcTransport', options);
	}

	async createPlainTransport(options = {}) {
		const { listenInfo, listenIp, numSctpStreams, appData } = options;
		if (!listenInfo && !listenIp) throw new TypeError('missing listenInfo and listenIp (one of them is mandatory)');
		if (listenInfo && listenIp) throw new TypeError('only one of listenInfo and listenIp must be given');
		checkNumSctpStreams(numSctpStreams);
		checkAppData(appData);
		return this.#createTransport(PlainTransport, 'createPlainTransport', options);
	}

	async createPipeTransport(options = {}) {
		const { listenInfo, listenIp, numSctpStreams, appData } = options;
		if (!listenInfo && !listenIp) throw new TypeError('missing listenInfo and listenIp (one of them is mandatory)');
		if (listenInfo && listenIp) throw new TypeError('only one of listenInfo and listenIp must be given');
		checkNumSctpStreams(numSctpStreams);
		checkAppData(appData);
		return this.#createTransport(PipeTransport, 'createPipeTransport', options);
	}

	async createDirectTransport(options = { maxMessageSize: 262144 }) {
		const { maxMessageSize = 262144, appData } = options;
		if (typeof maxMessageSize !== 'number' || maxMessageSize < 0) {
			throw new TypeError('if given, maxMessageSize must be a positive number');
		}
		checkAppData(appData);
		return this.#createTransport(DirectTransport, 'createDirectTransport', { maxMessageSize });
	}

	async #createTransport(TransportClass, method, options) {
		this.#checkOpen();
		const { appData, ...nativeOptions } = options;
		const native = await call(this.#native[method](clone(nativeOptions)));
		if (this.#closed) {
			native.close();
			throw new InvalidStateError('Router closed');
		}
		const transport = new TransportClass({
			native,
			registry: this.#registry,
			appData,
			getProducerById: (id) => this.#producers.get(id),
			getDataProducerById: (id) => this.#dataProducers.get(id),
		});
		this.#transports.set(transport.id, transport);
		transport.on('@close', () => this.#transports.delete(transport.id));
		transport.on('@newproducer', (producer) => this.#producers.set(producer.id, producer));
		transport.on('@producerclose', (producer) => this.#producers.delete(producer.id));
		transport.on('@newdataproducer', (dataProducer) => this.#dataProducers.set(dataProducer.id, dataProducer));
		transport.on('@dataproducerclose', (dataProducer) => this.#dataProducers.delete(dataProducer.id));
		this.#observer.safeEmit('newtransport', transport);
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
		this.#checkOpen();
		const native = await call(this.#native[method](options));
		const rtpObserver = new ObserverClass({
			native,
			registry: this.#registry,
			appData,
			getProducerById: (id) => this.#producers.get(id),
		});
		this.#rtpObservers.set(rtpObserver.id, rtpObserver);
		rtpObserver.on('@close', () => this.#rtpObservers.delete(rtpObserver.id));
		this.#observer.safeEmit('newrtpobserver', rtpObserver);
		return rtpObserver;
	}

	canConsume({ producerId, rtpCapabilities } = {}) {
		if (!this.#producers.has(producerId)) return false;
		try {
			return callSync(() => this.#native.canConsume(producerId, clone(rtpCapabilities)));
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
		if (router === this) throw new TypeError('cannot use this Router as destination');
		const producer = producerId && this.#producers.get(producerId);
		const dataProducer = dataProducerId && this.#dataProducers.get(dataProducerId);
		if (producerId && !producer) throw new TypeError('Producer not found');
		if (dataProducerId && !dataProducer) throw new TypeError('DataProducer not found');
		this.#checkOpen();

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
			pipeConsumer.observer.on('pause', () => pipeProducer.pause().catch(() => {}));
			pipeConsumer.observer.on('resume', () => pipeProducer.resume().catch(() => {}));
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

	/** One in-flight creation per router pair, awaited by every caller. */
	#pipeTransportPair(router, options) {
		let pair = this.#pipeTransportPairs.get(router.id);
		if (pair) return pair;
		pair = (async () => {
			const [local, remote] = await Promise.all([
				this.createPipeTransport(options),
				router.createPipeTransport(options),
			]);
			await Promise.all([
				local.connect({ ip: remote.tuple.localIp, port: remote.tuple.localPort, srtpParameters: remote.srtpParameters }),
				remote.connect({ ip: local.tuple.localIp, port: local.tuple.localPort, srtpParameters: local.srtpParameters }),
			]);
			local.observer.on('close', () => { remote.close(); this.#pipeTransportPairs.delete(router.id); });
			remote.observer.on('close', () => { local.close(); this.#pipeTransportPairs.delete(router.id); });
			return [local, remote];
		})();
		pair.catch(() => this.#pipeTransportPairs.delete(router.id));
		this.#pipeTransportPairs.set(router.id, pair);
		return pair;
	}

	_handleNativeEvent() {}

	#checkOpen() {
		if (this.#closed) throw new InvalidStateError('Router closed');
	}
}

module.exports = { MafaldaRouter };
