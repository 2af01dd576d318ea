#!/usr/bin/env node
'use strict';

/**
 * A media server of a Mafalda cluster: joins through NATS and hosts the transports
 * that routers of other nodes place here, until SIGTERM (or SIGINT), then drains:
 * takes nothing new, waits until what it holds is closed, and exits 0.
 *
 *   npx mafalda-node --nats nats://10.0.0.1:4222 --announced-address 203.0.113.7
 *
 * Flags mirror `new Mafalda({ ..., cluster: { ... } })`; `--help` lists them. It
 * prints one JSON line per state change (`ready`, `draining`, `drained`) on stdout.
 */

const { Mafalda } = require('..');

const FLAGS = {
	'--nats': ['servers', 'NATS URL(s), comma-separated (required)'],
	'--announced-address': ['announcedAddress', 'address clients and other nodes reach this node\'s media on (required)'],
	'--listen-ip': ['listenIp', 'IP this node\'s transports and pipes listen on (default: the announced address)'],
	'--node-id': ['nodeId', 'unique id in the cluster (default: random)'],
	'--token': ['token', 'NATS token'],
	'--user': ['user', 'NATS user'],
	'--pass': ['pass', 'NATS password'],
	'--tls-ca': ['tls.caFile', 'CA certificate (PEM) of the NATS servers'],
	'--tls-cert': ['tls.certFile', 'client certificate (PEM)'],
	'--tls-key': ['tls.keyFile', 'client key (PEM)'],
	'--heartbeat-interval': ['heartbeatInterval', 'ms between heartbeats (default 1000)'],
	'--node-timeout': ['nodeTimeout', 'ms without a heartbeat before a node is lost (default 3 heartbeats)'],
	'--request-timeout': ['requestTimeout', 'ms a call to another node may take (default 5000)'],
	'--max-workers': ['maxWorkers', 'workers (cores) to use (default: every core)'],
	'--policy': ['policy', 'pack | spread | least-loaded (default pack)'],
	'--webrtc-ports': ['webRtcPorts', 'min-max: each worker gets a WebRtcServer on a port of this range'],
};
const NUMBERS = new Set(['heartbeatInterval', 'nodeTimeout', 'requestTimeout', 'maxWorkers']);

function usage(message) {
	if (message) process.stderr.write(`mafalda-node: ${message}\n`);
	process.stderr.write('usage: mafalda-node --nats URL --announced-address ADDRESS [options]\n');
	for (const [flag, [, help]] of Object.entries(FLAGS)) process.stderr.write(`  ${flag.padEnd(22)} ${help}\n`);
	process.exit(message ? 2 : 0);
}

function parse(argv) {
	const cluster = {};
	const options = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--help' || arg === '-h') usage();
		const [flag, inline] = arg.split(/=(.*)/s);
		const entry = FLAGS[flag];
		if (!entry) usage(`unknown flag ${arg}`);
		const value = inline ?? argv[++i];
		if (value === undefined) usage(`${flag} needs a value`);
		const [key] = entry;
		if (NUMBERS.has(key)) {
			const n = Number(value);
			if (!Number.isInteger(n) || n < 0) usage(`${flag} must be a non-negative integer`);
			(key === 'maxWorkers' ? options : cluster)[key] = n;
		} else if (key === 'policy') {
			options.policy = value;
		} else if (key === 'webRtcPorts') {
			const [min, max] = value.split('-').map(Number);
			if (!(min > 0 && max >= min && max < 65536)) usage('--webrtc-ports must be min-max');
			options.webRtcPorts = { min, max };
		} else if (key === 'servers') {
			cluster.servers = value.split(',');
		} else if (key.startsWith('tls.')) {
			cluster.tls = { ...cluster.tls, [key.slice(4)]: value };
		} else {
			cluster[key] = value;
		}
	}
	if (!cluster.servers) usage('--nats is required');
	if (!cluster.announcedAddress) usage('--announced-address is required');
	const { webRtcPorts, ...rest } = options;
	if (webRtcPorts) {
		const listen = { ip: cluster.listenIp ?? cluster.announcedAddress, portRange: webRtcPorts };
		if (cluster.listenIp && cluster.listenIp !== cluster.announcedAddress) listen.announcedAddress = cluster.announcedAddress;
		rest.webRtcServerOptions = { listenInfos: [{ protocol: 'udp', ...listen }, { protocol: 'tcp', ...listen }] };
	}
	return { ...rest, cluster };
}

function say(state, extra = {}) {
	process.stdout.write(`${JSON.stringify({ state, ...extra })}\n`);
}

async function main() {
	const options = parse(process.argv.slice(2));
	const mafalda = new Mafalda(options);
	try {
		await mafalda.ready();
	} catch (error) {
		process.stderr.write(`mafalda-node: ${error.message}\n`);
		mafalda.close();
		process.exit(1);
	}
	const { nodeId } = await mafalda.dump();
	say('ready', { nodeId });
	mafalda.on('nodeadded', ({ nodeId: id }) => say('nodeadded', { nodeId: id }));
	mafalda.on('nodelost', ({ nodeId: id }) => say('nodelost', { nodeId: id }));
	// The native side keeps no handle on Node's event loop: this timer keeps the
	// process serving until it is told to stop.
	const keepAlive = setInterval(() => {}, 1 << 30);
	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		say('draining', { nodeId });
		await mafalda.drain();
		say('drained', { nodeId });
		mafalda.close();
		clearInterval(keepAlive);
		// Let the bye reach NATS before the process goes.
		setTimeout(() => process.exit(0), 200);
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

main().catch((error) => {
	process.stderr.write(`mafalda-node: ${error.stack ?? error}\n`);
	process.exit(1);
});
