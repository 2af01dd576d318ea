#!/usr/bin/env node
'use strict';

/**
 * `npm run soak`: the long API fuzz (`MAFALDA_FUZZ_RUNS=50000 npx jest __tests__/fuzz`),
 * then MAFALDA_SOAK_MINUTES (default 20) of mixed churn on one Mafalda of 2 workers:
 * rooms open and close (transports, producers, consumers, data channels, pipes across
 * workers), and every 15 rooms a worker is killed under load.
 * RSS, heap (after a GC), fds, threads, pipes, shards and workers are sampled every
 * MAFALDA_SOAK_SAMPLE_MS (5000) into bench-out/soak/samples.{csv,json}, plotted to
 * docs/soak.svg. Exits non-zero if the fuzz failed or the end is not within a small
 * margin of the start.
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { Mafalda } = require('..');
const { processSample, sample, settled, roomLife, workerDeathUnderLoad } = require('./soak/churn');
const { soakSvg } = require('./soak/svg');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'bench-out', 'soak');
const PLOT = path.join(ROOT, 'docs', 'soak.svg');
const MINUTES = Number(process.env.MAFALDA_SOAK_MINUTES) || 20;
const SAMPLE_MS = Number(process.env.MAFALDA_SOAK_SAMPLE_MS) || 5000;
const DEATH_EVERY_ROOMS = 15;
/** End-vs-start margins: an fd or a thread more is noise (Node's own), memory may not grow in the second half. */
const MARGIN = { fds: 2, threads: 1, rssGrowth: 1.1, rssSlackMiB: 8, heapSlackMiB: 10 };

function runFuzz() {
	if (process.env.MAFALDA_SOAK_SKIP_FUZZ) return { skipped: 'MAFALDA_SOAK_SKIP_FUZZ is set' };
	if (!fs.existsSync(path.join(ROOT, '__tests__', 'fuzz'))) {
		console.log('soak: __tests__/fuzz does not exist yet: API fuzz skipped');
		return { skipped: '__tests__/fuzz missing' };
	}
	const runs = process.env.MAFALDA_FUZZ_RUNS || '50000';
	console.log(`soak: API fuzz, MAFALDA_FUZZ_RUNS=${runs} npx jest __tests__/fuzz`);
	const started = Date.now();
	const result = spawnSync('npx', ['jest', '__tests__/fuzz'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, MAFALDA_FUZZ_RUNS: runs } });
	return { runs: Number(runs), ok: result.status === 0, status: result.status, seconds: (Date.now() - started) / 1000 };
}

function writeSamples(samples) {
	fs.mkdirSync(OUT, { recursive: true });
	fs.writeFileSync(path.join(OUT, 'samples.json'), `${JSON.stringify(samples, null, 1)}\n`);
	const keys = Object.keys(samples[0]);
	const csv = [keys.join(','), ...samples.map((s) => keys.map((k) => (typeof s[k] === 'number' ? +s[k].toFixed(3) : s[k])).join(','))];
	fs.writeFileSync(path.join(OUT, 'samples.csv'), `${csv.join('\n')}\n`);
}

function plot(samples, minutes) {
	fs.writeFileSync(PLOT, `${soakSvg({
		title: `npm run soak: ${minutes.toFixed(1)} min of room churn on 2 workers (${samples.at(-1).rooms} rooms, ${samples.at(-1).deaths} worker deaths)`,
		samples,
		panels: [
			{ title: 'memory', unit: 'MiB', fields: [['RSS', 'rssMiB'], ['heap after GC', 'heapMiB']] },
			{ title: 'file descriptors and threads', fields: [['fds', 'fds'], ['threads', 'threads']] },
			{ title: 'pool', fields: [['workers', 'workers'], ['shards', 'shards'], ['pipes', 'pipes']] },
			{ title: 'rooms closed (cumulative)', fields: [['rooms', 'rooms']] },
		],
	})}\n`);
}

/** The checks of the end against the start; each failure is one line. */
function verdict({ start, end, afterClose, samples }) {
	const failures = [];
	if (end.routers || end.shards || end.pipes) failures.push(`left behind: ${end.routers} routers, ${end.shards} shards, ${end.pipes} pipes`);
	if (end.workers) failures.push(`${end.workers} workers never went idle (holdings ${JSON.stringify(end.strayHoldings)})`);
	if (afterClose.fds > start.fds + MARGIN.fds) failures.push(`fds ${start.fds} → ${afterClose.fds} (all workers gone)`);
	if (afterClose.threads > start.threads + MARGIN.threads) failures.push(`threads ${start.threads} → ${afterClose.threads} (all workers gone)`);
	// Allocators keep what they once used, so RSS rises and then stays: no growth in the second half.
	const firstHalf = samples.filter((s) => s.t <= samples.at(-1).t / 2);
	const plateau = Math.max(...firstHalf.map((s) => s.rssMiB));
	if (end.rssMiB > plateau * MARGIN.rssGrowth + MARGIN.rssSlackMiB) failures.push(`RSS grew in the second half: plateau ${plateau.toFixed(1)} → ${end.rssMiB.toFixed(1)} MiB`);
	if (end.heapMiB > start.heapMiB + MARGIN.heapSlackMiB) failures.push(`heap after GC ${start.heapMiB.toFixed(1)} → ${end.heapMiB.toFixed(1)} MiB`);
	return failures;
}

async function main() {
	const fuzz = runFuzz();
	console.log(`soak: ${MINUTES} min of churn, a sample every ${SAMPLE_MS} ms`);
	const mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread', workerIdleTimeout: 300 });
	let rooms = 0;
	let deaths = 0;
	let roomErrors = 0;
	const deathResults = [];
	const started = Date.now();
	const samples = [];
	const take = async () => {
		gc();
		const s = { t: (Date.now() - started) / 1000, rooms, deaths, roomErrors, ...(await sample(mafalda)) };
		samples.push(s);
		writeSamples(samples);
		return s;
	};

	// A first room loads what is loaded once; the start is taken once the pool is empty again.
	await roomLife(mafalda);
	await settled(mafalda);
	const start = await take();
	let sampling = Promise.resolve();
	const sampler = setInterval(() => { sampling = take(); }, SAMPLE_MS);

	const deadline = started + MINUTES * 60000;
	while (Date.now() < deadline) {
		try {
			await roomLife(mafalda);
		} catch (error) {
			// A room that fails is counted and shown, not fatal: the soak is about what is left over.
			roomErrors += 1;
			console.log(`soak: room ${rooms} failed: ${error.message}`);
		}
		rooms += 1;
		if (rooms % DEATH_EVERY_ROOMS === 0) {
			const result = await workerDeathUnderLoad(mafalda);
			deathResults.push(result);
			if (result.hung || !result.carriesOn) console.log(`soak: worker death drill: ${JSON.stringify(result)}`);
			deaths += 1;
		}
	}
	clearInterval(sampler);
	await sampling;
	await settled(mafalda, { timeoutMs: 10000 });
	// A freed worker leaves the dump a moment before its thread has exited and closed its fds.
	await new Promise((resolve) => setTimeout(resolve, 1000));
	const { workers } = await mafalda.dump();
	const end = { ...(await take()), strayHoldings: workers.map((w) => w.holdings) };
	mafalda.close();
	await new Promise((resolve) => setTimeout(resolve, 1000));
	gc();
	const afterClose = processSample();
	const minutes = (Date.now() - started) / 60000;
	plot(samples, minutes);

	const failures = verdict({ start, end, afterClose, samples });
	if (roomErrors) failures.push(`${roomErrors} rooms failed`);
	if (fuzz.ok === false) failures.push(`API fuzz failed (jest exit ${fuzz.status})`);
	if (deathResults.some((d) => d.hung || !d.carriesOn)) failures.push('a worker death drill hung or its router did not carry on');
	const summary = {
		minutes: +minutes.toFixed(2), rooms, roomErrors, deaths, fuzz,
		start, end, afterClose, strayWorkers: workers.length, failures,
	};
	fs.writeFileSync(path.join(OUT, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
	const row = (s) => `RSS ${s.rssMiB.toFixed(1)} MiB, heap ${s.heapMiB.toFixed(1)} MiB, ${s.fds} fds, ${s.threads} threads`;
	console.log([
		`soak: ${minutes.toFixed(1)} min, ${rooms} rooms (${roomErrors} failed), ${deaths} worker deaths under load, ${samples.length} samples`,
		`  start        ${row(start)}, ${start.workers} workers, ${start.shards} shards, ${start.pipes} pipes`,
		`  end          ${row(end)}, ${end.workers} workers, ${end.shards} shards, ${end.pipes} pipes${workers.length ? ` (stray holdings ${JSON.stringify(end.strayHoldings)})` : ''}`,
		`  after close  ${row(afterClose)}`,
		`  samples: ${path.relative(ROOT, OUT)}/samples.{csv,json}, plot: ${path.relative(ROOT, PLOT)}`,
		failures.length ? `soak FAILED:\n  ${failures.join('\n  ')}` : 'soak passed: the end is within the margins of the start',
	].join('\n'));
	process.exitCode = failures.length ? 1 : 0;
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
