'use strict';

/** Router codecs used across the tests. */
const mediaCodecs = Object.freeze([
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
]);

/** Producer parameters of an opus stream with the ssrc-audio-level extension as id 1. */
function opusProducerParameters(ssrc, payloadType = 111) {
	return {
		codecs: [{ mimeType: 'audio/opus', payloadType, clockRate: 48000, channels: 2 }],
		headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 1 }],
		encodings: [{ ssrc }],
	};
}

/** Producer parameters of a VP8 stream that accepts PLI and FIR. */
function vp8ProducerParameters(ssrc, payloadType = 96) {
	return {
		codecs: [{
			mimeType: 'video/VP8',
			payloadType,
			clockRate: 90000,
			rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
		}],
		encodings: [{ ssrc }],
	};
}

module.exports = { mediaCodecs, opusProducerParameters, vp8ProducerParameters };
