// A drift report for a fleet of any size, built by the real drift code from a few host situations
// repeated over the fleet: most hosts untouched since the apply, some with a sysctl set by hand, some
// with a shadowing sysctl.d file, a few with a reboot pending, and one host that was unreachable.
import { diffHost } from '../../../src/diff/index.js';
import { buildDriftReport, type DriftInput } from '../../../src/drift/report.js';
import type { DriftReport } from '../../../src/model/generated/drift.js';
import type { HostProfile } from '../../../src/model/index.js';
import { aHypervisorDesired, anAppliedProfile } from './drift-builders.js';

export const CHECKED_AT = '2026-11-23T12:00:00Z';

type Situation = 'clean' | 'sysctl-w' | 'shadowed' | 'reboot' | 'unreachable';

function situationOf(index: number, size: number): Situation {
  if (index === size - 1) return 'unreachable';
  if (index % 10 === 1) return 'sysctl-w';
  if (index % 25 === 2) return 'shadowed';
  if (index % 50 === 3) return 'reboot';
  return 'clean';
}

export function hostName(index: number): string {
  return `hv${String(index + 1).padStart(3, '0')}`;
}

export function aFleetDriftReport(size: number): DriftReport {
  const desired = aHypervisorDesired();
  const applied = anAppliedProfile(desired);
  const pending = anAppliedProfile(desired, { reboot: false });
  const inputs: DriftInput[] = [];
  for (let index = 0; index < size; index += 1) {
    const host = hostName(index);
    const situation = situationOf(index, size);
    if (situation === 'unreachable') {
      inputs.push({ host, gathered: false, diagnostic: { severity: 'error', code: 'ssh-unreachable', message: `${host}: connect ECONNREFUSED` } });
      continue;
    }
    const profile: HostProfile = structuredClone(situation === 'reboot' ? pending : applied);
    profile.host = host;
    if (situation === 'sysctl-w') profile.sysctl.live['vm.swappiness'] = '60';
    if (situation === 'shadowed') profile.sysctl.files.push({ path: '/etc/sysctl.d/zz-tuning.conf', content: 'net.ipv4.ip_forward = 0\n' });
    inputs.push({ host, gathered: true, profile, desired: { ...desired, host }, diff: diffHost(desired, profile), diagnostics: [] });
  }
  return buildDriftReport(inputs, { tool: 'kernfleet 0.1.0', checkedAt: CHECKED_AT, manifestDigest: 'sha256:0f1e' });
}
