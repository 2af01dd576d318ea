'use strict';

/**
 * Codec parameters in mediasoup's API are any JSON values (`foo: 222.222`), but the
 * mediasoup crate under the native core types them as string or u32. Other values
 * cross the binding as tagged strings (the worker keeps strings as they are) and
 * are turned back into their values on the way out.
 */

const TAG = 'mafalda-json:';

/** Strings that look tagged are tagged too, so that they come back as the same string. */
function fitsTheCrate(value) {
	if (typeof value === 'string') return !value.startsWith(TAG);
	return Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

function encodeParameters(parameters) {
	if (!parameters || typeof parameters !== 'object' || Array.isArray(parameters)) return parameters;
	const encoded = {};
	for (const [key, value] of Object.entries(parameters)) {
		encoded[key] = fitsTheCrate(value) || value === undefined ? value : TAG + JSON.stringify(value);
	}
	return encoded;
}

/** Copy of an array of codecs (of RTP parameters or capabilities) ready for the binding. */
function encodeCodecs(codecs) {
	return codecs.map((codec) => (codec && typeof codec === 'object' ? { ...codec, parameters: encodeParameters(codec.parameters) } : codec));
}

/** Copy of RTP parameters or capabilities (`{ codecs, ... }`) ready for the binding. */
function encodeCodecParameterValues(value) {
	if (!value || typeof value !== 'object' || !Array.isArray(value.codecs)) return value;
	return { ...value, codecs: encodeCodecs(value.codecs) };
}

/** Turns tagged strings anywhere in a JSON result back into their values (in place). */
function decodeCodecParameterValues(value) {
	if (Array.isArray(value)) {
		for (let i = 0; i < value.length; i++) value[i] = decodeCodecParameterValues(value[i]);
	} else if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
		for (const key of Object.keys(value)) value[key] = decodeCodecParameterValues(value[key]);
	} else if (typeof value === 'string' && value.startsWith(TAG)) {
		return JSON.parse(value.slice(TAG.length));
	}
	return value;
}

module.exports = { encodeCodecParameterValues, decodeCodecParameterValues };
