/**
 * Draws a monitor snapshot (see lib/monitorSnapshot.js on the server): one card per
 * worker with its measured CPU, its counts and the room shards it hosts, and arrows
 * for the pipes that carry producers from one worker to another.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Distinct colours, given to the rooms in name order, so a room looks the same on every worker. */
const PALETTE = ['#4fa3ff', '#f5a524', '#3ecf8e', '#e879f9', '#ff6b5b', '#a3e635', '#22d3ee', '#fb923c', '#c4b5fd', '#facc15'];

export function roomColors(snapshot) {
	const names = [...new Set(snapshot.rooms.map((room) => room.name))].sort();
	return new Map(names.map((name, index) => [name, PALETTE[index % PALETTE.length]]));
}

function element(tag, attributes = {}, ...children) {
	const node = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes)) {
		if (name === 'className') node.className = value;
		else if (name === 'style') node.style.cssText = value;
		else node.setAttribute(name, value);
	}
	node.append(...children.filter((child) => child !== null && child !== undefined));
	return node;
}

function svgElement(tag, attributes = {}) {
	const node = document.createElementNS(SVG_NS, tag);
	for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
	return node;
}

function percent(fraction) {
	return `${(fraction * 100).toFixed(1)} %`;
}

/** Worker labels by id: "worker 1", "worker 2"… in the order the pool lists them. */
export function workerLabels(snapshot) {
	return new Map(snapshot.workers.map((worker, index) => [worker.id, `worker ${index + 1}`]));
}

function workerCard(worker, label, watermark, colors) {
	const cpuWidth = Math.min(worker.cpu, 1) * 100;
	const gauge = element('div', { className: 'gauge', title: `measured CPU ${percent(worker.cpu)} of one core; watermark ${percent(watermark)}` },
		element('div', { className: `gauge-fill${worker.cpu > watermark ? ' hot' : ''}`, style: `width: ${cpuWidth}%` }),
		element('div', { className: 'gauge-watermark', style: `left: ${Math.min(watermark, 1) * 100}%` }));
	const { transports, producers, consumers, pipes } = worker.holdings;
	const counts = element('dl', { className: 'counts' },
		...[['transports', transports], ['producers', producers], ['consumers', consumers], ['pipes', pipes]].flatMap(([name, count]) => [
			element('dt', {}, name), element('dd', { 'data-count': name }, String(count)),
		]));
	const shards = worker.shards.map((shard) => {
		const name = shard.room ?? `router ${shard.routerId.slice(0, 8)}`;
		return element('div', { className: 'shard', 'data-shard-room': shard.room ?? '', 'data-router-id': shard.routerId, style: `--room-color: ${colors.get(shard.room) ?? '#8b93a3'}` },
			element('div', { className: 'shard-title' }, shard.room ? `room "${name}"` : name),
			element('ul', { className: 'shard-transports' },
				...shard.transports.map((transport) => element('li', { className: `transport ${transport.direction ?? ''}`, title: transport.id },
					transport.peer ? `${transport.peer} ${transport.direction === 'send' ? '↑ sends' : '↓ receives'}` : `transport ${transport.id.slice(0, 8)}`))));
	});
	return element('article', { className: 'worker', 'data-worker-id': worker.id },
		element('h3', {}, label, ' ', element('small', { title: worker.id }, worker.id.slice(0, 8)),
			' ', element('small', { className: 'pid', 'data-pid': String(worker.pid), title: 'the process this worker runs in' }, `pid ${worker.pid}`)),
		gauge,
		element('p', { className: 'gauge-label' }, `CPU ${percent(worker.cpu)}`, element('span', { className: 'muted' }, ` · scheduler load ${worker.load.toFixed(3)}`)),
		counts,
		element('div', { className: 'shards' }, ...(shards.length ? shards : [element('p', { className: 'muted' }, 'no shards: idle')])));
}

/** Arrows between worker cards, drawn in an SVG laid over them. */
function drawPipes(container, svg, snapshot, labels) {
	svg.replaceChildren();
	const box = container.getBoundingClientRect();
	svg.setAttribute('width', box.width);
	svg.setAttribute('height', box.height);
	const defs = svgElement('defs');
	const marker = svgElement('marker', {
		id: 'arrowhead', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 3, markerHeight: 3, orient: 'auto',
	});
	marker.append(svgElement('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
	defs.append(marker);
	svg.append(defs);

	const cards = new Map([...container.querySelectorAll('.worker')].map((card) => [card.dataset.workerId, card.getBoundingClientRect()]));
	for (const worker of snapshot.workers) {
		for (const pipe of worker.pipes) {
			const from = cards.get(pipe.fromWorkerId);
			const to = cards.get(pipe.toWorkerId);
			if (!from || !to) continue;
			// Rightward pipes run in the upper half of the gap, leftward ones in the lower half.
			const rightward = from.left < to.left;
			const y = (rect) => rect.top - box.top + rect.height * (rightward ? 0.3 : 0.7);
			const x1 = (rightward ? from.right : from.left) - box.left;
			const x2 = (rightward ? to.left : to.right) - box.left;
			const y1 = y(from);
			const y2 = y(to);
			const bend = Math.abs(x2 - x1) > 200 ? (rightward ? -60 : 60) : 0;
			const group = svgElement('g', {
				class: 'pipe',
				'data-pipe-from': pipe.fromWorkerId,
				'data-pipe-to': pipe.toWorkerId,
				'data-producers': pipe.producers,
			});
			group.append(svgElement('path', {
				d: `M${x1},${y1} C${x1 + (x2 - x1) / 3},${y1 + bend} ${x2 - (x2 - x1) / 3},${y2 + bend} ${x2},${y2}`,
				class: 'pipe-line',
				'marker-end': 'url(#arrowhead)',
				'stroke-width': Math.min(2 + pipe.producers, 10),
			}));
			const label = svgElement('text', { x: (x1 + x2) / 2, y: (y1 + y2) / 2 + bend * 0.75 + (rightward ? -10 : 22), class: 'pipe-label', 'text-anchor': 'middle' });
			const rooms = pipe.rooms.length ? ` (${pipe.rooms.join(', ')})` : '';
			label.textContent = `${pipe.producers} producer${pipe.producers === 1 ? '' : 's'}${rooms}`;
			const title = svgElement('title');
			title.textContent = `pipe ${labels.get(pipe.fromWorkerId)} → ${labels.get(pipe.toWorkerId)}`;
			group.append(label, title);
			svg.append(group);
		}
	}
}

/** Replaces the content of `container` (the workers area) with this snapshot's picture. */
export function drawWorkers(container, snapshot) {
	const labels = workerLabels(snapshot);
	const row = element('div', { className: 'worker-row' },
		...snapshot.workers.map((worker) => workerCard(worker, labels.get(worker.id), snapshot.watermark, roomColors(snapshot))));
	if (!snapshot.workers.length) row.append(element('p', { className: 'muted' }, 'No worker running: they start with the first room.'));
	const svg = svgElement('svg', { class: 'pipes', 'aria-hidden': 'true' });
	container.replaceChildren(row, svg);
	drawPipes(container, svg, snapshot, labels);
}

export function drawRooms(container, snapshot) {
	const colors = roomColors(snapshot);
	const workersOf = (name) => snapshot.workers.filter((w) => w.shards.some((s) => s.room === name)).length;
	const rows = snapshot.rooms.map((room) => element('tr', { 'data-room': room.name },
		element('td', {}, element('span', { className: 'swatch', style: `background: ${colors.get(room.name)}` }), room.name),
		element('td', {}, room.participants.join(', ') || '–'),
		element('td', { className: 'number' }, String(room.producers)),
		element('td', { className: 'number' }, String(room.consumers)),
		element('td', { className: 'number' }, String(workersOf(room.name)))));
	container.replaceChildren(rows.length
		? element('table', {},
			element('thead', {}, element('tr', {}, ...['room', 'participants', 'producers', 'consumers', 'workers'].map((h) => element('th', {}, h)))),
			element('tbody', {}, ...rows))
		: element('p', { className: 'muted' }, 'No room open.'));
}

export function drawDecisions(container, snapshot) {
	const labels = workerLabels(snapshot);
	container.replaceChildren(...snapshot.decisions.map((decision) => element('li', {},
		element('span', { className: 'muted' }, `${(decision.atMs / 1000).toFixed(1)} s `),
		`${decision.subject} → ${labels.get(decision.workerId) ?? `worker ${decision.workerId.slice(0, 8)} (gone)`} `,
		element('span', { className: 'muted' }, `(${decision.reason})`))));
}
