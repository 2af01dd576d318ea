'use strict';

const path = require('node:path');
const { nativeVersions } = require('..');
const { platformKey } = require('../lib/platform');
const { sharedLibraries, ALLOWED } = require('./helpers/sharedLibraries');

test('the worker runs on OpenSSL 3.5 and libsrtp 2 on OpenSSL, read from the libraries linked into this process', () => {
	const versions = nativeVersions();
	expect(versions.openssl).toMatch(/^OpenSSL 3\.5\.\d+/);
	expect(versions.libuv).toMatch(/^1\.\d+\.\d+/);
	expect(versions.libsrtp).toMatch(/^libsrtp2 2\.7\.\d+$/);
	expect(versions.libsrtpCrypto).toBe('openssl');
});

test.each([`mafalda-sfu.${platformKey()}.node`, 'mafalda-worker-host'])(
	'the built %s needs no shared libsrtp2, NSS, NSPR or OpenSSL: ldd lists glibc and libgcc only',
	(binary) => {
		const libraries = sharedLibraries(path.join(__dirname, '..', 'native', binary));
		expect(libraries).toEqual(expect.arrayContaining(['libc.so.6']));
		expect(libraries.filter((name) => /srtp|nss|nspr|plc4|plds4|libssl|libcrypto/.test(name))).toEqual([]);
		expect(libraries.filter((name) => !ALLOWED.test(name))).toEqual([]);
	}
);
