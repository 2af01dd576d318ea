'use strict';

/**
 * What neither side's typings nor our sources' shape show, known from our lib and
 * from the mediasoup suite (docs/compat.md, second table): a note for a row, or a
 * status that replaces the computed one. An entry that replaces a status says
 * which status it `expects` to replace, and one that matches no row is an error,
 * so that a note cannot outlive what it describes.
 *
 * Keys: `Section.name` (members, options, types), `Section event name`,
 * `Section observer event name`; `*` for any section.
 */

const SCTP_STREAMS = {
	expect: 'same',
	status: 'differs',
	how: 'taken, but today\'s worker offers 65535 streams each way whatever is asked',
};

const NOTES = {
	'mediasoup.workerBin': { note: 'the worker host binary every worker process runs, next to the addon (`mafalda-worker-host`)' },
	'mediasoup.getSupportedRtpCapabilities': { note: 'and today\'s worker supports other header extensions than 3.14\'s' },
	'Worker.pid': { note: 'the process of the pool worker this Worker stands for: a child process of its own (this process with `workerBacking: \'thread\'`)' },
	'Worker.getResourceUsage': { note: '`getrusage()` of its worker\'s process, answered by that child' },
	'Worker.updateSettings': { note: 'checked and kept; the pool\'s workers keep the log settings they started with' },
	'Worker event died': { note: 'when the worker it stands for dies (kill, abort, crash): its routers close (`workerclose`) as in mediasoup; for `Mafalda`, what that worker held closes, `workerdied` fires and MafaldaRouters carry on on the other workers' },
	'Worker event subprocessclose': { note: 'just after `close()` or `died`; the pool\'s worker processes end with the pool' },
	'* event listenererror': { note: 'ours turns a listener\'s exception into a process warning' },
	'WebRtcServer.dump': {
		expect: 'same',
		status: 'differs',
		how: 'no `tupleHashes` (the mediasoup crate does not read them): ours, to fix',
	},
	'Router.rtpCapabilities': { note: 'and today\'s worker supports other header extensions than 3.14\'s' },
	'Transport.connect': { note: 'only its subclasses have `connect()`' },
	'Transport.setMaxOutgoingBitrate': {
		expect: 'same',
		status: 'differs',
		how: 'a maximum below the minimum resolves and is raised to the minimum, where 3.14 rejected it (today\'s worker)',
	},
	'Transport.setMinOutgoingBitrate': {
		expect: 'same',
		status: 'differs',
		how: 'a minimum above the maximum resolves and raises the maximum to it, where 3.14 rejected it (today\'s worker)',
	},
	'DirectTransport observer event rtcp': {
		expect: 'missing',
		status: 'same',
		note: 'mediasoup declares it but emits `rtcp` on the transport only, as ours',
	},
	'DataProducer.send': {
		expect: 'same',
		status: 'differs',
		how: '`subchannels` and `requiredSubchannel` throw UnsupportedError (they would not cross workers): ours, to fix',
	},
	'ConsumerOptions.mid': {
		expect: 'same',
		status: 'differs',
		how: 'at most 8 bytes (today\'s worker rejects longer MIDs)',
	},
	'PipeToRouterOptions.numSctpStreams': SCTP_STREAMS,
	'PipeTransportOptions.numSctpStreams': SCTP_STREAMS,
	'PlainTransportOptions.numSctpStreams': SCTP_STREAMS,
	'WebRtcTransportOptions.numSctpStreams': SCTP_STREAMS,
	'WorkerSettings.libwebrtcFieldTrials': {
		expect: 'same',
		status: 'differs',
		how: 'checked to be a string, then not passed to the workers',
	},
	'WorkerSettings.disableLiburing': { note: 'ignored if given' },
};

/** The key of a row in NOTES. */
function rowKey(section, row) {
	return row.kind === 'event' || row.kind === 'observer event' ? `${section} ${row.kind} ${row.name}` : `${section}.${row.name}`;
}

/** Applies NOTES to the rows of every section; throws on an entry that no longer fits. */
function applyNotes(sections) {
	const used = new Set();
	for (const section of sections) {
		for (const [i, row] of section.rows.entries()) {
			const key = rowKey(section.key, row);
			const wildcard = key.replace(/^[^ .]+/, '*');
			for (const name of [key, wildcard]) {
				const entry = NOTES[name];
				if (!entry) continue;
				used.add(name);
				if (entry.status) {
					if (row.status !== entry.expect) {
						throw new Error(`notes.js: ${key} is ${row.status} now, not ${entry.expect}: update its entry`);
					}
					section.rows[i] = { ...row, status: entry.status, how: entry.how, ...(entry.note && { note: entry.note }) };
				} else {
					section.rows[i] = { ...section.rows[i], note: [section.rows[i].note, entry.note].filter(Boolean).join('; ') };
				}
			}
		}
	}
	const unused = Object.keys(NOTES).filter((name) => !used.has(name));
	if (unused.length) throw new Error(`notes.js: no row for ${unused.join(', ')}`);
	return sections;
}

module.exports = { applyNotes };
