// Ansible inventories (YAML and INI) with group_vars/ and host_vars/ beside them, and host patterns.
import type { Diagnostic, Inventory } from '../model/index.js';
import { loadInventoryFile } from './load.js';
import { matchHosts as matchPattern } from './pattern.js';

/** Throws DiagnosticError with file:line:col. */
export async function loadInventory(path: string): Promise<{ inventory: Inventory; sources: Record<string, string> }> {
  return loadInventoryFile(path);
}

/** Ansible pattern (`all`, `g`, `a:b`, `a,b`, `a:&b`, `a:!b`, globs `hv*`, `~regex`) → host names in inventory order. */
export function matchHosts(inventory: Inventory, pattern: string): { hosts: string[]; diagnostics: Diagnostic[] } {
  return matchPattern(inventory, pattern);
}

export { parseIniInventory } from './ini.js';
export { parseYamlInventory } from './yaml.js';
export { buildInventory } from './build.js';
export { expandHostRange } from './host-range.js';
