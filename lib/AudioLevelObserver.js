'use strict';

const { RtpObserver } = require('./RtpObserver');

/** Reports the loudest audio producers every interval (`volumes`, `silence`). */
class AudioLevelObserver extends RtpObserver {
	_handleNativeEvent(name, data) {
		if (name === 'volumes') {
			const volumes = data
				.map(({ producerId, volume }) => ({ producer: this._getProducerByNativeId(producerId), volume }))
				.filter(({ producer }) => producer);
			if (volumes.length === 0) return;
			this.safeEmit('volumes', volumes);
			this.observer.safeEmit('volumes', volumes);
		} else if (name === 'silence') {
			this.safeEmit('silence');
			this.observer.safeEmit('silence');
		} else {
			super._handleNativeEvent(name, data);
		}
	}
}

module.exports = { AudioLevelObserver };
