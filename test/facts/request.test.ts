import { describe, expect, it } from 'vitest';
import { probeRequestFor } from '../../src/facts/request.js';
import type { DesiredState, SourceRef } from '../../src/model/index.js';

const at: SourceRef = { file: 'playbooks/debvisor.yml', line: 1, col: 1 };

function aDesiredState(): DesiredState {
  return {
    host: 'hv1',
    plays: ['baseline'],
    kernel: {
      minimum: null,
      recommended: null,
      config: {
        CONFIG_VFIO_PCI: { want: 'ym', level: 'required', source: at },
        CONFIG_KVM: { want: 'ym', level: 'required', source: at },
      },
    },
    modules: {
      load: { vfio_pci: at, br_netfilter: at },
      persistFile: 'kernfleet.conf',
      options: { 'kvm-intel': { nested: { value: 'Y', source: at } }, vfio_pci: { ids: { value: '10de:1b80', source: at }, disable_vga: { value: 'Y', source: at } } },
      optionsFile: 'kernfleet-options.conf',
      blacklist: { nouveau: at },
      blacklistFile: 'kernfleet-blacklist.conf',
    },
    sysctl: { file: '90-kernfleet.conf', values: { 'vm.swappiness': { value: '10', atLeast: false, source: at }, 'net.ipv4.ip_forward': { value: '1', atLeast: false, source: at } } },
    cmdline: { set: { intel_iommu: { value: 'on', target: 'GRUB_CMDLINE_LINUX', source: at } }, remove: {} },
  };
}

describe('probeRequestFor', () => {
  it('asks exactly what the desired state is about', () => {
    // A hypervisor that loads vfio_pci and br_netfilter, sets options for kvm-intel (written with a dash) and vfio_pci, and blacklists nouveau.
    expect(probeRequestFor(aDesiredState())).toEqual({
      // The modules' own symbols are asked too: without /lib/modules they are the only sign of a built-in module.
      configSymbols: ['CONFIG_BRIDGE_NETFILTER', 'CONFIG_KVM', 'CONFIG_KVM_INTEL', 'CONFIG_VFIO_PCI'],
      modules: ['br_netfilter', 'kvm_intel', 'nouveau', 'vfio_pci'],
      params: ['kvm_intel.nested', 'vfio_pci.disable_vga', 'vfio_pci.ids'],
      sysctlKeys: ['net.ipv4.ip_forward', 'vm.swappiness'],
    });
  });

  it('asks nothing of a desired state that wants nothing', () => {
    // A play that only sets the kernel command line.
    const desired = aDesiredState();
    desired.kernel.config = {};
    desired.modules = { ...desired.modules, load: {}, options: {}, blacklist: {} };
    desired.sysctl.values = {};
    expect(probeRequestFor(desired)).toEqual({ configSymbols: [], modules: [], params: [], sysctlKeys: [] });
  });
});
