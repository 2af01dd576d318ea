'use strict';

/**
 * Routes native events to the JS object they belong to. Native objects are named
 * by a process-unique numeric handle (ids are not unique: a piped producer keeps
 * the id of its source).
 */
class Registry {
	#objects = new Map();

	add(handle, object) {
		this.#objects.set(handle, object);
	}

	remove(handle) {
		this.#objects.delete(handle);
	}

	get size() {
		return this.#objects.size;
	}

	dispatch(handle, name, data, bytes) {
		const object = this.#objects.get(handle);
		if (object) object._handleNativeEvent(name, data, bytes);
	}
}

module.exports = { Registry };
