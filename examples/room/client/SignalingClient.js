/**
 * The browser end of the signaling WebSocket: `request(method, data)` resolves with the
 * server's reply data (or rejects with its error); notifications go to `onNotification`.
 */
export class SignalingClient {
	#ws;
	#nextId = 1;
	#pending = new Map();

	onNotification = () => {};
	onClose = () => {};

	static open(url) {
		return new Promise((resolve, reject) => {
			const ws = new WebSocket(url);
			ws.addEventListener('open', () => resolve(new SignalingClient(ws)), { once: true });
			ws.addEventListener('error', () => reject(new Error(`cannot reach ${url}`)), { once: true });
		});
	}

	constructor(ws) {
		this.#ws = ws;
		ws.addEventListener('message', (event) => this.#handleMessage(JSON.parse(event.data)));
		ws.addEventListener('close', () => {
			for (const { reject } of this.#pending.values()) reject(new Error('signaling closed'));
			this.#pending.clear();
			this.onClose();
		});
	}

	get open() {
		return this.#ws.readyState === WebSocket.OPEN;
	}

	request(method, data = {}) {
		if (!this.open) return Promise.reject(new Error('signaling closed'));
		const id = this.#nextId++;
		this.#ws.send(JSON.stringify({ id, method, data }));
		return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject, method }));
	}

	close() {
		this.#ws.close();
	}

	#handleMessage(message) {
		if (message.notification) {
			this.onNotification(message.method, message.data);
			return;
		}
		const pending = this.#pending.get(message.id);
		if (!pending) return;
		this.#pending.delete(message.id);
		if (message.ok) pending.resolve(message.data);
		else pending.reject(new Error(`${pending.method}: ${message.error}`));
	}
}
