'use strict';

const fs = require('node:fs');
const { shown } = require('./validate');

/** Argument checks of mediasoup's `createWorker(settings)` and `worker.updateSettings()`. */

const LOG_LEVELS = ['debug', 'warn', 'error', 'none'];
const LOG_TAGS = [
	'info', 'ice', 'dtls', 'rtp', 'srtp', 'rtcp', 'rtx', 'bwe', 'score', 'simulcast', 'svc', 'sctp', 'message',
];

function checkLogSettings({ logLevel, logTags }) {
	if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
		throw new TypeError(`invalid logLevel "${shown(logLevel)}"`);
	}
	if (logTags !== undefined) {
		if (!Array.isArray(logTags)) throw new TypeError('if given, logTags must be an array');
		const unknown = logTags.find((tag) => !LOG_TAGS.includes(tag));
		if (unknown !== undefined) throw new TypeError(`invalid logTag "${shown(unknown)}"`);
	}
}

function checkPort(name, port) {
	if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
		throw new TypeError(`${name} must be an integer between 0 and 65535`);
	}
}

/** mediasoup 3.14 ignores a NaN port (what `Number(process.env.UNSET)` gives). */
function portSetting(port) {
	return Number.isNaN(port) ? undefined : port;
}

/**
 * Throws a TypeError for what would make a mediasoup worker refuse to start (the
 * real module learns it when the subprocess exits; ours is checked up front).
 */
function checkWorkerSettings(settings) {
	if (settings === null || typeof settings !== 'object') throw new TypeError('settings must be an object');
	const { dtlsCertificateFile, dtlsPrivateKeyFile, libwebrtcFieldTrials } = settings;
	const rtcMinPort = portSetting(settings.rtcMinPort) ?? 10000;
	const rtcMaxPort = portSetting(settings.rtcMaxPort) ?? 59999;
	checkLogSettings(settings);
	checkPort('rtcMinPort', rtcMinPort);
	checkPort('rtcMaxPort', rtcMaxPort);
	if (rtcMinPort > rtcMaxPort) throw new TypeError('rtcMinPort must not be greater than rtcMaxPort');
	for (const [name, file] of [['dtlsCertificateFile', dtlsCertificateFile], ['dtlsPrivateKeyFile', dtlsPrivateKeyFile]]) {
		if (file === undefined) continue;
		if (typeof file !== 'string') throw new TypeError(`if given, ${name} must be a string`);
		try {
			fs.accessSync(file, fs.constants.R_OK);
		} catch {
			throw new TypeError(`${name} cannot be read: ${file}`);
		}
	}
	if ((dtlsCertificateFile === undefined) !== (dtlsPrivateKeyFile === undefined)) {
		throw new TypeError('dtlsCertificateFile and dtlsPrivateKeyFile must be given together');
	}
	if (libwebrtcFieldTrials !== undefined && typeof libwebrtcFieldTrials !== 'string') {
		throw new TypeError('if given, libwebrtcFieldTrials must be a string');
	}
}

/** The part of the settings that shapes the native workers (what a pool is shared by). */
function nativeWorkerSettings({ logLevel, logTags, rtcMinPort, rtcMaxPort, dtlsCertificateFile, dtlsPrivateKeyFile }) {
	return { logLevel, logTags, rtcMinPort: portSetting(rtcMinPort), rtcMaxPort: portSetting(rtcMaxPort), dtlsCertificateFile, dtlsPrivateKeyFile };
}

module.exports = { checkWorkerSettings, checkLogSettings, nativeWorkerSettings };
