'use strict';

const { UnsupportedError, InvalidStateError } = require('./errors');
const { decodeCodecParameterValues } = require('./codecParameterValues');

/** The napi addon: built into native/ by `npm install`, or a platform package's. */
const binding = require('./loadBinding').loadBinding();

const CLASSES = {
	TypeError,
	InvalidStateError,
	UnsupportedError,
	Error,
};

/**
 * Turns an addon error (`[Class] message`) into an instance of that class, created
 * in JS. Other errors pass through.
 */
function toJsError(error) {
	const match = /^\[(\w+)\] ([\s\S]*)$/.exec(error && error.message);
	if (!match) return error;
	const Class = CLASSES[match[1]] || Error;
	return new Class(match[2]);
}

/** Awaits a native call, translating its errors (and its codec parameter values). */
async function call(promise) {
	try {
		return decodeCodecParameterValues(await promise);
	} catch (error) {
		throw toJsError(error);
	}
}

/** Runs a synchronous native call, translating its errors (and its codec parameter values). */
function callSync(fn) {
	try {
		return decodeCodecParameterValues(fn());
	} catch (error) {
		throw toJsError(error);
	}
}

module.exports = { binding, call, callSync, toJsError };
