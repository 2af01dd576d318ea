'use strict';

const { nativeVersions } = require('..');

test('the worker runs on OpenSSL 3, read from the libraries linked into this process', () => {
	const versions = nativeVersions();
	expect(versions.openssl).toMatch(/^OpenSSL 3\.\d+\.\d+/);
	expect(versions.libuv).toMatch(/^1\.\d+\.\d+/);
	expect(versions.libsrtp).toMatch(/^libsrtp\d? \d+\.\d+\.\d+/);
});
