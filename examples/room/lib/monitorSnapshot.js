'use strict';

const MAX_DECISIONS = 12;

/**
 * What the /monitor page draws: `mafalda.dump()` with router ids, transport ids and
 * producer ids replaced by the rooms and participants they belong to.
 */
async function monitorSnapshot({ mafalda, rooms }) {
	const dump = await mafalda.dump();
	const roomByRouterId = new Map();
	const transportById = new Map();
	const roomByProducerId = new Map();
	for (const room of rooms.list) {
		roomByRouterId.set(room.router.id, room);
		for (const peer of room.peers) {
			for (const [transportId, direction] of peer.transportDirections) {
				transportById.set(transportId, { peer: peer.displayName, peerId: peer.id, direction });
			}
			for (const producer of peer.producers) roomByProducerId.set(producer.id, room.name);
		}
	}
	const roomName = (routerId) => roomByRouterId.get(routerId)?.name ?? null;

	return {
		at: Date.now(),
		policy: dump.policy,
		watermark: dump.watermark,
		maxWorkers: dump.maxWorkers,
		// In a cluster: the servers, and the pipes between them.
		nodes: dump.nodes?.map((node) => ({ nodeId: node.nodeId, self: node.self, draining: node.draining, shards: node.shards, workers: node.workers.length })) ?? null,
		nodePipes: dump.nodePipes.map((pipe) => ({ room: roomName(pipe.routerId), fromNodeId: pipe.fromNodeId, toNodeId: pipe.toNodeId })),
		rooms: rooms.list.map((room) => ({
			name: room.name,
			routerId: room.router.id,
			participants: room.peers.map((peer) => peer.displayName),
			producers: room.peers.reduce((n, peer) => n + peer.producers.length, 0),
			consumers: room.peers.reduce((n, peer) => n + peer.consumers.length, 0),
		})),
		workers: dump.workers.map((worker) => ({
			id: worker.id,
			// Its process (a worker host of its own; this process with thread workers).
			pid: worker.pid,
			cpu: worker.cpu,
			load: worker.load,
			holdings: worker.holdings,
			shards: worker.shards.map((shard) => ({
				room: roomName(shard.routerId),
				routerId: shard.routerId,
				transports: shard.transportIds.map((id) => ({ id, ...(transportById.get(id) ?? { peer: null, direction: null }) })),
			})),
			pipes: worker.pipes.map((pipe) => ({
				fromWorkerId: pipe.fromWorkerId,
				toWorkerId: pipe.toWorkerId,
				producers: pipe.producerIds.length,
				dataProducers: pipe.dataProducerIds.length,
				rooms: [...new Set(pipe.producerIds.map((id) => roomByProducerId.get(id)).filter(Boolean))],
			})),
		})),
		decisions: dump.decisions.slice(-MAX_DECISIONS).reverse().map((decision) => ({
			atMs: decision.atMs,
			subject: decision.subject.replace(/router ([0-9a-f-]{36})/, (whole, id) => (roomName(id) ? `room "${roomName(id)}"` : whole)),
			reason: decision.reason,
			workerId: decision.workerId,
		})),
	};
}

module.exports = { monitorSnapshot };
