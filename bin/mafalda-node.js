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

const fs = require('node:fs');
const { Mafalda } = require('..');

const FLAGS = {
	'--nats': ['servers', 'NATS URL(s), comma-separated: servers of one NATS cluster, any of them (required)'],
	'--announced-address': ['announcedAddress', 'address clients and other nodes reach this node\'s media on (required)'],
	'--listen-ip': ['listenIp', 'IP this node\'s transports and pipes listen on (default: the announced address)'],
	'--node-id': ['nodeId', 'unique id in the cluster (default: random)'],
	'--user': ['user', 'NATS user (its password: --pass-file or MAFALDA_NATS_PASS)'],
	'--pass-file': ['passFile', 'file holding the NATS password (or set MAFALDA_NATS_PASS)'],
	'--token-file': ['tokenFile', 'file holding the NATS token (or set MAFALDA_NATS_TOKEN)'],
	'--nkey-file': ['nkeyFile', 'file holding the nkey seed (SU...) of this node\'s NATS user'],
	'--creds': ['credsFile', 'NATS credentials file (user JWT and seed), for servers in operator mode'],
	'--pass': ['pass', 'NATS password (visible in ps to every user: prefer --pass-file)'],
	'--token': ['token', 'NATS token (visible in ps to every user: prefer --token-file)'],
	'--tls-ca': ['tls.caFile', 'CA certificate (PEM) of the NATS servers'],
	'--tls-cert': ['tls.certFile', 'client certificate (PEM), for servers that verify clients'],
	'--tls-key': ['tls.keyFile', 'key of the client certificate (PEM)'],
	'--heartbeat-interval': ['heartbeatInterval', 'ms between heartbeats (default 1000)'],
	'--node-timeout': ['nodeTimeout', 'ms without a heartbeat before a node is lost (default 3 heartbeats)'],
	'--request-timeout': ['requestTimeout', 'ms a call to another node may take (default 5000)'],
	'--max-workers': ['maxWorkers', 'workers (cores) to use (default: every core)'],
	'--policy': ['policy', 'pack | spread | least-loaded (default pack)'],
	'--webrtc-ports': ['webRtcPorts', 'min-max: each worker gets a WebRtcServer on a port of this range'],
	'--metrics-port': ['metricsPort', 'serve Prometheus metrics on http://HOST:PORT/metrics'],
	'--metrics-host': ['metricsHost', 'address the metrics listen on (default: the listen IP)'],
};
/** Read from the environment when no flag gives them (a flag is visible in ps). */
const ENVIRONMENT = {
	MAFALDA_NATS_PASS: 'the password of --user, when no flag gives it',
	MAFALDA_NATS_TOKEN: 'the NATS token, when no flag gives another credential',
};
const NUMBERS = new Set(['heartbeatInterval', 'nodeTimeout', 'requestTimeout', 'maxWorkers', 'metricsPort']);
/** Flags whose value is a file to read the secret from: secret, file key. */
const SECRET_FILES = { passFile: 'pass', tokenFile: 'token', nkeyFile: 'nkey' };

function usage(message) {
	if (message) process.stderr.write(`mafalda-node: ${message}\n`);
	process.stderr.write('usage: mafalda-node --nats URL[,URL...] --announced-address ADDRESS [options]\n');
	for (const [flag, [, help]] of Object.entries(FLAGS)) process.stderr.write(`  ${flag.padEnd(22)} ${help}\n`);
	process.stderr.write('environment:\n');
	for (const [name, help] of Object.entries(ENVIRONMENT)) process.stderr.write(`  ${name.padEnd(22)} ${help}\n`);
	process.exit(message ? 2 : 0);
}

/** A secret from a file, without its final newline; errors name the file, never its content. */
function readSecret(flag, file) {
	let text;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		usage(`${flag}: cannot read ${file} (${error.code ?? error.message})`);
	}
	const secret = text.replace(/\r?\n$/, '');
	if (!secret || secret.includes('\n')) usage(`${flag}: ${file} must hold the secret alone on one line`);
	return secret;
}

function parse(argv) {
	const cluster = {};
	const options = {};
	const metrics = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === '--help' || arg === '-h') usage();
		const [flag, inline] = arg.split(/=(.*)/s);
		const entry = FLAGS[flag];
		// The flag alone: `--passs=secret` must not print the secret.
		if (!entry) usage(`unknown flag ${flag}`);
		const value = inline ?? argv[++i];
		if (value === undefined) usage(`${flag} needs a value`);
		const [key] = entry;
		if (NUMBERS.has(key)) {
			const n = Number(value);
			if (!Number.isInteger(n) || n < 0) usage(`${flag} must be a non-negative integer`);
			if (key === 'metricsPort') metrics.port = n;
			else (key === 'maxWorkers' ? options : cluster)[key] = n;
		} else if (key === 'metricsHost') {
			metrics.host = value;
		} else if (SECRET_FILES[key]) {
			if (cluster[SECRET_FILES[key]] !== undefined) usage(`${flag}: the ${SECRET_FILES[key]} is given twice`);
			cluster[SECRET_FILES[key]] = readSecret(flag, value);
		} else if (key === 'pass' || key === 'token') {
			if (cluster[key] !== undefined) usage(`${flag}: the ${key} is given twice`);
			process.stderr.write(`mafalda-node: warning: ${flag} on the command line is visible to every user of this machine (ps); use ${flag}-file or MAFALDA_NATS_${key.toUpperCase()}\n`);
			cluster[key] = value;
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
	// The password goes with a user; the token only where no other form is given.
	const { MAFALDA_NATS_PASS: pass, MAFALDA_NATS_TOKEN: token } = process.env;
	if (pass && cluster.user !== undefined && cluster.pass === undefined) cluster.pass = pass;
	if (token && ['token', 'user', 'nkey', 'credsFile'].every((key) => cluster[key] === undefined)) cluster.token = token;
	if (!cluster.servers) usage('--nats is required');
	if (!cluster.announcedAddress) usage('--announced-address is required');
	const { webRtcPorts, ...rest } = options;
	if (webRtcPorts) {
		const listen = { ip: cluster.listenIp ?? cluster.announcedAddress, portRange: webRtcPorts };
		if (cluster.listenIp && cluster.listenIp !== cluster.announcedAddress) listen.announcedAddress = cluster.announcedAddress;
		rest.webRtcServerOptions = { listenInfos: [{ protocol: 'udp', ...listen }, { protocol: 'tcp', ...listen }] };
	}
	if (metrics.host && metrics.port === undefined) usage('--metrics-host needs --metrics-port');
	if (metrics.port !== undefined) metrics.host ??= cluster.listenIp ?? cluster.announcedAddress;
	return { options: { ...rest, cluster }, metrics };
}

/**
 * `GET /metrics`: the node's metrics (Mafalda's) and the process's own (prom-client's
 * default ones: CPU, memory, event loop). Resolves once listening.
 */
async function serveMetrics(mafalda, { host, port }) {
	const http = require('node:http');
	const client = require('prom-client');
	const processMetrics = new client.Registry();
	client.collectDefaultMetrics({ register: processMetrics });
	const server = http.createServer((request, response) => {
		if (request.method !== 'GET' || new URL(request.url, 'http://x').pathname !== '/metrics') {
			response.writeHead(404, { 'Content-Type': 'text/plain' });
			response.end('not found: the metrics are at /metrics\n');
			return;
		}
		Promise.all([mafalda.metrics(), processMetrics.metrics()]).then(([node, own]) => {
			response.writeHead(200, { 'Content-Type': processMetrics.contentType });
			response.end(`${node}\n${own}`);
		}, (error) => {
			response.writeHead(500, { 'Content-Type': 'text/plain' });
			response.end(`metrics unavailable: ${error.message}\n`);
		});
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
	const address = server.address();
	const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/metrics`;
	return { url, close: () => server.close() };
}

function say(state, extra = {}) {
	process.stdout.write(`${JSON.stringify({ state, ...extra })}\n`);
}

async function main() {
	const { options, metrics } = parse(process.argv.slice(2));
	const mafalda = new Mafalda(options);
	try {
		await mafalda.ready();
	} catch (error) {
		process.stderr.write(`mafalda-node: ${error.message}\n`);
		mafalda.close();
		process.exit(1);
	}
	const { nodeId } = await mafalda.dump();
	const metricsServer = metrics.port === undefined ? null : await serveMetrics(mafalda, metrics);
	say('ready', { nodeId, ...(metricsServer && { metrics: metricsServer.url }) });
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
		metricsServer?.close();
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
