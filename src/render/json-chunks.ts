// JSON.stringify(value, null, 2), in pieces. A 1000-host plan is ~50 MB of JSON: written as one string
// (run journals, saved plans) it doubled the controller's peak memory for the moment of the write.
// Containers down to `depth` are walked; what lies deeper is stringified whole, one piece each.

/** The pieces of JSON.stringify(value, null, 2); a top-level value JSON cannot hold is written as null. */
export function* jsonChunks(value: unknown, depth: number): Generator<string> {
  yield* walk(toJsonValue(value, ''), depth, '');
}

function* walk(value: unknown, depth: number, indent: string): Generator<string> {
  if (depth === 0 || value === null || typeof value !== 'object') {
    yield (JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', `\n${indent}`);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return yield '[]';
    yield '[';
    for (const [i, member] of value.entries()) {
      const item = toJsonValue(member, String(i));
      yield `${i > 0 ? ',' : ''}\n${inner}`;
      // As JSON.stringify does: what JSON cannot hold is null in an array.
      yield* walk(isOmitted(item) ? null : item, depth - 1, inner);
    }
    return yield `\n${indent}]`;
  }
  const entries = Object.entries(value)
    .map(([key, member]): [string, unknown] => [key, toJsonValue(member, key)])
    .filter(([, item]) => !isOmitted(item));
  if (entries.length === 0) return yield '{}';
  yield '{';
  for (const [i, [key, item]] of entries.entries()) {
    yield `${i > 0 ? ',' : ''}\n${inner}${JSON.stringify(key)}: `;
    yield* walk(item, depth - 1, inner);
  }
  yield `\n${indent}}`;
}

/** What JSON.stringify serialises in place of a value: its toJSON(key) when it has one (a Date: its ISO string). */
function toJsonValue(value: unknown, key: string): unknown {
  const toJSON = value !== null && typeof value === 'object' ? (value as { toJSON?: unknown }).toJSON : undefined;
  return typeof toJSON === 'function' ? (toJSON as (key: string) => unknown).call(value, key) : value;
}

function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** A JSON file's pieces: the value, then the closing newline. */
export function* jsonFileChunks(value: unknown, depth: number): Generator<string> {
  yield* jsonChunks(value, depth);
  yield '\n';
}
