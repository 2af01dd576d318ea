'use strict';

/**
 * Our JS sources (lib/*.js and mediasoup.js), parsed once with the TypeScript
 * parser: what the runtime does where our typings cannot tell.
 */

const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

function libSources(root) {
	const names = [
		...fs.readdirSync(path.join(root, 'lib')).filter((file) => file.endsWith('.js')).sort().map((file) => path.join('lib', file)),
		'mediasoup.js',
	];
	const files = names.map((name) => ts.createSourceFile(name, fs.readFileSync(path.join(root, name), 'utf8'), ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS));

	/** Class name → { base, methods: name → declaration }; functions: name → declaration (at any depth). */
	const classes = new Map();
	const functions = new Map();
	for (const file of files) {
		const visit = (node) => {
			if (ts.isClassLike(node) && node.name) {
				const heritage = node.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword);
				const methods = new Map(node.members.filter(ts.isMethodDeclaration).filter((member) => ts.isIdentifier(member.name)).map((member) => [member.name.text, member]));
				classes.set(node.name.text, { base: heritage?.types[0].expression.getText(file), methods });
			}
			if (ts.isFunctionDeclaration(node) && node.name) functions.set(node.name.text, node);
			ts.forEachChild(node, visit);
		};
		visit(file);
	}

	/** A method of a class or of its bases. */
	function method(className, name) {
		for (let current = className, seen = new Set(); current && classes.has(current) && !seen.has(current); current = classes.get(current).base) {
			seen.add(current);
			if (classes.get(current).methods.has(name)) return classes.get(current).methods.get(name);
		}
		return undefined;
	}

	return { files, classes, functions, method };
}

/**
 * The option names a function destructures from its parameter `index`
 * (`consume({ producerId, … } = {})`), and whether a `...rest` takes others;
 * undefined when it does not destructure it.
 */
function destructuredOptions(fn, index) {
	const parameter = fn?.parameters[index];
	if (!parameter || !ts.isObjectBindingPattern(parameter.name)) return undefined;
	const names = new Set();
	let rest = false;
	for (const element of parameter.name.elements) {
		if (element.dotDotDotToken) rest = true;
		else names.add((element.propertyName || element.name).getText());
	}
	return { names, rest };
}

module.exports = { libSources, destructuredOptions };
