// Pure: changes → ordered steps (one write per file, one bootloader update, one reboot per host).
import type { DesiredState, HostPlan, HostProfile, Plan } from '../model/index.js';
import type { DiffResult } from '../diff/index.js';

export function buildHostPlan(desired: DesiredState, profile: HostProfile, diff: DiffResult): HostPlan {
  throw new Error('not implemented: buildHostPlan');
}

export function assemblePlan(hosts: HostPlan[], meta: { tool: string; createdAt: string; manifestDigest: string }): Plan {
  return { format_version: '1.0', tool: meta.tool, createdAt: meta.createdAt, manifestDigest: meta.manifestDigest, hosts };
}
