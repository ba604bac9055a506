import { describe, expect, it } from 'vitest';
import { buildDriftReport, buildHostDrift, DRIFT_FORMAT_VERSION } from '../../../src/drift/report.js';
import { diffHost } from '../../../src/diff/index.js';
import { aProfile, deepMerge } from '../../builders.js';
import { aHypervisorDesired, anAppliedProfile, causesOf, driftOf, RUN } from './drift-builders.js';

describe('buildHostDrift after an apply', () => {
  it('reports a host that kernfleet applied and nobody touched as clean, with its last apply', () => {
    // kernfleet applied the playbook and rebooted; nothing changed since.
    const desired = aHypervisorDesired();
    const drift = driftOf(anAppliedProfile(desired), desired);
    expect(drift.status).toBe('clean');
    expect(drift.findings).toEqual([]);
    expect(drift.lastApply).toMatchObject({ run: RUN, playbookChanged: false });
  });

  it('says a sysctl set by hand after the apply changed since the apply, in the live layer only', () => {
    // An operator ran `sysctl -w vm.swappiness=60` on an applied host.
    const desired = aHypervisorDesired();
    const profile = anAppliedProfile(desired);
    profile.sysctl.live['vm.swappiness'] = '60';
    const drift = driftOf(profile, desired);
    expect(drift.status).toBe('drifted');
    expect(causesOf(drift)).toEqual(['sysctl:vm.swappiness:set-live live changed-since-apply']);
    expect(drift.findings[0]).toMatchObject({ expected: '10', actual: '60', declared: { line: 20 } });
  });

  it('says unloaded modules were unloaded, and that a key living in one of them went with it', () => {
    // vfio_pci and br_netfilter were unloaded by hand; net.bridge.* disappeared with br_netfilter.
    const desired = aHypervisorDesired();
    const profile = anAppliedProfile(desired);
    profile.modules.loaded = profile.modules.loaded.filter((m) => m !== 'vfio_pci' && m !== 'br_netfilter');
    profile.sysctl.live['net.bridge.bridge-nf-call-iptables'] = null;
    expect(causesOf(driftOf(profile, desired))).toEqual([
      'module:vfio_pci:load live module-unloaded',
      'module:br_netfilter:load live module-unloaded',
      'sysctl:net.bridge.bridge-nf-call-iptables:set-live live module-unloaded',
    ]);
  });

  it('names the later sysctl.d file and line that shadows kernfleet\'s value', () => {
    // A local file sorting after 99-debvisor.conf sets vm.swappiness again.
    const desired = aHypervisorDesired();
    const profile = anAppliedProfile(desired);
    profile.sysctl.files.push({ path: '/etc/sysctl.d/99-zz-local.conf', content: '# local tuning\nvm.swappiness = 30\n' });
    const drift = driftOf(profile, desired);
    expect(causesOf(drift)).toEqual(['sysctl:vm.swappiness:persist persisted shadowed']);
    expect(drift.findings[0]).toMatchObject({ actual: '30', source: { file: '/etc/sysctl.d/99-zz-local.conf', line: 2 } });
    // The plan's sysctl-overridden error is this finding: it does not turn the host into an error.
    expect(drift.diagnostics.map((d) => d.code)).not.toContain('sysctl-overridden');
    expect(drift.status).toBe('drifted');
  });

  it('blames a GRUB drop-in that replaces the command line kernfleet configured', () => {
    // A drop-in assigns GRUB_CMDLINE_LINUX from scratch, dropping intel_iommu and iommu.
    const desired = aHypervisorDesired();
    const profile = anAppliedProfile(desired);
    profile.boot.files.push({ path: '/etc/default/grub.d/99-console.cfg', content: '# serial console\nGRUB_CMDLINE_LINUX="console=ttyS0"\n' });
    const drift = driftOf(profile, desired);
    expect(causesOf(drift)).toEqual([
      'cmdline:intel_iommu:update-bootloader persisted dropin-override',
      'cmdline:iommu:update-bootloader persisted dropin-override',
    ]);
    expect(drift.findings[0]?.source).toEqual({ file: '/etc/default/grub.d/99-console.cfg', line: 2 });
  });

  it('calls a parameter removed from /etc/default/grub itself a change since the apply, not a drop-in', () => {
    // Someone edited GRUB_CMDLINE_LINUX in /etc/default/grub and took iommu=pt out.
    const desired = aHypervisorDesired();
    const profile = anAppliedProfile(desired);
    const grub = profile.boot.files.find((f) => f.path === '/etc/default/grub');
    if (!grub) throw new Error('fixture has no /etc/default/grub');
    grub.content = grub.content.replace(' iommu=pt', '');
    const drift = driftOf(profile, desired);
    expect(causesOf(drift)).toEqual(['cmdline:iommu:update-bootloader persisted changed-since-apply']);
    expect(drift.findings[0]?.source?.file).toBe('/etc/default/grub');
  });

  it('says a kernel config that lost an option since the apply is a kernel change', () => {
    // /boot/config of the same release was swapped for one without CONFIG_VFIO_PCI.
    const desired = aHypervisorDesired();
    const profile = anAppliedProfile(desired);
    profile.kernel.config['CONFIG_VFIO_PCI'] = null;
    const drift = driftOf(profile, desired);
    expect(causesOf(drift)).toEqual(['kconfig:CONFIG_VFIO_PCI:rebuild-kernel running-kernel kernel-changed']);
    expect(drift.findings[0]?.detail).toContain('CONFIG_VFIO_PCI was m');
  });

  it('says a module that no longer exists after a kernel upgrade is a kernel change', () => {
    // The host booted a new kernel that has no vfio_pci module.
    const desired = aHypervisorDesired();
    const profile = deepMerge(anAppliedProfile(desired), { kernel: { release: '6.12.0-1-amd64' }, modules: { available: { vfio_pci: false } } });
    profile.modules.loaded = profile.modules.loaded.filter((m) => m !== 'vfio_pci');
    const drift = driftOf(profile, desired);
    expect(causesOf(drift)).toContain('module:vfio_pci:load live kernel-changed');
    expect(drift.findings.find((f) => f.subject === 'vfio_pci')?.detail).toContain('6.1.0-18-amd64');
  });

  it('reports a command line configured by the apply but not booted yet as a pending reboot', () => {
    // apply updated GRUB but the operator did not let it reboot.
    const desired = aHypervisorDesired();
    const drift = driftOf(anAppliedProfile(desired, { reboot: false }), desired);
    expect(causesOf(drift)).toEqual(['boot:cmdline:reboot live reboot-pending']);
    expect(drift.findings[0]?.detail).toContain('no reboot since');
  });

  it('says a value the playbook changed after the apply was never applied, and flags the playbook change', () => {
    // The playbook now wants vm.swappiness 5; the host still has the 10 kernfleet applied.
    const applied = aHypervisorDesired();
    const profile = anAppliedProfile(applied);
    const desired = deepMerge(applied, { sysctl: { values: { 'vm.swappiness': { value: '5' } } } });
    const drift = driftOf(profile, desired);
    expect(drift.lastApply?.playbookChanged).toBe(true);
    expect(causesOf(drift)).toEqual(['sysctl:vm.swappiness:set-live live never-applied', 'sysctl:vm.swappiness:persist persisted never-applied']);
    expect(drift.findings[0]?.detail).toContain('left 10');
  });
});

describe('buildHostDrift without an apply', () => {
  it('says every difference on a host kernfleet never applied to was never applied', () => {
    // A fresh Debian host with no ledger.
    const desired = aHypervisorDesired();
    const drift = driftOf(aProfile(), desired);
    expect(drift.lastApply).toBeUndefined();
    expect(drift.findings.length).toBeGreaterThan(5);
    expect(new Set(drift.findings.map((f) => f.cause))).toEqual(new Set(['never-applied']));
  });

  it('warns about a last_apply record it cannot read and treats the host as never applied', () => {
    // The ledger's last_apply was hand-edited into something else.
    const desired = aHypervisorDesired();
    const profile = anAppliedProfile(desired);
    profile.kernfleet.ledger = { path: '/var/lib/kernfleet/ledger.json', content: '{"format_version":"1.0","cmdline":{"added":{}},"last_apply":{"run":1}}' };
    profile.sysctl.live['vm.swappiness'] = '60';
    const drift = driftOf(profile, desired);
    expect(drift.diagnostics.map((d) => d.code)).toContain('last-apply-unreadable');
    expect(drift.findings.find((f) => f.id === 'sysctl:vm.swappiness:set-live')?.cause).toBe('never-applied');
  });

  it('skips a container and reports a host that could not be gathered as an error', () => {
    // One host is a container, one was unreachable.
    const desired = aHypervisorDesired();
    const container = deepMerge(aProfile(), { host: 'ct1', env: { container: true, containerKind: 'lxc' } });
    const skipped = buildHostDrift({ host: 'ct1', gathered: true, profile: container, desired, diff: diffHost(desired, container), diagnostics: [] });
    const failed = buildHostDrift({ host: 'hv9', gathered: false, diagnostic: { severity: 'error', code: 'ssh-unreachable', message: 'connection refused' } });
    expect([skipped.status, skipped.findings.length]).toEqual(['skipped', 0]);
    expect(failed).toMatchObject({ status: 'error', diagnostics: [{ code: 'ssh-unreachable', host: 'hv9' }] });
  });
});

describe('buildDriftReport', () => {
  it('carries the format version, the meta data and one entry per input host in order', () => {
    // Two hosts: one drifted, one unreachable.
    const desired = aHypervisorDesired();
    const profile = anAppliedProfile(desired);
    profile.sysctl.live['net.ipv4.ip_forward'] = '0';
    const report = buildDriftReport(
      [
        { host: 'hv1', gathered: true, profile, desired, diff: diffHost(desired, profile), diagnostics: [] },
        { host: 'hv2', gathered: false, diagnostic: { severity: 'error', code: 'probe-failed', message: 'probe exited with 2' } },
      ],
      { tool: 'kernfleet 0.1.0', checkedAt: '2026-11-23T12:00:00Z', manifestDigest: 'sha256:abc' },
    );
    expect(report.format_version).toBe(DRIFT_FORMAT_VERSION);
    expect(report.hosts.map((h) => `${h.host}:${h.status}`)).toEqual(['hv1:drifted', 'hv2:error']);
    expect(report.checkedAt).toBe('2026-11-23T12:00:00Z');
  });
});
