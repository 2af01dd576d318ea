'use strict';

/**
 * Whether a type of one side fits the other's, as an app written for mediasoup
 * sees it, with the first difference in words.
 *
 * - 'in': what the app gives (an option, an argument); `source` is mediasoup's
 *   type, `target` ours: can ours take every value mediasoup takes?
 * - 'out': what the app gets (a getter, a result); `source` is ours, `target`
 *   mediasoup's: does ours give what the app reads?
 *
 * Plain assignability is not enough: the classes of the two sides never match
 * structurally (mediasoup's observers are typed emitters, ours plain ones), so a
 * class is matched by name (`classKey`) and the rest structurally, field by field.
 */

const MAX_DEPTH = 6;
const MAX_TYPE_TEXT = 70;

/** `isApiFile(fileName)`: whether a file is one of the two sides' typings (other types, Node's and the language's, are only assigned). */
function createRelate({ ts, checker, classKey, isApiFile }) {
	function show(type) {
		const text = checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation);
		return text.length > MAX_TYPE_TEXT ? `${text.slice(0, MAX_TYPE_TEXT - 1)}…` : text;
	}

	/** A type parameter stands for its default (what an app gets without type arguments). */
	function resolve(type) {
		if (type.flags & ts.TypeFlags.TypeParameter) {
			const resolved = checker.getDefaultFromTypeParameter(type) || checker.getBaseConstraintOfType(type);
			return resolved && resolved !== type ? resolve(resolved) : checker.getUnknownType();
		}
		return checker.getNonNullableType(type);
	}

	function isAny(type) {
		return Boolean(type.flags & ts.TypeFlags.Any);
	}

	function isUnknown(type) {
		return Boolean(type.flags & ts.TypeFlags.Unknown);
	}

	/** An object type without call signatures; an intersection of such types is one too. */
	function isObject(type) {
		if (type.isIntersection()) return type.types.every(isObject);
		return Boolean(type.flags & ts.TypeFlags.Object) && checker.getSignaturesOfType(type, ts.SignatureKind.Call).length === 0;
	}

	function isApiType(type) {
		if (type.isIntersection()) return type.types.every(isApiType);
		const declaration = type.symbol?.declarations?.[0];
		return Boolean(declaration) && isApiFile(declaration.getSourceFile().fileName);
	}

	function isPromise(type) {
		return type.symbol?.name === 'Promise' && checker.getTypeArguments(type).length === 1;
	}

	/** The class names of a class instance type and of its bases, canonical (`classKey`). */
	function classChain(type, seen = new Set()) {
		const keys = [];
		const symbol = type.symbol;
		if (!symbol || !(symbol.flags & ts.SymbolFlags.Class) || seen.has(symbol)) return keys;
		seen.add(symbol);
		const key = classKey(symbol);
		if (key) keys.push(key);
		for (const base of checker.getBaseTypes(checker.getDeclaredTypeOfSymbol(symbol)) || []) {
			keys.push(...classChain(base, seen));
		}
		return keys;
	}

	function leaf(mode, source, target) {
		const [ours, mediasoup] = mode === 'in' ? [target, source] : [source, target];
		return `ours \`${show(ours)}\`, mediasoup \`${show(mediasoup)}\``;
	}

	function at(path, difference) {
		return path ? `\`${path}\`: ${difference}` : difference;
	}

	function prefix(path, name) {
		return path ? `${path}.${name}` : name;
	}

	function relateProperties(source, target, mode, path, depth) {
		const optional = (symbol) => Boolean(symbol.flags & ts.SymbolFlags.Optional);
		const [ours, mediasoup] = mode === 'in' ? [target, source] : [source, target];
		for (const theirs of checker.getPropertiesOfType(mediasoup)) {
			const name = theirs.name;
			const mine = checker.getPropertyOfType(ours, name);
			if (!mine) {
				// An app may read an optional field's absence; it may not pass a field ours ignores.
				if (mode === 'in' && !checker.getIndexInfosOfType(ours).length) return at(prefix(path, name), 'not in our typings');
				if (mode === 'out' && !optional(theirs)) return at(prefix(path, name), 'not in our typings');
				continue;
			}
			if (mode === 'in' && !optional(mine) && optional(theirs)) return at(prefix(path, name), 'required in ours');
			if (mode === 'out' && optional(mine) && !optional(theirs)) return at(prefix(path, name), 'optional in ours');
			const [from, to] = mode === 'in' ? [theirs, mine] : [mine, theirs];
			const difference = relate(checker.getTypeOfSymbol(from), checker.getTypeOfSymbol(to), mode, prefix(path, name), depth + 1);
			if (difference) return difference;
		}
		if (mode === 'in') {
			for (const mine of checker.getPropertiesOfType(ours)) {
				const required = !(mine.flags & ts.SymbolFlags.Optional);
				if (required && !checker.getPropertyOfType(mediasoup, mine.name)) return at(prefix(path, mine.name), 'required in ours');
			}
		}
		return null;
	}

	/** Null when `source` fits `target` in `mode`, else the first difference. */
	function relate(source, target, mode, path = '', depth = 0) {
		source = resolve(source);
		target = resolve(target);
		if (source === target || isAny(target) || isUnknown(target) || isAny(source) || source.flags & ts.TypeFlags.Never) return null;
		if (source.isUnion() && !(source.flags & ts.TypeFlags.Boolean)) {
			for (const member of source.types) {
				const difference = relate(member, target, mode, path, depth);
				if (difference) return difference;
			}
			return null;
		}
		if (target.isUnion() && !(target.flags & ts.TypeFlags.Boolean)) {
			const differences = [];
			for (const member of target.types) {
				const difference = relate(source, member, mode, path, depth);
				if (!difference) return null;
				if (isObject(member) === isObject(source)) differences.push(difference);
			}
			return differences.length === 1 ? differences[0] : at(path, leaf(mode, source, target));
		}
		const targetKey = target.symbol && classKey(target.symbol);
		if (targetKey) {
			return classChain(source).includes(targetKey) ? null : at(path, leaf(mode, source, target));
		}
		if (isPromise(source) && isPromise(target)) {
			return relate(checker.getTypeArguments(source)[0], checker.getTypeArguments(target)[0], mode, path, depth);
		}
		if (checker.isArrayType(source) && checker.isArrayType(target)) {
			return relate(checker.getTypeArguments(source)[0], checker.getTypeArguments(target)[0], mode, `${path}[]`, depth);
		}
		if (isObject(source) && isObject(target) && isApiType(source) && isApiType(target) && depth < MAX_DEPTH) {
			return relateProperties(source, target, mode, path, depth);
		}
		return checker.isTypeAssignableTo(source, target) ? null : at(path, leaf(mode, source, target));
	}

	/** Whether a type (or the value of a promise of it) is `any`: our typings do not tell. */
	function isUntyped(type) {
		type = resolve(type);
		return isAny(type) || (isPromise(type) && isUntyped(checker.getTypeArguments(type)[0]));
	}

	return { relate, isUntyped, show, resolve };
}

module.exports = { createRelate };
