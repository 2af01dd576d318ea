'use strict';

/**
 * mediasoup's published typings (node/lib/**\/*.d.ts of the npm package), the
 * reference side of the compatibility table. Only the tarball is fetched, with
 * `npm pack`, which runs no install script: mediasoup's postinstall would
 * download or build its worker. Nothing is committed: the typings are cached in
 * the system temp dir and fetched again when missing.
 */

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** The newest 3.14.x when the table was written; pinned so that the table is reproducible. */
const MEDIASOUP_VERSION = '3.14.16';

const cacheRoot = path.join(os.tmpdir(), 'mafalda-sfu-compat-table');

function dtsFiles(dir) {
	return fs.readdirSync(dir, { recursive: true }).filter((file) => file.endsWith('.d.ts'));
}

/** Fetches and unpacks the tarball into a fresh directory, keeping only the typings. */
function fetchTypings(version, destination) {
	const work = fs.mkdtempSync(path.join(cacheRoot, 'fetch-'));
	try {
		// npm's own output (notices, warnings) is shown only if the fetch fails.
		try {
			execFileSync('npm', ['pack', `mediasoup@${version}`, '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: work, stdio: 'pipe' });
		} catch (error) {
			throw new Error(`npm pack mediasoup@${version} failed: ${error.stderr || error.message}`);
		}
		const tarball = fs.readdirSync(work).find((file) => file.endsWith('.tgz'));
		execFileSync('tar', ['-xzf', tarball], { cwd: work });
		const lib = path.join(work, 'package', 'node', 'lib');
		const staged = path.join(work, 'typings');
		for (const file of dtsFiles(lib)) {
			fs.mkdirSync(path.dirname(path.join(staged, file)), { recursive: true });
			fs.copyFileSync(path.join(lib, file), path.join(staged, file));
		}
		// A rename is atomic: a concurrent run sees either no cache or a whole one.
		try {
			fs.renameSync(staged, destination);
		} catch (error) {
			if (!fs.existsSync(path.join(destination, 'index.d.ts'))) throw error;
		}
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
}

/** The directory holding mediasoup's `index.d.ts` and the rest of its typings. */
function mediasoupTypings(version = MEDIASOUP_VERSION) {
	const destination = path.join(cacheRoot, `mediasoup-${version}`);
	if (!fs.existsSync(path.join(destination, 'index.d.ts'))) {
		fs.mkdirSync(cacheRoot, { recursive: true });
		fetchTypings(version, destination);
	}
	return destination;
}

module.exports = { MEDIASOUP_VERSION, mediasoupTypings };
