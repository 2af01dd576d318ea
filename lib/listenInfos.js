'use strict';

const net = require('node:net');
const { UnsupportedError } = require('./errors');

/**
 * mediasoup 3.14's listen infos (`{ protocol, ip, announcedAddress, port, portRange,
 * flags }`) on a 3.8 worker, which takes listen IPs (`{ ip }`), protocols for the
 * whole transport and at most one fixed port for all its sockets:
 * - announced addresses (IPs or host names) are applied here, to the ICE candidates
 *   and tuples the app sees, as the worker would;
 * - a port range is honoured by asking for fixed ports in it until one binds;
 * - ICE candidates are ordered and prioritised per listen info, as in 3.14.
 */

/** mediasoup's ICE candidate priority: host type (64), component 1. */
const ICE_TYPE_PREFERENCE = 64;
const ICE_DEFAULT_LOCAL_PREFERENCE = 10000;
/** At most this many ports of a range are tried before giving up. */
const MAX_PORT_ATTEMPTS = 64;

function checkIp(ip, what) {
	if (typeof ip !== 'string' || net.isIP(ip) === 0) throw new TypeError(`${what} must be an IP address string`);
}

function checkPort(port, what) {
	if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
		throw new TypeError(`${what} must be an integer between 0 and 65535`);
	}
}

/** Checks one listen info (3.14 shape) and returns a normalized copy. */
function normalizeListenInfo(info, { udpOnly = false } = {}) {
	if (!info || typeof info !== 'object' || Array.isArray(info)) throw new TypeError('wrong listenInfo (not an object)');
	const { protocol = 'udp', ip, announcedAddress, announcedIp, port, portRange, flags = {}, sendBufferSize, recvBufferSize } = info;
	if (protocol !== 'udp' && protocol !== 'tcp') throw new TypeError(`invalid listenInfo.protocol "${protocol}"`);
	if (udpOnly && protocol !== 'udp') throw new TypeError('only UDP listenInfo is supported by this transport');
	checkIp(ip, 'listenInfo.ip');
	const announced = announcedAddress ?? announcedIp;
	if (announced !== undefined && typeof announced !== 'string') throw new TypeError('if given, announcedAddress must be a string');
	checkPort(port, 'listenInfo.port');
	if (portRange !== undefined) {
		if (!portRange || typeof portRange !== 'object') throw new TypeError('wrong listenInfo.portRange (not an object)');
		checkPort(portRange.min, 'portRange.min');
		checkPort(portRange.max, 'portRange.max');
		if (typeof portRange.min !== 'number' || typeof portRange.max !== 'number' || portRange.min > portRange.max) {
			throw new TypeError('wrong listenInfo.portRange (min must not be greater than max)');
		}
	}
	if (flags.udpReusePort && protocol === 'udp') {
		throw new UnsupportedError('listenInfo.flags.udpReusePort (SO_REUSEPORT) is not supported by this worker (3.8)');
	}
	if (sendBufferSize !== undefined || recvBufferSize !== undefined) {
		throw new UnsupportedError('listenInfo sendBufferSize/recvBufferSize are not supported by this worker (3.8)');
	}
	return { protocol, ip, announcedAddress: announced, port: port || undefined, portRange };
}

/**
 * The ports to ask the worker for: `[undefined]` (the worker chooses in its own
 * range), `[port]`, or ports of the range from a random start.
 */
function portAttempts(infos) {
	const fixed = new Set(infos.map((info) => info.port).filter((port) => port !== undefined));
	const ranges = infos.map((info) => info.portRange).filter(Boolean);
	if (fixed.size + (ranges.length > 0 ? 1 : 0) > 1) {
		throw new UnsupportedError('different ports for the sockets of one transport (this worker binds them all to one port)');
	}
	if (fixed.size === 1) return [...fixed];
	if (ranges.length === 0) return [undefined];
	const { min, max } = ranges[0];
	if (ranges.some((range) => range.min !== min || range.max !== max)) {
		throw new UnsupportedError('different port ranges for the sockets of one transport (this worker binds them all to one port)');
	}
	const ips = new Set(infos.map((info) => info.ip));
	if (ips.size > 1 && [...ips].some((ip) => ip === '0.0.0.0' || ip === '::')) {
		throw new UnsupportedError('a port range for a wildcard and another IP in one transport (this worker binds all its sockets to one port)');
	}
	const size = max - min + 1;
	const start = Math.floor(Math.random() * size);
	return Array.from({ length: Math.min(size, MAX_PORT_ATTEMPTS) }, (_, i) => min + ((start + i) % size));
}

/**
 * Runs `create(port)` for each port until one binds. The worker's reason does not
 * cross the crate, so any failure of the worker (not a TypeError) tries the next port.
 */
async function firstBindingPort(ports, create) {
	let lastError;
	for (const port of ports) {
		try {
			return await create(port);
		} catch (error) {
			if (port === undefined || error instanceof TypeError || error.name !== 'Error') throw error;
			lastError = error;
		}
	}
	throw lastError;
}

/** 3.14's conversion of deprecated `listenIps` (+ enableUdp/enableTcp...) to listen infos. */
function listenInfosFromListenIps(listenIps, { enableUdp = true, enableTcp = false, preferUdp = false, preferTcp = false, port }) {
	const protocols = [];
	if (enableUdp && (preferUdp || !enableTcp || !preferTcp)) {
		protocols.push('udp');
		if (enableTcp) protocols.push('tcp');
	} else if (enableTcp && ((preferTcp && !preferUdp) || !enableUdp)) {
		protocols.push('tcp');
		if (enableUdp) protocols.push('udp');
	}
	const infos = [];
	for (const listenIp of listenIps) {
		const { ip, announcedIp } = typeof listenIp === 'string' ? { ip: listenIp } : (listenIp ?? {});
		for (const protocol of protocols) infos.push({ protocol, ip, announcedAddress: announcedIp, port });
	}
	return infos;
}

/** What the 3.8 worker is asked for a WebRtcTransport: one listen IP per distinct IP. */
function webRtcWorkerListen(infos) {
	return {
		listenIps: [...new Set(infos.map((info) => info.ip))].map((ip) => ({ ip })),
		enableUdp: infos.some((info) => info.protocol === 'udp'),
		enableTcp: infos.some((info) => info.protocol === 'tcp'),
	};
}

function icePriority(localPreference) {
	return ICE_TYPE_PREFERENCE * 2 ** 24 + localPreference * 2 ** 8 + (256 - 1);
}

/**
 * One ICE candidate per listen info, in their order, with 3.14's priorities (each
 * listen info a step below the previous one), from the sockets the worker opened
 * (found by IP and protocol). preferUdp/preferTcp act through the listen infos' order.
 */
function webRtcCandidates(workerCandidates, infos) {
	return infos.map((info, index) => {
		const socket = workerCandidates.find((c) => c.protocol === info.protocol && c.ip === info.ip);
		const candidate = {
			foundation: `${info.protocol}candidate`,
			priority: icePriority(ICE_DEFAULT_LOCAL_PREFERENCE - 100 * index),
			ip: info.announcedAddress ?? socket.ip,
			address: info.announcedAddress ?? socket.ip,
			protocol: info.protocol,
			port: socket.port,
			type: 'host',
		};
		if (info.protocol === 'tcp') candidate.tcpType = 'passive';
		return candidate;
	});
}

/** A tuple in 3.14's shape (`localAddress`, `localIp`), with the announced address if any. */
function tupleWithAnnouncedAddress(tuple, announcedAddress) {
	if (!tuple) return undefined;
	const localAddress = announcedAddress ?? tuple.localAddress ?? tuple.localIp;
	const shaped = { ...tuple, localAddress, localIp: localAddress };
	for (const key of Object.keys(shaped)) if (shaped[key] === null) delete shaped[key];
	return shaped;
}

module.exports = {
	normalizeListenInfo,
	portAttempts,
	firstBindingPort,
	listenInfosFromListenIps,
	webRtcWorkerListen,
	webRtcCandidates,
	tupleWithAnnouncedAddress,
};
