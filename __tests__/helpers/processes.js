'use strict';

const fs = require('node:fs');

/** `/proc/<pid>/stat` fields after the name: state is [0], ppid [1]; null once gone. */
function statOf(pid) {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	} catch {
		return null;
	}
}

/** A process that runs (a zombie nobody reaped yet has ended: it counts as gone). */
function alive(pid) {
	const stat = statOf(pid);
	return stat !== null && stat[0] !== 'Z';
}

function parentOf(pid) {
	return Number(statOf(pid)?.[1]);
}

function commandOf(pid) {
	return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

/** User + system CPU time of process `pid` in ms, as `/proc/<pid>/stat` counts it (ticks of 10 ms). */
function cpuMs(pid) {
	const stat = statOf(pid);
	return (Number(stat[11]) + Number(stat[12])) * 10;
}

/** A status line of `/proc/<pid>/status` in KiB (VmRSS, VmHWM). */
function memoryKiB(pid, field) {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)[1]);
}

module.exports = { alive, parentOf, commandOf, cpuMs, memoryKiB };
