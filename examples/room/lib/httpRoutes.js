'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { monitorSnapshot } = require('./monitorSnapshot');

const PUBLIC_DIR = path.join(__dirname, '..', 'public');

function readPublic(name) {
	return fs.readFileSync(path.join(PUBLIC_DIR, name));
}

/**
 * The HTTP side: a fixed set of pages and scripts (read once, served from memory) and
 * the monitor's JSON. Returns a `(request, response)` handler.
 */
function httpRoutes({ bundle, mafalda, rooms, log }) {
	const files = {
		'/': { type: 'text/html; charset=utf-8', body: readPublic('room.html') },
		'/monitor': { type: 'text/html; charset=utf-8', body: readPublic('monitor.html') },
		'/style.css': { type: 'text/css; charset=utf-8', body: readPublic('style.css') },
		'/room.js': { type: 'text/javascript; charset=utf-8', body: bundle['room.js'] },
		'/monitor.js': { type: 'text/javascript; charset=utf-8', body: bundle['monitor.js'] },
	};

	return async function handleHttp(request, response) {
		const { pathname } = new URL(request.url, 'http://localhost');
		if (request.method !== 'GET' && request.method !== 'HEAD') {
			return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed');
		}
		if (pathname === '/monitor.json') {
			try {
				const snapshot = await monitorSnapshot({ mafalda, rooms });
				return send(response, 200, 'application/json', JSON.stringify(snapshot), { 'cache-control': 'no-store' });
			} catch (error) {
				log.warn(`monitor: ${error.message}`);
				return send(response, 503, 'application/json', JSON.stringify({ error: error.message }));
			}
		}
		const file = files[pathname];
		if (!file) return send(response, 404, 'text/plain; charset=utf-8', 'not found');
		return send(response, 200, file.type, file.body);
	};
}

function send(response, status, type, body, headers = {}) {
	response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
	response.end(response.req.method === 'HEAD' ? undefined : body);
}

module.exports = { httpRoutes };
