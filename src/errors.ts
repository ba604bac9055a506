// Errors that cross the I/O boundary. Pure code returns Diagnostic[]; the first I/O edge throws one
// DiagnosticError; cli/main.ts has the single catch that renders it and picks the exit code.
import type { Diagnostic } from './model/index.js';

export class DiagnosticError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; ') || 'error');
    this.name = 'DiagnosticError';
  }
}

/** Ends the CLI with an exit code, without a message of its own (the output already said it). */
export class ExitError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'ExitError';
  }
}
