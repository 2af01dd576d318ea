'use strict';

const net = require('node:net');
const { shown } = require('./validate');

/**
 * mediasoup 3.14's listen infos (`{ protocol, ip, announcedAddress, port, portRange,
 * flags, sendBufferSize, recvBufferSize, exposeInternalIp }`): checked here with
 * mediasoup's messages, then handed to the worker as they are. The deprecated
 * `listenIps`/`listenIp` shapes are converted to them as 3.14 does.
 */

function checkIp(ip, what) {
	if (typeof ip !== 'string' || net.isIP(ip) === 0) throw new TypeError(`${what} must be an IP address string`);
}

function checkInteger(value, what, min, max) {
	if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
		throw new TypeError(`${what} must be an integer between ${min} and ${max}`);
	}
}

function checkBoolean(value, what) {
	if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`if given, ${what} must be a boolean`);
}

/** Checks one listen info (3.14 shape) and returns a copy with only its known fields. */
function normalizeListenInfo(info, { udpOnly = false } = {}) {
	if (!info || typeof info !== 'object' || Array.isArray(info)) throw new TypeError('wrong listenInfo (not an object)');
	const { protocol = 'udp', ip, announcedAddress, announcedIp, port, portRange, flags, sendBufferSize, recvBufferSize, exposeInternalIp } = info;
	if (protocol !== 'udp' && protocol !== 'tcp') throw new TypeError(`invalid listenInfo.protocol "${shown(protocol)}"`);
	if (udpOnly && protocol !== 'udp') throw new TypeError('only UDP listenInfo is supported by this transport');
	checkIp(ip, 'listenInfo.ip');
	const announced = announcedAddress ?? announcedIp;
	if (announced !== undefined && typeof announced !== 'string') throw new TypeError('if given, announcedAddress must be a string');
	checkInteger(port, 'listenInfo.port', 0, 65535);
	if (portRange !== undefined) {
		if (!portRange || typeof portRange !== 'object') throw new TypeError('wrong listenInfo.portRange (not an object)');
		checkInteger(portRange.min, 'portRange.min', 1, 65535);
		checkInteger(portRange.max, 'portRange.max', 1, 65535);
		if (typeof portRange.min !== 'number' || typeof portRange.max !== 'number' || portRange.min > portRange.max) {
			throw new TypeError('wrong listenInfo.portRange (min must not be greater than max)');
		}
	}
	if (flags !== undefined) {
		if (!flags || typeof flags !== 'object') throw new TypeError('wrong listenInfo.flags (not an object)');
		checkBoolean(flags.ipv6Only, 'flags.ipv6Only');
		checkBoolean(flags.udpReusePort, 'flags.udpReusePort');
	}
	checkInteger(sendBufferSize, 'listenInfo.sendBufferSize', 0, 2 ** 31 - 1);
	checkInteger(recvBufferSize, 'listenInfo.recvBufferSize', 0, 2 ** 31 - 1);
	checkBoolean(exposeInternalIp, 'listenInfo.exposeInternalIp');
	const normalized = { protocol, ip, announcedAddress: announced, port, portRange, flags, sendBufferSize, recvBufferSize, exposeInternalIp };
	for (const key of Object.keys(normalized)) if (normalized[key] === undefined) delete normalized[key];
	return normalized;
}

/** 3.14's conversion of a deprecated `listenIp` (string or `{ ip, announcedIp }`). */
function listenInfoFromListenIp(listenIp, port) {
	const { ip, announcedIp } = typeof listenIp === 'string' ? { ip: listenIp } : (listenIp ?? {});
	return { protocol: 'udp', ip, announcedAddress: announcedIp, port };
}

/** 3.14's conversion of deprecated `listenIps` (+ enableUdp/enableTcp...) to listen infos. */
function listenInfosFromListenIps(listenIps, { enableUdp = true, enableTcp = false, preferUdp, preferTcp, port }) {
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
		const { ip, announcedAddress } = listenInfoFromListenIp(listenIp);
		for (const protocol of protocols) infos.push({ protocol, ip, announcedAddress, port });
	}
	return infos;
}

/** A tuple in 3.14's shape: `localAddress` and its deprecated twin `localIp`. */
function tuple314(tuple) {
	if (!tuple) return undefined;
	const localAddress = tuple.localAddress ?? tuple.localIp;
	const shaped = { ...tuple, localAddress, localIp: localAddress };
	for (const key of Object.keys(shaped)) if (shaped[key] === null) delete shaped[key];
	return shaped;
}

/** ICE candidates in 3.14's shape: `address` and its deprecated twin `ip`. */
function iceCandidates314(candidates) {
	return candidates.map((candidate) => ({ ...candidate, ip: candidate.address }));
}

module.exports = {
	normalizeListenInfo,
	listenInfoFromListenIp,
	listenInfosFromListenIps,
	tuple314,
	iceCandidates314,
};
