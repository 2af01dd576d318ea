#!/usr/bin/env node
'use strict';

/**
 * The `install` script of the published package (`npm run package` puts it in the
 * tarball's package.json; a checkout's `npm install` runs `npm run build` instead).
 *
 * With the platform package's prebuilt binary installed (the usual case) it only
 * checks that the binary loads, and compiles nothing. Without one it builds the addon
 * from the sources the package ships, with cargo, and says first what that needs.
 * MAFALDA_SFU_BUILD_FROM_SOURCE=1 builds from source even when a binary is there.
 */

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { platformKey } = require('../lib/platform');

const root = path.join(__dirname, '..');
const key = platformKey();

function log(message) {
	console.log(`mafalda-sfu: ${message}`);
}

function fail(message) {
	console.error(message.startsWith('mafalda-sfu:') ? message : `mafalda-sfu: ${message}`);
	process.exit(1);
}

/** Loads the addon in a child process (a fresh module cache): null when it loads, else the reason. */
function loadFailure() {
	const child = spawnSync(process.execPath, ['-e', "require('./lib/loadBinding').loadBinding()"], {
		cwd: root,
		encoding: 'utf8',
	});
	if (child.status === 0) return null;
	const match = /Error: (mafalda-sfu:[\s\S]*?)(\n\s+at |$)/.exec(child.stderr);
	return { message: match ? match[1].trim() : child.stderr.trim(), missingLibrary: /shared library/.test(child.stderr) };
}

function has(command, args = ['--version']) {
	try {
		execFileSync(command, args, { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

/** What a source build needs that this machine lacks (see build-support/apt-packages.txt). */
function missingBuildTools() {
	const missing = [];
	if (!has('cargo') || !has('rustc')) missing.push('Rust (cargo and rustc: https://rustup.rs)');
	if (!has('python3')) missing.push('python3 (and python3-pip: the worker build pip-installs meson and ninja)');
	if (!has('c++') && !has('g++')) missing.push('a C++ compiler (g++)');
	if (!has('make')) missing.push('make (OpenSSL\'s build)');
	if (!has('perl', ['-MIPC::Cmd', '-e', '1'])) missing.push('perl with its core modules (OpenSSL\'s Configure)');
	return missing;
}

/** The file cargo writes for a cdylib named mafalda_sfu. */
function cdylibName() {
	if (process.platform === 'win32') return 'mafalda_sfu.dll';
	if (process.platform === 'darwin') return 'libmafalda_sfu.dylib';
	return 'libmafalda_sfu.so';
}

function run(command, args) {
	const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) fail(`\`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`);
}

function buildFromSource() {
	const missing = missingBuildTools();
	if (missing.length > 0) {
		fail(
			`no prebuilt binary for ${key} is installed (package mafalda-sfu-${key}), and building one from source ` +
				`needs what this machine lacks: ${missing.join('; ')}. On Debian/Ubuntu: apt-get install g++ make perl ` +
				'python3 python3-pip, and Rust from https://rustup.rs; then `npm rebuild mafalda-sfu`.'
		);
	}
	const host = /host: (\S+)/.exec(execFileSync('rustc', ['-vV'], { encoding: 'utf8' }))[1];
	log(`no prebuilt binary for ${key}: building the addon from source for ${host} (the C++ worker included: ~15-20 min on 2 cores; \`npm install --foreground-scripts\` shows its output)`);
	run('python3', ['build-support/mediasoup-sys/prepare.py']);
	// The addon and, next to it, the worker host binary its pool runs.
	run('cargo', ['build', '--release', '-p', 'mafalda-core', '-p', 'mafalda-sfu', '--target', host]);
	const built = path.join(root, 'target', host, 'release', cdylibName());
	fs.copyFileSync(built, path.join(root, 'native', `mafalda-sfu.${key}.node`));
	const hostBinary = path.join(root, 'native', 'mafalda-worker-host');
	fs.copyFileSync(path.join(root, 'target', host, 'release', 'mafalda-worker-host'), hostBinary);
	fs.chmodSync(hostBinary, 0o755);
	// The build tree (~1 GB) is of no use to the app once the binary is copied out.
	fs.rmSync(path.join(root, 'target'), { recursive: true, force: true });
}

function main() {
	const fromSource = process.env.MAFALDA_SFU_BUILD_FROM_SOURCE && process.env.MAFALDA_SFU_BUILD_FROM_SOURCE !== '0';
	if (!fromSource) {
		const failure = loadFailure();
		if (!failure) {
			log(`the prebuilt binary for ${key} loads; nothing to build`);
			return;
		}
		// A missing system library is not fixed by compiling: the build links it too.
		if (failure.missingLibrary) fail(failure.message);
	}
	buildFromSource();
	const failure = loadFailure();
	if (failure) fail(failure.message);
	log(`built from source; the binary for ${key} loads`);
}

main();
