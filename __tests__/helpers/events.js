'use strict';

/** Records the events of `emitter` named in `names`, each as [name, first argument]. */
function record(emitter, names) {
	const seen = [];
	for (const name of names) emitter.on(name, (arg) => seen.push([name, arg]));
	return seen;
}

/** The names of what `record()` saw, in order. */
const namesOf = (seen) => seen.map(([name]) => name);

module.exports = { record, namesOf };
