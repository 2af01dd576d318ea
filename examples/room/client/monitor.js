import { drawWorkers, drawRooms, drawDecisions } from './monitorPicture.js';

/** The /monitor page: polls /monitor.json and redraws the picture. */
const POLL_MS = 1000;

const workers = document.getElementById('workers');
const rooms = document.getElementById('rooms');
const decisions = document.getElementById('decisions');
const summary = document.getElementById('summary');
let latest;

async function refresh() {
	try {
		const response = await fetch('/monitor.json', { cache: 'no-store' });
		if (!response.ok) throw new Error(`HTTP ${response.status}`);
		latest = await response.json();
		draw();
		summary.classList.remove('error');
	} catch (error) {
		summary.textContent = `server unreachable (${error.message}); retrying…`;
		summary.classList.add('error');
	} finally {
		setTimeout(refresh, POLL_MS);
	}
}

function draw() {
	const { policy, maxWorkers, watermark } = latest;
	summary.textContent = `${latest.workers.length} of ${maxWorkers} workers · policy ${policy} · watermark ${Math.round(watermark * 100)} % of a core · ${latest.rooms.length} room${latest.rooms.length === 1 ? '' : 's'}`;
	drawWorkers(workers, latest);
	drawRooms(rooms, latest);
	drawDecisions(decisions, latest);
}

window.addEventListener('resize', () => latest && drawWorkers(workers, latest));
refresh();
