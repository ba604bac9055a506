// Builders for drift tests: a small hypervisor playbook, a host that kernfleet applied it to (the
// simulated apply of test/builders.ts plus the ledger record apply writes), and the drift of a host.
import { diffHost } from '../../../src/diff/index.js';
import { buildHostDrift } from '../../../src/drift/report.js';
import { buildLastApply, renderLedgerWithLastApply } from '../../../src/drift/last-apply.js';
import type { DriftHost } from '../../../src/model/generated/drift.js';
import type { DesiredState, HostProfile } from '../../../src/model/index.js';
import { LEDGER_PATH } from '../../../src/plan/ledger.js';
import { buildHostPlan } from '../../../src/plan/index.js';
import { aDesired, aProfile, aProfileAfter, at, type DeepPartial } from '../../builders.js';

export const APPLIED_AT = '2026-11-20T10:00:00Z';
export const RUN = 'r20261120-1000';

export function aHypervisorDesired(overrides: DeepPartial<DesiredState> = {}): DesiredState {
  return aDesired({
    kernel: { config: { CONFIG_VFIO_PCI: { want: 'm', level: 'required', source: at(8) } } },
    modules: { load: { vfio_pci: at(12), br_netfilter: at(13) } },
    sysctl: {
      values: {
        'vm.swappiness': { value: '10', source: at(20) },
        'net.ipv4.ip_forward': { value: '1', source: at(21) },
        'net.bridge.bridge-nf-call-iptables': { value: '1', source: at(22) },
      },
    },
    cmdline: { set: { intel_iommu: { value: 'on', target: 'GRUB_CMDLINE_LINUX', source: at(30) }, 'iommu': { value: 'pt', target: 'GRUB_CMDLINE_LINUX', source: at(31) } } },
    ...overrides,
  } as DeepPartial<DesiredState>);
}

/** The profile a re-gather sees after kernfleet applied `desired` (and rebooted, unless told not to), with apply's ledger record. */
export function anAppliedProfile(desired: DesiredState, options: { reboot?: boolean; profile?: HostProfile } = {}): HostProfile {
  const before = options.profile ?? aProfile();
  const plan = buildHostPlan(desired, before, diffHost(desired, before));
  const steps = options.reboot === false ? { ...plan, steps: plan.steps.filter((s) => s.id !== 'reboot') } : plan;
  const after = aProfileAfter(before, desired, steps);
  recordApply(after, desired);
  return after;
}

/** Writes apply's last_apply record into the profile's ledger, as apply does after its re-gather. */
export function recordApply(profile: HostProfile, desired: DesiredState, run = RUN): void {
  const content = renderLedgerWithLastApply(profile.kernfleet.ledger?.content ?? null, buildLastApply({ run, at: APPLIED_AT }, desired, profile));
  profile.kernfleet.ledger = { path: LEDGER_PATH, content };
}

export function driftOf(profile: HostProfile, desired: DesiredState): DriftHost {
  return buildHostDrift({ host: profile.host, gathered: true, profile, desired, diff: diffHost(desired, profile), diagnostics: [] });
}

export function causesOf(drift: DriftHost): string[] {
  return drift.findings.map((f) => `${f.id} ${f.layer} ${f.cause}`);
}
