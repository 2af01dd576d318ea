'use strict';

/**
 * The error classes of mediasoup's API. They are created here, in JS, so that
 * `instanceof` works everywhere (errors made by a native addon fail it inside
 * Jest's sandbox).
 */

class UnsupportedError extends Error {
	constructor(message) {
		super(message);
		this.name = 'UnsupportedError';
		Error.captureStackTrace(this, UnsupportedError);
	}
}

class InvalidStateError extends Error {
	constructor(message) {
		super(message);
		this.name = 'InvalidStateError';
		Error.captureStackTrace(this, InvalidStateError);
	}
}

module.exports = { UnsupportedError, InvalidStateError };
