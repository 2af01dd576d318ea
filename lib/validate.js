'use strict';

/** Argument checks with mediasoup's messages. */

function checkAppData(appData) {
	if (appData !== undefined && appData !== null && (typeof appData !== 'object' || Array.isArray(appData))) {
		throw new TypeError('if given, appData must be an object');
	}
}

/** For `appData` setters: a plain object is required. */
function checkAppDataValue(appData) {
	if (appData === null || typeof appData !== 'object' || Array.isArray(appData)) {
		throw new TypeError('appData must be an object');
	}
}

function checkOptionsObject(options, name = 'options') {
	if (options !== undefined && options !== null && typeof options !== 'object') {
		throw new TypeError(`${name} must be an object`);
	}
}

/** What the native side takes as a 32-bit unsigned integer (bitrates, thresholds, PPIDs...). */
function checkUnsignedInteger(value, name, { min = 0, max = 0xffffffff } = {}) {
	if (!Number.isInteger(value) || value < min || value > max) {
		throw new TypeError(`${name} must be an integer between ${min} and ${max}`);
	}
}

/** Deeper than any of mediasoup's shapes; the binding's conversion refuses deep values with its own text. */
const MAX_DEPTH = 32;

function checkDepth(value, name, depth) {
	if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
	if (depth >= MAX_DEPTH) throw new TypeError(`${name} is nested too deeply (more than ${MAX_DEPTH} levels)`);
	for (const child of Object.values(value)) checkDepth(child, name, depth + 1);
}

/**
 * JSON-safe deep copy: native calls never see (or mutate) the caller's objects, nor
 * anything JSON cannot carry (functions, BigInts, cycles, absurd nesting).
 */
function clone(value, name = 'options') {
	if (value === undefined) return undefined;
	checkDepth(value, name, 0);
	try {
		return JSON.parse(JSON.stringify(value));
	} catch (error) {
		throw new TypeError(`${name} must be JSON-serializable (${error.message})`);
	}
}

/** A wrong value as error text: a template string joins an array, which overflows the stack on a deeply nested one. */
function shown(value) {
	return value !== null && typeof value === 'object' ? Object.prototype.toString.call(value) : String(value);
}

module.exports = { checkAppData, checkAppDataValue, checkOptionsObject, checkUnsignedInteger, clone, shown };
