// modprobe.d: options, blacklist, install, alias, softdep lines; directory precedence like sysctl.d.
//
// Read as kmod reads it (libkmod-config.c): `*.conf` and `*.alias` files, a line ending in `\` goes on
// with the next one, a first word starting with `#` makes a comment (there are no trailing comments),
// module names compare with - and _ alike. `options` strings go to the kernel, which splits them like a
// command line (quotes group), so they are parsed with the command-line tokenizer.
import type { FileEntry } from '../model/index.js';
import { formatCmdlineParam, parseCmdline } from './cmdline.js';
import { compareFileNames, orderDropInFiles } from './config-dirs.js';
import { normaliseModule } from './module-name.js';

export type ModprobeDirective =
  | { kind: 'options'; module: string; params: Record<string, string>; path: string; line: number }
  | { kind: 'blacklist'; module: string; path: string; line: number }
  | { kind: 'install'; module: string; command: string; path: string; line: number }
  | { kind: 'other'; keyword: string; text: string; path: string; line: number };

export const MODPROBE_DIRS = ['/etc/modprobe.d', '/run/modprobe.d', '/usr/local/lib/modprobe.d', '/usr/lib/modprobe.d', '/lib/modprobe.d'];

/** Logical lines: continuations joined, numbered by the physical line they start on. */
function joinContinuations(content: string): { text: string; line: number }[] {
  const physical = content.split('\n');
  const out: { text: string; line: number }[] = [];
  let pending: { text: string; line: number } | null = null;
  for (let i = 0; i < physical.length; i++) {
    const raw = physical[i]!;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const current: { text: string; line: number } = pending ?? { text: '', line: i + 1 };
    const continues = text.endsWith('\\');
    current.text += continues ? text.slice(0, -1) : text;
    if (!continues) out.push(current);
    pending = continues ? current : null;
  }
  if (pending) out.push(pending);
  return out;
}

/**
 * Parameter → value of an options string. A bare parameter (`options m flag`) is how a bool is switched
 * on, so it reads as the kernel prints a true bool, 'Y'. Parameter names are C identifiers in the
 * kernel, which accepts - for _: they are stored with _.
 */
export function parseModuleParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const { key, value } of parseCmdline(text)) params[normaliseModule(key)] = value ?? 'Y';
  return params;
}

/** Module names are normalised (- → _); continuation lines (trailing \) are joined. */
export function parseModprobeFile(path: string, content: string): ModprobeDirective[] {
  const out: ModprobeDirective[] = [];
  for (const { text, line } of joinContinuations(content)) {
    const match = /^[ \t]*(\S+)(?:[ \t]+(.*?))?[ \t]*$/.exec(text);
    if (!match || match[1]!.startsWith('#')) continue;
    const keyword = match[1]!;
    const rest = match[2] ?? '';
    const [, moduleName = '', args = ''] = /^(\S*)[ \t]*(.*)$/.exec(rest) ?? [];
    const module = normaliseModule(moduleName);
    if (keyword === 'options' && module) {
      out.push({ kind: 'options', module, params: parseModuleParams(args), path, line });
    } else if (keyword === 'blacklist' && module) {
      out.push({ kind: 'blacklist', module, path, line });
    } else if (keyword === 'install' && module) {
      out.push({ kind: 'install', module, command: args, path, line });
    } else {
      out.push({ kind: 'other', keyword, text: rest, path, line });
    }
  }
  return out;
}

/** Directives of the files that take effect (same-named files shadowed by higher directories), in file-name order. */
export function effectiveModprobe(files: FileEntry[]): ModprobeDirective[] {
  return orderDropInFiles(files, MODPROBE_DIRS, ['.conf', '.alias']).flatMap((f) => parseModprobeFile(f.path, f.content));
}

export interface ModuleOptionSource {
  value: string;
  path: string;
  line: number;
}

/**
 * Module → parameter → the value modprobe passes at load time. kmod hands the kernel every options line
 * of a module in configuration order and the kernel keeps the last value of a repeated parameter, so
 * the last line wins.
 */
export function effectiveModuleOptions(directives: ModprobeDirective[]): Record<string, Record<string, ModuleOptionSource>> {
  const out: Record<string, Record<string, ModuleOptionSource>> = {};
  for (const d of directives) {
    if (d.kind !== 'options') continue;
    const params = (out[d.module] ??= {});
    for (const [param, value] of Object.entries(d.params)) params[param] = { value, path: d.path, line: d.line };
  }
  return out;
}

function sortedModules(modules: Iterable<string>): string[] {
  return [...new Set([...modules].map(normaliseModule))].sort(compareFileNames);
}

/** Managed options file: header, then `options M k=v ...` per module, sorted. */
export function renderModprobeOptions(options: Record<string, Record<string, string>>, header: string): string {
  const merged: Record<string, Record<string, string>> = {};
  for (const [module, params] of Object.entries(options)) Object.assign((merged[normaliseModule(module)] ??= {}), params);
  const lines = sortedModules(Object.keys(merged)).flatMap((module) => {
    const params = merged[module]!;
    const keys = Object.keys(params).sort(compareFileNames);
    if (keys.length === 0) return [];
    return [`options ${module} ${keys.map((k) => formatCmdlineParam(normaliseModule(k), params[k]!)).join(' ')}\n`];
  });
  return header + lines.join('');
}

/** Managed blacklist file: header, then `blacklist M` and `install M /bin/false` per module, sorted. */
export function renderModprobeBlacklist(modules: string[], header: string): string {
  return header + sortedModules(modules).map((m) => `blacklist ${m}\ninstall ${m} /bin/false\n`).join('');
}
