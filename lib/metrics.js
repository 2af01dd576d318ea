'use strict';

/**
 * Prometheus metrics of one Mafalda node (each is listed in docs/cluster.md,
 * "Metrics"): computed at scrape time from `dump()`, the addon's counters
 * (placements by reason, the NATS link) and the stats of the app's producers and
 * consumers, and written out by prom-client.
 */

const client = require('prom-client');

/** prom-client's shape of a histogram whose buckets are already counted (the addon's). */
class CountedHistogram {
	constructor({ name, help, labelNames }) {
		Object.assign(this, { name, help, labelNames, type: 'histogram', aggregator: 'sum' });
		this.series = [];
	}

	/** `series`: `[{ labels, bounds, buckets (cumulative), count, sum }]`. */
	set(series) {
		this.series = series;
	}

	async get() {
		const values = [];
		for (const { labels, bounds, buckets, count, sum } of this.series) {
			bounds.forEach((le, i) => values.push({ labels: { ...labels, le }, value: buckets[i], metricName: `${this.name}_bucket` }));
			values.push({ labels: { ...labels, le: '+Inf' }, value: count, metricName: `${this.name}_bucket` });
			values.push({ labels, value: sum, metricName: `${this.name}_sum` });
			values.push({ labels, value: count, metricName: `${this.name}_count` });
		}
		return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
	}
}

class MafaldaMetrics {
	#registry = new client.Registry();
	#sources;
	#m = {};
	#serial = Promise.resolve();

	/** `sources`: `dump()`, `native()` (the addon's counters), `media()` (LiveMedia totals), `events()`. */
	constructor(sources) {
		this.#sources = sources;
		const { gauge, counter } = this.#makers();
		const m = this.#m;
		m.info = gauge('mafalda_node_info', 'This node: its cluster node id and placement policy (always 1)', ['node', 'policy']);
		m.workers = gauge('mafalda_workers', 'Running mediasoup workers');
		m.maxWorkers = gauge('mafalda_max_workers', 'Workers this node may run (its cores, or maxWorkers)');
		m.load = gauge('mafalda_worker_load_ratio', 'Load of a worker as the scheduler sees it (fraction of one core)', ['worker']);
		m.cpu = gauge('mafalda_worker_cpu_ratio', 'Measured CPU of a worker thread (fraction of one core, smoothed)', ['worker']);
		m.transports = gauge('mafalda_transports', 'Transports on a worker of this node, whichever node owns their router', ['worker']);
		m.producers = gauge('mafalda_producers', 'Producers on a worker of this node, whichever node owns their router', ['worker']);
		m.consumers = gauge('mafalda_consumers', 'Consumers on a worker of this node, whichever node owns their router', ['worker']);
		m.routers = gauge('mafalda_routers', 'Routers this node\'s app created');
		m.shards = gauge('mafalda_router_shards', 'Routers held on this node\'s workers (one per router and worker, whichever node owns the router)');
		m.pipes = gauge('mafalda_pipes', 'Piped producers: between this node\'s workers, and between nodes for this node\'s routers', ['between']);
		m.decisions = counter('mafalda_placement_decisions_total', 'Worker placement decisions of this node\'s scheduler, by reason', ['reason']);
		m.packets = counter('mafalda_rtp_packets_total', 'RTP packets of this node\'s routers\' producers (in) and consumers (out), by the node that hosts them', ['direction', 'node', 'kind']);
		m.bytes = counter('mafalda_rtp_bytes_total', 'RTP bytes of this node\'s routers\' producers (in) and consumers (out), by the node that hosts them', ['direction', 'node', 'kind']);
		m.lost = counter('mafalda_rtp_lost_packets_total', 'RTP packets lost: before reaching a producer (in), after leaving a consumer as its receiver reports (out)', ['direction', 'node', 'kind']);
		m.retransmitted = counter('mafalda_rtp_retransmitted_packets_total', 'RTP packets retransmitted (RTX): to a producer (in), by a consumer (out)', ['direction', 'node', 'kind']);
		m.workerDeaths = counter('mafalda_worker_deaths_total', 'Workers of this node that died');
	}

	#makers() {
		const registers = [this.#registry];
		return {
			gauge: (name, help, labelNames = []) => new client.Gauge({ name, help, labelNames, registers }),
			counter: (name, help, labelNames = []) => new client.Counter({ name, help, labelNames, registers }),
		};
	}

	/** The cluster's families: registered once the node is seen in a cluster (absent without one). */
	#addClusterMetrics() {
		const { gauge, counter } = this.#makers();
		const m = this.#m;
		m.nodes = gauge('mafalda_cluster_nodes', 'Nodes this node knows (itself included), by state', ['state']);
		m.freeCores = gauge('mafalda_cluster_free_cores', 'Idle cores over the nodes that are not draining (what needmoreservers compares with minFreeCores)');
		m.nodesLost = counter('mafalda_cluster_nodes_lost_total', 'nodelost events: nodes this node saw go');
		m.needMore = counter('mafalda_cluster_need_more_servers_total', 'needmoreservers events: the cluster fell under minFreeCores');
		m.connected = gauge('mafalda_cluster_connected', '1 while the NATS connection is up');
		m.connects = counter('mafalda_cluster_connects_total', 'NATS connections made: the first one and every reconnection');
		m.messages = counter('mafalda_cluster_messages_total', 'NATS messages sent (out) and received (in) by this node', ['direction']);
		m.natsBytes = counter('mafalda_cluster_bytes_total', 'Payload bytes of the NATS messages sent (out) and received (in)', ['direction']);
		m.calls = new CountedHistogram({
			name: 'mafalda_cluster_call_duration_seconds',
			help: 'Calls this node made to objects on other nodes, by op and outcome (ok, error, timeout, no_responder, link_down)',
			labelNames: ['op', 'outcome'],
		});
		this.#registry.registerMetric(m.calls);
	}

	get contentType() { return this.#registry.contentType; }

	/** The exposition text; scrapes that overlap take turns. */
	text() {
		const turn = this.#serial.then(() => this.#update()).then(() => this.#registry.metrics());
		this.#serial = turn.catch(() => {});
		return turn;
	}

	async #update() {
		const [dump, native, media] = await Promise.all([this.#sources.dump(), this.#sources.native(), this.#sources.media()]);
		const events = this.#sources.events();
		const m = this.#m;
		if (dump.nodes && !m.nodes) this.#addClusterMetrics();
		for (const metric of Object.values(m)) metric.reset?.();
		m.info.set({ node: dump.nodeId ?? '', policy: dump.policy }, 1);
		m.workers.set(dump.workers.length);
		m.maxWorkers.set(dump.maxWorkers);
		let workerPipes = 0;
		for (const w of dump.workers) {
			m.load.set({ worker: w.id }, w.load);
			m.cpu.set({ worker: w.id }, w.cpu);
			m.transports.set({ worker: w.id }, w.holdings.transports);
			m.producers.set({ worker: w.id }, w.holdings.producers);
			m.consumers.set({ worker: w.id }, w.holdings.consumers);
			workerPipes += w.holdings.pipes;
		}
		const self = dump.nodes?.find((n) => n.self);
		m.routers.set(dump.routerIds.length);
		m.shards.set(self ? self.shards : dump.workers.reduce((n, w) => n + w.shards.length, 0));
		m.pipes.set({ between: 'workers' }, workerPipes);
		m.pipes.set({ between: 'nodes' }, dump.nodePipes.length);
		for (const [reason, count] of Object.entries(native.decisions)) m.decisions.inc({ reason }, count);
		for (const { node, kind, in: received, out: sent } of media) {
			for (const [direction, values] of [['in', received], ['out', sent]]) {
				const labels = { direction, node: node ?? dump.nodeId ?? '', kind };
				m.packets.inc(labels, values.packets);
				m.bytes.inc(labels, values.bytes);
				m.lost.inc(labels, values.lost);
				m.retransmitted.inc(labels, values.retransmitted);
			}
		}
		m.workerDeaths.inc(events.workerdied);
		if (dump.nodes) this.#updateCluster(dump.nodes, native.link, events);
	}

	#updateCluster(nodes, link, events) {
		const m = this.#m;
		m.nodesLost.inc(events.nodelost);
		m.needMore.inc(events.needmoreservers);
		const draining = nodes.filter((n) => n.draining).length;
		m.nodes.set({ state: 'active' }, nodes.length - draining);
		m.nodes.set({ state: 'draining' }, draining);
		const idle = (n) => Math.max(0, n.maxWorkers - n.workers.reduce((sum, w) => sum + Math.min(w.load, 1), 0));
		m.freeCores.set(nodes.filter((n) => !n.draining).reduce((sum, n) => sum + idle(n), 0));
		m.connected.set(link.connected ? 1 : 0);
		m.connects.inc(link.connects);
		m.messages.inc({ direction: 'in' }, link.inMessages);
		m.messages.inc({ direction: 'out' }, link.outMessages);
		m.natsBytes.inc({ direction: 'in' }, link.inBytes);
		m.natsBytes.inc({ direction: 'out' }, link.outBytes);
		m.calls.set(link.calls.calls.map(({ op, outcome, count, sum, buckets }) => ({
			labels: { op, outcome }, bounds: link.calls.buckets, buckets, count, sum,
		})));
	}

	/** For `http.createServer()` or a framework's route: answers with the text. */
	handler() {
		return (request, response) => {
			this.text().then((text) => {
				response.writeHead(200, { 'Content-Type': this.contentType });
				response.end(text);
			}, (error) => {
				response.writeHead(500, { 'Content-Type': 'text/plain' });
				response.end(`metrics unavailable: ${error.message}\n`);
			});
		};
	}
}

module.exports = { MafaldaMetrics };
