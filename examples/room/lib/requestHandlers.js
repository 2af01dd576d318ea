'use strict';

const crypto = require('node:crypto');
const { Peer } = require('./Peer');
const { RequestError } = require('./RequestError');
const { requireObject, requireString, optionalString, requireOneOf } = require('./requestChecks');

/**
 * The signaling methods. Each handler gets the connection's session
 * (`{ rooms, transportOptions, notify, peer, room }`, peer and room set by `join`)
 * and the request's `data` object, and returns the reply's data.
 */
const requestHandlers = {
	async join(session, data) {
		if (session.peer) throw new RequestError('already joined; leave first');
		const roomName = requireString(data, 'room', { maxLength: 64 }).trim();
		if (!roomName) throw new RequestError('room must not be blank');
		const displayName = (optionalString(data, 'displayName', { maxLength: 64 }) ?? '').trim() || 'Guest';
		let room;
		do {
			room = await session.rooms.get(roomName);
			if (session.peer || session.closed) {
				// This join may have created the room: nobody else may ever come to close it.
				room.closeIfEmpty();
				throw new RequestError(session.closed ? 'connection left while joining' : 'already joined; leave first');
			}
			// Its last peer (or a joiner that left) closed it meanwhile: a new one is made.
		} while (room.closed);
		const peer = new Peer({ id: crypto.randomUUID(), displayName, notify: session.notify });
		const peers = room.addPeer(peer);
		session.peer = peer;
		session.room = room;
		return { peerId: peer.id, room: room.name, routerRtpCapabilities: room.router.rtpCapabilities, peers };
	},

	async createWebRtcTransport(session, data) {
		const { peer, room } = joined(session);
		const direction = requireOneOf(data, 'direction', ['send', 'recv']);
		if (peer.hasTransport(direction)) throw new RequestError(`a ${direction} transport exists already`);
		const transport = await room.router.createWebRtcTransport({ ...session.transportOptions, appData: { peerId: peer.id, direction } });
		if (peer.closed || peer.hasTransport(direction)) {
			transport.close();
			throw new RequestError('participant left or made that transport meanwhile');
		}
		peer.addTransport(direction, transport);
		return {
			id: transport.id,
			iceParameters: transport.iceParameters,
			iceCandidates: transport.iceCandidates,
			dtlsParameters: transport.dtlsParameters,
		};
	},

	async connectWebRtcTransport(session, data) {
		const { peer } = joined(session);
		const transport = peer.transport(requireString(data, 'transportId'));
		await transport.connect({ dtlsParameters: requireObject(data, 'dtlsParameters') });
		return {};
	},

	async produce(session, data) {
		const { peer, room } = joined(session);
		const transport = peer.transport(requireString(data, 'transportId'), 'send');
		const kind = requireOneOf(data, 'kind', ['audio', 'video']);
		const rtpParameters = requireObject(data, 'rtpParameters');
		const release = peer.reserveProducerSlot();
		let producer;
		try {
			producer = await transport.produce({ kind, rtpParameters, appData: { peerId: peer.id } });
		} finally {
			release();
		}
		if (peer.closed) {
			producer.close();
			throw new RequestError('participant left');
		}
		peer.addProducer(producer);
		room.announceProducer(peer, producer);
		return { id: producer.id };
	},

	/** Consumers start paused: the browser resumes them once its side is ready. */
	async consume(session, data) {
		const { peer, room } = joined(session);
		const producerId = requireString(data, 'producerId');
		const rtpCapabilities = requireObject(data, 'rtpCapabilities');
		const { peer: producerPeer } = room.findProducer(producerId);
		if (producerPeer === peer) throw new RequestError('cannot consume your own producer');
		if (!room.router.canConsume({ producerId, rtpCapabilities })) {
			throw new RequestError(`cannot consume producer "${producerId}" with these rtpCapabilities`);
		}
		const transport = peer.transportOf('recv');
		const release = peer.beginConsuming(producerId);
		let consumer;
		try {
			consumer = await transport.consume({ producerId, rtpCapabilities, paused: true, appData: { peerId: peer.id } });
		} finally {
			release();
		}
		if (peer.closed) {
			consumer.close();
			throw new RequestError('participant left');
		}
		peer.addConsumer(consumer);
		return {
			id: consumer.id,
			producerId,
			kind: consumer.kind,
			rtpParameters: consumer.rtpParameters,
			peerId: producerPeer.id,
			displayName: producerPeer.displayName,
		};
	},

	async resumeConsumer(session, data) {
		const { peer } = joined(session);
		await peer.consumer(requireString(data, 'consumerId')).resume();
		return {};
	},

	async leave(session) {
		const { peer, room } = joined(session);
		session.peer = undefined;
		session.room = undefined;
		room.removePeer(peer);
		return {};
	},
};

function joined(session) {
	if (!session.peer) throw new RequestError('join a room first');
	return { peer: session.peer, room: session.room };
}

module.exports = { requestHandlers };
