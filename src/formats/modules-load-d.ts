// modules-load.d (and Alpine's /etc/modules): one module per line, # and ; comments.
import type { FileEntry } from '../model/index.js';

export const MODULES_LOAD_DIRS = ['/etc/modules-load.d', '/run/modules-load.d', '/usr/local/lib/modules-load.d', '/usr/lib/modules-load.d', '/lib/modules-load.d'];

/** Normalised module names listed in one file, with their line numbers. */
export function parseModulesLoadFile(path: string, content: string): { module: string; line: number }[] {
  throw new Error('not implemented');
}

/** Normalised module → the file and line that loads it at boot (shadowing applied; /etc/modules included). */
export function persistedModules(files: FileEntry[]): Record<string, { path: string; line: number }> {
  throw new Error('not implemented');
}

/** Managed file: header, then one module per line in the given order. */
export function renderModulesLoadFile(modules: string[], header: string): string {
  throw new Error('not implemented');
}
