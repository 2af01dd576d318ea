'use strict';

/**
 * Reads Prometheus' text exposition format (version 0.0.4) strictly enough for tests:
 * every sample belongs to a family declared by `# TYPE` (histograms' `_bucket`,
 * `_sum`, `_count` to theirs), label values are unescaped, values are numbers.
 */
function parsePrometheus(text) {
	const types = new Map();
	const help = new Map();
	const samples = [];
	for (const line of text.split('\n')) {
		if (line === '') continue;
		let match = /^# (TYPE|HELP) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
		if (match) {
			(match[1] === 'TYPE' ? types : help).set(match[2], match[3]);
			continue;
		}
		match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
		if (!match) throw new Error(`not a sample line: ${line}`);
		const [, name, labelText, valueText] = match;
		const labels = {};
		for (const [, key, value] of (labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
			labels[key] = value.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
		}
		const value = valueText === '+Inf' ? Infinity : Number(valueText);
		if (Number.isNaN(value)) throw new Error(`not a number: ${line}`);
		const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
		if (!types.has(family)) throw new Error(`sample of an undeclared family: ${line}`);
		samples.push({ name, family, labels, value });
	}
	/** The sum of the samples named `name` whose labels include `labels`. */
	const value = (name, labels = {}) => samples
		.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
		.reduce((sum, s) => sum + s.value, 0);
	const has = (name, labels = {}) => samples.some((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
	return { types, help, samples, value, has };
}

module.exports = { parsePrometheus };
