// Small helpers over Diagnostic values shared by the loaders and the resolver.
import type { Diagnostic, SourceRef } from '../model/index.js';

/** `file:line:col`, the form editors jump to. */
export function formatSource(source: SourceRef): string {
  return `${source.file}:${source.line}:${source.col}`;
}

export function hasErrors(diagnostics: Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** By file, line, column; sourceless diagnostics (environment, --limit) last. Duplicates dropped. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique = diagnostics.filter((d) => {
    const key = JSON.stringify([d.source, d.code, d.message, d.host]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(compareDiagnostics);
}

function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (!a.source || !b.source) return (a.source ? 0 : 1) - (b.source ? 0 : 1);
  if (a.source.file !== b.source.file) return a.source.file < b.source.file ? -1 : 1;
  return a.source.line - b.source.line || a.source.col - b.source.col;
}
