'use strict';

/**
 * One TypeScript program over both sides, mediasoup's typings and ours, so that
 * one type checker can relate a type of one to a type of the other.
 */

const path = require('node:path');
const ts = require('typescript');

const root = path.join(__dirname, '..', '..');

function moduleSymbol(checker, program, file) {
	const source = program.getSourceFile(file);
	if (!source) throw new Error(`${file} is not in the program`);
	return checker.getSymbolAtLocation(source);
}

/** The exports of a module (or namespace) by name, aliases resolved. */
function exportsOf(checker, symbol) {
	const exports = new Map();
	for (const exported of checker.getExportsOfModule(symbol)) {
		const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
		exports.set(exported.name, target);
	}
	return exports;
}

function createPrograms(mediasoupLib) {
	const files = {
		mediasoupIndex: path.join(mediasoupLib, 'index.d.ts'),
		mediasoupTypes: path.join(mediasoupLib, 'types.d.ts'),
		mediasoupEvents: path.join(mediasoupLib, 'enhancedEvents.d.ts'),
		oursMediasoup: path.join(root, 'mediasoup.d.ts'),
		oursIndex: path.join(root, 'index.d.ts'),
	};
	const program = ts.createProgram(Object.values(files), {
		strict: true,
		noEmit: true,
		target: ts.ScriptTarget.ES2022,
		moduleResolution: ts.ModuleResolutionKind.Node10,
		types: ['node'],
		typeRoots: [path.join(root, 'node_modules', '@types')],
	});
	const checker = program.getTypeChecker();
	const module = (file) => moduleSymbol(checker, program, file);
	const oursTypes = exportsOf(checker, module(files.oursMediasoup)).get('types');
	return {
		ts,
		checker,
		mediasoupLib,
		mediasoup: {
			module: exportsOf(checker, module(files.mediasoupIndex)),
			types: exportsOf(checker, module(files.mediasoupTypes)),
			events: exportsOf(checker, module(files.mediasoupEvents)),
		},
		ours: {
			module: exportsOf(checker, module(files.oursMediasoup)),
			types: exportsOf(checker, oursTypes),
			index: exportsOf(checker, module(files.oursIndex)),
		},
	};
}

module.exports = { createPrograms, root };
