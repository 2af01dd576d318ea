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
const PROTOCOLS = { 1: 'udp', 2: 'tcp' };

function tuple({ localAddress, localPort, remoteIp, remotePort, protocol }) {
	return { localIp: localAddress, localPort, remoteIp, remotePort, protocol: PROTOCOLS[protocol] };
}

/**
 * Notification body (unpacked) → [event name, data] as the native layer sends them:
 * the notifications mediasoup's tests inject; others are ignored.
 */
function nativeEvent(body) {
	switch (body?.constructor.name) {
		case 'IceStateChangeNotificationT': return ['icestatechange', ICE_STATES[body.iceState]];
		case 'IceSelectedTupleChangeNotificationT': return ['iceselectedtuplechange', tuple(body.tuple)];
		case 'DtlsStateChangeNotificationT': return ['dtlsstatechange', DTLS_STATES[body.dtlsState]];
		case 'ScoreNotificationT':
			if (Array.isArray(body.scores)) {
				return ['score', body.scores.map(({ encodingIdx, ssrc, rid, score }) => ({ encodingIdx, ssrc, rid: rid ?? undefined, score }))];
			}
			return ['score', { score: body.score.score, producerScore: body.score.producerScore, producerScores: [...body.score.producerScores] }];
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
