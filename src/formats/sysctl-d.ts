// sysctl.d files: parsing, systemd-sysctl/procps precedence, and the managed file kernfleet writes.
import type { FileEntry } from '../model/index.js';

export interface SysctlAssignment {
  /** Dotted key (a/b/c is normalised to a.b.c). */
  key: string;
  value: string;
  path: string;
  line: number;
  /** `-key = value`: errors setting it are ignored by systemd-sysctl. */
  ignoreErrors: boolean;
}

/** The directories, highest priority first; /etc/sysctl.conf is applied after all of them. */
export const SYSCTL_DIRS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'];

export function parseSysctlFile(path: string, content: string): SysctlAssignment[] {
  throw new Error('not implemented');
}

/**
 * The files that take effect, in application order: same-named files in lower directories are
 * shadowed by the first directory holding that name; sorted by file name; /etc/sysctl.conf last.
 */
export function orderSysctlFiles(files: FileEntry[]): FileEntry[] {
  throw new Error('not implemented');
}

/** Key → the assignment that wins at boot (the last one in application order). */
export function effectiveSysctl(files: FileEntry[]): Record<string, SysctlAssignment> {
  throw new Error('not implemented');
}

/** Token-wise, whitespace-insensitive comparison ("4096 87380  6291456" = "4096\t87380 6291456"). */
export function sameSysctlValue(a: string, b: string): boolean {
  throw new Error('not implemented');
}

/** The managed file: header, then `key = value` lines sorted by key. */
export function renderSysctlFile(values: Record<string, string>, header: string): string {
  throw new Error('not implemented');
}
