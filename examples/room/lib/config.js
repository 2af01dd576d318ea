'use strict';

const { parseArgs } = require('node:util');
const net = require('node:net');

const POLICIES = ['pack', 'spread', 'least-loaded'];

/**
 * Settings of the room server: each one from a command-line flag, else from an
 * environment variable, else a default that keeps everything on this machine.
 */
const SETTINGS = [
	{ name: 'host', flag: 'host', env: 'MAFALDA_HOST', default: '127.0.0.1', check: checkIp, help: 'address the HTTP/WebSocket server listens on' },
	{ name: 'port', flag: 'port', env: 'MAFALDA_PORT', default: '3000', check: checkPort, help: 'port of the HTTP/WebSocket server (0: any free port)' },
	{ name: 'listenIp', flag: 'listen-ip', env: 'MAFALDA_LISTEN_IP', default: '127.0.0.1', check: checkIp, help: 'address the media (WebRTC) transports listen on' },
	{ name: 'announcedIp', flag: 'announced-ip', env: 'MAFALDA_ANNOUNCED_IP', default: '', check: checkOptionalIp, help: 'address announced to browsers in ICE candidates (default: the listen IP)' },
	{ name: 'webRtcPorts', flag: 'webrtc-ports', env: 'MAFALDA_WEBRTC_PORTS', default: '40000-40999', check: checkPortRange, help: 'UDP/TCP ports of the WebRtcServers (one port of the range per worker)' },
	{ name: 'maxWorkers', flag: 'max-workers', env: 'MAFALDA_MAX_WORKERS', default: '', check: checkOptionalCount, help: 'most mediasoup workers to run (default: one per core; 0 with --nats: media only on mafalda-node servers)' },
	{ name: 'policy', flag: 'policy', env: 'MAFALDA_POLICY', default: 'pack', check: checkPolicy, help: `placement policy: ${POLICIES.join(', ')}` },
	{ name: 'nats', flag: 'nats', env: 'MAFALDA_NATS', default: '', check: checkOptionalString, help: 'NATS URL(s), comma-separated: join a cluster of mafalda-node media servers' },
	{ name: 'natsToken', flag: 'nats-token', env: 'MAFALDA_NATS_TOKEN', default: '', check: checkOptionalString, help: 'NATS token of the cluster' },
	{ name: 'nodeId', flag: 'node-id', env: 'MAFALDA_NODE_ID', default: '', check: checkOptionalString, help: 'this server\'s id in the cluster (default: random)' },
];

class ConfigError extends Error {}

function checkIp(value, setting) {
	if (!net.isIP(value)) throw new ConfigError(`--${setting.flag} must be an IP address, got "${value}"`);
	return value;
}

function checkOptionalIp(value, setting) {
	return value === '' ? undefined : checkIp(value, setting);
}

function checkPort(value, setting) {
	const port = Number(value);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--${setting.flag} must be a port number, got "${value}"`);
	return port;
}

function checkPortRange(value, setting) {
	const match = /^(\d+)-(\d+)$/.exec(value);
	const [min, max] = match ? [Number(match[1]), Number(match[2])] : [];
	if (!match || min < 1 || max > 65535 || min > max) throw new ConfigError(`--${setting.flag} must be a port range like 40000-40999, got "${value}"`);
	return { min, max };
}

function checkOptionalCount(value, setting) {
	if (value === '') return undefined;
	const count = Number(value);
	if (!Number.isInteger(count) || count < 0) throw new ConfigError(`--${setting.flag} must be a non-negative integer, got "${value}"`);
	return count;
}

function checkOptionalString(value) {
	return value === '' ? undefined : value;
}

function checkPolicy(value, setting) {
	if (!POLICIES.includes(value)) throw new ConfigError(`--${setting.flag} must be one of ${POLICIES.join(', ')}, got "${value}"`);
	return value;
}

/** Reads the settings from `argv` (without node and script) and `env`. */
function readConfig(argv = process.argv.slice(2), env = process.env) {
	const options = Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: 'string' }]));
	options.help = { type: 'boolean', short: 'h' };
	let values;
	try {
		({ values } = parseArgs({ args: argv, options, strict: true }));
	} catch (error) {
		throw new ConfigError(error.message);
	}
	const config = { help: Boolean(values.help) };
	for (const setting of SETTINGS) {
		const raw = values[setting.flag] ?? env[setting.env] ?? setting.default;
		config[setting.name] = setting.check(raw.trim(), setting);
	}
	if (config.maxWorkers === 0 && !config.nats) throw new ConfigError('--max-workers 0 needs --nats (the media then runs on mafalda-node servers)');
	return config;
}

function usage() {
	const lines = SETTINGS.map((s) => `  --${s.flag.padEnd(13)} ${s.env.padEnd(21)} ${s.help}${s.default ? ` (default ${s.default})` : ''}`);
	return ['Usage: node examples/room/server.js [flags]', '', '  flag            env var', ...lines].join('\n');
}

module.exports = { readConfig, usage, ConfigError, SETTINGS };
