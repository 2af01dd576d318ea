'use strict';

/**
 * Each item of mediasoup's API (surface.js) against ours: `same`, `differs` (with
 * how) or `missing`. Ours is read from our typings first; where they cannot tell,
 * from our runtime (the classes and exports of require('./mediasoup')) and, for
 * events, from the sources (emittedEvents.js).
 */

const path = require('node:path');
const { createRelate } = require('./relate');
const { createSurface } = require('./surface');
const { emittedEvents, MODULE } = require('./emittedEvents');
const { libSources, destructuredOptions } = require('./libSources');

/** Our class of each mediasoup class, where its name differs (in our lib and index.d.ts). */
const OUR_CLASS_NAMES = { Router: 'MafaldaRouter' };

/** What stands for mediasoup's EnhancedEventEmitter: the base of our classes. */
const OUR_EMITTER = { typings: 'NativeObject', runtime: 'EnhancedEventEmitter' };

function createCompare(programs, root) {
	const { ts, checker, mediasoup, ours } = programs;
	const surface = createSurface(programs);
	const classNames = surface.classNames();
	const runtime = require(path.join(root, 'mediasoup'));
	const { EnhancedEventEmitter } = require(path.join(root, 'lib', 'enhancedEvents'));
	const sources = libSources(root);
	const events = emittedEvents(sources);
	const apiFiles = [programs.mediasoupLib + path.sep, path.join(root, 'index.d.ts'), path.join(root, 'mediasoup.d.ts')].map((file) => file.split(path.sep).join('/'));
	const isApiFile = (fileName) => apiFiles.some((file) => fileName.startsWith(file));

	/** The class name both sides share for a class symbol (ours: MafaldaRouter is Router; Node's EventEmitter is the emitter). */
	function classKey(symbol) {
		if (!(symbol.flags & ts.SymbolFlags.Class)) return undefined;
		if (symbol.name === 'EventEmitter') return 'EnhancedEventEmitter';
		const mediasoupName = Object.keys(OUR_CLASS_NAMES).find((name) => OUR_CLASS_NAMES[name] === symbol.name) || symbol.name;
		return classNames.includes(mediasoupName) ? mediasoupName : undefined;
	}

	const { relate, isUntyped, resolve } = createRelate({ ts, checker, classKey, isApiFile });
	const optionsNames = new Set(surface.optionsNames());

	const same = (note) => ({ status: 'same', ...(note && { note }) });
	const differs = (how) => ({ status: 'differs', how });
	const missing = () => ({ status: 'missing' });

	function ourClass(name) {
		const symbol = name === 'EnhancedEventEmitter' ? ours.index.get(OUR_EMITTER.typings) : ours.types.get(name);
		return symbol && { symbol, type: checker.getDeclaredTypeOfSymbol(symbol) };
	}

	function ourRuntimeClass(name) {
		return name === 'EnhancedEventEmitter' ? EnhancedEventEmitter : runtime.types[name];
	}

	/** The named options type a parameter is declared with, when it has its own section. */
	function optionsTypeOf(parameter) {
		const node = parameter.valueDeclaration?.type;
		const name = node && ts.isTypeReferenceNode(node) ? node.typeName.getText() : undefined;
		return optionsNames.has(name) ? name : undefined;
	}

	function parameterName(parameter) {
		return parameter.name.startsWith('__') ? 'options' : parameter.name;
	}

	function isOptional(parameter) {
		const declaration = parameter.valueDeclaration;
		return Boolean(declaration && (checker.isOptionalParameter(declaration) || declaration.dotDotDotToken));
	}

	/** The first difference between mediasoup's call signature and ours, or null. */
	function compareSignature(theirs, mine) {
		const theirParameters = theirs.getParameters();
		const myParameters = mine.getParameters();
		for (const [i, parameter] of theirParameters.entries()) {
			const name = parameterName(parameter);
			if (parameter.valueDeclaration?.dotDotDotToken) continue;
			const my = myParameters[i];
			if (!my) return `ours takes no \`${name}\` argument`;
			if (isOptional(parameter) && !isOptional(my)) return `\`${name}\` required in ours`;
			// An options type is compared field by field in its own section.
			if (optionsTypeOf(parameter)) continue;
			const difference = relate(checker.getTypeOfSymbol(parameter), checker.getTypeOfSymbol(my), 'in', name);
			if (difference) return difference;
		}
		const extra = myParameters.slice(theirParameters.length).find((parameter) => !isOptional(parameter));
		if (extra) return `ours requires \`${parameterName(extra)}\``;
		const returnsThis = theirs.getDeclaration()?.type?.kind === ts.SyntaxKind.ThisType;
		if (returnsThis) return null;
		return relate(checker.getReturnTypeOfSignature(mine), checker.getReturnTypeOfSignature(theirs), 'out', 'result');
	}

	/** mediasoup's function type against ours: same if one of our overloads fits. */
	function compareCallable(theirType, myType) {
		const theirs = checker.getSignaturesOfType(theirType, ts.SignatureKind.Call)[0];
		const mine = checker.getSignaturesOfType(myType, ts.SignatureKind.Call);
		if (!mine.length) return differs('not a function in ours');
		let difference;
		for (const signature of mine) {
			difference = compareSignature(theirs, signature);
			if (!difference) {
				const untyped = isUntyped(checker.getReturnTypeOfSignature(signature)) && !isUntyped(checker.getReturnTypeOfSignature(theirs));
				return same(untyped ? 'ours typed `any`' : undefined);
			}
		}
		return differs(difference);
	}

	function isReadonly(symbol) {
		const declarations = symbol.declarations || [];
		if (declarations.some((declaration) => declaration.kind === ts.SyntaxKind.SetAccessor)) return false;
		if (declarations.some((declaration) => declaration.kind === ts.SyntaxKind.GetAccessor)) return true;
		return declarations.some((declaration) => ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Readonly);
	}

	/** A getter, property or method of mediasoup's class, or of its module, against ours. */
	function compareValue(item, mySymbol, atRuntime) {
		if (!mySymbol) return atRuntime ? differs('at runtime, not in our typings') : missing();
		if (!atRuntime) return differs('in our typings, not at runtime');
		const theirType = checker.getTypeOfSymbol(item.symbol);
		const myType = checker.getTypeOfSymbol(mySymbol);
		if (item.kind === 'method' || item.kind === 'function') return compareCallable(theirType, myType);
		if (item.kind === 'getter/setter' && isReadonly(mySymbol)) return differs('read-only in ours');
		const difference = relate(myType, theirType, 'out');
		if (difference) return differs(difference);
		return same(isUntyped(myType) && !isUntyped(theirType) ? 'ours typed `any`' : undefined);
	}

	/** The event names our typings declare with `on(event: 'name', …)`. */
	function typedEvents(type) {
		const on = type && checker.getPropertyOfType(type, 'on');
		const names = new Set();
		for (const declaration of on?.declarations || []) {
			const event = declaration.parameters?.[0]?.type;
			if (event && ts.isLiteralTypeNode(event) && ts.isStringLiteral(event.literal)) names.add(event.literal.text);
		}
		return names;
	}

	function compareEvent(item, libClass, myType) {
		const emitted = events.eventsOf(libClass)[item.kind === 'event' ? 'main' : 'observer'];
		if (emitted.has(item.name)) return same();
		if (item.kind === 'event' && typedEvents(myType).has(item.name)) return differs('in our typings, never emitted');
		return missing();
	}

	function classRows(name) {
		const mine = ourClass(name);
		const runtimeClass = ourRuntimeClass(name);
		const ourName = name === 'EnhancedEventEmitter' ? OUR_EMITTER.typings : OUR_CLASS_NAMES[name];
		const classRow = {
			name,
			kind: 'class',
			...(mine && runtimeClass ? same(ourName && `ours: ${ourName}`) : mine ? differs('in our typings, not at runtime') : missing()),
		};
		const libClass = name === 'EnhancedEventEmitter' ? OUR_EMITTER.runtime : OUR_CLASS_NAMES[name] || name;
		const members = surface.members(name).map((item) => {
			const mySymbol = mine && checker.getPropertyOfType(mine.type, item.name);
			const atRuntime = Boolean(runtimeClass) && item.name in runtimeClass.prototype;
			return { name: item.name, kind: item.kind, ...compareValue(item, mySymbol, atRuntime) };
		});
		const eventRows = surface.events(name).map((item) => ({ name: item.name, kind: item.kind, ...compareEvent(item, libClass, mine?.type) }));
		return [classRow, ...members, ...eventRows];
	}

	function moduleRows() {
		return surface.moduleItems().map((item) => {
			if (item.kind === 'observer event') {
				return { name: item.name, kind: item.kind, ...(events.eventsOf(MODULE).observer.has(item.name) ? same() : missing()) };
			}
			const mySymbol = ours.module.get(item.name);
			const atRuntime = item.name in runtime;
			if (item.kind === 'namespace') return { name: item.name, kind: item.kind, ...(mySymbol && atRuntime ? same('see `types` below') : missing()) };
			const row = { name: item.name, kind: item.kind, ...compareValue(item, mySymbol, atRuntime) };
			// The version string mirrored is a runtime fact.
			return item.name === 'version' ? { ...row, note: `ours \`'${runtime.version}'\`` } : row;
		});
	}

	/** Where mediasoup takes each options type: { section, member, index } (of the parameter), the first in the API's order. */
	function optionsSites() {
		const sites = new Map();
		const record = (section, member, type) => {
			for (const signature of checker.getSignaturesOfType(type, ts.SignatureKind.Call)) {
				for (const [i, parameter] of signature.getParameters().entries()) {
					const options = optionsTypeOf(parameter);
					if (options && !sites.has(options)) sites.set(options, { section, member, index: i });
				}
			}
		};
		for (const item of surface.moduleItems()) {
			if (item.kind === 'function') record('mediasoup', item.name, checker.getTypeOfSymbol(item.symbol));
		}
		for (const name of classNames) {
			for (const item of surface.members(name)) {
				if (item.kind === 'method') record(name, item.name, checker.getTypeOfSymbol(item.symbol));
			}
		}
		return sites;
	}

	/** Our type for an options type: the parameter of our method where mediasoup takes it, else our type of that name. */
	function ourOptionsType(name, site) {
		if (site) {
			const owner = site.section === 'mediasoup' ? ours.module.get(site.member) : ourClass(site.section) && checker.getPropertyOfType(ourClass(site.section).type, site.member);
			const signatures = owner ? checker.getSignaturesOfType(checker.getTypeOfSymbol(owner), ts.SignatureKind.Call) : [];
			const parameter = signatures.map((signature) => signature.getParameters()[site.index]).find(Boolean);
			if (parameter) return resolve(checker.getTypeOfSymbol(parameter));
		}
		const symbol = ours.types.get(name) || ours.index.get(name);
		return symbol && checker.getDeclaredTypeOfSymbol(symbol);
	}

	/** The options our lib's method destructures where mediasoup takes this options type (undefined: it does not tell). */
	function ourAcceptedOptions(site) {
		if (!site) return undefined;
		const fn = site.section === 'mediasoup' ? sources.functions.get(site.member) : sources.method(OUR_CLASS_NAMES[site.section] || site.section, site.member);
		return destructuredOptions(fn, site.index);
	}

	function optionRows(name, site) {
		const mine = ourOptionsType(name, site);
		const accepted = ourAcceptedOptions(site);
		return surface.optionFields(name).map((field) => {
			const row = { name: field.name, kind: 'option' };
			const my = mine && checker.getPropertyOfType(mine, field.name);
			const atRuntime = !accepted || accepted.rest || accepted.names.has(field.name);
			if (!my) return { ...row, ...(accepted?.names.has(field.name) ? differs('taken at runtime, not in our typings') : missing()) };
			if (!atRuntime) return { ...row, ...differs('in our typings, not taken at runtime') };
			const required = !(my.flags & ts.SymbolFlags.Optional) && field.symbol.flags & ts.SymbolFlags.Optional;
			if (required) return { ...row, ...differs('required in ours') };
			const difference = relate(checker.getTypeOfSymbol(field.symbol), checker.getTypeOfSymbol(my), 'in');
			return { ...row, ...(difference ? differs(difference) : same()) };
		});
	}

	/** Types that only go from the app to the API: ours may take more. */
	const inputTypes = new Set([...optionsNames, 'TransportListenIp']);

	/**
	 * A type of `types`: ours of that name must take mediasoup's values (inputTypes)
	 * or give values that fit mediasoup's (the others: results, or both ways, whose
	 * argument side the options sections check field by field).
	 */
	function typeRows() {
		return surface.typeNames().map((name) => {
			const row = { name, kind: 'type' };
			const my = ours.types.get(name);
			if (!my) return { ...row, ...missing() };
			const theirType = checker.getDeclaredTypeOfSymbol(mediasoup.types.get(name));
			const myType = checker.getDeclaredTypeOfSymbol(my);
			const difference = inputTypes.has(name) ? relate(theirType, myType, 'in') : relate(myType, theirType, 'out');
			return { ...row, ...(difference ? differs(difference) : same()) };
		});
	}

	/** The order of rows in a section: by kind, then by name. */
	const KIND_ORDER = ['class', 'namespace', 'property', 'getter', 'function', 'method', 'event', 'observer event', 'option', 'type'];
	function sortRows(rows) {
		const kind = (row) => KIND_ORDER.indexOf(row.kind === 'getter/setter' ? 'getter' : row.kind);
		return rows.sort((a, b) => kind(a) - kind(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	}

	/** Every section of the table, in mediasoup's order: module, classes, options, types. */
	function sections() {
		const sites = optionsSites();
		const siteText = (site) => site && `${site.section}.${site.member}()`;
		return [
			{ key: 'mediasoup', kind: 'module', rows: sortRows(moduleRows()) },
			...classNames.map((name) => ({ key: name, kind: 'class', rows: sortRows(classRows(name)) })),
			...surface.optionsNames().map((name) => ({ key: name, kind: 'options', takenBy: siteText(sites.get(name)), rows: sortRows(optionRows(name, sites.get(name))) })),
			{ key: 'types', kind: 'types', rows: sortRows(typeRows()) },
		];
	}

	/** Emits whose event could not be resolved, in our classes that stand for mediasoup's or in their bases. */
	function unresolvedEvents() {
		return events.unresolved.filter((emit) => classNames.some((name) => events.inChain(OUR_CLASS_NAMES[name] || name, emit.className)));
	}

	return { sections, unresolvedEvents };
}

module.exports = { createCompare };
