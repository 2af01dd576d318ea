'use strict';

/**
 * Loads the napi addon: the loader napi-rs generates (native/binding.js) tries a
 * binary built in this checkout (native/mafalda-sfu.<platform>.node), then the
 * platform package npm installed beside us (mafalda-sfu-<platform>). When both fail
 * its error is napi's generic one; this says what to install or run instead.
 */

const { prebuiltTargets, platformKey } = require('./platform');

/**
 * A missing shared library the binary links against (Debian package that has it).
 * Besides glibc, whose absence no one survives to read, it needs libgcc only:
 * OpenSSL, libsrtp and libuv are inside it.
 */
const SHARED_LIBRARIES = {
	'libgcc_s.so': 'libgcc-s1',
};

/** The loader's error and the ones it chains as `cause` (one per place it tried). */
function loadErrors(error) {
	const errors = [];
	for (let e = error; e && errors.length < 32; e = e.cause) {
		if (Array.isArray(e)) return errors.concat(e);
		errors.push(e);
	}
	return errors;
}

/** The first "cannot open shared object file" among the loader's errors, if any. */
function missingSharedLibrary(error) {
	for (const cause of loadErrors(error)) {
		const match = /([\w.+-]+\.so[\w.]*): cannot open shared object file/.exec(String(cause.message));
		if (match) return match[1];
	}
	return null;
}

/** The message for a failed load: what is missing and what to do about it. */
function describeLoadFailure(error) {
	const key = platformKey();
	const library = missingSharedLibrary(error);
	if (library) {
		const pkg = SHARED_LIBRARIES[library.replace(/\.so.*$/, '.so')];
		return (
			`mafalda-sfu: the native binary for ${key} needs the shared library ${library}, which is not installed` +
			(pkg ? ` (Debian/Ubuntu: apt-get install ${pkg})` : '') +
			'.'
		);
	}
	const prebuilt = prebuiltTargets();
	const details = loadErrors(error)
		.slice(1)
		.map((cause) => `  - ${String(cause.message).split('\n')[0]}`)
		.join('\n');
	let install;
	if (prebuilt.includes(key)) {
		install =
			`install its prebuilt binary, the package mafalda-sfu-${key} (npm installs it with mafalda-sfu as an ` +
			'optional dependency: reinstall without --omit=optional / --no-optional), or ';
	} else if (prebuilt.length > 0) {
		install = `there is no prebuilt binary for ${key} (only for ${prebuilt.join(', ')}); `;
	} else {
		install = 'this copy lists no prebuilt binaries (in a checkout, `npm install` builds one); ';
	}
	return (
		`mafalda-sfu: no native binary for ${key} could be loaded: ${install}` +
		'build one from source with `npm rebuild mafalda-sfu` (needs Rust, g++, make, perl and python3 with pip).' +
		(details ? `\nWhat was tried:\n${details}` : '')
	);
}

/** The addon, or an Error that says what to install or run. */
function loadBinding() {
	try {
		return require('../native/binding.js');
	} catch (error) {
		if (error && error.code === 'MODULE_NOT_FOUND' && /native[\\/]binding\.js/.test(error.message)) {
			// No loader either: this checkout was never built.
			throw new Error(
				'mafalda-sfu: the native addon was never built here (native/binding.js is missing): run `npm install` ' +
					'in the checkout, or `npm rebuild mafalda-sfu` in an app'
			);
		}
		throw new Error(describeLoadFailure(error), { cause: error });
	}
}

module.exports = { loadBinding, describeLoadFailure, missingSharedLibrary };
