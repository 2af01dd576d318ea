'use strict';

/** `L<spatial>T<temporal>[_KEY...]` or `S<spatial>T<temporal>`, layers 1 to 99. */
const SCALABILITY_MODE = /^[LS]([1-9]\d?)T([1-9]\d?)(_KEY)?/;

/** mediasoup's `parseScalabilityMode()`: anything unreadable is one layer of each. */
function parseScalabilityMode(scalabilityMode) {
	// Only a string: converting anything else (a 10,000-deep array...) can overflow the stack.
	const match = typeof scalabilityMode === 'string' ? SCALABILITY_MODE.exec(scalabilityMode) : null;
	if (!match) return { spatialLayers: 1, temporalLayers: 1, ksvc: false };
	return { spatialLayers: Number(match[1]), temporalLayers: Number(match[2]), ksvc: Boolean(match[3]) };
}

module.exports = { parseScalabilityMode };
