// Runs the kernfleet CLI in-process, as the apply integration tests drive it: the exit code it would
// end with, what it printed on stdout, and the error it threw.
import { vi } from 'vitest';
import { buildProgram } from '../../../src/cli/main.js';
import { ExitError } from '../../../src/errors.js';

export interface CliRun {
  code: number;
  out: string;
  error?: unknown;
}

export async function runKernfleet(...args: string[]): Promise<CliRun> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  });
  try {
    await buildProgram().parseAsync(['node', 'kernfleet', ...args]);
    return { code: 0, out: chunks.join('') };
  } catch (error) {
    const code = error instanceof ExitError ? error.code : 1;
    return { code, out: chunks.join(''), error };
  } finally {
    spy.mockRestore();
  }
}
