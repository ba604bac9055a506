// Ansible inventories (YAML and INI) with group_vars/ and host_vars/ beside them, and host patterns.
import type { Diagnostic, Inventory } from '../model/index.js';

/** Throws DiagnosticError with file:line:col. */
export async function loadInventory(path: string): Promise<{ inventory: Inventory; sources: Record<string, string> }> {
  throw new Error('not implemented: loadInventory');
}

/** Ansible pattern (`all`, `g`, `a:b`, `a,b`, `a:&b`, `a:!b`, globs `hv*`, `~regex`) → host names in inventory order. */
export function matchHosts(inventory: Inventory, pattern: string): { hosts: string[]; diagnostics: Diagnostic[] } {
  throw new Error('not implemented: matchHosts');
}
