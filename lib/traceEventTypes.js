'use strict';

/** The trace event types each class knows; others are ignored, as mediasoup 3.14 does. */
const TRACE_EVENT_TYPES = {
	transport: ['probation', 'bwe'],
	producer: ['rtp', 'keyframe', 'nack', 'pli', 'fir'],
	consumer: ['rtp', 'keyframe', 'nack', 'pli', 'fir'],
};

/** Checks `types` (TypeError as mediasoup) and keeps the known ones, once each. */
function knownTraceEventTypes(types, kind) {
	if (!Array.isArray(types)) throw new TypeError('types must be an array');
	if (types.some((type) => typeof type !== 'string')) throw new TypeError('every type must be a string');
	return [...new Set(types.filter((type) => TRACE_EVENT_TYPES[kind].includes(type)))];
}

module.exports = { knownTraceEventTypes };
