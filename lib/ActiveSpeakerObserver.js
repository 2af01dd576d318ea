'use strict';

const { RtpObserver } = require('./RtpObserver');

/** Reports the dominant speaker among its audio producers (`dominantspeaker`). */
class ActiveSpeakerObserver extends RtpObserver {
	_handleNativeEvent(name, data) {
		if (name !== 'dominantspeaker') return super._handleNativeEvent(name, data);
		const producer = this._getProducerByNativeId(data.producerId);
		if (!producer) return;
		this.safeEmit('dominantspeaker', { producer });
		this.observer.safeEmit('dominantspeaker', { producer });
	}
}

module.exports = { ActiveSpeakerObserver };
