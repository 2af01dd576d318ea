'use strict';

/**
 * A real DTLS handshake with a WebRtcTransport (lib/WebRtcTransport.js): headless
 * Chromium (Debian's, as the e2e tests use) opens a data channel to it with a
 * hand-written SDP answer.
 *
 * dtlsRemoteCert stays undefined: the mediasoup crate (0.33.1, router/webrtc_transport.rs,
 * its DtlsStateChange notification parser) drops the certificate the worker sends
 * (`dtls_remote_cert: None`), where mediasoup 3.14 gives the browser's PEM. When the
 * crate passes it on, this test fails: then expect the PEM whose sha-256 fingerprint is
 * the one the browser's offer announced.
 */

const { launchChromium } = require('../../examples/room/tools/chromium');
const { Mafalda } = require('../..');
const { waitFor } = require('../helpers/rtp');

jest.setTimeout(60000);

/** The SDP answer of an ICE-lite, DTLS-passive mediasoup endpoint to the browser's data channel offer. */
function answerSdp(offer, transport) {
	const mid = /^a=mid:(\S+)/m.exec(offer)[1];
	const { usernameFragment, password } = transport.iceParameters;
	const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256');
	const candidate = transport.iceCandidates[0];
	return [
		'v=0',
		'o=- 1 1 IN IP4 127.0.0.1',
		's=-',
		't=0 0',
		'a=ice-lite',
		`a=group:BUNDLE ${mid}`,
		'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
		'c=IN IP4 127.0.0.1',
		`a=mid:${mid}`,
		`a=ice-ufrag:${usernameFragment}`,
		`a=ice-pwd:${password}`,
		`a=fingerprint:sha-256 ${fingerprint.value}`,
		'a=setup:passive',
		`a=sctp-port:${transport.sctpParameters.port}`,
		`a=max-message-size:${transport.sctpParameters.maxMessageSize}`,
		`a=candidate:${candidate.foundation} 1 udp ${candidate.priority} ${candidate.address} ${candidate.port} typ host`,
		'a=end-of-candidates',
		'',
	].join('\r\n');
}

describe('DTLS with a browser', () => {
	const ctx = {};

	beforeAll(async () => {
		ctx.browser = await launchChromium();
		ctx.page = await ctx.browser.context.newPage();
		ctx.mafalda = new Mafalda({ maxWorkers: 1 });
		ctx.router = await ctx.mafalda.createRouter();
	}, 60000);

	afterAll(async () => {
		ctx.mafalda?.close();
		await ctx.browser?.close();
	});

	test('DTLS connects (the browser is the client): states, selected tuple, SCTP and the data channel open', async () => {
		const transport = await ctx.router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], enableSctp: true });
		const dtlsStates = [];
		transport.on('dtlsstatechange', (state) => dtlsStates.push(state));
		expect(transport.dtlsRemoteCert).toBeUndefined();

		const offer = await ctx.page.evaluate(async () => {
			const pc = new RTCPeerConnection();
			window.pc = pc;
			window.channel = pc.createDataChannel('chat');
			await pc.setLocalDescription(await pc.createOffer());
			return pc.localDescription.sdp;
		});
		const browserFingerprint = /^a=fingerprint:sha-256 (\S+)/m.exec(offer)[1];
		// The browser is the DTLS client (our answer says passive).
		await transport.connect({ dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: browserFingerprint }] } });
		await ctx.page.evaluate((sdp) => window.pc.setRemoteDescription({ type: 'answer', sdp }), answerSdp(offer, transport));

		await waitFor(() => transport.dtlsState === 'connected', { timeoutMs: 20000 });
		expect(dtlsStates).toEqual(['connecting', 'connected']);
		// Read from the worker's data once connected: none, see above (not null: undefined, as 3.14 without one).
		expect(transport.dtlsRemoteCert).toBeUndefined();
		expect(transport._native.data().dtlsRemoteCert).toBeNull();
		expect(['connected', 'completed']).toContain(transport.iceState);
		expect(transport.iceSelectedTuple).toMatchObject({ localAddress: '127.0.0.1', remoteIp: '127.0.0.1', protocol: 'udp' });
		await waitFor(() => transport.sctpState === 'connected', { timeoutMs: 20000 });
		expect(transport.sctpState).toBe('connected');
		expect(await ctx.page.evaluate(() => window.channel.readyState)).toBe('open');

		transport.close();
		expect(transport.dtlsState).toBe('closed');
	});
});
