#!/usr/bin/env node
'use strict';

/**
 * `npm run compat-table [-- --check]`: the table of mediasoup's 3.14 API against
 * ours in docs/compat.md, between `<!-- api-table:start -->` and
 * `<!-- api-table:end -->` (the rest of the file is written by hand and kept).
 *
 * mediasoup's side is its published typings (scripts/compat/mediasoupTypings.js:
 * `npm pack`, no install script, cached in the temp dir); ours is mediasoup.d.ts
 * and index.d.ts, then our runtime and sources where the typings cannot tell
 * (scripts/compat/compare.js). Both are parsed with the TypeScript compiler.
 * The output is deterministic; `--check` writes nothing and exits 1 when the file
 * differs from what it would write. `--doc FILE` works on another copy of the page.
 */

const fs = require('node:fs');
const path = require('node:path');
const { MEDIASOUP_VERSION, mediasoupTypings } = require('./compat/mediasoupTypings');
const { createPrograms, root } = require('./compat/program');
const { createCompare } = require('./compat/compare');
const { applyNotes } = require('./compat/notes');
const { renderApiTable } = require('./compat/render');

const START = '<!-- api-table:start -->';
const END = '<!-- api-table:end -->';

function apiTable() {
	const compare = createCompare(createPrograms(mediasoupTypings()), root);
	const sections = applyNotes(compare.sections());
	return renderApiTable({ sections, version: MEDIASOUP_VERSION, unresolved: compare.unresolvedEvents() });
}

function argument(name, fallback) {
	const i = process.argv.indexOf(name);
	return i >= 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : fallback;
}

/** The document with its generated section replaced. */
function withTable(document, table, name) {
	const start = document.indexOf(START);
	const end = document.indexOf(END);
	if (start < 0 || end < start) throw new Error(`${name} needs the markers ${START} and ${END}`);
	return `${document.slice(0, start + START.length)}\n${table}\n${document.slice(end)}`;
}

function main() {
	const check = process.argv.includes('--check');
	// `--doc FILE`: another copy of the page (the tests check a stale one).
	const doc = argument('--doc', path.join(root, 'docs', 'compat.md'));
	const name = path.relative(process.cwd(), doc);
	const current = fs.readFileSync(doc, 'utf8');
	const next = withTable(current, apiTable(), name);
	if (check) {
		if (next !== current) {
			console.error(`${name} is out of date: run \`npm run compat-table\``);
			process.exitCode = 1;
		}
		return;
	}
	if (next !== current) fs.writeFileSync(doc, next);
	console.log(`${name}: ${next.match(/\*\*Summary: ([^*]+)\*\*/)[1]}`);
}

main();
