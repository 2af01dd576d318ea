'use strict';

const { startRoomServerProcess } = require('./roomServerProcess');
const { launchChromium } = require('./chromium');
const { openRoomPage, waitUntilJoined } = require('./roomPage');

/** Two workers and the 'spread' policy: send and receive transports land on different workers. */
const TWO_SPREAD_WORKERS = ['--max-workers', '2', '--policy', 'spread'];

/**
 * The room server, Chromium, and one page per name joined to `room`. Resolves to
 * `{ server, browser, pages: { [name]: Page }, close() }`; cleans up what it started if
 * a step fails.
 *
 * Pages join one after the other (each has both transports before the next opens), so
 * with 'spread' every receive transport lands on one worker and every send transport
 * on the other: all media crosses a pipe, whatever the machine's speed. `beforePages(server)`
 * runs once the server is up, before the first page opens.
 */
async function startRoomScenario({ room, names, height = 360, serverFlags = TWO_SPREAD_WORKERS, beforePages }) {
	const server = await startRoomServerProcess(serverFlags);
	let browser;
	try {
		await beforePages?.(server);
		browser = await launchChromium();
		const pages = {};
		for (const name of names) {
			pages[name] = await openRoomPage(browser.context, server.url, { room, name, height });
			await waitUntilJoined(pages[name]);
		}
		return {
			server,
			browser,
			pages,
			async close() {
				await browser.close();
				await server.stop();
			},
		};
	} catch (error) {
		await browser?.close();
		await server.stop();
		throw error;
	}
}

module.exports = { startRoomScenario, TWO_SPREAD_WORKERS };
