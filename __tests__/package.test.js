'use strict';

// What an app sees: `npm run package`, then the tarballs installed into an empty app
// with npm, used from JS and type-checked from TypeScript. It packs the binary that
// `npm install` built here: nothing is compiled again.

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { platformKey } = require('../lib/platform');
const { describeLoadFailure } = require('../lib/loadBinding');
const { sharedLibraries, ALLOWED } = require('./helpers/sharedLibraries');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const tsc = path.join(root, 'node_modules', '.bin', 'tsc');
const pkg = require('../package.json');
const key = platformKey();
const mainTarball = path.join(dist, `mafalda-sfu-${pkg.version}.tgz`);
const platformTarball = path.join(dist, `mafalda-sfu-${key}-${pkg.version}.tgz`);
const typesNode = `@types/node@${pkg.devDependencies['@types/node']}`;

const APP_JS = `
const { Mafalda } = require('mafalda-sfu');
const mediasoup = require('mafalda-sfu/mediasoup');
(async () => {
	const mafalda = new Mafalda({ maxWorkers: 1 });
	const router = await mafalda.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
	const transport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
	const worker = await mediasoup.createWorker();
	const msRouter = await worker.createRouter({ mediaCodecs: [] });
	const msTransport = await msRouter.createWebRtcTransport({ listenIps: ['127.0.0.1'] });
	console.log(JSON.stringify({
		router: router.id,
		candidate: transport.iceCandidates[0],
		mediasoupCandidates: msTransport.iceCandidates.length,
		typedAsMediasoupDoes: msTransport instanceof mediasoup.types.WebRtcTransport && worker instanceof mediasoup.types.Worker,
		workers: (await mafalda.dump()).workers.length,
		versions: require('mafalda-sfu').nativeVersions(),
		worker: { pid: worker.pid, ppid: process.pid, binary: require('fs').readlinkSync('/proc/' + worker.pid + '/exe') },
		workerBin: mediasoup.workerBin,
	}));
	worker.close();
	mafalda.close();
})().catch((error) => { console.error(error); process.exit(1); });
`;

const APP_TS = `
import { Mafalda } from 'mafalda-sfu';
import * as mediasoup from 'mafalda-sfu/mediasoup';

export async function start(): Promise<number> {
	const mafalda = new Mafalda({ maxWorkers: 1 });
	const router = await mafalda.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
	const transport: mediasoup.types.WebRtcTransport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
	// mediasoup apps name types through mediasoup.types.
	const worker: mediasoup.types.Worker = await mediasoup.createWorker();
	const caps: mediasoup.types.RtpCapabilities = (await worker.createRouter({ mediaCodecs: [] })).rtpCapabilities;
	worker.close();
	console.log(caps.codecs?.length);
	return transport.iceCandidates[0].port;
}
`;

const TSCONFIG = {
	compilerOptions: { strict: true, module: 'node16', moduleResolution: 'node16', target: 'es2022', noEmit: true },
	files: ['app.ts'],
};

function tempApp(name) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mafalda-${name}-`));
	execFileSync('npm', ['init', '-y'], { cwd: dir, stdio: 'ignore' });
	return dir;
}

function npmInstall(cwd, args, env = process.env) {
	const started = Date.now();
	const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts', ...args], {
		cwd,
		env,
		encoding: 'utf8',
	});
	return { ...result, output: result.stdout + result.stderr, seconds: (Date.now() - started) / 1000 };
}

function tarList(file) {
	return execFileSync('tar', ['tzf', file], { encoding: 'utf8' }).trim().split('\n');
}

const apps = [];
afterAll(() => {
	for (const dir of apps) fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm run package', () => {
	beforeAll(() => {
		const started = Date.now();
		execFileSync('node', [path.join(root, 'scripts', 'package.js')], { cwd: root, stdio: 'pipe' });
		console.log(
			`npm run package: ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
				`${path.basename(mainTarball)} ${(fs.statSync(mainTarball).size / 1024).toFixed(0)} KiB, ` +
				`${path.basename(platformTarball)} ${(fs.statSync(platformTarball).size / 1024 / 1024).toFixed(1)} MiB`
		);
	}, 180_000);

	test('the platform package holds the binary and the worker host next to it, the main package what runs and its sources', () => {
		expect(tarList(platformTarball).sort()).toEqual(['package/README.md', `package/mafalda-sfu.${key}.node`, 'package/mafalda-worker-host', 'package/package.json']);
		// Packed executable: npm keeps the mode, and the pool runs it from there.
		const modes = execFileSync('tar', ['tvzf', platformTarball, 'package/mafalda-worker-host'], { encoding: 'utf8' });
		expect(modes).toMatch(/^-rwxr-xr-x/);
		const files = tarList(mainTarball);
		expect(files).toEqual(expect.arrayContaining(['package/index.js', 'package/mediasoup.d.ts', 'package/native/binding.js', 'package/scripts/install.js', 'package/crates/mafalda-core/Cargo.toml']));
		// No benchmarks, tests, examples or binaries of this checkout.
		expect(files.filter((f) => /__tests__|examples\/|mafalda-bench|scripts\/bench|\/test\/|\.node$|^package\/target\//.test(f))).toEqual([]);
	});

	test('versions are in step and the platform package is an optional dependency', () => {
		const manifest = JSON.parse(execFileSync('tar', ['xzOf', mainTarball, 'package/package.json'], { encoding: 'utf8' }));
		const platform = JSON.parse(execFileSync('tar', ['xzOf', platformTarball, 'package/package.json'], { encoding: 'utf8' }));
		expect(manifest.optionalDependencies).toEqual({ [`mafalda-sfu-${key}`]: pkg.version });
		expect(platform).toMatchObject({ name: `mafalda-sfu-${key}`, version: pkg.version, os: [process.platform], cpu: [process.arch] });
		expect(manifest.scripts).toEqual({ install: 'node scripts/install.js' });
		expect(manifest.devDependencies).toBeUndefined();
	});

	test('an empty app installs both tarballs without compiling, and creates a router and transports', () => {
		const app = tempApp('app');
		apps.push(app);
		const install = npmInstall(app, [mainTarball, platformTarball, typesNode]);
		console.log(`npm install of both tarballs into an empty app: ${install.seconds.toFixed(1)} s`);
		expect(install.status).toBe(0);
		expect(install.output).toContain(`mafalda-sfu: the prebuilt binary for ${key} loads; nothing to build`);
		expect(fs.existsSync(path.join(app, 'node_modules', 'mafalda-sfu', 'target'))).toBe(false);

		fs.writeFileSync(path.join(app, 'app.js'), APP_JS);
		const run = JSON.parse(execFileSync('node', ['app.js'], { cwd: app, encoding: 'utf8' }));
		expect(run.router).toMatch(/^[0-9a-f-]{36}$/);
		expect(run.candidate).toMatchObject({ ip: '127.0.0.1', protocol: 'udp' });
		expect(run.candidate.port).toBeGreaterThan(0);
		expect(run.mediasoupCandidates).toBe(1);
		expect(run.typedAsMediasoupDoes).toBe(true);
		expect(run.workers).toBe(1);
		expect(run.versions).toMatchObject({ openssl: expect.stringMatching(/^OpenSSL 3\.5\./), libsrtpCrypto: 'openssl' });
		// Its workers run the host binary of the platform package, in child processes.
		const host = path.join(fs.realpathSync(path.join(app, 'node_modules', `mafalda-sfu-${key}`)), 'mafalda-worker-host');
		expect(run.worker.binary).toBe(host);
		expect(run.worker.pid).not.toBe(run.worker.ppid);
		expect(run.workerBin).toBe(host);
		// The prebuilt binaries need nothing but glibc and libgcc at run time.
		for (const binary of [path.join(app, 'node_modules', `mafalda-sfu-${key}`, `mafalda-sfu.${key}.node`), host]) {
			expect(sharedLibraries(binary).filter((name) => !ALLOWED.test(name))).toEqual([]);
		}

		// strict TypeScript with node16 resolution, through the package's `exports`.
		fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG));
		fs.writeFileSync(path.join(app, 'app.ts'), APP_TS);
		const checked = spawnSync(tsc, ['-p', '.'], { cwd: app, encoding: 'utf8' });
		expect(checked.stdout + checked.stderr).toBe('');
		expect(checked.status).toBe(0);
		// The typings are really read: a wrong option is an error.
		fs.writeFileSync(path.join(app, 'app.ts'), `${APP_TS}\nnew Mafalda({ maxWorkers: 'four' });\n`);
		const wrong = spawnSync(tsc, ['-p', '.'], { cwd: app, encoding: 'utf8' });
		expect(wrong.status).not.toBe(0);
		expect(wrong.stdout).toMatch(/app\.ts\(\d+,\d+\): error TS2322/);
	}, 180_000);

	test('without the platform package and without build tools, npm install fails and says what to install', () => {
		const app = tempApp('nobinary');
		apps.push(app);
		// A PATH with node and sh only: no cargo, python3, compiler, make or perl.
		const bin = path.join(app, 'bin');
		fs.mkdirSync(bin);
		fs.symlinkSync(process.execPath, path.join(bin, 'node'));
		fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
		const npmCli = fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
		const started = Date.now();
		const result = spawnSync(process.execPath, [npmCli, 'install', '--no-audit', '--no-fund', '--prefer-offline', mainTarball], {
			cwd: app,
			env: { ...process.env, PATH: bin },
			encoding: 'utf8',
		});
		const output = result.stdout + result.stderr;
		console.log(`npm install of the main tarball alone, no build tools: exit ${result.status} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
		expect(result.status).not.toBe(0);
		expect(output).toContain(`mafalda-sfu: no prebuilt binary for ${key} is installed (package mafalda-sfu-${key})`);
		expect(output).toMatch(/Rust \(cargo and rustc: https:\/\/rustup\.rs\); python3 .*; a C\+\+ compiler \(g\+\+\); make \(OpenSSL's build\); perl with its core modules \(OpenSSL's Configure\)\./);
		expect(output).toContain('`npm rebuild mafalda-sfu`');
	}, 120_000);

	test('with install scripts skipped and no platform package, require() says what to install or run', () => {
		const app = tempApp('noscripts');
		apps.push(app);
		expect(npmInstall(app, ['--ignore-scripts', mainTarball]).status).toBe(0);
		const result = spawnSync('node', ['-e', "require('mafalda-sfu')"], { cwd: app, encoding: 'utf8' });
		expect(result.status).not.toBe(0);
		expect(result.stderr).not.toContain('MODULE_NOT_FOUND\n  requireStack');
		expect(result.stderr).toContain(`Error: mafalda-sfu: no native binary for ${key} could be loaded: install its prebuilt binary, the package mafalda-sfu-${key}`);
		expect(result.stderr).toContain('`npm rebuild mafalda-sfu`');
	}, 120_000);
});

test('a binary that cannot find a shared library names it and the package that has it', () => {
	const missing = new Error('libgcc_s.so.1: cannot open shared object file: No such file or directory');
	const loaderError = new Error('Cannot find native binding.');
	loaderError.cause = Object.assign(new Error("Cannot find module './mafalda-sfu.linux-x64-gnu.node'"), { cause: missing });
	expect(describeLoadFailure(loaderError)).toBe(
		`mafalda-sfu: the native binary for ${key} needs the shared library libgcc_s.so.1, which is not installed ` +
			'(Debian/Ubuntu: apt-get install libgcc-s1).'
	);
});
