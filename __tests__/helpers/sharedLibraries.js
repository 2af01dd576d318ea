'use strict';

const { execFileSync } = require('node:child_process');

/** What the dynamic loader loads for a binary (`ldd`), by file name: ['libc.so.6', ...]. */
function sharedLibraries(file) {
	return execFileSync('ldd', [file], { encoding: 'utf8' })
		.split('\n')
		.map((line) => line.trim().split(/\s+/)[0])
		.filter((name) => name && !name.startsWith('linux-vdso'))
		.map((name) => name.replace(/^.*\//, ''));
}

/** What the addon may need at run time: glibc's libraries and libgcc, nothing of SRTP or TLS. */
const ALLOWED = /^(libc|libm|libgcc_s|libpthread|libdl|librt|ld-linux-[\w-]+)\.so(\.\d+)*$/;

module.exports = { sharedLibraries, ALLOWED };
