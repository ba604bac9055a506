// JSON.stringify(value, null, 2), in pieces. A 1000-host plan is ~50 MB of JSON: written as one string
// (run journals, saved plans) it doubled the controller's peak memory for the moment of the write.
// Containers down to `depth` are walked; what lies deeper is stringified whole, one piece each.

export function* jsonChunks(value: unknown, depth: number, indent = ''): Generator<string> {
  if (depth === 0 || value === null || typeof value !== 'object') {
    yield (JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', `\n${indent}`);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return yield '[]';
    yield '[';
    for (const [i, item] of value.entries()) {
      yield `${i > 0 ? ',' : ''}\n${inner}`;
      // As JSON.stringify does: what JSON cannot hold is null in an array.
      yield* jsonChunks(isOmitted(item) ? null : item, depth - 1, inner);
    }
    return yield `\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => !isOmitted(v));
  if (entries.length === 0) return yield '{}';
  yield '{';
  for (const [i, [key, item]] of entries.entries()) {
    yield `${i > 0 ? ',' : ''}\n${inner}${JSON.stringify(key)}: `;
    yield* jsonChunks(item, depth - 1, inner);
  }
  yield `\n${indent}}`;
}

function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** A JSON file's pieces: the value, then the closing newline. */
export function* jsonFileChunks(value: unknown, depth: number): Generator<string> {
  yield* jsonChunks(value, depth);
  yield '\n';
}
