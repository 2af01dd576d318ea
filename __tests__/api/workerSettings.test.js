'use strict';

/**
 * mediasoup's createWorker(settings) and worker.updateSettings() argument checks
 * (lib/workerSettings.js) through the mediasoup-shaped module, and DTLS certificate
 * files that a worker really uses.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const mediasoup = require('../../mediasoup');

const workers = [];

afterEach(() => {
	for (const worker of workers.splice(0)) worker.close();
});

async function createWorker(settings) {
	const worker = await mediasoup.createWorker(settings);
	workers.push(worker);
	return worker;
}

describe('createWorker() settings', () => {
	const readable = __filename;

	test.each([
		['settings that are null', null, 'settings must be an object'],
		['settings that are a string', 'warn', 'settings must be an object'],
		['an unknown logLevel', { logLevel: 'verbose' }, 'invalid logLevel "verbose"'],
		['logTags that are not an array', { logTags: 'rtp' }, 'if given, logTags must be an array'],
		['an unknown logTag', { logTags: ['rtp', 'everything'] }, 'invalid logTag "everything"'],
		['an rtcMinPort above 65535', { rtcMinPort: 70000 }, 'rtcMinPort must be an integer between 0 and 65535'],
		['a fractional rtcMaxPort', { rtcMaxPort: 2000.5 }, 'rtcMaxPort must be an integer between 0 and 65535'],
		['rtcMinPort above rtcMaxPort', { rtcMinPort: 3000, rtcMaxPort: 2000 }, 'rtcMinPort must not be greater than rtcMaxPort'],
		['a dtlsCertificateFile that is not a string', { dtlsCertificateFile: 5, dtlsPrivateKeyFile: readable },
			'if given, dtlsCertificateFile must be a string'],
		['a dtlsPrivateKeyFile that is not a string', { dtlsCertificateFile: readable, dtlsPrivateKeyFile: {} },
			'if given, dtlsPrivateKeyFile must be a string'],
		['a dtlsCertificateFile that does not exist', { dtlsCertificateFile: '/nonexistent/cert.pem', dtlsPrivateKeyFile: readable },
			'dtlsCertificateFile cannot be read: /nonexistent/cert.pem'],
		['a certificate without its key', { dtlsCertificateFile: readable }, 'dtlsCertificateFile and dtlsPrivateKeyFile must be given together'],
		['a key without its certificate', { dtlsPrivateKeyFile: readable }, 'dtlsCertificateFile and dtlsPrivateKeyFile must be given together'],
		['libwebrtcFieldTrials that are not a string', { libwebrtcFieldTrials: ['WebRTC-Bwe-AlrLimitedBackoff/Enabled/'] },
			'if given, libwebrtcFieldTrials must be a string'],
		['appData that is an array', { appData: [] }, 'if given, appData must be an object'],
	])('%s: TypeError', async (_what, settings, message) => {
		const onNewWorker = jest.fn();
		mediasoup.observer.on('newworker', onNewWorker);
		try {
			await expect(mediasoup.createWorker(settings)).rejects.toThrow(new TypeError(message));
			expect(onNewWorker).not.toHaveBeenCalled();
		} finally {
			mediasoup.observer.off('newworker', onNewWorker);
		}
	});

	test('a NaN port (Number() of an unset variable) is ignored, as mediasoup 3.14 does', async () => {
		const worker = await createWorker({ rtcMinPort: Number(undefined), rtcMaxPort: Number(undefined), logTags: ['ice', 'dtls'] });
		const router = await worker.createRouter();
		const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
		expect(transport.tuple.localPort).toBeGreaterThanOrEqual(10000);
		expect(transport.tuple.localPort).toBeLessThanOrEqual(59999);
	});

	test('a given port range is where transports listen', async () => {
		const worker = await createWorker({ rtcMinPort: 41000, rtcMaxPort: 41050 });
		const router = await worker.createRouter();
		const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
		expect(transport.tuple.localPort).toBeGreaterThanOrEqual(41000);
		expect(transport.tuple.localPort).toBeLessThanOrEqual(41050);
	});

	test('the DTLS certificate given is the one transports offer (its fingerprint)', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mafalda-dtls-'));
		try {
			const cert = path.join(dir, 'cert.pem');
			const key = path.join(dir, 'key.pem');
			execFileSync('openssl', [
				'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
				'-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=mafalda-test',
			], { stdio: 'ignore' });
			const expected = new crypto.X509Certificate(fs.readFileSync(cert)).fingerprint256;
			const worker = await createWorker({ dtlsCertificateFile: cert, dtlsPrivateKeyFile: key });
			const router = await worker.createRouter();
			const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
			const sha256 = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256');
			expect(sha256.value).toBe(expected);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('worker.updateSettings()', () => {
	test.each([
		[{ logLevel: 'loud' }, 'invalid logLevel "loud"'],
		[{ logTags: 'ice' }, 'if given, logTags must be an array'],
		[{ logTags: [1] }, 'invalid logTag "1"'],
	])('%j: TypeError', async (settings, message) => {
		const worker = await createWorker({ logLevel: 'warn' });
		await expect(worker.updateSettings(settings)).rejects.toThrow(new TypeError(message));
	});

});
