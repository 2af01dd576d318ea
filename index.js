'use strict';

/**
 * mafalda-sfu: one mediasoup-shaped Router that spreads itself over every CPU core.
 *
 *   const { Mafalda } = require('mafalda-sfu');
 *   const mafalda = new Mafalda({ maxWorkers: 4 });
 *   const router = await mafalda.createRouter({ mediaCodecs });
 */

const { Mafalda } = require('./lib/Mafalda');
const { MafaldaRouter } = require('./lib/Router');
const { UnsupportedError, InvalidStateError } = require('./lib/errors');
const { version } = require('./package.json');

const types = { UnsupportedError, InvalidStateError, MafaldaRouter };

module.exports = { Mafalda, MafaldaRouter, UnsupportedError, InvalidStateError, types, version };
