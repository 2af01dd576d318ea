// A typed use of the API: compiled (not run) by __tests__/typings.test.js so that
// index.d.ts keeps matching what the code offers.

import { Mafalda, MafaldaRouter, UnsupportedError, InvalidStateError, nativeVersions, type RtpCodecCapability } from '..';

const mediaCodecs: RtpCodecCapability[] = [
	{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
	{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

export async function room(): Promise<void> {
	const mafalda = new Mafalda({ maxWorkers: 2, policy: 'pack', watermark: 0.6, workerIdleTimeout: 30000 });
	mafalda.on('workerdied', ({ workerId, routers }) => console.log(workerId, routers.length));
	const router: MafaldaRouter = await mafalda.createRouter({ mediaCodecs, appData: { name: 'demo' } });
	const send = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'], enableUdp: true });
	const recv = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true });
	console.log(send.iceParameters.usernameFragment, send.workerId, recv.tuple.localPort);
	const producer = await recv.produce({
		kind: 'audio',
		rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1 }] },
	});
	const consumer = await send.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
	await consumer.resume();
	console.log(consumer.piped, consumer.rtpParameters.codecs[0].payloadType);
	const observer = await router.createAudioLevelObserver({ interval: 500 });
	observer.on('volumes', (volumes) => console.log(volumes[0].producer.id, volumes[0].volume));
	await observer.addProducer({ producerId: producer.id });
	const webRtcServer = await mafalda.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', portRange: { min: 40000, max: 40099 } }] });
	const onServer = await router.createWebRtcTransport({ webRtcServer, iceConsentTimeout: 20 });
	console.log(webRtcServer.workerId === onServer.workerId, onServer.iceCandidates[0].address, nativeVersions().openssl);
	const dump = await mafalda.dump();
	for (const worker of dump.workers) console.log(worker.id, worker.load, worker.shards.length, worker.pipes.length);
	try {
		await router.createWebRtcTransport({ listenIps: [] });
	} catch (error) {
		console.log(error instanceof TypeError || error instanceof UnsupportedError || error instanceof InvalidStateError);
	}
	mafalda.close();
}

export async function clusterNode(): Promise<void> {
	const mafalda = new Mafalda({
		maxWorkers: 0,
		policy: 'spread',
		cluster: { servers: ['nats://127.0.0.1:4222'], nodeId: 'signaling-1', announcedAddress: '127.0.0.1', token: 's3cret', heartbeatInterval: 1000, nodeTimeout: 3000 },
	});
	mafalda.on('nodeadded', ({ nodeId, announcedAddress }) => console.log(nodeId, announcedAddress));
	mafalda.on('nodelost', ({ nodeId, routers }) => console.log(nodeId, routers.map((r) => r.id)));
	mafalda.on('needmoreservers', ({ freeCores }) => console.log(freeCores));
	await mafalda.ready();
	const router = await mafalda.createRouter({ mediaCodecs });
	const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '0.0.0.0' } });
	console.log(transport.nodeId, transport.tuple.localPort);
	const { nodes, nodePipes } = await mafalda.dump();
	for (const node of nodes ?? []) console.log(node.nodeId, node.self, node.draining, node.workers.length);
	console.log(nodePipes.length);
	await mafalda.drain();
	mafalda.close();
}
