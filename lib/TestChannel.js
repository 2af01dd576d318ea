'use strict';

const { EventEmitter } = require('node:events');

/**
 * `channelForTesting`: where mediasoup's own tests inject worker notifications, in the
 * 3.14 channel format (FlatBuffers `Notification` objects, emitted as
 * `channel.emit(targetId, event, notification)`). Each one is decoded and handled
 * exactly as the native event of the same meaning.
 */

const ICE_STATES = ['new', 'connected', 'completed', 'disconnected'];
const DTLS_STATES = ['new', 'connecting', 'connected', 'failed', 'closed'];
const SCTP_STATES = ['new', 'connecting', 'connected', 'failed', 'closed'];
const PROTOCOLS = { 1: 'udp', 2: 'tcp' };

function tuple({ localAddress, localPort, remoteIp, remotePort, protocol }) {
	const decoded = { localIp: localAddress, localPort, protocol: PROTOCOLS[protocol] };
	if (remoteIp) decoded.remoteIp = remoteIp;
	if (remotePort) decoded.remotePort = remotePort;
	return decoded;
}

/** Notification body (unpacked) → [event name, data] as the native layer sends them. */
function nativeEvent(body) {
	switch (body?.constructor.name) {
		case 'IceStateChangeNotificationT': return ['icestatechange', ICE_STATES[body.iceState]];
		case 'IceSelectedTupleChangeNotificationT': return ['iceselectedtuplechange', tuple(body.tuple)];
		case 'DtlsStateChangeNotificationT': return ['dtlsstatechange', DTLS_STATES[body.dtlsState]];
		case 'SctpStateChangeNotificationT': return ['sctpstatechange', SCTP_STATES[body.sctpState]];
		case 'TupleNotificationT': return ['tuple', tuple(body.tuple)];
		case 'RtcpTupleNotificationT': return ['rtcptuple', tuple(body.tuple)];
		case 'ScoreNotificationT':
			if (Array.isArray(body.scores)) {
				return ['score', body.scores.map(({ encodingIdx, ssrc, rid, score }) => ({ encodingIdx, ssrc, rid: rid ?? undefined, score }))];
			}
			return ['score', { score: body.score.score, producerScore: body.score.producerScore, producerScores: [...body.score.producerScores] }];
		default: return undefined;
	}
}

class TestChannel extends EventEmitter {
	constructor(target) {
		super();
		this.on(target.id, (_event, notification) => {
			const decoded = nativeEvent(notification?.unpack?.().body);
			if (decoded) target._handleNativeEvent(...decoded);
		});
	}
}

module.exports = { TestChannel };
