// modules-load.d (and Alpine's /etc/modules): one module per line, # and ; comments.
//
// systemd-modules-load reads the drop-in directories; Debian's /etc/modules (read by the kmod init
// script, and linked as /etc/modules-load.d/modules.conf) and Alpine's /etc/modules (OpenRC's modules
// service) take a module and optional parameters per line, so the first word is the module.
import type { FileEntry } from '../model/index.js';
import { numberLines, orderDropInFiles } from './config-dirs.js';
import { normaliseModule } from './module-name.js';

export const MODULES_LOAD_DIRS = ['/etc/modules-load.d', '/run/modules-load.d', '/usr/local/lib/modules-load.d', '/usr/lib/modules-load.d', '/lib/modules-load.d'];

export const ETC_MODULES = '/etc/modules';

/** Normalised module names listed in one file, with their line numbers. */
export function parseModulesLoadFile(path: string, content: string): { module: string; line: number }[] {
  const out: { module: string; line: number }[] = [];
  for (const { text, line } of numberLines(content)) {
    const word = text.trim().split(/\s+/)[0] ?? '';
    if (word === '' || word.startsWith('#') || word.startsWith(';')) continue;
    out.push({ module: normaliseModule(word), line });
  }
  return out;
}

/** Normalised module → the file and line that loads it at boot (shadowing applied; /etc/modules included). */
export function persistedModules(files: FileEntry[]): Record<string, { path: string; line: number }> {
  const ordered = orderDropInFiles(files, MODULES_LOAD_DIRS, ['.conf']);
  const legacy = files.find((f) => f.path === ETC_MODULES);
  const out: Record<string, { path: string; line: number }> = {};
  for (const file of legacy ? [...ordered, legacy] : ordered) {
    for (const { module, line } of parseModulesLoadFile(file.path, file.content)) out[module] ??= { path: file.path, line };
  }
  return out;
}

/** Managed file: header, then one module per line in the given order. */
export function renderModulesLoadFile(modules: string[], header: string): string {
  return header + [...new Set(modules.map(normaliseModule))].map((m) => `${m}\n`).join('');
}
