// YAML text → document with positions. Shared by playbooks, inventories and vars files.
import { LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import type { Diagnostic, SourceRef } from '../model/index.js';

export interface YamlSource {
  /** Path as the user gave it (what diagnostics print). */
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Parses with the YAML 1.2 core schema (so `y`/`no` stay strings) and reports every syntax problem. */
export function parseYamlSource(file: string, text: string): { source: YamlSource; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: false });
  const source: YamlSource = { file, text, doc, lines };
  // Warnings (unknown tags and the like) are errors here: a playbook has no use for YAML tags, and a
  // silently reinterpreted value is worse than a refusal.
  const diagnostics = [...doc.errors, ...doc.warnings].map((error) => describeYamlError(source, error));
  return { source, diagnostics };
}

/** The document as plain data; a document that cannot become data (alias bombs) is a diagnostic. */
export function toPlainValue(source: YamlSource): { value: unknown } | { diagnostic: Diagnostic } {
  try {
    return { value: source.doc.toJS() as unknown };
  } catch (error) {
    const message = `YAML: ${(error as Error).message}`;
    return { diagnostic: { severity: 'error', code: 'yaml-syntax', message, source: { file: source.file, line: 1, col: 1 } } };
  }
}

export function sourceAt(source: YamlSource, offset: number): SourceRef {
  const { line, col } = source.lines.linePos(offset);
  return { file: source.file, line, col };
}

function describeYamlError(source: YamlSource, error: YAMLError): Diagnostic {
  const at = sourceAt(source, error.pos[0]);
  if (error.code === 'DUPLICATE_KEY') {
    const key = source.text.slice(error.pos[0]).split(/[:\n]/)[0]?.trim() ?? '';
    return { severity: 'error', code: 'duplicate-key', message: `duplicate key "${key}"`, hint: 'each key may appear once in a map', source: at };
  }
  const message = error.message.replace(/\s+at line \d+, column \d+[\s\S]*$/, '').trim();
  return { severity: 'error', code: 'yaml-syntax', message: `YAML: ${message}`, source: at };
}
