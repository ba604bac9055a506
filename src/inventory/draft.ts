// The inventory as declared, before precedence is applied: what the YAML and INI parsers both produce,
// so the two formats share every later step (and are tested for parity on it).
import type { SourceRef } from '../model/index.js';

export interface DraftGroup {
  name: string;
  /** Hosts declared directly in the group, in declaration order. */
  hosts: string[];
  children: string[];
  /** Variables declared in the inventory file itself (not group_vars/). */
  vars: Record<string, unknown>;
}

export interface DraftHost {
  name: string;
  /** Host variables from every place the host is declared; a later declaration wins per key. */
  vars: Record<string, unknown>;
  source: SourceRef;
}

export interface InventoryDraft {
  /** Insertion order is declaration order. */
  groups: Map<string, DraftGroup>;
  hosts: Map<string, DraftHost>;
}

export function createDraft(): InventoryDraft {
  const draft: InventoryDraft = { groups: new Map(), hosts: new Map() };
  ensureGroup(draft, 'all');
  return draft;
}

export function ensureGroup(draft: InventoryDraft, name: string): DraftGroup {
  let group = draft.groups.get(name);
  if (!group) {
    group = { name, hosts: [], children: [], vars: {} };
    draft.groups.set(name, group);
  }
  return group;
}

export function declareHost(draft: InventoryDraft, groupName: string, name: string, vars: Record<string, unknown>, source: SourceRef): void {
  const host = draft.hosts.get(name);
  if (host) Object.assign(host.vars, vars);
  else draft.hosts.set(name, { name, vars: { ...vars }, source });
  const group = ensureGroup(draft, groupName);
  if (!group.hosts.includes(name)) group.hosts.push(name);
}

export function addChildGroup(draft: InventoryDraft, parent: string, child: string): void {
  ensureGroup(draft, child);
  const group = ensureGroup(draft, parent);
  if (!group.children.includes(child)) group.children.push(child);
}
