'use strict';

/**
 * Prometheus metrics, scraped over HTTP and parsed: from `mafalda-node
 * --metrics-port` (a media server) and from the app's own node (`metrics()` and
 * `metricsHandler()` mounted on an HTTP server). A room starts (RTP counted through a
 * pipe between two media servers) and stops; the values follow.
 */

const http = require('node:http');
const { Mafalda } = require('..');
const { mediaCodecs, opusProducerParameters } = require('./helpers/codecs');
const { rtpSink, rtpSource, waitFor } = require('./helpers/rtp');
const { startNats, startNode } = require('./helpers/cluster');
const { parsePrometheus } = require('./helpers/prometheus');

jest.setTimeout(120000);

function get(url) {
	return new Promise((resolve, reject) => {
		http.get(url, (response) => {
			let body = '';
			response.on('data', (chunk) => { body += chunk; });
			response.on('end', () => resolve({ status: response.statusCode, type: response.headers['content-type'], body }));
		}).on('error', reject);
	});
}

async function scrape(url) {
	const { status, type, body } = await get(url);
	expect(status).toBe(200);
	expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
	return parsePrometheus(body);
}

const total = (metrics, name, labels) => metrics.value(name, labels);

describe('metrics of a cluster\'s nodes', () => {
	let nats;
	const nodes = [];
	let mafalda;
	let appServer;
	let appUrl;
	const cleanups = [];

	beforeAll(async () => {
		nats = await startNats();
		for (const [nodeId, ip] of [['media-1', '127.0.0.2'], ['media-2', '127.0.0.3']]) {
			nodes.push(await startNode({ nats: nats.url, nodeId, ip, args: ['--metrics-port', '0'] }).then((n) => n.ready));
		}
		mafalda = new Mafalda({
			maxWorkers: 0,
			policy: 'spread',
			// Two one-core nodes are never 10 idle cores: needmoreservers fires.
			cluster: { servers: nats.url, nodeId: 'signaling', announcedAddress: '127.0.0.1', heartbeatInterval: 300, nodeTimeout: 3000, minFreeCores: 10 },
		});
		await mafalda.ready();
		expect(await waitFor(async () => (await mafalda.dump()).nodes.length === 3, { timeoutMs: 10000 })).toBe(true);
		appServer = http.createServer(mafalda.metricsHandler());
		await new Promise((resolve) => appServer.listen(0, '127.0.0.1', resolve));
		appUrl = `http://127.0.0.1:${appServer.address().port}/metrics`;
	});

	afterAll(async () => {
		for (const cleanup of cleanups.splice(0)) cleanup();
		appServer?.close();
		mafalda?.close();
		await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
		await nats?.stop();
	});

	const metricsUrl = (nodeId) => nodes.find((n) => n.nodeId === nodeId).states.find((s) => s.state === 'ready').metrics;

	test('mafalda-node serves them at /metrics on its listen IP, with the process\'s own; nothing else', async () => {
		const url = metricsUrl('media-1');
		expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/metrics$/);
		const metrics = await scrape(url);
		expect(metrics.types.get('mafalda_workers')).toBe('gauge');
		expect(metrics.types.get('mafalda_placement_decisions_total')).toBe('counter');
		expect(metrics.types.get('mafalda_cluster_call_duration_seconds')).toBe('histogram');
		expect(metrics.types.get('process_cpu_seconds_total')).toBe('counter');
		expect(metrics.value('mafalda_node_info', { node: 'media-1', policy: 'pack' })).toBe(1);
		expect(metrics.value('mafalda_max_workers')).toBe(1);
		expect(metrics.value('mafalda_cluster_connected')).toBe(1);
		expect(metrics.value('mafalda_cluster_nodes', { state: 'active' })).toBe(3);
		expect(metrics.value('mafalda_cluster_messages_total', { direction: 'out' })).toBeGreaterThan(0);
		// Every family is named by the conventions: prefix, base units, _total counters.
		for (const [name, type] of metrics.types) {
			if (name.startsWith('process_') || name.startsWith('nodejs_')) continue;
			expect(name).toMatch(/^mafalda_/);
			if (type === 'counter') expect(name).toMatch(/_total$/);
			expect(name).not.toMatch(/_(ms|milliseconds|kilobytes|percent)(_|$)/);
		}
		expect((await get(url.replace('/metrics', '/other'))).status).toBe(404);
	});

	test('a room starts and stops: workers, transports, producers, consumers, pipes, RTP and calls follow', async () => {
		const before = { media1: await scrape(metricsUrl('media-1')), app: await scrape(appUrl) };
		expect(total(before.media1, 'mafalda_transports')).toBe(0);
		expect(total(before.app, 'mafalda_routers')).toBe(0);

		const router = await mafalda.createRouter({ mediaCodecs });
		const on = async (nodeId, options) => {
			for (let i = 0; i < 6; i++) {
				const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, ...options });
				if (transport.nodeId === nodeId) return transport;
				transport.close();
			}
			throw new Error(`nothing placed on ${nodeId}`);
		};
		const send = await on('media-1', { comedia: true });
		const producer = await send.produce({ kind: 'audio', rtpParameters: opusProducerParameters(8181) });
		const receive = await on('media-2');
		const sink = await rtpSink();
		cleanups.push(() => sink.close());
		await receive.connect({ ip: '127.0.0.1', port: sink.port });
		const consumer = await receive.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		const source = await rtpSource({ host: '127.0.0.2', port: send.tuple.localPort, ssrc: 8181, payloadType: 111 });
		cleanups.push(() => source.stop());
		expect(await waitFor(() => sink.packets.filter((p) => p.ssrc === consumer.rtpParameters.encodings[0].ssrc).length >= 50, { timeoutMs: 15000 })).toBe(true);

		const during = { media1: await scrape(metricsUrl('media-1')), media2: await scrape(metricsUrl('media-2')), app: await scrape(appUrl) };
		expect(total(during.media1, 'mafalda_workers')).toBe(1);
		expect(total(during.media1, 'mafalda_producers')).toBe(1);
		expect(total(during.media2, 'mafalda_consumers')).toBe(1);
		// The app's transports, and each node's end of the pipe between them.
		expect(total(during.media1, 'mafalda_transports')).toBe(2);
		expect(total(during.media2, 'mafalda_transports')).toBe(2);
		expect(total(during.media1, 'mafalda_router_shards')).toBe(1);
		expect(total(during.media1, 'mafalda_worker_load_ratio')).toBeGreaterThan(0);
		expect(total(during.media1, 'mafalda_placement_decisions_total')).toBeGreaterThanOrEqual(2);
		expect(total(during.app, 'mafalda_routers')).toBe(1);
		expect(total(during.app, 'mafalda_pipes', { between: 'nodes' })).toBe(1);
		const inbound = { direction: 'in', node: 'media-1', kind: 'audio' };
		const outbound = { direction: 'out', node: 'media-2', kind: 'audio' };
		expect(total(during.app, 'mafalda_rtp_packets_total', inbound)).toBeGreaterThan(0);
		expect(total(during.app, 'mafalda_rtp_bytes_total', inbound)).toBeGreaterThan(0);
		expect(total(during.app, 'mafalda_rtp_packets_total', outbound)).toBeGreaterThan(0);
		expect(total(during.app, 'mafalda_rtp_lost_packets_total', inbound)).toBe(0);
		const created = { op: 'router.createPlainTransport', outcome: 'ok' };
		expect(total(during.app, 'mafalda_cluster_call_duration_seconds_count', created)).toBeGreaterThanOrEqual(2);
		const buckets = during.app.samples.filter((s) => s.name === 'mafalda_cluster_call_duration_seconds_bucket' && s.labels.op === created.op && s.labels.outcome === 'ok');
		expect(buckets.map((b) => b.labels.le).at(-1)).toBe('+Inf');
		for (let i = 1; i < buckets.length; i++) expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value);
		expect(total(during.app, 'mafalda_cluster_call_duration_seconds_sum', created)).toBeGreaterThan(0);

		// RTP counters keep growing while the stream flows.
		const packetsThen = total(during.app, 'mafalda_rtp_packets_total', inbound);
		expect(await waitFor(async () => total(parsePrometheus(await mafalda.metrics()), 'mafalda_rtp_packets_total', inbound) >= packetsThen + 25)).toBe(true);

		source.stop();
		const last = await scrape(appUrl);
		router.close();
		const empty = async () => {
			const [media1, media2] = await Promise.all([scrape(metricsUrl('media-1')), scrape(metricsUrl('media-2'))]);
			return total(media1, 'mafalda_transports') + total(media2, 'mafalda_transports') + total(media1, 'mafalda_producers') + total(media2, 'mafalda_consumers') === 0;
		};
		expect(await waitFor(empty, { timeoutMs: 10000 })).toBe(true);
		const after = await scrape(appUrl);
		expect(total(after, 'mafalda_routers')).toBe(0);
		expect(total(after, 'mafalda_pipes', { between: 'nodes' })).toBe(0);
		// Counters never go down: the closed streams keep what they carried.
		expect(total(after, 'mafalda_rtp_packets_total', inbound)).toBeGreaterThanOrEqual(total(last, 'mafalda_rtp_packets_total', inbound));
		expect(total(after, 'mafalda_rtp_packets_total', outbound)).toBeGreaterThanOrEqual(total(last, 'mafalda_rtp_packets_total', outbound));
	});

	test('nodelost and needmoreservers are counted; a node that goes leaves the node count', async () => {
		const before = parsePrometheus(await mafalda.metrics());
		expect(before.value('mafalda_cluster_need_more_servers_total')).toBeGreaterThanOrEqual(1);
		expect(before.value('mafalda_cluster_free_cores')).toBeLessThan(10);
		expect(before.value('mafalda_cluster_nodes_lost_total')).toBe(0);
		const lost = new Promise((resolve) => mafalda.once('nodelost', resolve));
		await nodes.find((n) => n.nodeId === 'media-2').kill('SIGKILL');
		await lost;
		const after = parsePrometheus(await mafalda.metrics());
		expect(after.value('mafalda_cluster_nodes_lost_total')).toBe(1);
		expect(after.value('mafalda_cluster_nodes', { state: 'active' })).toBe(2);
	});
});

describe('metrics of a Mafalda without a cluster', () => {
	test('a producer piped between two workers: the pipe, RTP under this node (no id), a stream closed before any scrape', async () => {
		const mafalda = new Mafalda({ maxWorkers: 2, policy: 'spread' });
		const router = await mafalda.createRouter({ mediaCodecs });
		const plain = (options) => router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, ...options });
		const send = await plain({ comedia: true });
		const producer = await send.produce({ kind: 'audio', rtpParameters: opusProducerParameters(9191) });
		const receive = await plain();
		const sink = await rtpSink();
		await receive.connect({ ip: '127.0.0.1', port: sink.port });
		const consumer = await receive.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
		// Closed before any scrape read it: it never counted.
		(await receive.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities })).close();
		const source = await rtpSource({ port: send.tuple.localPort, ssrc: 9191, payloadType: 111 });
		try {
			expect(consumer.piped).toBe(true);
			expect(await waitFor(() => sink.packets.length >= 50, { timeoutMs: 15000 })).toBe(true);
			const metrics = parsePrometheus(await mafalda.metrics());
			expect(metrics.value('mafalda_workers')).toBe(2);
			expect(metrics.value('mafalda_pipes', { between: 'workers' })).toBe(1);
			expect(metrics.value('mafalda_router_shards')).toBe(2);
			expect(metrics.value('mafalda_rtp_packets_total', { direction: 'in', node: '', kind: 'audio' })).toBeGreaterThan(0);
			expect(metrics.value('mafalda_rtp_packets_total', { direction: 'out', node: '', kind: 'audio' })).toBeGreaterThan(0);
		} finally {
			source.stop();
			sink.close();
			mafalda.close();
		}
	});

	test('workers and placements are there, no cluster figures; a closed one refuses, its handler answers 500', async () => {
		const mafalda = new Mafalda({ maxWorkers: 1 });
		const router = await mafalda.createRouter({ mediaCodecs });
		const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
		const metrics = parsePrometheus(await mafalda.metrics());
		expect(metrics.value('mafalda_transports')).toBe(1);
		expect(metrics.value('mafalda_placement_decisions_total', { reason: 'no-worker-yet' })).toBe(1);
		expect(metrics.value('mafalda_node_info', { node: '' })).toBe(1);
		expect(metrics.has('mafalda_cluster_connected')).toBe(false);
		expect(metrics.has('mafalda_cluster_nodes')).toBe(false);
		transport.close();
		const handler = mafalda.metricsHandler();
		mafalda.close();
		await expect(mafalda.metrics()).rejects.toThrow('Mafalda closed');
		const server = http.createServer(handler);
		await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
		const response = await get(`http://127.0.0.1:${server.address().port}/metrics`);
		server.close();
		expect(response.status).toBe(500);
		expect(response.body).toBe('metrics unavailable: Mafalda closed\n');
	});
});
