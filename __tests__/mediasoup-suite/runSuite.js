'use strict';

/**
 * Runs the third-party mediasoup test suite (@mafalda-sfu/mediasoup-node-tests)
 * against `mafalda-sfu/mediasoup`, once per mode (a placement policy, a worker
 * backing). Tests listed in known-failures.json run as `test.failing`: an unexpected
 * failure or an unexpected pass turns the run red. Each mode prints "N passed, M
 * known failures". Used by mediasoup-suite.test.js (worker processes) and
 * workerThreads.test.js (worker threads, whose pid is this process's).
 */

/** Test name ("Describe > test") → its known-failure group ({ limitation, reason, tests, modes? }). */
const knownFailures = Object.fromEntries(
	require('./known-failures.json').flatMap((group) => group.tests.map((name) => [name, group]))
);

const SUITE_ROOT = 'Mediasoup node tests';

const jestDescribe = global.describe;
const jestTest = global.test;
const jestBeforeEach = global.beforeEach;
/** Titles of the describe blocks being registered, outermost first. */
const describeStack = [];
/** Counters of the mode whose tests are being registered. */
let current;

global.describe = Object.assign((title, fn) => jestDescribe(title, () => {
	describeStack.push(title);
	try {
		fn();
	} finally {
		describeStack.pop();
	}
}), jestDescribe);

/**
 * A failing beforeEach fails the test it prepares, inside the test (where
 * `test.failing` can expect it) rather than as a hook failure.
 */
let beforeEachError;
global.beforeEach = (fn, timeout) => jestBeforeEach(async () => {
	try {
		await fn();
	} catch (error) {
		beforeEachError ??= error;
	}
}, timeout);

function throwBeforeEachError() {
	const error = beforeEachError;
	beforeEachError = undefined;
	if (error) throw error;
}

/** "Describe > ... > test" below the suite's root describe. */
function suiteName(title) {
	const root = describeStack.indexOf(SUITE_ROOT);
	return [...describeStack.slice(root + 1), title].join(' > ');
}

function knownFailure(name, mode) {
	const entry = knownFailures[name];
	return entry && (!entry.modes || entry.modes.includes(mode)) ? entry : undefined;
}

function suiteTest(title, fn, timeout) {
	const counts = current;
	const name = suiteName(title);
	counts.names.add(name);
	if (knownFailure(name, counts.mode)) {
		counts.known += 1;
		return jestTest.failing(title, async () => {
			try {
				throwBeforeEachError();
				await fn();
			} catch (error) {
				counts.failedAsKnown += 1;
				throw error;
			}
		}, timeout);
	}
	counts.expected += 1;
	return jestTest(title, async () => {
		throwBeforeEachError();
		await fn();
		counts.passed += 1;
	}, timeout);
}
suiteTest.skip = (title, ...rest) => {
	current.skipped += 1;
	return jestTest.skip(title, ...rest);
};
global.test = suiteTest;

const runSuite = require('@mafalda-sfu/mediasoup-node-tests');
const { createMediasoup } = require('mafalda-sfu/mediasoup');

/**
 * Registers the suite once per mode (`{ name, poolOptions }`).
 * MEDIASOUP_SUITE_MODES=pack (or spread, ...) runs the named modes only, while working on one.
 */
function runModes(modes) {
	const selectedModes = process.env.MEDIASOUP_SUITE_MODES?.split(',');
	for (const { name: mode, poolOptions } of modes.filter(({ name }) => !selectedModes || selectedModes.includes(name))) {
		const counts = { mode, names: new Set(), expected: 0, passed: 0, known: 0, failedAsKnown: 0, skipped: 0 };
		current = counts;
		jestDescribe(`mediasoup suite, placement "${mode}"`, () => {
			runSuite(createMediasoup(poolOptions));

			jestTest('every known failure names a test of the suite', () => {
				const stale = Object.keys(knownFailures).filter((name) => knownFailure(name, mode) && !counts.names.has(name));
				expect(stale).toEqual([]);
			});

			afterAll(() => {
				const total = counts.expected + counts.known + counts.skipped;
				const unexpectedFailures = counts.expected - counts.passed;
				const unexpectedPasses = counts.known - counts.failedAsKnown;
				console.log(
					`mediasoup suite (${mode}): ${counts.passed} passed, ${counts.failedAsKnown} known failures` +
					` (${total} tests; ${counts.skipped} skipped by the suite for virtual pids` +
					`${unexpectedFailures ? `; ${unexpectedFailures} UNEXPECTED FAILURES` : ''}` +
					`${unexpectedPasses ? `; ${unexpectedPasses} known failures did not fail` : ''})`
				);
			});
		});
	}
}

module.exports = { runModes };
