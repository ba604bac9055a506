import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/diff/index.js';
import type { DesiredState, HostProfile } from '../../../src/model/index.js';
import { buildHostPlan } from '../../../src/plan/index.js';
import { aDesired, aProfile, at } from '../../builders.js';

function planFor(desired: DesiredState, profile: HostProfile) {
  return buildHostPlan(desired, profile, diffHost(desired, profile));
}

const hypervisor = aDesired({
  kernel: { config: { CONFIG_VFIO_PCI: { want: 'm', level: 'required', source: at(1) } } },
  modules: { load: { vfio_pci: at(2), br_netfilter: at(3) }, blacklist: { nouveau: at(4) } },
  sysctl: { values: { 'net.bridge.bridge-nf-call-iptables': { value: '1', source: at(5) }, 'net.ipv4.ip_forward': { value: '1', source: at(6) } } },
  cmdline: { set: { intel_iommu: { value: 'on', target: 'GRUB_CMDLINE_LINUX', source: at(7) } } },
});

describe('buildHostPlan', () => {
  it('orders dependencies first, then low, medium, high, and the reboot last', () => {
    // Everything at once on a host whose config lacks CONFIG_VFIO_PCI but still has a vfio_pci module file.
    const profile = aProfile({ kernel: { config: { CONFIG_VFIO_PCI: 'n' } }, modules: { loaded: ['nouveau'] } });
    const plan = planFor(hypervisor, profile);
    const order = plan.steps.map((s) => s.id);
    expect(order.slice(-3)).toEqual(['bootloader:update', 'kernel:rebuild', 'reboot']);
    expect(order.indexOf('module:br_netfilter:load')).toBeLessThan(order.indexOf('sysctl:net.bridge.bridge-nf-call-iptables:set-live'));
    expect(order.indexOf('module:nouveau:unload')).toBeGreaterThan(order.indexOf('sysctl:net.ipv4.ip_forward:set-live'));
    const ranks = plan.steps.slice(0, -1).map((s) => ({ low: 0, medium: 1, high: 2 })[s.risk]);
    expect(ranks).toEqual([...ranks].sort());
  });

  it('puts a dependency before a lower-risk step that waits for it', () => {
    // A read-only parameter forces a medium reload; nothing low may wait on it, but a file must precede it.
    const profile = aProfile({ modules: { params: { 'kvm_intel.nested': 'N' } } });
    const plan = planFor(aDesired({ modules: { options: { kvm_intel: { nested: { value: 'Y', source: at(1) } } } } }), profile);
    expect(plan.steps.map((s) => s.id)).toEqual(['file:/etc/modprobe.d/debvisor-options.conf', 'module:kvm_intel:reload']);
    expect(plan.steps[1]?.commands).toEqual([['modprobe', '-r', 'kvm_intel'], ['modprobe', 'kvm_intel']]);
  });

  it('writes each file once with its before and after, and loads with argv and a /proc/modules check', () => {
    // Two modules to persist share one modules-load.d file.
    const plan = planFor(aDesired({ modules: { load: { vfio_pci: at(1), vhost_net: at(2) } } }), aProfile());
    const fileSteps = plan.steps.filter((s) => s.id.startsWith('file:'));
    expect(fileSteps).toHaveLength(1);
    expect(fileSteps[0]?.changes).toEqual(['module:vfio_pci:persist', 'module:vhost_net:persist']);
    expect(fileSteps[0]?.files).toEqual([{ path: '/etc/modules-load.d/debvisor.conf', before: null, after: expect.stringMatching(/^# Managed by kernfleet.*\nvfio_pci\nvhost_net\n$/s), mode: '0644' }]);
    const load = plan.steps.find((s) => s.id === 'module:vfio_pci:load');
    expect(load).toMatchObject({ commands: [['modprobe', 'vfio_pci']], verify: [['grep', '-q', '^vfio_pci ', '/proc/modules']], become: true, risk: 'low', rollback: 'modprobe -r vfio_pci' });
  });

  it('folds every unmet option into one manual kernel:rebuild with a runbook', () => {
    // Two required options are off on a Debian host.
    const desired = aDesired({ kernel: { config: { CONFIG_VFIO_PCI: { want: 'm', level: 'required', source: at(1) }, CONFIG_VHOST_NET: { want: 'y', level: 'required', source: at(2) } } } });
    const profile = aProfile({ kernel: { config: { CONFIG_VFIO_PCI: 'n', CONFIG_VHOST_NET: null } } });
    const [step] = planFor(desired, profile).steps;
    expect(step).toMatchObject({ id: 'kernel:rebuild', risk: 'high', autoExecute: false, restart: 'system', commands: [] });
    const runbook = step?.runbook?.join('\n') ?? '';
    for (const line of ['build-essential', 'df -BG', 'cp /boot/config-6.1.0-18-amd64 /boot/config-6.1.0-18-amd64.kernfleet-backup', 'scripts/config --module CONFIG_VFIO_PCI', 'scripts/config --enable CONFIG_VHOST_NET', 'make olddefconfig', 'make modules_install', 'make install', 'update-grub', 'reboot']) {
      expect(runbook).toContain(line);
    }
    expect(step?.rollback).toContain('previous kernel (6.1.0-18-amd64)');
  });

  it('uses the family build dependencies and bootloader command on RHEL', () => {
    // A RHEL 9 host needs dnf packages and grub2-mkconfig.
    const desired = aDesired({ kernel: { config: { CONFIG_VFIO_PCI: { want: 'm', level: 'required', source: at(1) } } } });
    const profile = aProfile({ os: { id: 'rhel', family: 'rhel', version: '9.4', prettyName: 'Red Hat Enterprise Linux 9.4 (Plow)' }, kernel: { config: { CONFIG_VFIO_PCI: 'n' } } });
    const runbook = planFor(desired, profile).steps[0]?.runbook ?? [];
    expect(runbook).toContain('dnf install -y gcc make ncurses-devel flex bison openssl-devel elfutils-libelf-devel bc');
    expect(runbook).toContain('grub2-mkconfig -o /boot/grub2/grub.cfg');
  });

  it('gives blocked changes no step and marks a container host skipped', () => {
    // A container: every change is blocked.
    const plan = planFor(hypervisor, aProfile({ env: { container: true, containerKind: 'lxc' } }));
    expect(plan.status).toBe('skipped');
    expect(plan.steps).toEqual([]);
    expect(plan.changes.length).toBeGreaterThan(0);
  });

  it('blacklists with an unload and one initramfs rebuild using the family command', () => {
    // Two loaded GPU drivers that the RHEL initramfs carries.
    const profile = aProfile({ os: { id: 'rhel', family: 'rhel', version: '9.4', prettyName: 'RHEL 9.4' }, modules: { loaded: ['nouveau', 'radeon'], initramfs: ['nouveau', 'radeon'] } });
    const plan = planFor(aDesired({ modules: { blacklist: { nouveau: at(1), radeon: at(2) } } }), profile);
    const initramfs = plan.steps.filter((s) => s.id === 'initramfs:rebuild');
    expect(initramfs).toHaveLength(1);
    expect(initramfs[0]).toMatchObject({ commands: [['dracut', '-f']], changes: ['module:nouveau:rebuild-initramfs', 'module:radeon:rebuild-initramfs'] });
    expect(plan.steps[0]?.files[0]?.after).toContain('install nouveau /bin/false\n');
  });

  it('sets a writable module parameter through sysfs without building a shell string', () => {
    // kvm.ignore_msrs is writable and reads N.
    const plan = planFor(aDesired({ modules: { options: { kvm: { ignore_msrs: { value: 'Y', source: at(1) } } } } }), aProfile());
    const live = plan.steps.find((s) => s.id === 'module:kvm.ignore_msrs:set-live');
    expect(live?.commands).toEqual([['sh', '-c', 'printf "%s" "$1" > "$2"', 'sh', 'Y', '/sys/module/kvm/parameters/ignore_msrs']]);
  });

  it('appends to the shared /etc/modules on Alpine and keeps its other lines', () => {
    // Alpine lists af_packet and ipv6 in /etc/modules already.
    const profile = aProfile({ os: { id: 'alpine', family: 'alpine', version: '3.20', prettyName: 'Alpine Linux v3.20' }, modules: { loadFiles: [{ path: '/etc/modules', content: 'af_packet\nipv6' }] } });
    const plan = planFor(aDesired({ modules: { load: { vhost_net: at(1) } } }), profile);
    expect(plan.steps[0]?.files).toEqual([{ path: '/etc/modules', before: 'af_packet\nipv6', after: 'af_packet\nipv6\nvhost_net\n', mode: '0644' }]);
  });

  it('reports nothing to do on a converged host', () => {
    // A host where the desired sysctl holds live and in a file.
    const profile = aProfile({ sysctl: { live: { 'vm.swappiness': '10' }, files: [{ path: '/etc/sysctl.d/60-tuning.conf', content: 'vm.swappiness = 10\n' }] } });
    const plan = planFor(aDesired({ sysctl: { values: { 'vm.swappiness': { value: '10', source: at(1) } } } }), profile);
    expect(plan).toMatchObject({ status: 'ok', changes: [], steps: [], satisfied: 1, fingerprint: profile.fingerprint });
  });
});
