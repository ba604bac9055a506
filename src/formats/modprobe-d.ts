// modprobe.d: options, blacklist, install, alias, softdep lines; directory precedence like sysctl.d.
import type { FileEntry } from '../model/index.js';

export type ModprobeDirective =
  | { kind: 'options'; module: string; params: Record<string, string>; path: string; line: number }
  | { kind: 'blacklist'; module: string; path: string; line: number }
  | { kind: 'install'; module: string; command: string; path: string; line: number }
  | { kind: 'other'; keyword: string; text: string; path: string; line: number };

export const MODPROBE_DIRS = ['/etc/modprobe.d', '/run/modprobe.d', '/usr/local/lib/modprobe.d', '/usr/lib/modprobe.d', '/lib/modprobe.d'];

/** Module names are normalised (- → _); continuation lines (trailing \) are joined. */
export function parseModprobeFile(path: string, content: string): ModprobeDirective[] {
  throw new Error('not implemented');
}

/** Directives of the files that take effect (same-named files shadowed by higher directories), in file-name order. */
export function effectiveModprobe(files: FileEntry[]): ModprobeDirective[] {
  throw new Error('not implemented');
}

/** Managed options file: header, then `options M k=v ...` per module, sorted. */
export function renderModprobeOptions(options: Record<string, Record<string, string>>, header: string): string {
  throw new Error('not implemented');
}

/** Managed blacklist file: header, then `blacklist M` and `install M /bin/false` per module, sorted. */
export function renderModprobeBlacklist(modules: string[], header: string): string {
  throw new Error('not implemented');
}
