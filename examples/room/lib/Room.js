'use strict';

const { RequestError } = require('./RequestError');
const { mediaCodecs } = require('./mediaCodecs');

/**
 * One room: one MafaldaRouter (spread over the workers by Mafalda) and the peers in it.
 * Closes its router when the last peer leaves.
 */
class Room {
	#peers = new Map();
	#closed = false;
	#onClose;

	constructor({ name, router, onClose }) {
		this.name = name;
		this.router = router;
		this.#onClose = onClose;
	}

	static async create({ name, mafalda, onClose }) {
		const router = await mafalda.createRouter({ mediaCodecs, appData: { room: name } });
		return new Room({ name, router, onClose });
	}

	get closed() { return this.#closed; }
	get peers() { return [...this.#peers.values()]; }

	/** Adds a peer and tells everyone else; returns what the newcomer needs to know. */
	addPeer(peer) {
		if (this.#closed) throw new RequestError(`room "${this.name}" closed`);
		this.#broadcast(peer, 'peerJoined', { peerId: peer.id, displayName: peer.displayName });
		this.#peers.set(peer.id, peer);
		return this.peers
			.filter((other) => other !== peer)
			.map((other) => ({
				peerId: other.id,
				displayName: other.displayName,
				producers: other.producers.map((producer) => ({ producerId: producer.id, kind: producer.kind })),
			}));
	}

	/** A peer published: everyone else may consume it. */
	announceProducer(peer, producer) {
		this.#broadcast(peer, 'newProducer', { peerId: peer.id, displayName: peer.displayName, producerId: producer.id, kind: producer.kind });
	}

	/** The producer with this id and the peer that owns it. */
	findProducer(producerId) {
		for (const peer of this.#peers.values()) {
			const producer = peer.producers.find((p) => p.id === producerId);
			if (producer) return { peer, producer };
		}
		throw new RequestError(`producer "${producerId}" not found in room "${this.name}"`);
	}

	removePeer(peer) {
		if (this.#peers.get(peer.id) !== peer) return;
		this.#peers.delete(peer.id);
		// Closing its transports closes its producers; the others' consumers of them then close
		// (each peer tells its browser `consumerClosed`).
		peer.close();
		this.#broadcast(peer, 'peerLeft', { peerId: peer.id });
		if (this.#peers.size === 0) this.close();
	}

	/** A room nobody joined after all (its joiner left while it was being made) goes. */
	closeIfEmpty() {
		if (this.#peers.size === 0) this.close();
	}

	close() {
		if (this.#closed) return;
		this.#closed = true;
		for (const peer of this.#peers.values()) peer.close();
		this.#peers.clear();
		this.router.close();
		this.#onClose(this);
	}

	#broadcast(fromPeer, method, data) {
		for (const peer of this.#peers.values()) {
			if (peer !== fromPeer) peer.notify(method, data);
		}
	}
}

module.exports = { Room };
