import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/diff/index.js';
import type { DesiredState } from '../../../src/model/index.js';
import { aDesired, aProfile, at, DEBIAN_DEFAULT_GRUB, DEBIAN_PROC_CMDLINE, type DeepPartial } from '../../builders.js';

const ids = (r: { changes: { id: string }[] }) => r.changes.map((c) => c.id);

function wantIommu(extra: DeepPartial<DesiredState> = {}): DesiredState {
  return aDesired({
    cmdline: { set: { intel_iommu: { value: 'on', target: 'GRUB_CMDLINE_LINUX', source: at(70) }, iommu: { value: 'pt', target: 'GRUB_CMDLINE_LINUX', source: at(71) } } },
    ...extra,
  });
}

const grubWith = (linux: string) => DEBIAN_DEFAULT_GRUB.replace('GRUB_CMDLINE_LINUX=""', `GRUB_CMDLINE_LINUX="${linux}"`);

describe('kernel command line', () => {
  it('updates the bootloader and then needs a reboot on a fresh host', () => {
    // Neither /etc/default/grub nor the running kernel has the IOMMU parameters.
    const result = diffHost(wantIommu(), aProfile());
    expect(ids(result)).toEqual(['cmdline:intel_iommu:update-bootloader', 'cmdline:iommu:update-bootloader', 'boot:cmdline:reboot']);
    expect(result.changes[0]).toMatchObject({ layer: 'persisted', from: null, to: 'intel_iommu=on', risk: 'medium', restart: 'system' });
    expect(result.changes[2]).toMatchObject({
      area: 'boot',
      layer: 'live',
      risk: 'medium',
      autoExecute: true,
      restart: 'system',
      dependsOn: ['cmdline:intel_iommu:update-bootloader', 'cmdline:iommu:update-bootloader'],
    });
  });

  it('derives a pending reboot when the configuration and boot entry already have the parameters', () => {
    // A previous run updated GRUB but nobody rebooted yet.
    const configured = `${DEBIAN_PROC_CMDLINE} intel_iommu=on iommu=pt`;
    const profile = aProfile({ boot: { files: [{ path: '/etc/default/grub', content: grubWith('intel_iommu=on iommu=pt') }], nextBootCmdlines: [configured] } });
    const result = diffHost(wantIommu(), profile);
    expect(ids(result)).toEqual(['boot:cmdline:reboot']);
    expect(result.changes[0]?.reason).toContain('reboot pending');
    expect(result.satisfied).toBe(0);
  });

  it('regenerates the boot entry when only /etc/default/grub was edited', () => {
    // Someone edited /etc/default/grub by hand and forgot update-grub.
    const profile = aProfile({ boot: { files: [{ path: '/etc/default/grub', content: grubWith('intel_iommu=on iommu=pt') }] } });
    const result = diffHost(wantIommu(), profile);
    expect(result.changes.filter((c) => c.action === 'update-bootloader').map((c) => c.layer)).toEqual(['next-boot', 'next-boot']);
  });

  it('counts parameters that hold in all three places as satisfied', () => {
    // The host booted with the parameters after a complete earlier run.
    const line = `${DEBIAN_PROC_CMDLINE} intel_iommu=on iommu=pt`;
    const profile = aProfile({ boot: { files: [{ path: '/etc/default/grub', content: grubWith('intel_iommu=on iommu=pt') }], nextBootCmdlines: [line], procCmdline: line } });
    expect(diffHost(wantIommu(), profile)).toMatchObject({ changes: [], satisfied: 2 });
  });

  it('removes a parameter kernfleet added once and no play sets any more, but not a hand-set one', () => {
    // The ledger says kernfleet added hugepages=16; the operator added mitigations=off by hand.
    const line = `${DEBIAN_PROC_CMDLINE} hugepages=16 mitigations=off`;
    const profile = aProfile({
      boot: { files: [{ path: '/etc/default/grub', content: grubWith('hugepages=16 mitigations=off') }], nextBootCmdlines: [line], procCmdline: line },
      kernfleet: { ledger: { path: '/var/lib/kernfleet/ledger.json', content: '{"format_version":"1.0","cmdline":{"added":{"hugepages":"16"}}}\n' } },
    });
    const result = diffHost(aDesired(), profile);
    expect(ids(result)).toEqual(['cmdline:hugepages:update-bootloader', 'boot:cmdline:reboot']);
    expect(result.changes[0]).toMatchObject({ from: 'hugepages=16', to: null });
    expect(result.changes[0]?.reason).toContain('ledger');
  });

  it('removes a parameter the playbook lists under remove', () => {
    // quiet hides boot messages an operator wants to see.
    const result = diffHost(aDesired({ cmdline: { remove: { quiet: at(80) } } }), aProfile());
    expect(result.changes[0]).toMatchObject({ id: 'cmdline:quiet:update-bootloader', from: 'quiet', to: null, source: at(80) });
  });

  it('blocks every parameter on WSL with the .wslconfig instructions', () => {
    // WSL2: the command line lives on the Windows side.
    const profile = aProfile({ env: { wsl: true }, boot: { loader: 'none', files: [], nextBootCmdlines: [], procCmdline: 'initrd=\\initrd.img WSL_ROOT_INIT=1 panic=-1 nr_cpus=8' } });
    const result = diffHost(wantIommu(), profile);
    expect(result.changes.map((c) => c.blocked)).toEqual([
      'edit kernelCommandLine in %UserProfile%\\.wslconfig on Windows, then wsl --shutdown',
      'edit kernelCommandLine in %UserProfile%\\.wslconfig on Windows, then wsl --shutdown',
    ]);
  });

  it('blocks a parameter whose deciding GRUB line is not a plain assignment', () => {
    // GRUB_CMDLINE_LINUX is computed by a command substitution.
    const profile = aProfile({ boot: { files: [{ path: '/etc/default/grub', content: DEBIAN_DEFAULT_GRUB.replace('GRUB_CMDLINE_LINUX=""', 'GRUB_CMDLINE_LINUX="$(cat /etc/cmdline.extra)"') }] } });
    const result = diffHost(wantIommu(), profile);
    expect(result.changes.filter((c) => c.area === 'cmdline').every((c) => c.blocked?.includes('edit by hand'))).toBe(true);
    expect(ids(result)).not.toContain('boot:cmdline:reboot');
  });
});
