'use strict';

const { InvalidStateError, UnsupportedError } = require('../../lib/errors');

/** Text that only the binding's type conversion or the worker channel produce. */
const LEAKS = [
	/Failed to convert/i,
	/napi/i,
	/into rust type/i,
	/Received response error:\s*(\[|$)/,
	/^\s*$/,
];

/** A plain Error must say which call failed: "<object>.<method>" (as the core names it) or mediasoup's own "not found"/"already exists". */
const PLAIN_ERROR = /\b[a-zA-Z]+\.[a-zA-Z]+\b|not found|already exists/;

/**
 * The class of a rejection by mediasoup's contract, or why it breaks it:
 * `{ ok: true, kind }` or `{ ok: false, kind, why }`.
 */
function verdict(error) {
	if (!(error instanceof Error)) return { ok: false, kind: typeof error, why: `not an Error: ${String(error)}` };
	const message = String(error.message);
	const leak = LEAKS.find((pattern) => pattern.test(message));
	let kind = 'Error';
	if (error instanceof TypeError) kind = 'TypeError';
	else if (error instanceof InvalidStateError) kind = 'InvalidStateError';
	else if (error instanceof UnsupportedError) kind = 'UnsupportedError';
	else if (error.constructor !== Error) return { ok: false, kind: error.constructor.name, why: `unexpected class: ${message}` };
	if (leak) return { ok: false, kind, why: `leaks or says nothing: "${message}"` };
	if (kind === 'Error' && !PLAIN_ERROR.test(message)) return { ok: false, kind, why: `plain Error that names no method: "${message}"` };
	return { ok: true, kind };
}

module.exports = { verdict };
