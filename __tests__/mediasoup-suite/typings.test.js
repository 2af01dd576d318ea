'use strict';

const { execFileSync } = require('node:child_process');
const path = require('node:path');

test('mediasoup.d.ts types a real use of mafalda-sfu/mediasoup (tsc --noEmit over typed.ts)', () => {
	const root = path.join(__dirname, '..', '..');
	const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
	let output = '';
	try {
		execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'commonjs', '--moduleResolution', 'node', '--esModuleInterop', '--types', 'node', path.join(__dirname, 'typed.ts')], { cwd: root, encoding: 'utf8' });
	} catch (error) {
		output = `${error.stdout}${error.stderr}`;
	}
	expect(output).toBe('');
}, 60000);
