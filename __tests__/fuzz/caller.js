'use strict';

const { EnhancedEventEmitter } = require('../../lib/enhancedEvents');
const { resolve } = require('./arbitraries');
const { verdict } = require('./verdict');

/** Methods that end the fuzz world itself, or are the parents' private close paths. */
const SKIPPED = new Set(['constructor', 'simulateWorkerDeath', 'drain']);
const SKIPPED_ON_ROOTS = new Set(['close']);

/** The public methods of an object (its class chain below the event emitter), plus the appData setter. */
function publicMethods(object) {
	const names = new Set();
	for (let proto = Object.getPrototypeOf(object); proto && proto !== EnhancedEventEmitter.prototype && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
		for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
			if (typeof descriptor.value === 'function' && !name.startsWith('_') && !name.endsWith('Closed') && !SKIPPED.has(name)) names.add(name);
			if (descriptor.set) names.add(`set ${name}`);
		}
	}
	return [...names].sort();
}

/** A promise that neither resolves nor rejects is a bug: after a generous bound it becomes one. */
const HUNG_AFTER_MS = 20000;

async function settledWithin(value, what) {
	if (!(value instanceof Promise)) return value;
	let timer;
	const hung = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new HungError(`${what} never settled`)), HUNG_AFTER_MS);
	});
	try {
		return await Promise.race([value, hung]);
	} finally {
		clearTimeout(timer);
	}
}

class HungError extends Error {}

/** What a fuzz run saw: calls, resolutions, rejections by class, broken contracts. */
function createTally() {
	return { calls: 0, resolved: 0, rejected: {}, broken: [] };
}

/**
 * Calls `method` of `world.objects[target]` with the arguments resolved against the
 * world; counts the outcome. A returned object that can close is kept for cleanup.
 * Resolves to the broken contract, if any ({ call, why }).
 */
async function invoke(world, tally, { target, method, args }, { roots = 3 } = {}) {
	const index = target % world.objects.length;
	const object = world.objects[index];
	const methods = publicMethods(object).filter((name) => index >= roots || !SKIPPED_ON_ROOTS.has(name));
	const name = methods[method % methods.length];
	const resolved = args.map((arg) => resolve(arg, world.objects, name));
	tally.calls += 1;
	try {
		let result;
		if (name.startsWith('set ')) object[name.slice(4)] = resolved[0];
		else result = await settledWithin(object[name](...resolved), `${object.constructor.name}.${name}`);
		tally.resolved += 1;
		if (result && typeof result.close === 'function' && result !== object) world.created.push(result);
		return undefined;
	} catch (error) {
		const { ok, kind, why } = verdict(error);
		tally.rejected[kind] = (tally.rejected[kind] ?? 0) + 1;
		if (ok) return undefined;
		const broken = { call: `${object.constructor.name}.${name}`, why };
		tally.broken.push(broken);
		return broken;
	}
}

/** The tally as lines for the test output (and README's Reliability section). */
function report(title, tally) {
	const rejected = Object.values(tally.rejected).reduce((a, b) => a + b, 0);
	const byClass = Object.entries(tally.rejected).sort(([, a], [, b]) => b - a).map(([kind, n]) => `${kind} ${n}`).join(', ');
	return [
		`${title}: ${tally.calls} calls, ${tally.resolved} resolved, ${rejected} rejected (${byClass || 'none'})`,
		`  contract broken: ${tally.broken.length}${tally.broken.slice(0, 5).map((b) => `\n    ${b.call}: ${b.why}`).join('')}`,
	].join('\n');
}

module.exports = { publicMethods, createTally, invoke, report };
