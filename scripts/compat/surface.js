'use strict';

/**
 * mediasoup's public API, walked from its typings: the module's exports, each
 * class's own public members and events, the fields of each options type and the
 * type names of `types`. Private parts stay out: `#private`, `private` and
 * `protected` members, those documented `@private`, constructors, '@' events,
 * and the FlatBuffers helpers (parse…/serialize… functions) that `types` also
 * re-exports.
 */

/** Types of `types` left out: internal plumbing, and the events and observer types (their events have rows of their own). */
const INTERNAL_TYPE = /(Internal|ConstructorOptions|TransportData|Events|Observer|OptionsBase)$|^Either$/;

/** Extra options types: not named …Options/…Settings but given by apps all the same. */
const EXTRA_OPTIONS = ['LogEventListeners', 'TransportListenInfo'];

function createSurface({ ts, checker, mediasoup }) {
	function isPrivate(declaration) {
		const flags = ts.getCombinedModifierFlags(declaration);
		if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return true;
		if (declaration.name && ts.isPrivateIdentifier(declaration.name)) return true;
		return ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === 'private');
	}

	function memberKind(symbol) {
		const kinds = symbol.declarations.map((declaration) => declaration.kind);
		if (kinds.includes(ts.SyntaxKind.MethodDeclaration)) return 'method';
		if (kinds.includes(ts.SyntaxKind.GetAccessor)) return kinds.includes(ts.SyntaxKind.SetAccessor) ? 'getter/setter' : 'getter';
		return 'property';
	}

	/** Event names of a `…Events` type alias, without internal ('@') ones. */
	function eventNames(aliasName) {
		const alias = mediasoup.types.get(aliasName) || mediasoup.module.get(aliasName);
		if (!alias) return [];
		const type = checker.getDeclaredTypeOfSymbol(alias);
		return checker.getPropertiesOfType(type).map((property) => property.name).filter((name) => !name.startsWith('@'));
	}

	function classNames() {
		const names = [...mediasoup.types].filter(([, symbol]) => symbol.flags & ts.SymbolFlags.Class).map(([name]) => name);
		return [...names, 'EnhancedEventEmitter'];
	}

	function classSymbol(name) {
		return name === 'EnhancedEventEmitter' ? mediasoup.events.get(name) : mediasoup.types.get(name);
	}

	/** The mediasoup class a class extends (EnhancedEventEmitter for the top ones), if any. */
	function baseClass(name) {
		const symbol = classSymbol(name);
		const base = (checker.getBaseTypes(checker.getDeclaredTypeOfSymbol(symbol)) || [])[0];
		return base && classNames().includes(base.symbol.name) ? base.symbol.name : undefined;
	}

	/** Own public members: those declared in the class itself, not inherited. */
	function members(name) {
		const symbol = classSymbol(name);
		const declarations = new Set(symbol.declarations);
		const type = checker.getDeclaredTypeOfSymbol(symbol);
		return checker.getPropertiesOfType(type)
			.filter((member) => member.declarations?.some((declaration) => declarations.has(declaration.parent)))
			.filter((member) => !member.declarations.some(isPrivate))
			.map((member) => ({ name: member.name, kind: memberKind(member), symbol: member, declaration: member.declarations[0] }));
	}

	/** Events of a class not already declared by its base class. */
	function events(name) {
		const base = baseClass(name);
		const inherited = (suffix) => new Set(base && base !== 'EnhancedEventEmitter' ? eventNames(`${base}${suffix}`) : []);
		const own = (suffix) => eventNames(`${name}${suffix}`).filter((event) => !inherited(suffix).has(event));
		return [
			...own('Events').map((event) => ({ name: event, kind: 'event' })),
			...own('ObserverEvents').map((event) => ({ name: event, kind: 'observer event' })),
		];
	}

	/** The module's value exports and its observer's events. */
	function moduleItems() {
		const items = [...mediasoup.module]
			.filter(([, symbol]) => symbol.flags & ts.SymbolFlags.Value)
			.map(([name, symbol]) => ({
				name,
				kind: symbol.flags & ts.SymbolFlags.Function ? 'function' : name === 'types' ? 'namespace' : 'property',
				symbol,
			}));
		return [...items, ...eventNames('ObserverEvents').map((event) => ({ name: event, kind: 'observer event' }))];
	}

	function optionsNames() {
		const names = [...mediasoup.types]
			.filter(([name, symbol]) => symbol.flags & ts.SymbolFlags.TypeAlias && /(Options|Settings)$/.test(name) && !INTERNAL_TYPE.test(name))
			.map(([name]) => name);
		return [...names, ...EXTRA_OPTIONS].sort();
	}

	function optionFields(name) {
		const type = checker.getDeclaredTypeOfSymbol(mediasoup.types.get(name));
		return checker.getPropertiesOfType(type).map((field) => ({ name: field.name, kind: 'option', symbol: field }));
	}

	/** Type names of `types` (classes have their own sections, functions are FlatBuffers helpers). */
	function typeNames() {
		return [...mediasoup.types]
			.filter(([name, symbol]) => symbol.flags & (ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Interface) && !INTERNAL_TYPE.test(name))
			.map(([name]) => name)
			.sort();
	}

	return { classNames, classSymbol, baseClass, members, events, moduleItems, optionsNames, optionFields, typeNames };
}

module.exports = { createSurface };
