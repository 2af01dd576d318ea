'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

/** Debian's Chromium, headless, with fake camera and microphone that need no click. */
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--use-fake-ui-for-media-stream',
	'--use-fake-device-for-media-stream',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	// Our media ports listen on 127.0.0.1 only; Chromium skips loopback candidates without this.
	'--allow-loopback-in-peer-connection',
];

/**
 * Launches Chromium with a fresh profile directory. Resolves to `{ context, close() }`;
 * `close()` ends the browser and removes the profile.
 */
async function launchChromium() {
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mafalda-e2e-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 1280, height: 800 },
	});
	return {
		context,
		async close() {
			await context.close().catch(() => {});
			fs.rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}

module.exports = { launchChromium, CHROMIUM_ARGS };
