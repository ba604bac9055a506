// InventoryDraft + vars files → Inventory (pure): group tree, membership, merged vars, connections.
//
// Variable precedence, lowest first, as ansible-core's default VARIABLE_PRECEDENCE and the host step
// of VariableManager.get_vars apply it (docs: "Understanding variable precedence"):
//   1. inventory-file vars of `all`
//   2. inventory-file vars of the host's other groups, by (depth, ansible_group_priority, name)
//   3. group_vars/all file(s)
//   4. group_vars/<group> file(s), same group order
//   5. inventory-file host vars
//   6. host_vars/<host> file(s)
// Merging replaces whole values (Ansible's default hash_behaviour=replace).
import type { Diagnostic, Inventory, InventoryHost } from '../model/index.js';
import { buildConnection } from './connection.js';
import type { InventoryDraft } from './draft.js';

export interface VarsFileSets {
  groupVars: Map<string, Record<string, unknown>>;
  hostVars: Map<string, Record<string, unknown>>;
}

export function buildInventory(path: string, baseDir: string, draft: InventoryDraft, files: VarsFileSets): { inventory: Inventory; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const groups = reconcileGroups(draft);
  const parents = parentIndex(groups);
  const depth = computeDepths(groups, diagnostics);
  const priority = (name: string): number => {
    const value = files.groupVars.get(name)?.ansible_group_priority ?? groups.get(name)?.vars.ansible_group_priority;
    return Number.isFinite(Number(value)) ? Number(value) : 1;
  };
  const compareGroups = (a: string, b: string): number =>
    (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || priority(a) - priority(b) || (a < b ? -1 : a > b ? 1 : 0);

  const hosts: InventoryHost[] = [];
  for (const host of draft.hosts.values()) {
    const memberOf = new Set<string>(['all']);
    const climb = (group: string): void => {
      if (memberOf.has(group)) return;
      memberOf.add(group);
      for (const parent of parents.get(group) ?? []) climb(parent);
    };
    for (const group of groups.values()) if (group.hosts.includes(host.name)) climb(group.name);
    const ordered = [...memberOf].sort(compareGroups);
    const others = ordered.filter((g) => g !== 'all');
    const vars: Record<string, unknown> = {
      ...groups.get('all')?.vars,
      ...Object.assign({}, ...others.map((g) => groups.get(g)?.vars ?? {})),
      ...files.groupVars.get('all'),
      ...Object.assign({}, ...others.map((g) => files.groupVars.get(g) ?? {})),
      ...host.vars,
      ...files.hostVars.get(host.name),
    };
    const { connection, diagnostics: problems } = buildConnection(host.name, vars, baseDir, host.source);
    diagnostics.push(...problems);
    hosts.push({ name: host.name, groups: ordered, vars, connection, source: host.source });
  }
  const groupRecord: Inventory['groups'] = {};
  for (const group of groups.values()) groupRecord[group.name] = { hosts: [...group.hosts], children: [...group.children] };
  return { inventory: { path, hosts, groups: groupRecord }, diagnostics };
}

// Ansible's reconcile step: every group without a parent hangs under `all`, and hosts that belong to
// no group but `all` are also in `ungrouped`.
function reconcileGroups(draft: InventoryDraft): InventoryDraft['groups'] {
  const groups = new Map([...draft.groups].map(([name, g]) => [name, { ...g, hosts: [...g.hosts], children: [...g.children] }]));
  if (!groups.has('ungrouped')) groups.set('ungrouped', { name: 'ungrouped', hosts: [], children: [], vars: {} });
  const all = groups.get('all')!;
  const hasParent = new Set([...groups.values()].flatMap((g) => g.children));
  for (const name of groups.keys()) if (name !== 'all' && !hasParent.has(name) && !all.children.includes(name)) all.children.push(name);
  const grouped = new Set([...groups.values()].filter((g) => g.name !== 'all').flatMap((g) => g.hosts));
  const ungrouped = groups.get('ungrouped')!;
  for (const host of draft.hosts.keys()) if (!grouped.has(host)) ungrouped.hosts.push(host);
  return groups;
}

function parentIndex(groups: InventoryDraft['groups']): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const group of groups.values()) for (const child of group.children) parents.set(child, [...(parents.get(child) ?? []), group.name]);
  return parents;
}

/** Depth = longest path from `all` (Ansible's Group.depth); a cycle is reported and cut. */
function computeDepths(groups: InventoryDraft['groups'], diagnostics: Diagnostic[]): Map<string, number> {
  const depth = new Map<string, number>();
  const walk = (name: string, level: number, path: string[]): void => {
    if (path.includes(name)) {
      diagnostics.push({ severity: 'error', code: 'group-cycle', message: `group "${name}" is its own ancestor (${[...path.slice(path.indexOf(name)), name].join(' → ')})` });
      return;
    }
    if ((depth.get(name) ?? -1) >= level && path.length > 0) return;
    depth.set(name, Math.max(depth.get(name) ?? 0, level));
    for (const child of groups.get(name)?.children ?? []) walk(child, level + 1, [...path, name]);
  };
  walk('all', 0, []);
  return depth;
}
