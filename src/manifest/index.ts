// Loading playbooks (I/O at the edge: read + yaml.parseDocument with positions + ajv) and the pure
// resolver that turns plays + inventory into one DesiredState per host.
import type { Diagnostic, DesiredState, Fleet, HostFacts, LoadedPlay } from '../model/index.js';
import { loadFleetFiles, selectTargetHosts } from './fleet.js';
import { loadPlaybookFiles } from './load.js';
import { resolveHostState } from './resolve.js';

/** Reads and validates playbooks; throws DiagnosticError with every error of every file. */
export async function loadPlaybooks(paths: string[]): Promise<{ plays: LoadedPlay[]; sources: Record<string, string> }> {
  return loadPlaybookFiles(paths);
}

/** Reads the inventory and playbooks; throws DiagnosticError. `limit` is an Ansible pattern. */
export async function loadFleet(options: { inventory: string; playbooks: string[]; limit?: string }): Promise<Fleet> {
  return loadFleetFiles(options);
}

/** Hosts (inventory order) that at least one play targets, after --limit. */
export function targetHosts(fleet: Fleet, limit?: string): { hosts: string[]; diagnostics: Diagnostic[] } {
  return selectTargetHosts(fleet, limit);
}

/**
 * Pure. Merges every play that targets `host` (templates substituted from play vars < host vars).
 * facts null: plays with `when` are all included (a superset, used to build the probe and by validate),
 * and two plays conflict only if their `when` can both hold. Conflicts are errors naming both places.
 */
export function resolveDesired(fleet: Fleet, host: string, facts: HostFacts | null): { desired: DesiredState; diagnostics: Diagnostic[] } {
  return resolveHostState(fleet, host, facts);
}

export { parsePlaybook } from './load.js';
export { checkFleet, digestSources } from './fleet.js';
export { loadSchemas } from './schema.js';
