import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/diff/index.js';
import type { DesiredState, HostProfile } from '../../../src/model/index.js';
import { buildHostPlan } from '../../../src/plan/index.js';
import { aProfile } from '../../builders.js';

const full = JSON.parse(readFileSync(fileURLToPath(new URL('../../scenarios/fresh-debian-intel/desired.json', import.meta.url)), 'utf8')) as DesiredState;

function pick<T>(record: Record<string, T>, keys: string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => keys.includes(k)));
}

const desiredArb = fc
  .record({
    config: fc.subarray(Object.keys(full.kernel.config)),
    load: fc.subarray(Object.keys(full.modules.load)),
    sysctl: fc.subarray(Object.keys(full.sysctl.values)),
    cmdline: fc.subarray(Object.keys(full.cmdline.set)),
    blacklist: fc.boolean(),
  })
  .map(({ config, load, sysctl, cmdline, blacklist }): DesiredState => ({
    ...full,
    kernel: { ...full.kernel, config: pick(full.kernel.config, config) },
    modules: { ...full.modules, load: pick(full.modules.load, load), blacklist: blacklist ? { nouveau: { file: 'p.yml', line: 1, col: 1 } } : {} },
    sysctl: { ...full.sysctl, values: pick(full.sysctl.values, sysctl) },
    cmdline: { ...full.cmdline, set: pick(full.cmdline.set, cmdline) },
  }));

const profileArb = fc
  .record({
    loader: fc.constantFrom('grub', 'grub-bls', 'systemd-boot', 'extlinux', 'none'),
    family: fc.constantFrom('debian', 'rhel', 'arch', 'alpine', 'suse'),
    container: fc.boolean(),
    wsl: fc.boolean(),
    vfioOff: fc.boolean(),
    loaded: fc.subarray(['vfio_pci', 'br_netfilter', 'nouveau', 'overlay']),
  })
  .map(({ loader, family, container, wsl, vfioOff, loaded }): HostProfile =>
    aProfile({
      os: { family },
      env: { container, wsl },
      kernel: { config: vfioOff ? { CONFIG_VFIO_PCI: 'n' } : {} },
      modules: { loaded, initramfs: ['nouveau'] },
      boot: { loader },
    }),
  );

describe('plan invariants', () => {
  it('hold for any mix of desired items and host kinds', () => {
    // Random subsets of the debvisor playbook against Debian-based hosts of every loader, family and environment.
    fc.assert(
      fc.property(desiredArb, profileArb, (desired, profile) => {
        const diff = diffHost(desired, profile);
        const plan = buildHostPlan(desired, profile, diff);
        const changeIds = plan.changes.map((c) => c.id);
        expect(new Set(changeIds).size).toBe(changeIds.length);
        const stepIds = plan.steps.map((s) => s.id);
        expect(new Set(stepIds).size).toBe(stepIds.length);
        const paths = plan.steps.flatMap((s) => s.files.map((f) => f.path));
        expect(new Set(paths).size).toBe(paths.length);
        const covered = plan.steps.flatMap((s) => s.changes);
        expect(covered.sort()).toEqual(plan.changes.filter((c) => c.blocked === undefined).map((c) => c.id).sort());
        expect(plan.steps.filter((s) => s.risk === 'high').every((s) => !s.autoExecute && (s.runbook?.length ?? 0) > 0)).toBe(true);
        const reboot = stepIds.indexOf('reboot');
        expect(reboot === -1 || reboot === stepIds.length - 1).toBe(true);
        expect(plan.changes.every((c) => c.rollback.length > 0 && c.dependsOn.every((d) => changeIds.includes(d)))).toBe(true);
        if (profile.env.container) expect(plan.steps).toEqual([]);
        expect(buildHostPlan(desired, profile, diffHost(desired, profile))).toEqual(plan);
      }),
      { numRuns: 150 },
    );
  });
});
