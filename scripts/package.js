#!/usr/bin/env node
'use strict';

/**
 * `npm run package [-- --artifacts DIR]`: installable tarballs in dist/, the napi-rs
 * way. A main package (JS, typings, the sources for a fallback build) that lists one
 * small package per platform as optional dependencies, and those platform packages
 * (npm/<platform>/, each holding one prebuilt `.node` and, next to it, the worker
 * host binary `mafalda-worker-host` its pool runs), versions kept in step.
 *
 * It packs binaries already built (native/ after `npm install`, or DIR holding
 * `mafalda-sfu.<platform>.node` and `mafalda-worker-host.<platform>` files built
 * elsewhere; native/'s host binary has no suffix): it compiles nothing. Only the
 * targets of package.json's `napi.targets` that have a binary are released. The
 * checkout is not modified: everything is staged under dist/stage/.
 */

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const stage = path.join(dist, 'stage');
const napi = path.join(root, 'node_modules', '.bin', 'napi');
/** The worker host each worker process runs; the pool looks for it next to the addon. */
const HOST_BINARY = 'mafalda-worker-host';

function argument(name, fallback) {
	const i = process.argv.indexOf(name);
	return i >= 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : fallback;
}

function exec(command, args, cwd) {
	return execFileSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

/** The published manifest: no dev scripts or tooling; `install` only checks or builds the binary. */
function publishedManifest(pkg, targets) {
	const manifest = { ...pkg, napi: { ...pkg.napi, targets: targets.map((t) => t.triple) } };
	manifest.scripts = { install: 'node scripts/install.js' };
	delete manifest.devDependencies;
	delete manifest.overrides;
	delete manifest.jest;
	return manifest;
}

function kib(file) {
	return `${(fs.statSync(file).size / 1024).toFixed(0)} KiB`;
}

async function main() {
	const { parseTriple } = await import('@napi-rs/cli');
	const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
	const artifacts = argument('--artifacts', path.join(root, 'native'));
	const binary = (t) => path.join(artifacts, `${pkg.napi.binaryName}.${t.platformArchABI}.node`);
	const targets = pkg.napi.targets.map(parseTriple).filter((t) => fs.existsSync(binary(t)));
	if (targets.length === 0) {
		throw new Error(`no binary in ${artifacts} for any of ${pkg.napi.targets.join(', ')}: run \`npm install\` first (it builds the addon)`);
	}
	const hostBinary = (t) =>
		[path.join(artifacts, `${HOST_BINARY}.${t.platformArchABI}`), path.join(artifacts, HOST_BINARY)].find((file) => fs.existsSync(file));
	const missingHost = targets.filter((t) => !hostBinary(t));
	if (missingHost.length > 0) {
		throw new Error(`no worker host binary (${HOST_BINARY}) in ${artifacts} for ${missingHost.map((t) => t.platformArchABI).join(', ')}: run \`npm install\` first (it builds both)`);
	}

	fs.rmSync(stage, { recursive: true, force: true });
	fs.mkdirSync(stage, { recursive: true });
	for (const entry of fs.readdirSync(dist)) {
		if (entry.endsWith('.tgz')) fs.rmSync(path.join(dist, entry));
	}

	// The main package's files are what `files` selects (what `npm pack` would take).
	const [listing] = JSON.parse(exec('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root));
	for (const { path: file } of listing.files) {
		fs.mkdirSync(path.dirname(path.join(stage, file)), { recursive: true });
		fs.copyFileSync(path.join(root, file), path.join(stage, file));
	}
	fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(publishedManifest(pkg, targets), null, 2)}\n`);
	for (const t of targets) {
		fs.cpSync(path.join(root, 'npm', t.platformArchABI), path.join(stage, 'npm', t.platformArchABI), { recursive: true });
	}

	// napi-rs's own steps: binaries into their platform packages, versions in step,
	// platform packages as optional dependencies of the main one (nothing published).
	exec(napi, ['artifacts', '--output-dir', artifacts, '--npm-dir', 'npm'], stage);
	for (const t of targets) {
		const host = path.join(stage, 'npm', t.platformArchABI, HOST_BINARY);
		fs.copyFileSync(hostBinary(t), host);
		fs.chmodSync(host, 0o755);
	}
	exec(napi, ['version', '--npm-dir', 'npm'], stage);
	exec(napi, ['pre-publish', '--npm-dir', 'npm', '--skip-optional-publish', '--no-gh-release'], stage);
	for (const t of targets) fs.rmSync(path.join(stage, `${pkg.napi.binaryName}.${t.platformArchABI}.node`), { force: true });

	const packed = [stage, ...targets.map((t) => path.join(stage, 'npm', t.platformArchABI))].map((dir) => {
		const [result] = JSON.parse(exec('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dist], dir));
		return path.join(dist, result.filename);
	});
	for (const file of packed) console.log(`${path.relative(root, file)}  ${kib(file)}`);
}

main().catch((error) => {
	console.error(`npm run package: ${error.message}`);
	process.exit(1);
});
