'use strict';

const fc = require('fast-check');
const { opusProducerParameters } = require('../helpers/codecs');

/** Marks a value the fuzzer resolves against the world at call time: an object of it, or its id. */
class Ref {
	constructor(index, asId) {
		this.index = index;
		this.asId = asId;
	}
}

// Factories, not shared constants: `mutate` edits a template in place, so a nested
// object shared between cases would keep every mutation and grow without end
// (by case ~4,000, 60,000 nodes in `connect`'s; every later call cloned them).
const listenInfo = () => ({ protocol: 'udp', ip: '127.0.0.1', portRange: { min: 40000, max: 49999 } });
const rtpCapabilities = () => ({
	codecs: [{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2, rtcpFeedback: [{ type: 'transport-cc' }] }],
	headerExtensions: [{ kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', preferredId: 1, direction: 'sendrecv' }],
});
const dtlsParameters = () => ({ role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89' }] });
const srtpParameters = () => ({ cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: 'YTdjNjVkZjA2MTk5YjcxZDBjMWJjNmYyYmE0YjJkYWEzNGJkNDljNjcxNjJhNDNkOGFhZWE5NWQ3ZTE=' });

/** Valid arguments of the methods that take structured ones; the fuzzer breaks them. */
const TEMPLATES = {
	createRouter: () => ({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }], appData: { a: 1 } }),
	createWebRtcServer: () => ({ listenInfos: [listenInfo()] }),
	createWebRtcTransport: () => ({ listenInfos: [listenInfo()], enableSctp: true, numSctpStreams: { OS: 1024, MIS: 1024 }, maxSctpMessageSize: 262144, appData: {} }),
	createPlainTransport: () => ({ listenInfo: listenInfo(), rtcpMux: false, comedia: false, enableSrtp: true, srtpCryptoSuite: 'AES_CM_128_HMAC_SHA1_80' }),
	createPipeTransport: () => ({ listenInfo: listenInfo(), enableSctp: true, enableRtx: true, enableSrtp: true }),
	createDirectTransport: () => ({ maxMessageSize: 262144 }),
	createAudioLevelObserver: () => ({ maxEntries: 1, threshold: -80, interval: 1000 }),
	createActiveSpeakerObserver: () => ({ interval: 300 }),
	produce: () => ({ kind: 'audio', rtpParameters: opusProducerParameters(1234), paused: false, keyFrameRequestDelay: 0 }),
	consume: () => ({ producerId: new Ref(8, true), rtpCapabilities: rtpCapabilities(), paused: true, preferredLayers: { spatialLayer: 0 } }),
	canConsume: () => ({ producerId: new Ref(9, true), rtpCapabilities: rtpCapabilities() }),
	pipeToRouter: () => ({ producerId: new Ref(8, true), router: new Ref(2, false), enableSrtp: true }),
	connect: () => ({ dtlsParameters: dtlsParameters(), ip: '127.0.0.1', port: 40000, rtcpPort: 40001, srtpParameters: srtpParameters() }),
	produceData: () => ({ sctpStreamParameters: { streamId: 3, ordered: false, maxRetransmits: 2 }, label: 'l', protocol: 'p' }),
	consumeData: () => ({ dataProducerId: new Ref(11, true), ordered: false, maxPacketLifeTime: 100, subchannels: [1, 2] }),
	setPreferredLayers: () => ({ spatialLayer: 0, temporalLayer: 0 }),
	addProducer: () => ({ producerId: new Ref(8, true) }),
	removeProducer: () => ({ producerId: new Ref(8, true) }),
	updateSettings: () => ({ logLevel: 'warn', logTags: ['info'] }),
	enableTraceEvent: () => ['rtp', 'keyframe', 'nack', 'pli', 'fir', 'bwe', 'probation'],
};

/** Every path (list of keys) inside a JSON-like value. */
function pathsOf(value, prefix = [], out = []) {
	out.push(prefix);
	// Shallow enough for the templates; never into a huge replacement.
	if (prefix.length < 6 && (Array.isArray(value) || isPlainObject(value))) {
		for (const key of Object.keys(value)) pathsOf(value[key], [...prefix, key], out);
	}
	return out;
}

function isPlainObject(value) {
	return value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value));
}

const DELETE = Symbol('delete');

/** The template with some of its paths set to other values (or deleted). */
function mutate(template, mutations) {
	let value = template;
	for (const { seed, replacement } of mutations) {
		const paths = pathsOf(value);
		const path = paths[seed % paths.length];
		if (path.length === 0) {
			value = replacement === DELETE ? undefined : replacement;
			continue;
		}
		const parent = path.slice(0, -1).reduce((node, key) => node[key], value);
		if (replacement === DELETE) delete parent[path.at(-1)];
		else parent[path.at(-1)] = replacement;
	}
	return value;
}

/**
 * A value nested `depth` times in arrays or objects. fast-check prints a failing case
 * through `toStringMethod` (hidden from the API: not enumerable, a symbol); walking
 * 20,000 levels itself overflowed the stack and hid the failure behind a RangeError.
 */
function nested(depth, inArray) {
	let value = 1;
	for (let i = 0; i < depth; i++) value = inArray ? [value] : { a: value };
	Object.defineProperty(value, fc.toStringMethod, { value: () => `nested(${depth}, ${inArray ? 'arrays' : 'objects'})` });
	return value;
}

const ref = fc.tuple(fc.nat(), fc.boolean()).map(([index, asId]) => new Ref(index, asId));

const huge = fc.oneof(
	fc.constantFrom(2 ** 32, 2 ** 53, -1, -(2 ** 31) - 1, 1.5, NaN, Infinity, -Infinity, Number.MAX_VALUE, -0, 1e-300),
	fc.constantFrom(10, 1000, 100000).map((length) => 'x'.repeat(length)),
	fc.constantFrom(100, 10000).map((length) => Array.from({ length }, (_, i) => i)),
	fc.constantFrom(64, 200, 2000, 20000).chain((depth) => fc.boolean().map((inArray) => nested(depth, inArray))),
	fc.constantFrom(1024, 65536).map((length) => Buffer.alloc(length, 0x80)),
);

const scalar = fc.oneof(
	fc.constantFrom(undefined, null, true, false, 0, 1, '', 'audio', 'video', 'udp', '127.0.0.1', 'sha-256', [], {}),
	fc.integer(),
	fc.double(),
	fc.string(),
	fc.bigInt(),
	fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);

const wild = fc.anything({
	maxDepth: 4,
	withBigInt: true,
	withBoxedValues: true,
	withDate: true,
	withMap: true,
	withSet: true,
	withNullPrototype: true,
	withObjectString: true,
	withSparseArray: true,
	withTypedArray: true,
});

const replacement = fc.oneof(scalar, huge, ref, wild, fc.constant(DELETE));

/** A template broken at call time: the called method's own (when `own` and it has one) or another one. */
class Broken {
	constructor(own, name, mutations) {
		this.own = own;
		this.name = name;
		this.mutations = mutations;
	}

	build(method) {
		const name = this.own && TEMPLATES[method] ? method : this.name;
		return mutate(TEMPLATES[name](), this.mutations);
	}
}

const broken = fc
	.tuple(fc.boolean(), fc.constantFrom(...Object.keys(TEMPLATES)), fc.array(fc.record({ seed: fc.nat(), replacement }), { maxLength: 3 }))
	.map(([own, name, mutations]) => new Broken(own, name, mutations));

/** One argument: a broken template, a reference to an object of the world, or anything. */
const argument = fc.oneof(
	{ weight: 4, arbitrary: broken },
	{ weight: 2, arbitrary: scalar },
	{ weight: 1, arbitrary: huge },
	{ weight: 1, arbitrary: ref },
	{ weight: 2, arbitrary: wild },
);

/** A call: which object (index into the world), which of its methods (index), and up to 4 arguments. */
const call = fc.record({ target: fc.nat(), method: fc.nat(), args: fc.array(argument, { maxLength: 4 }) });

/** Replaces references (at the top and one level down) with objects of the world or their ids. */
function resolve(value, objects, method) {
	if (value instanceof Broken) value = value.build(method);
	const one = (v) => (v instanceof Ref ? pick(v, objects) : v);
	if (value instanceof Ref) return pick(value, objects);
	if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
		for (const key of Object.keys(value)) value[key] = one(value[key]);
	} else if (Array.isArray(value)) {
		return value.map(one);
	}
	return value;
}

function pick({ index, asId }, objects) {
	const object = objects[index % objects.length];
	return asId ? object.id : object;
}

module.exports = { call, argument, resolve, TEMPLATES, Ref, Broken };
