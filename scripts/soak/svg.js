'use strict';

/**
 * A small SVG of the soak's samples: one panel per group of series against minutes,
 * each series scaled to its panel, with the first and last values written beside it.
 */
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

function escape(text) {
	return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

function panel({ x, y, width, height, title, unit, series, minutes }) {
	const values = series.flatMap((s) => s.values);
	const max = Math.max(1, ...values) * 1.1;
	const tMax = Math.max(1e-9, minutes.at(-1));
	const px = (t) => x + (t / tMax) * width;
	const py = (v) => y + height - (v / max) * height;
	const out = [
		`<rect x="${x}" y="${y}" width="${width}" height="${height}" fill="none" stroke="#999"/>`,
		`<text x="${x}" y="${y - 6}" font-size="13" font-weight="bold">${escape(title)}</text>`,
		`<text x="${x - 4}" y="${y + 10}" font-size="10" text-anchor="end">${max.toFixed(0)}</text>`,
		`<text x="${x - 4}" y="${y + height}" font-size="10" text-anchor="end">0</text>`,
		`<text x="${x + width}" y="${y + height + 14}" font-size="10" text-anchor="end">${tMax.toFixed(1)} min</text>`,
	];
	series.forEach((s, i) => {
		const points = s.values.map((v, k) => `${px(minutes[k]).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
		const color = COLORS[i % COLORS.length];
		out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/>`);
		const first = s.values[0]?.toFixed(unit === 'MiB' ? 0 : 0);
		const last = s.values.at(-1)?.toFixed(0);
		out.push(`<text x="${x + 6}" y="${y + 14 + i * 13}" font-size="11" fill="${color}">${escape(s.name)}: ${first} → ${last}${unit ? ` ${unit}` : ''}</text>`);
	});
	return out.join('\n');
}

/** `samples`: [{ t (seconds), ...fields }]; `panels`: [{ title, unit, fields: [[name, key]] }]. */
function soakSvg({ title, samples, panels }) {
	const minutes = samples.map((s) => s.t / 60);
	const width = 360;
	const height = 150;
	const columns = 2;
	const rows = Math.ceil(panels.length / columns);
	const total = { width: 60 + columns * (width + 70), height: 50 + rows * (height + 60) };
	const body = panels.map((p, i) => panel({
		x: 50 + (i % columns) * (width + 70),
		y: 60 + Math.floor(i / columns) * (height + 60),
		width,
		height,
		title: p.title,
		unit: p.unit,
		minutes,
		series: p.fields.map(([name, key]) => ({ name, values: samples.map((s) => s[key]) })),
	}));
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${total.width}" height="${total.height}" font-family="sans-serif">`,
		`<rect width="100%" height="100%" fill="white"/>`,
		`<text x="20" y="24" font-size="15">${escape(title)}</text>`,
		...body,
		'</svg>',
	].join('\n');
}

module.exports = { soakSvg };
