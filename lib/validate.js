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

function checkTraceTypes(types) {
	if (!Array.isArray(types)) throw new TypeError('types must be an array');
	if (types.find((type) => typeof type !== 'string')) throw new TypeError('every type must be a string');
}

function checkOptionsObject(options, name = 'options') {
	if (options !== undefined && options !== null && typeof options !== 'object') {
		throw new TypeError(`${name} must be an object`);
	}
}

/** JSON-safe deep copy: native calls never see (or mutate) the caller's objects. */
function clone(value) {
	return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

module.exports = { checkAppData, checkAppDataValue, checkTraceTypes, checkOptionsObject, clone };
