// Test helper: diagnostics as the compiler-style lines an operator reads, so tests can assert exact text.
import type { Diagnostic } from '../../src/model/index.js';
import { DiagnosticError } from '../../src/errors.js';

export function diagnosticLines(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const at = d.source ? `${d.source.file}:${d.source.line}:${d.source.col}: ` : '';
    return `${at}${d.severity}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`;
  });
}

/** Runs `load`, expects a DiagnosticError and returns its lines. */
export async function rejectionLines(load: () => Promise<unknown>): Promise<string[]> {
  try {
    await load();
  } catch (error) {
    if (error instanceof DiagnosticError) return diagnosticLines(error.diagnostics);
    throw error;
  }
  throw new Error('expected a DiagnosticError');
}
