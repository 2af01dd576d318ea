'use strict';

const { shown } = require('./validate');

const CRYPTO_SUITES = ['AEAD_AES_256_GCM', 'AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'];

function checkCryptoSuite(cryptoSuite) {
	if (!CRYPTO_SUITES.includes(cryptoSuite)) throw new TypeError(`invalid SRTP crypto suite "${shown(cryptoSuite)}"`);
}

/** `connect()`'s srtpParameters: required with SRTP, refused without it (TypeError). */
function checkConnectSrtpParameters(srtpParameters, enableSrtp) {
	if (!enableSrtp) {
		if (srtpParameters !== undefined) throw new TypeError('srtpParameters given but SRTP is not enabled');
		return;
	}
	if (!srtpParameters || typeof srtpParameters !== 'object') throw new TypeError('missing srtpParameters');
	if (typeof srtpParameters.keyBase64 !== 'string') throw new TypeError('missing srtpParameters.keyBase64');
	if (typeof srtpParameters.cryptoSuite !== 'string') throw new TypeError('missing srtpParameters.cryptoSuite');
	checkCryptoSuite(srtpParameters.cryptoSuite);
}

module.exports = { checkCryptoSuite, checkConnectSrtpParameters };
