'use strict';

/**
 * mafalda-sfu: one mediasoup-shaped Router that spreads itself over every CPU core.
 *
 *   const { Mafalda } = require('mafalda-sfu');
 *   const mafalda = new Mafalda({ maxWorkers: 4 });
 *   const router = await mafalda.createRouter({ mediaCodecs });
 */

const { Mafalda } = require('./lib/Mafalda');
const { MafaldaRouter } = require('./lib/Router');
const { NativeObject } = require('./lib/NativeObject');
const { Transport } = require('./lib/Transport');
const { WebRtcTransport } = require('./lib/WebRtcTransport');
const { WebRtcServer } = require('./lib/WebRtcServer');
const { PlainTransport } = require('./lib/PlainTransport');
const { PipeTransport } = require('./lib/PipeTransport');
const { DirectTransport } = require('./lib/DirectTransport');
const { Producer } = require('./lib/Producer');
const { Consumer } = require('./lib/Consumer');
const { DataProducer } = require('./lib/DataProducer');
const { DataConsumer } = require('./lib/DataConsumer');
const { RtpObserver } = require('./lib/RtpObserver');
const { AudioLevelObserver } = require('./lib/AudioLevelObserver');
const { ActiveSpeakerObserver } = require('./lib/ActiveSpeakerObserver');
const { UnsupportedError, InvalidStateError } = require('./lib/errors');
const { version } = require('./package.json');
const { binding } = require('./lib/native');

/** `{ openssl, libuv, libsrtp, libsrtpCrypto }`: the versions the mediasoup worker runs on (and the crypto library under libsrtp), read from this process. */
function nativeVersions() {
	return binding.nativeVersions();
}

const types = { UnsupportedError, InvalidStateError, MafaldaRouter };

module.exports = {
	Mafalda,
	MafaldaRouter,
	NativeObject,
	Transport,
	WebRtcTransport,
	WebRtcServer,
	PlainTransport,
	PipeTransport,
	DirectTransport,
	Producer,
	Consumer,
	DataProducer,
	DataConsumer,
	RtpObserver,
	AudioLevelObserver,
	ActiveSpeakerObserver,
	UnsupportedError,
	InvalidStateError,
	types,
	version,
	nativeVersions,
};
