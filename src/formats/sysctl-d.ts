// sysctl.d files: parsing, systemd-sysctl/procps precedence, and the managed file kernfleet writes.
//
// Glob keys (`net.ipv4.conf.*.rp_filter = 2`, systemd ≥ 247) are kept as written and not expanded:
// expanding needs the host's /proc/sys tree. An explicit key beats a glob in systemd whatever the order,
// so effectiveSysctl answers for explicit keys and sysctlGlobFor tells which glob (if any) sets a key
// that has no explicit assignment. Exclusion lines (`-key` without `=`) only narrow globs: they are not
// assignments, parseSysctlFile skips them and sysctlGlobFor honours them.
import type { FileEntry } from '../model/index.js';
import { numberLines, orderDropInFiles } from './config-dirs.js';

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

export const SYSCTL_CONF = '/etc/sysctl.conf';

/**
 * The dotted spelling of a key. sysctl.d(5): if the first separator is a slash the key is in path form,
 * and dots and slashes swap (`net/ipv4/conf/eth0.200/forwarding` = `net.ipv4.conf.eth0/200.forwarding`).
 */
export function normaliseSysctlKey(key: string): string {
  const trimmed = key.trim().replace(/^\/+/, '');
  const firstSep = trimmed.search(/[./]/);
  if (firstSep < 0 || trimmed[firstSep] === '.') return trimmed;
  return trimmed.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'));
}

/** An assignment line split into its parts, so an editor can replace the value and keep the rest. */
interface SysctlLine {
  key: string;
  ignoreErrors: boolean;
  /** Offsets of the value within the line (whitespace around it excluded). */
  valueStart: number;
  valueEnd: number;
}

function parseSysctlLine(text: string): SysctlLine | null {
  const body = text.trimStart();
  if (body === '' || body.startsWith('#') || body.startsWith(';')) return null;
  const eq = text.indexOf('=');
  if (eq < 0) return null;
  let rawKey = text.slice(0, eq).trim();
  const ignoreErrors = rawKey.startsWith('-');
  if (ignoreErrors) rawKey = rawKey.slice(1);
  const key = normaliseSysctlKey(rawKey);
  if (key === '') return null;
  const after = text.slice(eq + 1);
  const valueStart = eq + 1 + (after.length - after.trimStart().length);
  const valueEnd = Math.max(valueStart, eq + 1 + after.trimEnd().length);
  return { key, ignoreErrors, valueStart, valueEnd };
}

export function parseSysctlFile(path: string, content: string): SysctlAssignment[] {
  const out: SysctlAssignment[] = [];
  for (const { text, line } of numberLines(content)) {
    const parsed = parseSysctlLine(text);
    if (!parsed) continue;
    const value = text.slice(parsed.valueStart, parsed.valueEnd);
    out.push({ key: parsed.key, value, path, line, ignoreErrors: parsed.ignoreErrors });
  }
  return out;
}

/**
 * The files that take effect, in application order: same-named files in lower directories are
 * shadowed by the first directory holding that name; sorted by file name; /etc/sysctl.conf last.
 */
export function orderSysctlFiles(files: FileEntry[]): FileEntry[] {
  const ordered = orderDropInFiles(files, SYSCTL_DIRS, ['.conf']);
  const legacy = files.find((f) => f.path === SYSCTL_CONF);
  return legacy ? [...ordered, legacy] : ordered;
}

/** Key → the assignment that wins at boot (the last one in application order). */
export function effectiveSysctl(files: FileEntry[]): Record<string, SysctlAssignment> {
  const out: Record<string, SysctlAssignment> = {};
  for (const file of orderSysctlFiles(files)) {
    for (const assignment of parseSysctlFile(file.path, file.content)) out[assignment.key] = assignment;
  }
  return out;
}

function sysctlTokens(value: string): string[] {
  return value.split(/\s+/).filter((t) => t !== '');
}

/** Token-wise, whitespace-insensitive comparison ("4096 87380  6291456" = "4096\t87380 6291456"). */
export function sameSysctlValue(a: string, b: string): boolean {
  const ta = sysctlTokens(a);
  const tb = sysctlTokens(b);
  return ta.length === tb.length && ta.every((t, i) => t === tb[i]);
}

function sortedKeys(values: Record<string, string>): string[] {
  return Object.keys(values).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The managed file: header, then `key = value` lines sorted by key. */
export function renderSysctlFile(values: Record<string, string>, header: string): string {
  return header + sortedKeys(values).map((key) => `${key} = ${values[key]}\n`).join('');
}

/**
 * Edits a sysctl file in place: the last assignment of each key in `set` gets the new value (key
 * spelling, `-` prefix and spacing kept; left alone when the value already matches token-wise), keys
 * not in the file are appended as `key = value`, and every assignment line of a key in `remove` is
 * dropped. Other lines stay byte for byte. Keys are compared in their dotted form.
 */
export function editSysctlFile(content: string, set: Record<string, string>, remove: string[] = []): string {
  const wanted = new Map(Object.entries(set).map(([k, v]) => [normaliseSysctlKey(k), v]));
  const removed = new Set(remove.map(normaliseSysctlKey));
  const lines = content.split('\n');
  const parsed = lines.map(parseSysctlLine);
  const lastIndex = new Map<string, number>();
  parsed.forEach((p, i) => p && lastIndex.set(p.key, i));
  const out: string[] = [];
  lines.forEach((text, i) => {
    const p = parsed[i];
    if (p && removed.has(p.key)) return;
    const value = p && lastIndex.get(p.key) === i ? wanted.get(p.key) : undefined;
    if (p && value !== undefined && !sameSysctlValue(value, text.slice(p.valueStart, p.valueEnd))) {
      out.push(text.slice(0, p.valueStart) + value + text.slice(p.valueEnd));
    } else {
      out.push(text);
    }
  });
  const missing = [...wanted.keys()].filter((k) => !lastIndex.has(k) && !removed.has(k)).sort();
  let result = out.join('\n');
  if (missing.length === 0) return result;
  if (result !== '' && !result.endsWith('\n')) result += '\n';
  return result + missing.map((k) => `${k} = ${wanted.get(k)}\n`).join('');
}

const GLOB_CHARS = /[*?[]/;

/** Whether a sysctl.d glob matches a dotted key: systemd globs /proc/sys paths, so `*` stays within one segment. */
export function matchSysctlGlob(pattern: string, key: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const close = c === '[' ? pattern.indexOf(']', i + 2) : -1;
    if (c === '*') source += '[^.]*';
    else if (c === '?') source += '[^.]';
    else if (close > 0) {
      const body = pattern.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
      source += `[${body}]`;
      i = close;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`).test(key);
}

/**
 * The glob assignment that sets `key` at boot, when no explicit assignment does and no exclusion line
 * (`-key`) keeps it out of glob matching; the last matching glob in application order wins.
 */
export function sysctlGlobFor(files: FileEntry[], key: string): SysctlAssignment | undefined {
  let found: SysctlAssignment | undefined;
  for (const file of orderSysctlFiles(files)) {
    for (const { text } of numberLines(file.content)) {
      const body = text.trim();
      if (/^-[^=]+$/.test(body) && normaliseSysctlKey(body.slice(1)) === key) return undefined;
    }
    for (const assignment of parseSysctlFile(file.path, file.content)) {
      if (assignment.key === key) return undefined;
      if (GLOB_CHARS.test(assignment.key) && matchSysctlGlob(assignment.key, key)) found = assignment;
    }
  }
  return found;
}
