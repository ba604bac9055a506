// group_vars/ and host_vars/ beside the inventory (I/O): `<name>`, `<name>.yml|.yaml|.json`, or a
// directory `<name>/` whose files load in name order, as Ansible's host_group_vars plugin does.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic } from '../model/index.js';
import type { CompiledSchemas } from '../manifest/schema.js';
import { readTextFile } from '../manifest/read-file.js';
import { validateAgainstSchema } from '../manifest/validate.js';
import { parseYamlSource, toPlainValue } from '../manifest/yaml-source.js';

const VARS_EXTENSIONS = ['', '.yml', '.yaml', '.json'];

export interface VarsFiles {
  /** Group or host name → its variables, the files merged in load order. */
  vars: Map<string, Record<string, unknown>>;
  sources: Record<string, string>;
  diagnostics: Diagnostic[];
}

/** Loads `<dir>/<name>*` for each wanted name that has files; names without files are absent. */
export async function loadVarsFiles(dir: string, names: Iterable<string>, schemas: CompiledSchemas): Promise<VarsFiles> {
  const result: VarsFiles = { vars: new Map(), sources: {}, diagnostics: [] };
  const entries = await listDir(dir);
  if (entries.length === 0) return result;
  for (const name of names) {
    const files: string[] = [];
    for (const entry of entries) {
      if (entry.isFile() && VARS_EXTENSIONS.some((ext) => entry.name === name + ext)) files.push(join(dir, entry.name));
      if (entry.isDirectory() && entry.name === name) files.push(...(await listVarsTree(join(dir, entry.name))));
    }
    if (files.length === 0) continue;
    const merged: Record<string, unknown> = {};
    for (const file of files) {
      const read = await readTextFile(file, 'vars file');
      if ('diagnostic' in read) {
        result.diagnostics.push(read.diagnostic);
        continue;
      }
      result.sources[file] = read.text;
      const parsed = parseVarsFile(file, read.text, schemas);
      result.diagnostics.push(...parsed.diagnostics);
      Object.assign(merged, parsed.vars);
    }
    result.vars.set(name, merged);
  }
  return result;
}

/** Pure: one vars file → its map (an empty file is no vars). */
export function parseVarsFile(file: string, text: string, schemas: CompiledSchemas): { vars: Record<string, unknown>; diagnostics: Diagnostic[] } {
  const parsed = parseYamlSource(file, text);
  if (parsed.diagnostics.length > 0) return { vars: {}, diagnostics: parsed.diagnostics };
  const plain = toPlainValue(parsed.source);
  if ('diagnostic' in plain) return { vars: {}, diagnostics: [plain.diagnostic] };
  const { value } = plain;
  if (value === null || value === undefined) return { vars: {}, diagnostics: [] };
  const diagnostics = validateAgainstSchema(parsed.source, value, schemas.vars, schemas.patternPhrases);
  return { vars: diagnostics.length > 0 ? {} : (value as Record<string, unknown>), diagnostics };
}

async function listDir(dir: string) {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    // Hidden files and editor leftovers are not vars (Ansible skips them too).
    return entries.filter((e) => !e.name.startsWith('.') && !e.name.endsWith('~')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

async function listVarsTree(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await listDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listVarsTree(path)));
    else if (entry.isFile() && /(\.ya?ml|\.json)$/.test(entry.name)) files.push(path);
  }
  return files;
}
