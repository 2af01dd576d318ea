'use strict';

/**
 * Names of this machine's platform the napi-rs way (`linux-x64-gnu`, `darwin-arm64`,
 * `win32-x64-msvc`): the suffix of the platform package that holds its prebuilt
 * binary (mafalda-sfu-<key>) and of the binary's file name.
 */

const pkg = require('../package.json');

function libc() {
	const report = process.report && typeof process.report.getReport === 'function' ? process.report.getReport() : null;
	return report && report.header && report.header.glibcVersionRuntime ? 'gnu' : 'musl';
}

function platformKey() {
	switch (process.platform) {
		case 'linux':
			return `linux-${process.arch}-${libc()}`;
		case 'win32':
			return `win32-${process.arch}-msvc`;
		default:
			return `${process.platform}-${process.arch}`;
	}
}

/** Platforms this release has a prebuilt binary package for (its optional dependencies). */
function prebuiltTargets() {
	const prefix = `${pkg.name}-`;
	return Object.keys(pkg.optionalDependencies || {})
		.filter((name) => name.startsWith(prefix))
		.map((name) => name.slice(prefix.length));
}

module.exports = { platformKey, prebuiltTargets };
