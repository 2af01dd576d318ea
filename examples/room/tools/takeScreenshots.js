#!/usr/bin/env node
'use strict';

/**
 * Regenerates docs/screenshots/room.png and docs/screenshots/monitor.png: a room of three
 * headless Chromium pages (plus a second room of two, so the monitor shows two rooms) on
 * two workers with the 'spread' policy. Prints the framesDecoded each page saw.
 *
 *   node examples/room/tools/takeScreenshots.js
 *
 * Needs Debian's chromium at /usr/bin/chromium; drives it with the helpers beside this file
 * (the e2e tests in __tests__/e2e use them too).
 */

const path = require('node:path');
const fs = require('node:fs');
const { startRoomScenario } = require('./roomScenario');
const { waitFor } = require('./waitFor');
const { openRoomPage, remoteMediaStats, localMediaStats, playingRemoteVideos } = require('./roomPage');

const OUT_DIR = path.join(__dirname, '..', '..', '..', 'docs', 'screenshots');
/** Frames each remote video should have decoded before the picture is taken. */
const FRAMES_BEFORE_SHOT = 150;

async function main() {
	const scenario = await startRoomScenario({ room: 'demo', names: ['alice', 'bob', 'carol'], height: 720 });
	const { server, browser, pages: demo } = scenario;
	try {
		for (const name of ['dora', 'emil']) await openRoomPage(browser.context, server.url, { room: 'standup', name, height: 360 });

		for (const [name, page] of Object.entries(demo)) {
			const stats = await waitFor(() => remoteMediaStats(page), (s) => (
				s.filter((x) => x.kind === 'video').length === 2 && s.every((x) => (x.kind === 'video' ? x.framesDecoded : x.packetsReceived) >= FRAMES_BEFORE_SHOT)
			), { timeoutMs: 120000, message: `${name} to decode ${FRAMES_BEFORE_SHOT} frames per remote video` });
			await waitFor(() => playingRemoteVideos(page), (videos) => videos.length === 2, { message: `${name} to play two videos` });
			const layers = (await localMediaStats(page)).filter((s) => s.kind === 'video' && s.framesEncoded > 0);
			console.log(`${name}: ${stats.filter((s) => s.kind === 'video').map((s) => `${s.displayName} ${s.framesDecoded} frames decoded at ${s.frameWidth}x${s.frameHeight}`).join(', ')}` +
				`; audio packets ${stats.filter((s) => s.kind === 'audio').map((s) => s.packetsReceived).join(', ')}` +
				`; sends ${layers.length} simulcast layers (${layers.map((s) => `${s.rid} ${s.frameWidth}x${s.frameHeight}`).join(', ')})`);
		}

		fs.mkdirSync(OUT_DIR, { recursive: true });
		await demo.alice.bringToFront();
		await demo.alice.screenshot({ path: path.join(OUT_DIR, 'room.png') });

		const monitor = await browser.context.newPage();
		await monitor.setViewportSize({ width: 1280, height: 900 });
		await monitor.goto(`${server.url}/monitor`);
		await waitFor(() => monitor.$$eval('svg .pipe', (pipes) => pipes.length), (count) => count > 0, { message: 'the monitor to draw pipes' });
		// Let the CPU meters settle on a few samples.
		await new Promise((resolve) => setTimeout(resolve, 3000));
		await monitor.screenshot({ path: path.join(OUT_DIR, 'monitor.png'), fullPage: true });
		console.log(`screenshots written to ${path.relative(process.cwd(), OUT_DIR)}/room.png and monitor.png`);
	} finally {
		await scenario.close();
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
