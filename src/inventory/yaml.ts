// Ansible YAML inventory (`all: {hosts, vars, children}`, recursively) → InventoryDraft, with positions.
import { isMap, isScalar, type Node, type Pair } from 'yaml';
import type { Diagnostic } from '../model/index.js';
import { keyString } from '../manifest/locate.js';
import type { CompiledSchemas } from '../manifest/schema.js';
import { validateAgainstSchema } from '../manifest/validate.js';
import { parseYamlSource, sourceAt, toPlainValue, type YamlSource } from '../manifest/yaml-source.js';
import { addChildGroup, createDraft, declareHost, ensureGroup, type InventoryDraft } from './draft.js';
import { expandHostRange, splitHostPort } from './host-range.js';

/** Pure: YAML inventory text → draft (null when the file cannot be understood) and diagnostics. */
export function parseYamlInventory(file: string, text: string, schemas: CompiledSchemas): { draft: InventoryDraft | null; diagnostics: Diagnostic[] } {
  const parsed = parseYamlSource(file, text);
  if (parsed.diagnostics.length > 0) return { draft: null, diagnostics: parsed.diagnostics };
  const { source } = parsed;
  const plain = toPlainValue(source);
  if ('diagnostic' in plain) return { draft: null, diagnostics: [plain.diagnostic] };
  const { value } = plain;
  if (value === null || value === undefined) return { draft: createDraft(), diagnostics: [] };
  const diagnostics = validateAgainstSchema(source, value, schemas.inventory, schemas.patternPhrases);
  if (diagnostics.length > 0) return { draft: null, diagnostics };
  const draft = createDraft();
  const root = source.doc.contents;
  if (isMap(root)) {
    for (const pair of root.items) {
      const name = keyString(pair.key);
      if (name !== null) readGroup(source, draft, name, pair.value as Node | null, diagnostics);
    }
  }
  return { draft, diagnostics };
}

function readGroup(source: YamlSource, draft: InventoryDraft, name: string, node: Node | null, diagnostics: Diagnostic[]): void {
  const group = ensureGroup(draft, name);
  if (!isMap(node)) return;
  for (const [section, pair] of entries(node)) {
    if (section === 'vars') Object.assign(group.vars, toPlainMap(source, pair.value));
    else if (section === 'hosts' && isMap(pair.value)) {
      for (const [declaration, hostPair] of entries(pair.value)) {
        const at = sourceAt(source, (hostPair.key as Node).range?.[0] ?? 0);
        const { name: hostPattern, port } = splitHostPort(declaration);
        const expanded = expandHostRange(hostPattern);
        if ('error' in expanded) {
          diagnostics.push({ severity: 'error', code: 'invalid-host-range', message: expanded.error, source: at });
          continue;
        }
        const vars = { ...toPlainMap(source, hostPair.value), ...(port === null ? {} : { ansible_port: port }) };
        for (const host of expanded.names) declareHost(draft, name, host, vars, at);
      }
    } else if (section === 'children' && isMap(pair.value)) {
      for (const [child, childPair] of entries(pair.value)) {
        addChildGroup(draft, name, child);
        readGroup(source, draft, child, childPair.value as Node | null, diagnostics);
      }
    }
  }
}

function entries(map: Node): [string, Pair<unknown, unknown>][] {
  if (!isMap(map)) return [];
  return map.items.flatMap((pair) => {
    const key = keyString(pair.key);
    return key === null ? [] : [[key, pair] as [string, Pair<unknown, unknown>]];
  });
}

function toPlainMap(source: YamlSource, node: unknown): Record<string, unknown> {
  if (isScalar(node) || !isMap(node)) return {};
  return node.toJS(source.doc) as Record<string, unknown>;
}
