'use strict';

const { EnhancedEventEmitter } = require('./enhancedEvents');
const { InvalidStateError } = require('./errors');
const { checkAppDataValue } = require('./validate');

/**
 * What every object of the API backed by a native handle shares: `closed`,
 * `appData`, `observer`, the registry entry that routes native events to it, and
 * mediasoup's two ways to close: by the app (`close()`: the native side is told,
 * then `@close` for the parent and observer `close`) or because something else
 * closed (`transportclose`, `producerclose`...: no native call, the event, then
 * observer `close`).
 */
class NativeObject extends EnhancedEventEmitter {
	#native;
	#registry;
	#kind;
	#closed = false;
	#appData;
	#observer = new EnhancedEventEmitter();

	/** `kind` names the object in "<kind> closed" errors. */
	constructor({ native, registry, appData, kind }) {
		super();
		this.#native = native;
		this.#registry = registry;
		this.#kind = kind;
		this.#appData = appData || {};
		registry.add(native.handle, this);
	}

	get closed() { return this.#closed; }
	get appData() { return this.#appData; }
	set appData(appData) { checkAppDataValue(appData); this.#appData = appData; }
	get observer() { return this.#observer; }

	/** The native handle (core object) behind this one. */
	get _native() { return this.#native; }

	/** Where children created by this object register for native events. */
	get _registry() { return this.#registry; }

	close() {
		if (!this._markClosed()) return;
		this.#native.close();
		this.emit('@close');
		this.#observer.safeEmit('close');
	}

	/**
	 * Closed because of something else: emits `internalEvent` (for the parent, when
	 * given), then `event`, then observer `close`. False if it was closed already.
	 */
	_closedBy(event, internalEvent) {
		if (!this._markClosed()) return false;
		if (internalEvent) this.emit(internalEvent);
		this.safeEmit(event);
		this.#observer.safeEmit('close');
		return true;
	}

	/** Marks closed and stops native events; false if it was closed already. */
	_markClosed() {
		if (this.#closed) return false;
		this.#closed = true;
		this.#registry.remove(this.#native.handle);
		return true;
	}

	_checkOpen() {
		if (this.#closed) throw new InvalidStateError(`${this.#kind} closed`);
	}
}

module.exports = { NativeObject };
