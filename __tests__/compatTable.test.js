'use strict';

/**
 * docs/compat.md: its API table is what scripts/compat-table.js generates (so it
 * cannot drift from mediasoup's typings or ours), it says a few things we know to
 * be true, and its hand-written table of the suite's failures covers
 * known-failures.json. The first run may fetch mediasoup's typings (cached after).
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const script = path.join(root, 'scripts', 'compat-table.js');
const docPath = path.join(root, 'docs', 'compat.md');
const doc = fs.readFileSync(docPath, 'utf8');
const apiTable = doc.slice(doc.indexOf('<!-- api-table:start -->'), doc.indexOf('<!-- api-table:end -->'));
const suiteTable = doc.slice(doc.indexOf('## Tests of the mediasoup suite that fail against us'));

function generator(...args) {
	return spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8' });
}

/** The row of an item (its first cell, as rendered), split into cells. */
function row(table, item) {
	const line = table.split('\n').find((text) => text.startsWith(`| ${item} |`));
	return line && line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
}

test('docs/compat.md is what `npm run compat-table` writes (--check)', () => {
	const result = generator('--check');
	expect(result.stderr).toBe('');
	expect(result.status).toBe(0);
}, 60000);

test('--check fails on a page whose table is stale, and names it', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compat-table-'));
	try {
		const stale = path.join(dir, 'compat.md');
		fs.writeFileSync(stale, doc.replace('| `Worker.pid` | getter | same |', '| `Worker.pid` | getter | missing |'));
		const result = generator('--check', '--doc', stale);
		expect(result.status).toBe(1);
		expect(result.stderr).toMatch(/compat\.md is out of date/);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}, 60000);

test('the summary line counts every row of the API table', () => {
	const summary = apiTable.match(/\*\*Summary: (\d+) items: (\d+) same, (\d+) differ, (\d+) missing\*\* \(mediasoup 3\.14\.\d+ against ours\)/);
	expect(summary).not.toBeNull();
	const [total, same, differs, missing] = summary.slice(1).map(Number);
	expect(same + differs + missing).toBe(total);
	const statuses = apiTable.split('\n').filter((line) => line.startsWith('| `')).map((line) => line.split(/(?<!\\)\|/)[3].trim());
	expect(statuses).toHaveLength(total);
	expect(statuses.filter((status) => status === 'same')).toHaveLength(same);
	expect(statuses.filter((status) => status === 'differs')).toHaveLength(differs);
	expect(statuses.filter((status) => status === 'missing')).toHaveLength(missing);
});

test('the API table lists what we know of both sides', () => {
	expect(row(apiTable, '`Router.pipeToRouter()`')).toEqual(['`Router.pipeToRouter()`', 'method', 'same', '']);
	expect(row(apiTable, '`Worker.pid`')[3]).toMatch(/^the process of the pool worker this Worker stands for: a child process of its own/);
	expect(row(apiTable, '`Router`')).toEqual(['`Router`', 'class', 'same', 'ours: MafaldaRouter']);
	// Emitted since a Worker stands for a worker process (it was declared, never emitted).
	expect(row(apiTable, "`Worker` `'died'`").slice(1, 3)).toEqual(['event', 'same']);
	expect(row(apiTable, "`Transport.observer` `'newproducer'`").slice(1, 3)).toEqual(['observer event', 'same']);
	expect(row(apiTable, '`PipeToRouterOptions.listenInfo`').slice(1, 3)).toEqual(['option', 'same']);
	// In the lib (Transport.consume() takes it), not in our typings.
	expect(row(apiTable, '`ConsumerOptions.ignoreDtx`').slice(2)).toEqual(['differs', 'taken at runtime, not in our typings']);
	expect(row(apiTable, '`mediasoup.setLogEventListeners()`').slice(1, 3)).toEqual(['function', 'missing']);
	expect(row(apiTable, '`WebRtcServer.dump()`')[3]).toMatch(/no `tupleHashes`.*ours, to fix/);
});

test('the table of the suite\'s failures has every known failure, six of them ours', () => {
	const groups = require('./mediasoup-suite/known-failures.json');
	const tests = groups.flatMap((group) => group.tests);
	const rows = tests.map((name) => row(suiteTable, `\`${name}\``));
	expect(rows.filter((cells) => !cells)).toEqual([]);
	expect(rows.map((cells) => cells[1]).filter((cause) => cause === 'ours, to fix')).toHaveLength(6);
	expect(rows.map((cells) => cells[1]).filter((cause) => cause === 'today\'s worker')).toHaveLength(tests.length - 6);
	for (const name of groups.find((group) => /tupleHashes/.test(group.limitation)).tests) {
		expect(row(suiteTable, `\`${name}\``)[1]).toBe('ours, to fix');
	}
	expect(row(suiteTable, '`DirectTransport > dataProducer.send() with subchannels succeeds`')[1]).toBe('ours, to fix');
});
