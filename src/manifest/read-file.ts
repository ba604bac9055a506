// Reading a user-named file: a missing or unreadable file is a diagnostic naming the path, not a stack trace.
import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../model/index.js';

export async function readTextFile(path: string, what: string): Promise<{ text: string } | { diagnostic: Diagnostic }> {
  try {
    return { text: await readFile(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return { diagnostic: { severity: 'error', code: 'file-not-found', message: `${what} not found: ${path}` } };
    }
    const reason = code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String((error as Error).message);
    return { diagnostic: { severity: 'error', code: 'file-unreadable', message: `cannot read ${what} ${path}: ${reason}` } };
  }
}
