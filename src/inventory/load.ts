// loadInventory (I/O): read the inventory file, parse it as YAML or INI, then group_vars/ and
// host_vars/ beside it, and build the Inventory. Every problem becomes one DiagnosticError.
import { dirname, extname, join } from 'node:path';
import type { Inventory } from '../model/index.js';
import { DiagnosticError } from '../errors.js';
import { hasErrors, sortDiagnostics } from '../manifest/diagnostics.js';
import { readTextFile } from '../manifest/read-file.js';
import { loadSchemas } from '../manifest/schema.js';
import { buildInventory } from './build.js';
import { parseIniInventory } from './ini.js';
import { loadVarsFiles } from './vars-files.js';
import { parseYamlInventory } from './yaml.js';

// As Ansible's yaml inventory plugin: these extensions are YAML, anything else is INI.
const YAML_EXTENSIONS = new Set(['.yml', '.yaml', '.json']);

export async function loadInventoryFile(path: string): Promise<{ inventory: Inventory; sources: Record<string, string> }> {
  const read = await readTextFile(path, 'inventory');
  if ('diagnostic' in read) throw new DiagnosticError([read.diagnostic]);
  const schemas = await loadSchemas();
  const parsed = YAML_EXTENSIONS.has(extname(path).toLowerCase())
    ? parseYamlInventory(path, read.text, schemas)
    : parseIniInventory(path, read.text);
  if (!parsed.draft || hasErrors(parsed.diagnostics)) throw new DiagnosticError(sortDiagnostics(parsed.diagnostics));
  const { draft } = parsed;
  const baseDir = dirname(path);
  const [groupVars, hostVars] = await Promise.all([
    loadVarsFiles(join(baseDir, 'group_vars'), new Set([...draft.groups.keys(), 'ungrouped']), schemas),
    loadVarsFiles(join(baseDir, 'host_vars'), draft.hosts.keys(), schemas),
  ]);
  const built = buildInventory(path, baseDir, draft, { groupVars: groupVars.vars, hostVars: hostVars.vars });
  const diagnostics = [...parsed.diagnostics, ...groupVars.diagnostics, ...hostVars.diagnostics, ...built.diagnostics];
  if (hasErrors(diagnostics)) throw new DiagnosticError(sortDiagnostics(diagnostics));
  return { inventory: built.inventory, sources: { [path]: read.text, ...groupVars.sources, ...hostVars.sources } };
}
