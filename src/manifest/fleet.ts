// The fleet: inventory + playbooks loaded together (I/O), checked as a whole (pure), and the hosts
// it targets.
import { createHash } from 'node:crypto';
import type { Diagnostic, Fleet, Inventory, LoadedPlay } from '../model/index.js';
import { DiagnosticError } from '../errors.js';
import { loadInventory, matchHosts } from '../inventory/index.js';
import { formatSource, hasErrors, sortDiagnostics } from './diagnostics.js';
import { readPlaybookFiles } from './load.js';
import { hostsOfPattern, resolveHostState } from './resolve.js';

export async function loadFleetFiles(options: { inventory: string; playbooks: string[]; limit?: string }): Promise<Fleet> {
  // Both load at once and both report, and the plays of valid files are checked against a valid
  // inventory even when another file failed: one run shows every problem of every file.
  const [inventory, playbooks] = await Promise.all([
    loadInventory(options.inventory).catch((error: unknown) => {
      if (error instanceof DiagnosticError) return error;
      throw error;
    }),
    readPlaybookFiles(options.playbooks),
  ]);
  const diagnostics = [...(inventory instanceof DiagnosticError ? inventory.diagnostics : []), ...playbooks.diagnostics];
  if (!(inventory instanceof DiagnosticError)) diagnostics.push(...checkPlayPatterns(inventory.inventory, playbooks.plays));
  if (inventory instanceof DiagnosticError || hasErrors(diagnostics)) throw new DiagnosticError(sortDiagnostics(diagnostics));
  const sources = { ...inventory.sources, ...playbooks.sources };
  const fleet: Fleet = { inventory: inventory.inventory, plays: playbooks.plays, manifestDigest: digestSources(sources), sources };
  const problems = checkHostResolution(fleet, options.limit);
  if (hasErrors(problems)) throw new DiagnosticError(problems);
  return fleet;
}

/** sha256 over every file's bytes, in path order, each prefixed by its length so files cannot blur together. */
export function digestSources(sources: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const path of Object.keys(sources).sort()) {
    const bytes = Buffer.from(sources[path]!, 'utf8');
    hash.update(`${bytes.length}\n`).update(bytes);
  }
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Pure: every play's pattern must select a host (unknown names are errors at the `hosts:` value),
 * and every targeted host must resolve without conflicts.
 */
export function checkFleet(fleet: Fleet, limit?: string): Diagnostic[] {
  return sortDiagnostics([...checkPlayPatterns(fleet.inventory, fleet.plays), ...checkHostResolution(fleet, limit)]);
}

function checkPlayPatterns(inventory: Inventory, plays: LoadedPlay[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const lp of plays) {
    const source = lp.positions['/hosts'] ?? lp.positions[''] ?? { file: lp.file, line: 1, col: 1 };
    const matched = matchHosts(inventory, lp.play.hosts);
    diagnostics.push(...matched.diagnostics.map((d) => ({ ...d, source })));
    if (matched.hosts.length === 0 && !hasErrors(matched.diagnostics)) {
      diagnostics.push({ severity: 'error', code: 'pattern-matches-nothing', message: `play "${lp.play.name}": host pattern "${lp.play.hosts}" matches no host in ${inventory.path}`, source });
    }
  }
  return diagnostics;
}

/** Resolves every targeted host without facts; the same problem on many hosts is reported once. */
function checkHostResolution(fleet: Fleet, limit?: string): Diagnostic[] {
  const target = selectTargetHosts(fleet, limit);
  const resolved = target.hosts.flatMap((host) => resolveHostState(fleet, host, null).diagnostics);
  return sortDiagnostics([...target.diagnostics, ...collapseAcrossHosts(resolved)]);
}

/** Hosts (inventory order) that at least one play targets, after --limit. */
export function selectTargetHosts(fleet: Fleet, limit?: string): { hosts: string[]; diagnostics: Diagnostic[] } {
  const targeted = new Set(fleet.plays.flatMap((lp) => [...hostsOfPattern(fleet, lp.play.hosts)]));
  let hosts = fleet.inventory.hosts.map((h) => h.name).filter((name) => targeted.has(name));
  const diagnostics: Diagnostic[] = [];
  if (limit !== undefined && limit !== '') {
    const limited = matchHosts(fleet.inventory, limit);
    diagnostics.push(...limited.diagnostics.map((d) => ({ ...d, message: `--limit ${limit}: ${d.message}` })));
    const allowed = new Set(limited.hosts);
    hosts = hosts.filter((name) => allowed.has(name));
  }
  return { hosts, diagnostics };
}

// A conflict in a play for a group of 200 hosts is one mistake: say it once and count the hosts.
function collapseAcrossHosts(diagnostics: Diagnostic[]): Diagnostic[] {
  const groups = new Map<string, { first: Diagnostic; hosts: Set<string> }>();
  for (const d of diagnostics) {
    const message = d.host ? d.message.replace(` for host ${d.host}`, '') : d.message;
    const key = [d.code, d.source ? formatSource(d.source) : '', message].join('\0');
    const group = groups.get(key);
    if (group) group.hosts.add(d.host ?? '');
    else groups.set(key, { first: d, hosts: new Set([d.host ?? '']) });
  }
  return [...groups.values()].map(({ first, hosts }) =>
    hosts.size > 1 ? { ...first, message: `${first.message} (and ${hosts.size - 1} more host${hosts.size > 2 ? 's' : ''})` } : first,
  );
}
