'use strict';

/**
 * mafalda-sfu/mediasoup: a drop-in for the `mediasoup` module (3.14 API).
 *
 *   const mediasoup = require('mafalda-sfu/mediasoup');
 *   const worker = await mediasoup.createWorker({ logLevel: 'warn' });
 *   const router = await worker.createRouter({ mediaCodecs }); // a MafaldaRouter
 *
 * Every Worker created with the same native settings shares one Mafalda pool of
 * real mediasoup workers (each a child process by default) and stands for one of
 * them: its `pid`, its `died`.
 * `createMediasoup(poolOptions)` gives another such module whose pools use the
 * given Mafalda options (e.g. `{ policy: 'spread', maxWorkers: 2 }`).
 */

const { EnhancedEventEmitter } = require('./lib/enhancedEvents');
const { UnsupportedError, InvalidStateError } = require('./lib/errors');
const { binding } = require('./lib/native');
const { checkAppData } = require('./lib/validate');
const { checkWorkerSettings, nativeWorkerSettings } = require('./lib/workerSettings');
const { parseScalabilityMode } = require('./lib/scalabilityModes');
const { SharedPools } = require('./lib/SharedPools');
const { Worker } = require('./lib/Worker');
const { MafaldaRouter } = require('./lib/Router');

/** The mediasoup API version this module mirrors. */
const version = '3.14.7';

/** The worker host binary every worker process runs (next to the addon). */
const workerBin = binding.workerHostBinary();

/** mediasoup's `types` holds its classes too (mediasoup.d.ts types every member). */
const classes = require('./index');
const types = {
	UnsupportedError,
	InvalidStateError,
	Worker,
	Router: MafaldaRouter,
	MafaldaRouter,
	WebRtcServer: classes.WebRtcServer,
	Transport: classes.Transport,
	WebRtcTransport: classes.WebRtcTransport,
	PlainTransport: classes.PlainTransport,
	PipeTransport: classes.PipeTransport,
	DirectTransport: classes.DirectTransport,
	Producer: classes.Producer,
	Consumer: classes.Consumer,
	DataProducer: classes.DataProducer,
	DataConsumer: classes.DataConsumer,
	RtpObserver: classes.RtpObserver,
	AudioLevelObserver: classes.AudioLevelObserver,
	ActiveSpeakerObserver: classes.ActiveSpeakerObserver,
};

function getSupportedRtpCapabilities() {
	return binding.supportedRtpCapabilities();
}

function createMediasoup(poolOptions = {}) {
	const pools = new SharedPools(poolOptions);
	const observer = new EnhancedEventEmitter();

	async function createWorker(settings = {}) {
		checkWorkerSettings(settings);
		checkAppData(settings.appData);
		const workerSettings = nativeWorkerSettings(settings);
		const lease = pools.acquire(workerSettings);
		let pinned;
		try {
			pinned = await lease.mafalda._pinWorker();
		} catch (error) {
			lease.release();
			throw error;
		}
		const worker = new Worker({ lease, pinned, settings: { ...workerSettings }, appData: settings.appData });
		observer.safeEmit('newworker', worker);
		return worker;
	}

	return {
		version,
		observer,
		createWorker,
		getSupportedRtpCapabilities,
		parseScalabilityMode,
		workerBin,
		types,
		createMediasoup,
	};
}

module.exports = createMediasoup();
