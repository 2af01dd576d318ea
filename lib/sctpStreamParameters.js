'use strict';

/**
 * mediasoup 3.14's checks and defaults of SCTP stream parameters, on a copy: `ordered`
 * is true unless a partial-reliability limit is given (both together are a TypeError).
 */
function normalizeSctpStreamParameters(params) {
	if (!params || typeof params !== 'object' || Array.isArray(params)) throw new TypeError('sctpStreamParameters must be an object');
	const { streamId, ordered, maxPacketLifeTime, maxRetransmits } = params;
	if (!Number.isInteger(streamId) || streamId < 0 || streamId > 65535) throw new TypeError('missing sctpStreamParameters.streamId');
	if (ordered !== undefined && typeof ordered !== 'boolean') throw new TypeError('invalid sctpStreamParameters.ordered');
	if (maxPacketLifeTime !== undefined && typeof maxPacketLifeTime !== 'number') {
		throw new TypeError('invalid sctpStreamParameters.maxPacketLifeTime');
	}
	if (maxRetransmits !== undefined && typeof maxRetransmits !== 'number') throw new TypeError('invalid sctpStreamParameters.maxRetransmits');
	if (maxPacketLifeTime !== undefined && maxRetransmits !== undefined) {
		throw new TypeError('cannot provide both maxPacketLifeTime and maxRetransmits');
	}
	const partiallyReliable = maxPacketLifeTime !== undefined || maxRetransmits !== undefined;
	if (ordered && partiallyReliable) throw new TypeError('cannot be ordered with maxPacketLifeTime or maxRetransmits');
	const normalized = { streamId, ordered: ordered ?? !partiallyReliable };
	if (maxPacketLifeTime !== undefined) normalized.maxPacketLifeTime = maxPacketLifeTime;
	if (maxRetransmits !== undefined) normalized.maxRetransmits = maxRetransmits;
	return normalized;
}

module.exports = { normalizeSctpStreamParameters };
