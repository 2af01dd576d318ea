'use strict';

const { Room } = require('./Room');

/** The open rooms by name; a room is created by its first join and forgotten once closed. */
class Rooms {
	#mafalda;
	/** name → Promise<Room> (one creation in flight per name, awaited by every joiner) */
	#rooms = new Map();
	#open = new Map();

	constructor({ mafalda }) {
		this.#mafalda = mafalda;
	}

	/** Rooms whose router exists. */
	get list() {
		return [...this.#open.values()];
	}

	/** The open room with this name, creating it if needed. */
	async get(name) {
		for (;;) {
			let creation = this.#rooms.get(name);
			if (!creation) {
				creation = Room.create({ name, mafalda: this.#mafalda, onClose: (room) => this.#forget(room) });
				this.#rooms.set(name, creation);
				creation.then(
					(room) => this.#open.set(name, room),
					() => this.#rooms.delete(name)
				);
			}
			const room = await creation;
			// The last peer may have left (closing the room) while this caller waited.
			if (!room.closed) return room;
		}
	}

	closeAll() {
		for (const room of this.#open.values()) room.close();
	}

	#forget(room) {
		if (this.#open.get(room.name) === room) {
			this.#open.delete(room.name);
			this.#rooms.delete(room.name);
		}
	}
}

module.exports = { Rooms };
