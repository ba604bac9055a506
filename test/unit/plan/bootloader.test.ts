import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/diff/index.js';
import type { DesiredState, HostProfile } from '../../../src/model/index.js';
import { buildHostPlan } from '../../../src/plan/index.js';
import { aDesired, aProfile, at, DEBIAN_DEFAULT_GRUB } from '../../builders.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const CLOUD_DROPIN = fixture('ubuntu-22.04-cloudimg-aws-5.15-grub.d-50-cloudimg-settings.cfg');
const RHEL_GRUB = fixture('rhel-10-6.12-default-grub');
const PROXMOX_CMDLINE = fixture('proxmox-8-6.8-kernel-cmdline');

function bootloaderStep(desired: DesiredState, profile: HostProfile) {
  const plan = buildHostPlan(desired, profile, diffHost(desired, profile));
  return plan.steps.find((s) => s.id === 'bootloader:update');
}

const want = (key: string, value: string | null, target: 'GRUB_CMDLINE_LINUX' | 'GRUB_CMDLINE_LINUX_DEFAULT' = 'GRUB_CMDLINE_LINUX') =>
  aDesired({ cmdline: { set: { [key]: { value, target, source: at(9) } } } });

describe('bootloader:update', () => {
  it('edits the cloud-image drop-in that decides GRUB_CMDLINE_LINUX_DEFAULT, not /etc/default/grub', () => {
    // An Ubuntu cloud image: 50-cloudimg-settings.cfg overrides the main file's _DEFAULT.
    const profile = aProfile({
      os: { id: 'ubuntu', family: 'debian', version: '22.04', prettyName: 'Ubuntu 22.04.4 LTS' },
      boot: { files: [{ path: '/etc/default/grub', content: DEBIAN_DEFAULT_GRUB }, { path: '/etc/default/grub.d/50-cloudimg-settings.cfg', content: CLOUD_DROPIN }] },
    });
    const step = bootloaderStep(want('kvm.ignore_msrs', '1', 'GRUB_CMDLINE_LINUX_DEFAULT'), profile);
    const edited = step?.files.filter((f) => f.path.startsWith('/etc/default'));
    expect(edited?.map((f) => f.path)).toEqual(['/etc/default/grub.d/50-cloudimg-settings.cfg']);
    expect(edited?.[0]?.after).toContain('GRUB_CMDLINE_LINUX_DEFAULT="console=tty1 console=ttyS0 nvme_core.io_timeout=4294967295 kvm.ignore_msrs=1"');
    expect(step?.commands).toEqual([['update-grub']]);
  });

  it('edits a parameter where it already is when it sits in the other variable', () => {
    // iommu=off sits in _DEFAULT; the play targets _LINUX and wants iommu=pt.
    const desired = aDesired({ cmdline: { set: { iommu: { value: 'pt', target: 'GRUB_CMDLINE_LINUX', source: at(1) } } } });
    const profile = aProfile({ boot: { files: [{ path: '/etc/default/grub', content: DEBIAN_DEFAULT_GRUB.replace('"quiet"', '"quiet iommu=off"') }] } });
    const after = bootloaderStep(desired, profile)?.files[0]?.after ?? '';
    expect(after).toContain('GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"');
    expect(after).toContain('GRUB_CMDLINE_LINUX=""');
  });

  it('uses grubby on RHEL with BLS and still edits /etc/default/grub for future kernels', () => {
    // A RHEL 10 host whose /etc/default/grub enables BLS.
    const profile = aProfile({
      os: { id: 'rhel', family: 'rhel', version: '10.0', prettyName: 'Red Hat Enterprise Linux 10.0' },
      boot: { loader: 'grub-bls', files: [{ path: '/etc/default/grub', content: RHEL_GRUB }] },
    });
    const desired = aDesired({ cmdline: { set: { intel_iommu: { value: 'on', target: 'GRUB_CMDLINE_LINUX', source: at(1) } }, remove: { rhgb: at(2) } } });
    const step = bootloaderStep(desired, profile);
    expect(step?.commands).toEqual([['grubby', '--update-kernel=ALL', '--args=intel_iommu=on', '--remove-args=rhgb']]);
    expect(step?.files[0]?.after).toContain('rd.lvm.lv=rhel_vbox/swap quiet intel_iommu=on"');
  });

  it('regenerates grub.cfg with grub-mkconfig on Arch', () => {
    // Arch keeps grub.cfg under /boot/grub.
    const profile = aProfile({ os: { id: 'arch', family: 'arch', version: '', prettyName: 'Arch Linux' } });
    expect(bootloaderStep(want('iommu', 'pt'), profile)?.commands).toEqual([['grub-mkconfig', '-o', '/boot/grub/grub.cfg']]);
  });

  it('edits /etc/kernel/cmdline and runs kernel-install on systemd-boot', () => {
    // A Proxmox host booting through systemd-boot already passes intel_iommu=on.
    const profile = aProfile({ boot: { loader: 'systemd-boot', files: [{ path: '/etc/kernel/cmdline', content: PROXMOX_CMDLINE }] } });
    const step = bootloaderStep(want('hugepages', '16'), profile);
    expect(step?.files[0]).toMatchObject({ path: '/etc/kernel/cmdline', before: PROXMOX_CMDLINE });
    expect(step?.files[0]?.after).toBe(`${PROXMOX_CMDLINE.trim()} hugepages=16\n`);
    expect(step?.commands).toEqual([['kernel-install', 'add', '6.1.0-18-amd64', '/boot/vmlinuz-6.1.0-18-amd64']]);
  });

  it('edits default_kernel_opts and runs update-extlinux on Alpine', () => {
    // Alpine with extlinux.
    const conf = 'overwrite=1\nvga=\ndefault_kernel_opts="quiet rootfstype=ext4"\nmodules=sd-mod,usb-storage,ext4\n';
    const profile = aProfile({ os: { id: 'alpine', family: 'alpine', version: '3.20', prettyName: 'Alpine' }, boot: { loader: 'extlinux', files: [{ path: '/etc/update-extlinux.conf', content: conf }] } });
    const step = bootloaderStep(want('iommu', 'pt'), profile);
    expect(step?.files[0]?.after).toBe(conf.replace('rootfstype=ext4"', 'rootfstype=ext4 iommu=pt"'));
    expect(step?.commands).toEqual([['update-extlinux']]);
  });

  it('records added parameters in the ledger and keeps it out of the plan when nothing changes', () => {
    // A fresh host: kernfleet adds intel_iommu=on and must remember it did.
    const step = bootloaderStep(want('intel_iommu', 'on'), aProfile());
    const ledger = step?.files.find((f) => f.path === '/var/lib/kernfleet/ledger.json');
    expect(JSON.parse(ledger?.after ?? '{}')).toEqual({ format_version: '1.0', cmdline: { added: { intel_iommu: 'on' } } });
  });

  it('does not claim a hand-set parameter in the ledger when only its value changes', () => {
    // The operator wrote iommu=off; the playbook wants iommu=pt.
    const profile = aProfile({ boot: { files: [{ path: '/etc/default/grub', content: DEBIAN_DEFAULT_GRUB.replace('GRUB_CMDLINE_LINUX=""', 'GRUB_CMDLINE_LINUX="iommu=off"') }] } });
    const step = bootloaderStep(want('iommu', 'pt'), profile);
    expect(step?.files.map((f) => f.path)).toEqual(['/etc/default/grub']);
  });

  it('warns about an unreadable ledger and removes nothing as kernfleet\'s own', () => {
    // The ledger file was truncated.
    const profile = aProfile({ kernfleet: { ledger: { path: '/var/lib/kernfleet/ledger.json', content: '{"format_version":' } } });
    const result = diffHost(aDesired(), profile);
    expect(result.changes).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'ledger-unreadable', severity: 'warning' })]);
  });
});

describe('bootloader:update with a parameter in both GRUB variables', () => {
  it('keeps it once, in _DEFAULT which grub appends last', () => {
    // iommu=off is written in both variables; the playbook wants iommu=pt.
    const grub = DEBIAN_DEFAULT_GRUB.replace('"quiet"', '"quiet iommu=off"').replace('GRUB_CMDLINE_LINUX=""', 'GRUB_CMDLINE_LINUX="iommu=off console=ttyS0"');
    const profile = aProfile({ boot: { files: [{ path: '/etc/default/grub', content: grub }] } });
    const after = bootloaderStep(want('iommu', 'pt'), profile)?.files[0]?.after ?? '';
    expect(after).toContain('GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"');
    expect(after).toContain('GRUB_CMDLINE_LINUX="console=ttyS0"');
  });
});
