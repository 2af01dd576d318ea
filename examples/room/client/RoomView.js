/**
 * The room page's picture: one tile per participant (yourself first), each with its
 * video, its audio and its name.
 */
export class RoomView {
	#tiles;
	#status;
	#unmute;

	constructor({ tiles, status, unmute }) {
		this.#tiles = tiles;
		this.#status = status;
		this.#unmute = unmute;
		// Browsers may refuse to play sound before a click; one click starts every <audio>.
		unmute.addEventListener('click', () => {
			for (const audio of tiles.querySelectorAll('audio')) audio.play().catch(() => {});
			unmute.hidden = true;
		});
	}

	setStatus(text, { error = false } = {}) {
		this.#status.textContent = text;
		this.#status.classList.toggle('error', error);
	}

	showLocal(stream, displayName) {
		const tile = this.#tile('self', `${displayName} (you)`);
		tile.classList.add('self');
		const video = this.#mediaElement(tile, 'video', 'local');
		video.srcObject = stream;
	}

	addPeer(peerId, displayName) {
		this.#tile(peerId, displayName);
	}

	removePeer(peerId) {
		this.#tiles.querySelector(`[data-peer-id="${CSS.escape(peerId)}"]`)?.remove();
	}

	addConsumer({ consumer, peerId, displayName }) {
		const tile = this.#tile(peerId, displayName);
		const element = this.#mediaElement(tile, consumer.kind, consumer.id);
		element.srcObject = new MediaStream([consumer.track]);
		element.play().catch(() => {
			if (consumer.kind === 'audio') this.#unmute.hidden = false;
		});
	}

	removeConsumer(consumerId) {
		const element = this.#tiles.querySelector(`[data-consumer-id="${CSS.escape(consumerId)}"]`);
		const tile = element?.closest('.tile');
		element?.remove();
		if (tile && !tile.querySelector('video')) tile.classList.add('waiting');
	}

	clear() {
		this.#tiles.replaceChildren();
		this.#unmute.hidden = true;
	}

	#tile(peerId, displayName) {
		let tile = this.#tiles.querySelector(`[data-peer-id="${CSS.escape(peerId)}"]`);
		if (tile) return tile;
		tile = document.createElement('figure');
		tile.className = 'tile waiting';
		tile.dataset.peerId = peerId;
		const caption = document.createElement('figcaption');
		caption.textContent = displayName;
		tile.append(caption);
		if (peerId === 'self') this.#tiles.prepend(tile);
		else this.#tiles.append(tile);
		return tile;
	}

	/** A <video> (muted: sound goes through the tile's <audio>) or an <audio> element. */
	#mediaElement(tile, kind, consumerId) {
		const element = document.createElement(kind);
		element.autoplay = true;
		element.dataset.consumerId = consumerId;
		if (kind === 'video') {
			element.muted = true;
			element.playsInline = true;
			element.className = consumerId === 'local' ? 'local-video' : 'remote-video';
			tile.prepend(element);
			tile.classList.remove('waiting');
		} else {
			element.className = 'remote-audio';
			tile.append(element);
		}
		return element;
	}
}
