'use strict';

/** What every room's router offers: opus for audio, VP8 (simulcast-friendly) for video. */
const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
];

module.exports = { mediaCodecs };
