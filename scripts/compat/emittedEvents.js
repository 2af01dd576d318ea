'use strict';

/**
 * The events our classes emit, read from the sources (lib/*.js, mediasoup.js)
 * with the TypeScript parser: our typings declare few events (any name type-checks
 * through `on(event: string, …)`), and no run shows every event.
 *
 * An event is the name given to `this.safeEmit()`/`this.emit()` (the object's
 * own events) or `this.observer.safeEmit()` (its observer's), as a literal, either
 * branch of `?:`, or a parameter: narrowed by a guard of the method
 * (`if (name !== 'x') return`, `const field = events[name]; if (!field) return`,
 * `case 'x':`), or else taken from the calls `this.method('x')` (whose class gets
 * the event). Events of a class are its own and its bases'. Names starting with
 * '@' are internal. What cannot be resolved is returned, not guessed.
 */

const ts = require('typescript');

/** Emits on the module-level `observer` of mediasoup.js are the module's. */
const MODULE = '(module)';

function isThis(node) {
	return node.kind === ts.SyntaxKind.ThisKeyword;
}

/** 'main', 'observer' or undefined (an emitter that is not this object's). */
function receiverOf(node, inClass, inModule) {
	if (inClass && isThis(node)) return 'main';
	if (inClass && ts.isPropertyAccessExpression(node) && isThis(node.expression) && /^#?observer$/.test(node.name.text)) {
		return 'observer';
	}
	if (inModule && ts.isIdentifier(node) && node.text === 'observer') return 'observer';
	return undefined;
}

function enclosingFunction(node) {
	for (let parent = node.parent; parent; parent = parent.parent) {
		if (ts.isFunctionLike(parent)) return parent;
	}
	return undefined;
}

function literalText(node) {
	return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined;
}

function returns(statement) {
	return ts.isReturnStatement(statement) || (ts.isBlock(statement) && statement.statements.some(ts.isReturnStatement));
}

/** The names a parameter can hold where it is emitted, from the guards of its function; undefined if unguarded. */
function guardedValues(fn, name, use) {
	for (let node = use; node && node !== fn; node = node.parent) {
		if (ts.isCaseClause(node)) {
			// This case and the empty ones that fall through to it.
			const clauses = node.parent.clauses;
			let first = clauses.indexOf(node);
			while (first > 0 && ts.isCaseClause(clauses[first - 1]) && clauses[first - 1].statements.length === 0) first--;
			const values = clauses.slice(first, clauses.indexOf(node) + 1).map((clause) => literalText(clause.expression));
			if (values.every((value) => value !== undefined)) return values;
		}
		if (ts.isDefaultClause(node)) return undefined;
	}
	const objects = new Map();
	for (const statement of fn.body && ts.isBlock(fn.body) ? fn.body.statements : []) {
		if (statement.pos > use.pos) break;
		if (ts.isVariableStatement(statement)) {
			for (const declaration of statement.declarationList.declarations) {
				const init = declaration.initializer;
				if (init && ts.isObjectLiteralExpression(init)) {
					objects.set(declaration.name.getText(), init.properties.map((property) => property.name?.text).filter((key) => key !== undefined));
				}
				// `const field = events[name]` (then `if (!field) return`): the object's keys.
				if (init && ts.isElementAccessExpression(init) && ts.isIdentifier(init.expression) && ts.isIdentifier(init.argumentExpression)
					&& init.argumentExpression.text === name && objects.has(init.expression.text)) {
					return objects.get(init.expression.text);
				}
			}
		}
		// `if (name !== 'x') return …`
		const test = ts.isIfStatement(statement) && statement.expression;
		if (test && ts.isBinaryExpression(test) && test.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsEqualsToken
			&& ts.isIdentifier(test.left) && test.left.text === name && literalText(test.right) !== undefined && returns(statement.thenStatement)) {
			return [literalText(test.right)];
		}
	}
	return undefined;
}

/** `sources`: libSources(root). */
function emittedEvents(sources) {
	const classes = new Map(); // name → { main: Set, observer: Set }
	const emits = []; // { className, receiver, argument, file }
	const calls = []; // { className, method, args }

	const classOf = (name) => {
		if (!classes.has(name)) classes.set(name, { main: new Set(), observer: new Set() });
		return classes.get(name);
	};

	for (const source of sources.files) {
		const visit = (node, className) => {
			if (ts.isClassLike(node) && node.name) className = node.name.text;
			// A `function` rebinds `this`: its emits are not the class's.
			if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) className = undefined;
			if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
				const method = node.expression.name.text;
				const target = node.expression.expression;
				const receiver = receiverOf(target, className !== undefined, className === undefined && source.fileName === 'mediasoup.js');
				// safeEmit() forwarding to emit() names no event.
				const forwarding = ts.isMethodDeclaration(enclosingFunction(node) ?? node) && /^(safeEmit|emit)$/.test(enclosingFunction(node).name.getText(source));
				if ((method === 'safeEmit' || method === 'emit') && receiver && node.arguments.length > 0 && !forwarding) {
					emits.push({ className: className ?? MODULE, receiver, argument: node.arguments[0], file: source });
				} else if (className && isThis(target)) {
					calls.push({ className, method, args: node.arguments });
				}
			}
			ts.forEachChild(node, (child) => visit(child, className));
		};
		visit(source, undefined);
	}

	const unresolved = [];
	for (const { className, receiver, argument, file } of emits) {
		const found = []; // [className, name]
		const resolve = (node, owner) => {
			const text = literalText(node);
			if (text !== undefined) {
				found.push([owner, text]);
				return true;
			}
			if (ts.isConditionalExpression(node)) return resolve(node.whenTrue, owner) && resolve(node.whenFalse, owner);
			if (ts.isParenthesizedExpression(node)) return resolve(node.expression, owner);
			const fn = ts.isIdentifier(node) && enclosingFunction(node);
			const index = fn ? fn.parameters.findIndex((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === node.text) : -1;
			if (index < 0) return false;
			const guarded = guardedValues(fn, node.text, node);
			if (guarded) {
				for (const name of guarded) found.push([owner, name]);
				return true;
			}
			const method = fn.name && ts.isIdentifier(fn.name) ? fn.name.text : undefined;
			const sites = calls.filter((call) => call.method === method && call.args.length > index);
			// Only `this.method()` calls that name the event; other callers pass it through.
			const named = sites.filter((call) => literalText(call.args[index]) !== undefined || ts.isConditionalExpression(call.args[index]));
			if (!named.length || named.length !== sites.length) return false;
			return named.every((call) => resolve(call.args[index], call.className));
		};
		if (!resolve(argument, className)) {
			const { line } = file.getLineAndCharacterOfPosition(argument.getStart(file));
			unresolved.push({ className, receiver, where: `${file.fileName}:${line + 1}`, text: argument.getText(file) });
		}
		for (const [owner, name] of found) {
			if (!name.startsWith('@')) classOf(owner)[receiver].add(name);
		}
	}

	/** The events of a class and of its bases. */
	function eventsOf(className) {
		const events = { main: new Set(), observer: new Set() };
		for (let name = className, seen = new Set(); name && !seen.has(name); name = sources.classes.get(name)?.base) {
			seen.add(name);
			for (const event of classes.get(name)?.main || []) events.main.add(event);
			for (const event of classes.get(name)?.observer || []) events.observer.add(event);
		}
		return events;
	}

	/** Whether a class is `className` or one of its bases (its unresolved emits matter to it). */
	function inChain(className, base) {
		for (let name = className, seen = new Set(); name && !seen.has(name); name = sources.classes.get(name)?.base) {
			if (name === base) return true;
			seen.add(name);
		}
		return false;
	}

	return { eventsOf, unresolved, inChain, MODULE };
}

module.exports = { emittedEvents, MODULE };
