'use strict';

const { RequestError } = require('./RequestError');

/** Checks of the `data` of signaling requests; each failure is a RequestError naming the field. */

function isPlainObject(value) {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function requireObject(data, field) {
	if (!isPlainObject(data[field])) throw new RequestError(`${field} must be an object`);
	return data[field];
}

function requireString(data, field, { maxLength = 200 } = {}) {
	const value = data[field];
	if (typeof value !== 'string' || value.length === 0) throw new RequestError(`${field} must be a non-empty string`);
	if (value.length > maxLength) throw new RequestError(`${field} must be at most ${maxLength} characters`);
	return value;
}

function optionalString(data, field, { maxLength = 200 } = {}) {
	return data[field] === undefined ? undefined : requireString(data, field, { maxLength });
}

function requireOneOf(data, field, allowed) {
	const value = data[field];
	if (!allowed.includes(value)) throw new RequestError(`${field} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
	return value;
}

module.exports = { isPlainObject, requireObject, requireString, optionalString, requireOneOf };
