// A typed use of mafalda-sfu/mediasoup: compiled (not run) by typings.test.js so that
// mediasoup.d.ts keeps matching what mediasoup.js offers.

import * as mediasoup from '../../mediasoup';
import type { Worker } from '../../mediasoup';

export async function main(): Promise<void> {
	mediasoup.observer.on('newworker', (w: Worker) => console.log(w.pid));
	const worker = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: 40000, rtcMaxPort: 49999, appData: { a: 1 } });
	worker.on('subprocessclose', () => console.log('gone'));
	const router = await worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
	const transport = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] });
	console.log(transport.iceCandidates.length, mediasoup.version, mediasoup.workerBin);
	const caps = mediasoup.getSupportedRtpCapabilities();
	console.log(caps.codecs?.length, mediasoup.parseScalabilityMode('L1T3').temporalLayers);
	const dump = await worker.dump();
	console.log(dump.routerIds, (await worker.getResourceUsage()).ru_utime);
	await worker.updateSettings({ logLevel: 'debug', logTags: ['ice'] });
	try { await worker.createWebRtcServer({ listenInfos: [] }); } catch (e) { if (e instanceof mediasoup.types.UnsupportedError) console.log('no'); }
	const spread = mediasoup.createMediasoup({ policy: 'spread', maxWorkers: 2 });
	const other = await spread.createWorker();
	other.close();
	worker.close();
}
