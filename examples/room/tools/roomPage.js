'use strict';

/** Reads what the room page exposes on `window.mafaldaRoom`, from the Playwright side. */

/** Opens `/?room=…&name=…` in a new tab; the page joins and publishes at once. */
async function openRoomPage(context, baseUrl, { room, name, height = 360 }) {
	const page = await context.newPage();
	page.on('pageerror', (error) => console.warn(`[${name}] page error: ${error.message}`));
	const query = new URLSearchParams({ room, name, height: String(height) });
	await page.goto(`${baseUrl}/?${query}`);
	return page;
}

/**
 * Waits until the page has joined (both its transports exist) and resolves with its
 * state; rejects if joining failed.
 */
async function waitUntilJoined(page, { timeoutMs = 60000 } = {}) {
	await page.waitForFunction(() => window.mafaldaRoom && window.mafaldaRoom.state !== 'idle' && window.mafaldaRoom.state !== 'connecting', null, { timeout: timeoutMs, polling: 250 });
	const state = await roomState(page);
	if (state.state !== 'joined') throw new Error(`joining failed: ${JSON.stringify(state)}`);
	return state;
}

/** Per remote track: `{ consumerId, peerId, displayName, kind, framesDecoded, packetsReceived }`. */
function remoteMediaStats(page) {
	return page.evaluate(() => window.mafaldaRoom.remoteMediaStats());
}

/** Per sent RTP stream (one per simulcast layer). */
function localMediaStats(page) {
	return page.evaluate(() => window.mafaldaRoom.localMediaStats());
}

/** Per transport (send, recv): the SRTP and DTLS ciphers the browser negotiated. */
function transportSecurity(page) {
	return page.evaluate(() => window.mafaldaRoom.transportSecurity());
}

function roomState(page) {
	return page.evaluate(() => ({
		state: window.mafaldaRoom.state,
		errors: window.mafaldaRoom.errors,
		closedConsumers: window.mafaldaRoom.closedConsumers,
	}));
}

/** The remote <video> elements that are playing: `[{ consumerId, width, height }]`. */
function playingRemoteVideos(page) {
	return page.$$eval('video.remote-video', (videos) => videos
		.filter((video) => !video.paused && video.readyState >= 2 && video.videoWidth > 0)
		.map((video) => ({ consumerId: video.dataset.consumerId, width: video.videoWidth, height: video.videoHeight })));
}

/**
 * Whether every one of `peerCount` other participants sends this page audio and video
 * that arrive: at least `growth` video frames decoded and audio packets received beyond
 * `baseline[consumerId]` (0 without a baseline).
 */
function mediaFlowsFromAll(stats, peerCount, { baseline = {}, growth = 1 } = {}) {
	const video = stats.filter((s) => s.kind === 'video');
	const audio = stats.filter((s) => s.kind === 'audio');
	return video.length === peerCount && audio.length === peerCount
		&& new Set(video.map((s) => s.peerId)).size === peerCount
		&& new Set(audio.map((s) => s.peerId)).size === peerCount
		&& video.every((s) => s.framesDecoded >= (baseline[s.consumerId] ?? 0) + growth)
		&& audio.every((s) => s.packetsReceived >= (baseline[s.consumerId] ?? 0) + growth);
}

/** `consumerId → count` to measure growth against: frames decoded (video), packets received (audio). */
function mediaCounters(stats) {
	return Object.fromEntries(stats.map((s) => [s.consumerId, s.kind === 'video' ? s.framesDecoded : s.packetsReceived]));
}

module.exports = { openRoomPage, waitUntilJoined, remoteMediaStats, localMediaStats, transportSecurity, roomState, playingRemoteVideos, mediaFlowsFromAll, mediaCounters };
