'use strict';

const { Mafalda } = require('../..');
const { createMediasoup } = require('../../mediasoup');
const { mediaCodecs, opusProducerParameters, vp8ProducerParameters } = require('../helpers/codecs');

/** The modules' own entry points, as methods the fuzzer can call like any object's. */
class EntryPoints {
	constructor(mediasoup) {
		this.mediasoup = mediasoup;
	}

	createWorker(settings) { return this.mediasoup.createWorker(settings); }
	getSupportedRtpCapabilities() { return this.mediasoup.getSupportedRtpCapabilities(); }
	parseScalabilityMode(mode) { return this.mediasoup.parseScalabilityMode(mode); }
	newMafalda(options) { return new Mafalda(options); }
}

/**
 * One object of every public class, open and closed, for the fuzzer to call: the
 * Mafalda pool, a mediasoup-shaped Worker, a router, the four transport kinds (with
 * SCTP and SRTP), producers, consumers, data producers and consumers, both RTP
 * observers and a WebRtcServer. Everything a call creates is tracked and closed.
 */
async function createWorld({ maxWorkers = 2 } = {}) {
	const mafalda = new Mafalda({ maxWorkers, policy: 'spread' });
	const mediasoup = createMediasoup({ maxWorkers: 1 });
	const worker = await mediasoup.createWorker();
	const router = await mafalda.createRouter({ mediaCodecs });
	const world = { mafalda, worker, router, entryPoints: new EntryPoints(mediasoup), objects: [], created: [] };
	await populate(world);
	return world;
}

/** The objects of one round; half of a second set is closed at once. */
async function populate(world) {
	const { router } = world;
	const listenInfo = { protocol: 'udp', ip: '127.0.0.1' };
	const make = async () => {
		const webRtc = await router.createWebRtcTransport({ listenInfos: [listenInfo], enableSctp: true });
		const plain = await router.createPlainTransport({ listenInfo, comedia: true, rtcpMux: true, enableSctp: true });
		const srtp = await router.createPlainTransport({ listenInfo, enableSrtp: true });
		const pipe = await router.createPipeTransport({ listenInfo, enableSctp: true, enableRtx: true });
		const direct = await router.createDirectTransport();
		const audio = await plain.produce({ kind: 'audio', rtpParameters: opusProducerParameters(0x1000 + world.objects.length) });
		const video = await webRtc.produce({ kind: 'video', rtpParameters: vp8ProducerParameters(0x2000 + world.objects.length) });
		const consumer = await webRtc.consume({ producerId: audio.id, rtpCapabilities: router.rtpCapabilities });
		const dataProducer = await direct.produceData({ label: 'fuzz' });
		const sctpProducer = await webRtc.produceData({ sctpStreamParameters: { streamId: 1, ordered: true } });
		const dataConsumer = await direct.consumeData({ dataProducerId: sctpProducer.id });
		const sctpConsumer = await plain.consumeData({ dataProducerId: dataProducer.id });
		const levels = await router.createAudioLevelObserver();
		const speaker = await router.createActiveSpeakerObserver();
		return [webRtc, plain, srtp, pipe, direct, audio, video, consumer, dataProducer, sctpProducer, dataConsumer, sctpConsumer, levels, speaker];
	};
	const open = await make();
	const closed = await make();
	const server = await world.mafalda.createWebRtcServer({ listenInfos: [listenInfo] });
	const closedServer = await world.mafalda.createWebRtcServer({ listenInfos: [listenInfo] });
	closedServer.close();
	for (const object of closed) object.close();
	world.objects = [world.mafalda, world.worker, router, ...open, ...closed, server, closedServer, world.entryPoints];
}

/** Closes what the fuzzer created and the round's objects, and makes new ones. */
async function renew(world) {
	for (const object of world.created.splice(0)) object.close?.();
	for (const object of world.objects.slice(3, -1)) object.close();
	await populate(world);
}

function closeWorld(world) {
	for (const object of world.created.splice(0)) object.close?.();
	world.worker?.close();
	world.mafalda?.close();
}

module.exports = { createWorld, renew, closeWorld };
