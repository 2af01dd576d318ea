'use strict';

const { EventEmitter } = require('node:events');

/**
 * EventEmitter whose `safeEmit()` never lets a listener's exception escape into
 * library code, as in mediasoup.
 */
class EnhancedEventEmitter extends EventEmitter {
	constructor() {
		super();
		this.setMaxListeners(Infinity);
	}

	safeEmit(event, ...args) {
		const listeners = this.listenerCount(event);
		try {
			return this.emit(event, ...args);
		} catch (error) {
			process.emitWarning(`safeEmit() | event listener threw an error [event:${String(event)}]: ${error}`);
			return Boolean(listeners);
		}
	}
}

module.exports = { EnhancedEventEmitter };
