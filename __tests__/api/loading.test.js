'use strict';

/**
 * How the addon is found and what a failed load says (lib/loadBinding.js,
 * lib/platform.js). The loader and package.json are replaced with jest.doMock inside
 * jest.isolateModules: that is the thing under test here, not the addon.
 */

const { describeLoadFailure, missingSharedLibrary } = require('../../lib/loadBinding');
const { platformKey } = require('../../lib/platform');

const key = platformKey();

/** Runs `fn` with process[name] replaced by `value`, then puts the original back. */
function withProcessProperty(name, descriptor, fn) {
	const original = Object.getOwnPropertyDescriptor(process, name);
	Object.defineProperty(process, name, { configurable: true, enumerable: true, ...descriptor });
	try {
		return fn();
	} finally {
		Object.defineProperty(process, name, original);
	}
}

/**
 * Runs `use` on a fresh copy of lib/loadBinding.js (and lib/platform.js) that sees a
 * package.json of `optionalDependencies` and, if given, `loader` as native/binding.js.
 * It runs inside the isolation: loadBinding() requires the loader when called.
 */
function withLoadBindingModule({ optionalDependencies, loader }, use) {
	let result;
	jest.isolateModules(() => {
		const realPkg = jest.requireActual('../../package.json');
		jest.doMock('../../package.json', () => ({ ...realPkg, optionalDependencies }));
		if (loader) jest.doMock('../../native/binding.js', loader);
		result = use(require('../../lib/loadBinding'));
	});
	return result;
}

/** What loadBinding() throws with `loader` as native/binding.js. */
function loadFailure(options) {
	return withLoadBindingModule(options, ({ loadBinding }) => {
		try {
			loadBinding();
		} catch (error) {
			return error;
		}
		throw new Error('loadBinding() did not throw');
	});
}

/** The loader's error as napi-rs 3 builds it: one Error per place tried, chained by `cause`. */
function chainedLoaderError(...messages) {
	const top = new Error('Cannot find native binding. npm has a bug related to optional dependencies');
	let last = top;
	for (const message of messages) {
		last.cause = new Error(message);
		last = last.cause;
	}
	return top;
}

afterEach(() => {
	jest.dontMock('../../package.json');
	jest.dontMock('../../native/binding.js');
});

describe('platformKey()', () => {
	test.each([
		['win32', 'x64', 'win32-x64-msvc'],
		['darwin', 'arm64', 'darwin-arm64'],
		['freebsd', 'x64', 'freebsd-x64'],
	])('on %s/%s it is %s', (platform, arch, expected) => {
		const got = withProcessProperty('platform', { value: platform, writable: false }, () =>
			withProcessProperty('arch', { value: arch, writable: false }, () => platformKey()));
		expect(got).toBe(expected);
	});

	test('on Linux it names the libc: gnu when the report has a glibc version, musl otherwise', () => {
		const onLinux = (report) => withProcessProperty('platform', { value: 'linux', writable: false }, () =>
			withProcessProperty('report', { get: () => report }, () => platformKey()));
		expect(onLinux({ getReport: () => ({ header: { glibcVersionRuntime: '2.36' } }) })).toBe(`linux-${process.arch}-gnu`);
		expect(onLinux({ getReport: () => ({ header: {} }) })).toBe(`linux-${process.arch}-musl`);
		expect(onLinux({ getReport: () => null })).toBe(`linux-${process.arch}-musl`);
		// No process.report at all (or one without getReport): musl, as napi-rs's loader decides then.
		expect(onLinux(undefined)).toBe(`linux-${process.arch}-musl`);
		expect(onLinux({})).toBe(`linux-${process.arch}-musl`);
	});

	test('this machine (where the tests run on glibc) is linux-<arch>-gnu', () => {
		expect(key).toBe(`linux-${process.arch}-gnu`);
	});
});

describe('prebuiltTargets()', () => {
	test('lists the optional dependencies named mafalda-sfu-<target>, and nothing else', () => {
		let targets;
		jest.isolateModules(() => {
			const realPkg = jest.requireActual('../../package.json');
			jest.doMock('../../package.json', () => ({
				...realPkg,
				optionalDependencies: { 'mafalda-sfu-linux-x64-gnu': '0.1.0', 'mafalda-sfu-darwin-arm64': '0.1.0', 'left-pad': '1.0.0' },
			}));
			targets = require('../../lib/platform').prebuiltTargets();
		});
		expect(targets).toEqual(['linux-x64-gnu', 'darwin-arm64']);
	});

	test('is empty for a package.json without optionalDependencies (a checkout)', () => {
		let targets;
		jest.isolateModules(() => {
			const realPkg = jest.requireActual('../../package.json');
			const { optionalDependencies, ...withoutOptional } = realPkg;
			jest.doMock('../../package.json', () => withoutOptional);
			targets = require('../../lib/platform').prebuiltTargets();
		});
		expect(targets).toEqual([]);
	});
});

describe('missingSharedLibrary()', () => {
	test('finds the first "cannot open shared object file" anywhere in the chain', () => {
		const error = chainedLoaderError(
			"Cannot find module './mafalda-sfu.linux-x64-gnu.node'",
			'libnspr4.so: cannot open shared object file: No such file or directory',
			'libnss3.so: cannot open shared object file: No such file or directory',
		);
		expect(missingSharedLibrary(error)).toBe('libnspr4.so');
	});

	test('is null when no library is missing (and for no error at all)', () => {
		expect(missingSharedLibrary(chainedLoaderError("Cannot find module 'mafalda-sfu-linux-x64-gnu'"))).toBeNull();
		expect(missingSharedLibrary(undefined)).toBeNull();
	});

	test('reads the array of errors older napi-rs loaders give as `cause`', () => {
		const error = new Error('Cannot find native binding.', {
			cause: [new Error("Cannot find module './x.node'"), new Error('libplds4.so: cannot open shared object file: No such file')],
		});
		expect(missingSharedLibrary(error)).toBe('libplds4.so');
	});

	test('stops after 32 causes of a cyclic chain', () => {
		const error = new Error('a');
		error.cause = error;
		expect(missingSharedLibrary(error)).toBeNull();
	});
});

describe('describeLoadFailure()', () => {
	test('a missing library with a versioned name is mapped to its Debian package', () => {
		expect(describeLoadFailure(chainedLoaderError('libgcc_s.so.1: cannot open shared object file: No such file'))).toBe(
			`mafalda-sfu: the native binary for ${key} needs the shared library libgcc_s.so.1, which is not installed ` +
				'(Debian/Ubuntu: apt-get install libgcc-s1).'
		);
	});

	test('a missing library we know no package for is named without advice', () => {
		expect(describeLoadFailure(chainedLoaderError('libfoo.so.2: cannot open shared object file: No such file'))).toBe(
			`mafalda-sfu: the native binary for ${key} needs the shared library libfoo.so.2, which is not installed.`
		);
	});

	const tail = 'build one from source with `npm rebuild mafalda-sfu` (needs Rust, g++, make, perl and python3 with pip).';

	test('with a prebuilt package for this platform: says to install it, and lists what was tried (first lines only)', () => {
		const error = chainedLoaderError(
			"Cannot find module './mafalda-sfu.linux-x64-gnu.node'\nRequire stack:\n- native/binding.js",
			`Cannot find module 'mafalda-sfu-${key}'`,
		);
		const message = withLoadBindingModule(
			{ optionalDependencies: { [`mafalda-sfu-${key}`]: '0.1.0', 'mafalda-sfu-darwin-arm64': '0.1.0' } },
			(mod) => mod.describeLoadFailure(error),
		);
		expect(message).toBe(
			`mafalda-sfu: no native binary for ${key} could be loaded: install its prebuilt binary, the package ` +
				`mafalda-sfu-${key} (npm installs it with mafalda-sfu as an optional dependency: reinstall without ` +
				`--omit=optional / --no-optional), or ${tail}\nWhat was tried:\n` +
				"  - Cannot find module './mafalda-sfu.linux-x64-gnu.node'\n" +
				`  - Cannot find module 'mafalda-sfu-${key}'`
		);
	});

	test('with prebuilt packages for other platforms only: names them', () => {
		const message = withLoadBindingModule(
			{ optionalDependencies: { 'mafalda-sfu-darwin-arm64': '0.1.0', 'mafalda-sfu-win32-x64-msvc': '0.1.0' } },
			(mod) => mod.describeLoadFailure(chainedLoaderError('Unsupported OS: plan9, architecture: mips')),
		);
		expect(message).toBe(
			`mafalda-sfu: no native binary for ${key} could be loaded: there is no prebuilt binary for ${key} ` +
				`(only for darwin-arm64, win32-x64-msvc); ${tail}\nWhat was tried:\n  - Unsupported OS: plan9, architecture: mips`
		);
	});

	test('in a checkout (no prebuilt packages) and with nothing chained: says npm install builds one, no "What was tried"', () => {
		const message = withLoadBindingModule(
			{ optionalDependencies: undefined },
			(mod) => mod.describeLoadFailure(new Error('Failed to load native binding')),
		);
		expect(message).toBe(
			`mafalda-sfu: no native binary for ${key} could be loaded: this copy lists no prebuilt binaries ` +
				`(in a checkout, \`npm install\` builds one); ${tail}`
		);
	});

	test('a cause whose message is not a string is shown as text', () => {
		const error = new Error('Cannot find native binding.', { cause: { message: 42 } });
		expect(describeLoadFailure(error)).toMatch(/\nWhat was tried:\n {2}- 42$/);
	});
});

describe('loadBinding()', () => {
	test('returns what the loader exports', () => {
		const addon = { nativeVersions: () => ({}) };
		expect(withLoadBindingModule({ loader: () => addon }, (mod) => mod.loadBinding())).toBe(addon);
	});

	test('no loader at all (never built): says to run npm install', () => {
		const notFound = Object.assign(new Error("Cannot find module '../native/binding.js'\nRequire stack:\n- lib/loadBinding.js"), {
			code: 'MODULE_NOT_FOUND',
		});
		const thrown = loadFailure({ loader: () => { throw notFound; } });
		expect(thrown).toBeInstanceOf(Error);
		expect(thrown.cause).toBeUndefined();
		expect(thrown.message).toBe((
			'mafalda-sfu: the native addon was never built here (native/binding.js is missing): run `npm install` ' +
				'in the checkout, or `npm rebuild mafalda-sfu` in an app'
		));
	});

	test('a module the loader itself misses is a load failure, described, with the loader error as cause', () => {
		const inner = Object.assign(new Error("Cannot find module 'mafalda-sfu-linux-x64-gnu'"), { code: 'MODULE_NOT_FOUND' });
		const loaderError = chainedLoaderError(inner.message);
		loaderError.code = 'MODULE_NOT_FOUND';
		const thrown = loadFailure({ optionalDependencies: undefined, loader: () => { throw loaderError; } });
		expect(thrown).toBeInstanceOf(Error);
		expect(thrown.message).toMatch(new RegExp(`^mafalda-sfu: no native binary for ${key} could be loaded: this copy lists no prebuilt binaries`));
		expect(thrown.message).toContain("What was tried:\n  - Cannot find module 'mafalda-sfu-linux-x64-gnu'");
		expect(thrown.cause).toBe(loaderError);
	});

	test('a binary that cannot load a shared library: names the library', () => {
		const loaderError = chainedLoaderError('libgcc_s.so.1: cannot open shared object file: No such file or directory');
		const thrown = loadFailure({ loader: () => { throw loaderError; } });
		expect(thrown.cause).toBe(loaderError);
		expect(thrown.message).toBe(
			`mafalda-sfu: the native binary for ${key} needs the shared library libgcc_s.so.1, which is not installed ` +
				'(Debian/Ubuntu: apt-get install libgcc-s1).'
		);
	});

	test('the real addon in this checkout loads', () => {
		const { loadBinding } = jest.requireActual('../../lib/loadBinding');
		expect(typeof loadBinding().nativeVersions).toBe('function');
	});
});
