// Playbook files → LoadedPlay[] (I/O): read, parse with positions, validate, keep every node's place.
import { isScalar, isSeq, visit, type Node } from 'yaml';
import type { Diagnostic, LoadedPlay, Play } from '../model/index.js';
import { DiagnosticError } from '../errors.js';
import { hasErrors, sortDiagnostics } from './diagnostics.js';
import { collectPositions } from './locate.js';
import { readTextFile } from './read-file.js';
import { loadSchemas, type CompiledSchemas } from './schema.js';
import { validateAgainstSchema } from './validate.js';
import { parseYamlSource, toPlainValue, type YamlSource } from './yaml-source.js';

export interface LoadedPlaybooks {
  plays: LoadedPlay[];
  sources: Record<string, string>;
}

/** Every error of every file is collected before one DiagnosticError is thrown. */
export async function loadPlaybookFiles(paths: string[]): Promise<LoadedPlaybooks> {
  const { plays, sources, diagnostics } = await readPlaybookFiles(paths);
  if (hasErrors(diagnostics)) throw new DiagnosticError(sortDiagnostics(diagnostics));
  return { plays, sources };
}

/** Reads every playbook without throwing: the plays of the valid files and the errors of the others. */
export async function readPlaybookFiles(paths: string[]): Promise<LoadedPlaybooks & { diagnostics: Diagnostic[] }> {
  const schemas = await loadSchemas();
  const results = await Promise.all(paths.map(async (path) => {
    const read = await readTextFile(path, 'playbook');
    if ('diagnostic' in read) return { path, text: null, plays: [], diagnostics: [read.diagnostic] };
    return { path, text: read.text, ...parsePlaybook(path, read.text, schemas) };
  }));
  const sources: Record<string, string> = {};
  for (const r of results) if (r.text !== null) sources[r.path] = r.text;
  return { plays: results.flatMap((r) => r.plays), sources, diagnostics: results.flatMap((r) => r.diagnostics) };
}

/** Pure: one playbook's text → its plays, or the diagnostics that stop it. */
export function parsePlaybook(file: string, text: string, schemas: CompiledSchemas): { plays: LoadedPlay[]; diagnostics: Diagnostic[] } {
  const parsed = parseYamlSource(file, text);
  if (parsed.diagnostics.length > 0) return { plays: [], diagnostics: parsed.diagnostics };
  const { source } = parsed;
  const plain = toPlainValue(source);
  if ('diagnostic' in plain) return { plays: [], diagnostics: [plain.diagnostic] };
  const { value } = plain;
  if (value === null || value === undefined) {
    return { plays: [], diagnostics: [{ severity: 'error', code: 'empty-playbook', message: 'the playbook is empty', hint: 'a playbook is a list of plays: - name: ...\n  hosts: ...', source: { file, line: 1, col: 1 } }] };
  }
  const diagnostics = validateAgainstSchema(source, value, schemas.playbook, schemas.patternPhrases);
  if (diagnostics.length > 0) return { plays: [], diagnostics };
  keepNumberSpelling(source);
  const playbook = source.doc.toJS() as Play[];
  const seq = source.doc.contents;
  const items = isSeq(seq) ? (seq.items as Node[]) : [];
  const plays = playbook.map((play, index) => ({
    play,
    file,
    index,
    positions: collectPositions(source, items[index] ?? null),
  }));
  return { plays, diagnostics: [] };
}

// YAML reads `5.10` as the number 5.1 and `010` as 10, but kernel versions and values are text:
// keep the digits as written wherever the author typed a plain decimal (the schema accepts both).
function keepNumberSpelling(source: YamlSource): void {
  visit(source.doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'number' && typeof node.source === 'string' && /^-?\d+(\.\d+)?$/.test(node.source)) {
        node.value = node.source;
      }
    },
  });
}
