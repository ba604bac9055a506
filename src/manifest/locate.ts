// JSON pointer (RFC 6901, as ajv reports instancePath) ↔ YAML node ↔ file:line:col.
import { isAlias, isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import type { SourceRef } from '../model/index.js';
import { sourceAt, type YamlSource } from './yaml-source.js';

export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(base: string, segment: string | number): string {
  return `${base}/${escapePointerSegment(String(segment))}`;
}

export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Located {
  /** The deepest node the pointer reached (the whole path when `complete`). */
  node: Node | null;
  /** The key node of the last map entry walked, when the last step was a map key. */
  key: Node | null;
  complete: boolean;
}

/** Walks the document along the pointer, following aliases; stops at the deepest node that exists. */
export function locateNode(source: YamlSource, pointer: string): Located {
  let node = resolveAlias(source, source.doc.contents as Node | null);
  let key: Node | null = null;
  for (const segment of splitPointer(pointer)) {
    const next = childOf(source, node, segment);
    if (!next) return { node, key, complete: false };
    node = next.value;
    key = next.key;
  }
  return { node, key, complete: true };
}

/** file:line:col of the value at `pointer` (or of its key with `at: 'key'`), else of the nearest ancestor. */
export function locate(source: YamlSource, pointer: string, at: 'key' | 'value' = 'value'): SourceRef {
  const found = locateNode(source, pointer);
  // An empty value (`modules:` and nothing after) has no text of its own: point at its key instead.
  const empty = isScalar(found.node) && found.node.value === null && found.node.range?.[0] === found.node.range?.[1];
  const target = (at === 'key' || empty) && found.complete && found.key ? found.key : (found.node ?? found.key);
  return target?.range ? sourceAt(source, target.range[0]) : { file: source.file, line: 1, col: 1 };
}

/** Every node under `node`: pointer (relative to `base`) → position; map keys also under pointer + '#key'. */
export function collectPositions(source: YamlSource, node: Node | null, base = ''): Record<string, SourceRef> {
  const positions: Record<string, SourceRef> = {};
  const visit = (current: Node | null, pointer: string, depth: number): void => {
    const resolved = resolveAlias(source, current);
    if (resolved?.range) positions[pointer] = sourceAt(source, resolved.range[0]);
    // Aliases may nest (an anchor inside an anchor); a depth bound keeps a hostile document finite.
    if (depth > 64) return;
    if (isMap(resolved)) {
      for (const pair of resolved.items) {
        const keyText = keyString(pair.key);
        if (keyText === null) continue;
        const child = joinPointer(pointer, keyText);
        const keyNode = pair.key as Node;
        if (keyNode.range) positions[`${child}#key`] = sourceAt(source, keyNode.range[0]);
        visit(pair.value as Node | null, child, depth + 1);
      }
    } else if (isSeq(resolved)) {
      resolved.items.forEach((item, i) => visit(item as Node | null, joinPointer(pointer, i), depth + 1));
    }
  };
  visit(node, base, 0);
  return positions;
}

/** Map keys are compared as strings, as they are once the document becomes JSON. */
export function keyString(key: unknown): string | null {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' || typeof key === 'number' ? String(key) : null;
}

function childOf(source: YamlSource, node: Node | null, segment: string): { key: Node | null; value: Node | null } | null {
  if (isMap(node)) {
    // The last matching pair wins, as in the JSON value ajv saw.
    const pair = [...node.items].reverse().find((p) => isPair(p) && keyString(p.key) === segment);
    if (!pair) return null;
    return { key: pair.key as Node, value: resolveAlias(source, pair.value as Node | null) };
  }
  if (isSeq(node) && /^\d+$/.test(segment)) {
    const item = node.items[Number(segment)];
    return item === undefined ? null : { key: null, value: resolveAlias(source, item as Node | null) };
  }
  return null;
}

function resolveAlias(source: YamlSource, node: Node | null): Node | null {
  if (isAlias(node)) return (node.resolve(source.doc) as Node | undefined) ?? node;
  return node;
}
