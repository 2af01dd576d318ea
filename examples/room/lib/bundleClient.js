'use strict';

const path = require('node:path');
const esbuild = require('esbuild');

const CLIENT_DIR = path.join(__dirname, '..', 'client');

/**
 * Bundles the browser scripts (the room page with mediasoup-client, the monitor)
 * in memory at server start: nothing built is ever written or committed.
 * Resolves to `{ 'room.js': Buffer, 'monitor.js': Buffer }`.
 */
async function bundleClient() {
	try {
		const result = await esbuild.build({
			entryPoints: { room: path.join(CLIENT_DIR, 'room.js'), monitor: path.join(CLIENT_DIR, 'monitor.js') },
			bundle: true,
			write: false,
			outdir: 'bundle',
			format: 'iife',
			platform: 'browser',
			target: ['chrome111', 'firefox120', 'safari16'],
			minify: true,
			logLevel: 'silent',
		});
		return Object.fromEntries(result.outputFiles.map((file) => [path.basename(file.path), Buffer.from(file.contents)]));
	} finally {
		// esbuild keeps a helper process for later builds; there are none.
		await esbuild.stop();
	}
}

module.exports = { bundleClient };
