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

	/**
	 * Called by the addon for every native event: nothing may throw back into it (an
	 * exception there would end the process), so a failing handler becomes a warning.
	 */
	dispatch(handle, name, data, bytes) {
		const object = this.#objects.get(handle);
		if (!object) return;
		try {
			// Objects that never get a native event (data producers, routers) have no handler.
			object._handleNativeEvent?.(name, data, bytes);
		} catch (error) {
			process.emitWarning(`${object.constructor.name} failed to handle the native event "${name}": ${error?.stack ?? error}`);
		}
	}
}

module.exports = { Registry };
