// Hosts with the same plan are shown once, so the output for a uniform fleet stays short.
import type { HostPlan } from '../model/index.js';

export interface HostGroup {
  /** Member host names, in plan order. */
  hosts: string[];
  /** The first member's plan; every member's plan equals it apart from host and fingerprint. */
  plan: HostPlan;
}

/** Items with the same key, in order of first appearance: the names of all, and the first item. */
export function groupByKey<T>(items: T[], nameOf: (item: T) => string, keyOf: (item: T) => string): { names: string[]; first: T }[] {
  const groups = new Map<string, { names: string[]; first: T }>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.names.push(nameOf(item));
    else groups.set(key, { names: [nameOf(item)], first: item });
  }
  return [...groups.values()];
}

/** Groups in order of first appearance; identity is everything a reader would see except the names. */
export function groupHostPlans(hosts: HostPlan[]): HostGroup[] {
  return groupByKey(hosts, (h) => h.host, buildGroupKey).map((g) => ({ hosts: g.names, plan: g.first }));
}

export function buildGroupKey(host: HostPlan): string {
  const { host: _name, fingerprint: _fingerprint, ...rest } = host;
  // A diagnostic's host field names the member; the rest of it is what must match.
  const diagnostics = rest.diagnostics.map(({ host: _diagHost, ...diagnostic }) => diagnostic);
  return stringifyCanonical({ ...rest, diagnostics });
}

/** JSON with object keys sorted, so two equal plans built in a different key order compare equal. */
function stringifyCanonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

export const MAX_LISTED_HOSTS = 8;

/**
 * "hv01, hv02, … hv08 and 30 more": enough names to recognise the group, never a wall of them.
 * `total` counts hosts beyond `names` when the caller only gathered the first few.
 */
export function formatHostList(names: string[], max = MAX_LISTED_HOSTS, total = names.length): string {
  if (total <= max) return names.slice(0, max).join(', ');
  return `${names.slice(0, max).join(', ')} and ${total - max} more`;
}

/** "hv01" for one host; "38 hosts (hv01, … and 30 more)" for a group. */
export function formatGroupLabel(names: string[]): string {
  return names.length === 1 ? (names[0] ?? '') : `${names.length} hosts (${formatHostList(names)})`;
}
