'use strict';

/**
 * Worker dumps and stats (3.8 JSON, through the mediasoup crate) in the shapes of
 * mediasoup 3.14, whose worker speaks FlatBuffers: absent instead of null, maps as
 * `[{ key, value(s) }]`, trace event types as arrays, RTCP feedback without empty
 * parameters and header extensions with their `parameters`.
 */

/** Deep copy without null fields (3.14 leaves them out). */
function withoutNulls(value) {
	if (Array.isArray(value)) return value.map(withoutNulls);
	if (value && typeof value === 'object') {
		const copy = {};
		for (const [key, field] of Object.entries(value)) {
			if (field !== null && field !== undefined) copy[key] = withoutNulls(field);
		}
		return copy;
	}
	return value;
}

/**
 * `{ k: v }`, or the crate's `[[k, v]]` (its listener tables), → `[{ key: k, value: v }]`
 * (keys of numeric maps become numbers).
 */
function keyValue(map, numericKeys = false) {
	const entries = Array.isArray(map) ? map : Object.entries(map);
	return entries.map(([key, value]) => ({ key: numericKeys ? Number(key) : key, value }));
}

/** `{ k: [v] }` → `[{ key: k, values: [v] }]`. */
function keyValues(map) {
	return Object.entries(map).map(([key, values]) => ({ key, values }));
}

/** RTP parameters as a 3.14 dump shows them. */
function rtpParametersDump(rtpParameters) {
	return {
		...rtpParameters,
		codecs: rtpParameters.codecs.map((codec) => ({
			...codec,
			rtcpFeedback: codec.rtcpFeedback.map(({ type, parameter }) => (parameter ? { type, parameter } : { type })),
		})),
		headerExtensions: rtpParameters.headerExtensions.map(withExtensionParameters),
	};
}

/** A header extension with its (3.14) `parameters` object. */
function withExtensionParameters(extension) {
	return { ...extension, parameters: extension.parameters ?? {} };
}

function routerDump(dump) {
	return {
		...dump,
		mapProducerIdConsumerIds: keyValues(dump.mapProducerIdConsumerIds),
		mapConsumerIdProducerId: keyValue(dump.mapConsumerIdProducerId),
		mapProducerIdObserverIds: keyValues(dump.mapProducerIdObserverIds),
		mapDataProducerIdDataConsumerIds: keyValues(dump.mapDataProducerIdDataConsumerIds),
		mapDataConsumerIdDataProducerId: keyValue(dump.mapDataConsumerIdDataProducerId),
	};
}

function transportDump(raw) {
	const dump = withoutNulls(raw);
	dump.mapSsrcConsumerId = keyValue(dump.mapSsrcConsumerId, true);
	dump.mapRtxSsrcConsumerId = keyValue(dump.mapRtxSsrcConsumerId, true);
	dump.rtpListener = {
		ssrcTable: keyValue(dump.rtpListener.ssrcTable, true),
		midTable: keyValue(dump.rtpListener.midTable),
		ridTable: keyValue(dump.rtpListener.ridTable),
	};
	if (dump.sctpListener) dump.sctpListener = { streamIdTable: keyValue(dump.sctpListener.streamIdTable, true) };
	return dump;
}

function producerDump(raw) {
	const dump = withoutNulls(raw);
	dump.rtpParameters = rtpParametersDump(dump.rtpParameters);
	return dump;
}

function consumerDump(raw) {
	const dump = withoutNulls(raw);
	dump.rtpParameters = rtpParametersDump(dump.rtpParameters);
	return dump;
}

/**
 * Maps the worker's id of one of `objects` (producers, data producers) to the app's
 * id of it; other ids are left as they are.
 */
function appIdsOf(objects) {
	const appIds = new Map(objects.map((object) => [object._nativeId, object.id]));
	return (id) => appIds.get(id) ?? id;
}

module.exports = {
	appIdsOf,
	withoutNulls,
	withExtensionParameters,
	routerDump,
	transportDump,
	producerDump,
	consumerDump,
};
