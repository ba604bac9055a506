// Pure: changes → ordered steps (one write per file, one bootloader update, one reboot per host).
import type { DesiredState, HostPlan, HostProfile, Plan } from '../model/index.js';
import type { DiffResult } from '../diff/index.js';
import { orderSteps } from './order.js';
import { buildSteps } from './steps.js';

export function buildHostPlan(desired: DesiredState, profile: HostProfile, diff: DiffResult): HostPlan {
  const steps = orderSteps(buildSteps(desired, profile, diff.changes), diff.changes);
  return {
    host: profile.host,
    // A container shares its host's kernel: nothing here is kernfleet's to change.
    status: profile.env.container ? 'skipped' : 'ok',
    fingerprint: profile.fingerprint,
    changes: diff.changes,
    steps,
    diagnostics: diff.diagnostics.map((d) => (d.host === undefined ? { ...d, host: profile.host } : d)),
    satisfied: diff.satisfied,
  };
}

export function assemblePlan(hosts: HostPlan[], meta: { tool: string; createdAt: string; manifestDigest: string }): Plan {
  return { format_version: '1.0', tool: meta.tool, createdAt: meta.createdAt, manifestDigest: meta.manifestDigest, hosts };
}

export { createPlanInterner, createSharer, type PlanInterner } from './intern.js';
