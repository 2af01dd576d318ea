'use strict';

/** A request the server refuses; its message goes back to the client as is. */
class RequestError extends Error {
	constructor(message) {
		super(message);
		this.name = 'RequestError';
	}
}

module.exports = { RequestError };
