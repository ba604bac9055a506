// Builds a Fleet from YAML text in memory (no files), through the same parsers the loaders use.
import type { Fleet, LoadedPlay } from '../../../src/model/index.js';
import { loadSchemas, parsePlaybook } from '../../../src/manifest/index.js';
import { buildInventory, parseYamlInventory } from '../../../src/inventory/index.js';

export async function aFleet(inventoryYaml: string, playbooks: Record<string, string>): Promise<Fleet> {
  const schemas = await loadSchemas();
  const parsedInventory = parseYamlInventory('inventory.yml', inventoryYaml, schemas);
  if (!parsedInventory.draft || parsedInventory.diagnostics.length > 0) throw new Error(JSON.stringify(parsedInventory.diagnostics));
  const { inventory } = buildInventory('inventory.yml', '.', parsedInventory.draft, { groupVars: new Map(), hostVars: new Map() });
  const plays: LoadedPlay[] = [];
  for (const [file, text] of Object.entries(playbooks)) {
    const parsed = parsePlaybook(file, text, schemas);
    if (parsed.diagnostics.length > 0) throw new Error(JSON.stringify(parsed.diagnostics));
    plays.push(...parsed.plays);
  }
  return { inventory, plays, manifestDigest: 'sha256:test', sources: { 'inventory.yml': inventoryYaml, ...playbooks } };
}

export const LAB_INVENTORY = `
all:
  children:
    hypervisors:
      hosts:
        hv01: { hugepages: 8 }
        hv02:
      children:
        legacy:
          hosts:
            old01:
`;
