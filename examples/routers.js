'use strict';

/**
 * Creates a few routers on the embedded default pool, a transport on each, prints
 * where the scheduler put them, then closes everything.
 *
 *   node examples/routers.js
 */

const { Mafalda } = require('..');

const mediaCodecs = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

async function main() {
	const mafalda = new Mafalda();
	for (let room = 1; room <= 3; room++) {
		const router = await mafalda.createRouter({ mediaCodecs, appData: { room } });
		const transport = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] });
		const opus = router.rtpCapabilities.codecs.find((c) => c.mimeType === 'audio/opus');
		console.log(
			`room ${room}: router ${router.id}, opus payload type ${opus.preferredPayloadType}, ` +
				`transport ${transport.id} on worker ${transport.workerId} (ICE ${transport.iceState})`
		);
	}
	const dump = await mafalda.dump();
	console.log(`policy ${dump.policy}, ${dump.workers.length} worker(s) of at most ${dump.maxWorkers}:`);
	for (const worker of dump.workers) {
		console.log(`  worker ${worker.id}: load ${worker.load.toFixed(3)}, ${worker.shards.length} shard(s)`);
	}
	mafalda.close();
	console.log('closed');
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
