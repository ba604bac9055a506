// The read-only pipeline shared by plan, gather and (later) drift and apply:
// load → resolve (superset, to build each probe) → gather → resolve (with facts) → diff → plan.
import { diffHost } from '../diff/index.js';
import { gatherFleet, type GatherOptions, type GatherResult } from '../facts/gather.js';
import { probeRequestFor, type ProbeRequest } from '../facts/request.js';
import { hostFactsOf } from '../facts/when-facts.js';
import { loadFleet, resolveDesired, targetHosts } from '../manifest/index.js';
import type { Connection, Diagnostic, Fleet, HostPlan, HostProfile, Plan } from '../model/index.js';
import { assemblePlan, buildHostPlan, createPlanInterner } from '../plan/index.js';
import { DiagnosticError } from '../errors.js';
import { TOOL } from '../version.js';

export interface PipelineOptions {
  inventory: string;
  playbooks: string[];
  limit?: string;
  gather: GatherOptions;
}

/** The manifest loaded and the hosts it targets. */
export interface Loaded {
  fleet: Fleet;
  hosts: string[];
}

export interface Gathered<T = GatherResult> extends Loaded {
  results: Record<string, T>;
}

/** Loads the manifest and gathers every targeted host; throws DiagnosticError for manifest errors. */
export async function loadAndGather(options: PipelineOptions): Promise<Gathered>;
export async function loadAndGather<T>(options: PipelineOptions, digest: (fleet: Fleet, host: string, result: GatherResult) => T): Promise<Gathered<T>>;
export async function loadAndGather(
  options: PipelineOptions,
  digest: (fleet: Fleet, host: string, result: GatherResult) => unknown = (_, __, result) => result,
): Promise<Gathered<unknown>> {
  const fleet = await loadFleet({ inventory: options.inventory, playbooks: options.playbooks, limit: options.limit });
  const target = targetHosts(fleet, options.limit);
  const errors: Diagnostic[] = target.diagnostics.filter((d) => d.severity === 'error');
  const requests: Record<string, ProbeRequest> = {};
  for (const host of target.hosts) {
    const superset = resolveDesired(fleet, host, null);
    errors.push(...superset.diagnostics.filter((d) => d.severity === 'error'));
    requests[host] = probeRequestFor(superset.desired);
  }
  if (errors.length > 0) throw new DiagnosticError(errors);
  const targeted = new Set(target.hosts);
  const inventoryHosts = fleet.inventory.hosts.filter((h) => targeted.has(h.name));
  const results = await gatherFleet(inventoryHosts, requests, options.gather, (host, result) => digest(fleet, host, result));
  return { fleet, hosts: target.hosts, results };
}

/**
 * Gathers and plans every targeted host, each as soon as it answers: its profile is dropped once its plan
 * is made, and plans share what hosts of one kind have in common.
 */
export async function loadAndPlan(options: PipelineOptions, createdAt: string, origin?: PlanOrigin): Promise<{ loaded: Loaded; plan: Plan }> {
  const share = createPlanInterner();
  const { results, ...loaded } = await loadAndGather(options, (fleet, host, result) => share(planHost(fleet, host, result)));
  return { loaded, plan: assembleFleetPlan(loaded, results, createdAt, origin) };
}

/** Pure: one host's plan from its gathered profile (or the gather failure). */
export function planHost(fleet: Fleet, host: string, result: GatherResult): HostPlan {
  if (!result.ok) {
    return { host, status: 'error', fingerprint: '', changes: [], steps: [], diagnostics: [result.diagnostic], satisfied: 0 };
  }
  const profile: HostProfile = result.profile;
  const resolved = resolveDesired(fleet, host, hostFactsOf(profile));
  const hostPlan = buildHostPlan(resolved.desired, profile, diffHost(resolved.desired, profile));
  const diagnostics = [
    ...resolved.diagnostics.map((d) => ({ ...d, host: d.host ?? host })),
    ...hostPlan.diagnostics,
    ...diagnosePrivilege(hostPlan, profile, fleet.inventory.hosts.find((h) => h.name === host)?.connection),
  ];
  // An error (a conflict between plays, a sysctl another file overrides) means the host cannot converge as
  // declared: its steps still show, but the run must not look clean.
  const failed = diagnostics.some((d) => d.severity === 'error');
  return { ...hostPlan, status: failed ? 'error' : hostPlan.status, diagnostics };
}

/** Steps that need root on a host where the login user cannot get it: say so at plan time, not mid-apply. */
export function diagnosePrivilege(plan: HostPlan, profile: HostProfile, connection: Connection | undefined): Diagnostic[] {
  if (!plan.steps.some((s) => s.become) || profile.env.root) return [];
  const { sudo, user } = profile.env;
  if (sudo === 'nopasswd' || (sudo === 'password' && connection?.becomePassword)) {
    return connection?.become ? [] : [{ severity: 'error', code: 'become-required', host: plan.host, message: `${user} is not root and the plan needs root: set ansible_become: true for ${plan.host}` }];
  }
  const why = sudo === 'password' ? 'sudo asks for a password and the inventory has no ansible_become_password' : 'sudo is not available to it';
  return [{ severity: 'error', code: 'root-required', host: plan.host, message: `${user} is not root and ${why}: ${plan.steps.filter((s) => s.become).length} steps cannot run`, hint: 'log in as root, allow passwordless sudo, or set ansible_become_password (e.g. from a vault)' }];
}

/** `origin`: the inventory and playbooks as given, so a saved plan can be applied without naming them again. */
export interface PlanOrigin {
  inventory: string;
  playbooks: string[];
}

/** Plans hosts already gathered. */
export function planFleet(gathered: Gathered, createdAt: string, origin?: PlanOrigin): Plan {
  const share = createPlanInterner();
  const plans = Object.fromEntries(gathered.hosts.map((host) => [host, share(planHost(gathered.fleet, host, gathered.results[host]!))]));
  return assembleFleetPlan(gathered, plans, createdAt, origin);
}

function assembleFleetPlan(loaded: Loaded, plans: Record<string, HostPlan>, createdAt: string, origin: PlanOrigin | undefined): Plan {
  const hosts = loaded.hosts.map((host) => plans[host]!);
  const { hosts: planned, ...meta } = assemblePlan(hosts, { tool: TOOL, createdAt, manifestDigest: loaded.fleet.manifestDigest });
  // Before the hosts, so a person reading the file sees where it came from first.
  return { ...meta, ...(origin ? { inventory: origin.inventory, playbooks: origin.playbooks } : {}), hosts: planned };
}
