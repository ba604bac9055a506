// The request used for captures on real machines: a slice of the flagship playbook plus items that
// cannot exist (a missing symbol, module, parameter and sysctl key), so every answer kind appears.
import type { ProbeRequest } from '../../src/facts/request.js';

export const LOCAL_REQUEST: ProbeRequest = {
  configSymbols: ['CONFIG_BRIDGE', 'CONFIG_DEFAULT_HOSTNAME', 'CONFIG_HZ', 'CONFIG_KVM', 'CONFIG_KVM_AMD', 'CONFIG_KVM_INTEL', 'CONFIG_LOCALVERSION', 'CONFIG_NOT_A_SYMBOL', 'CONFIG_VFIO', 'CONFIG_VFIO_PCI', 'CONFIG_VHOST_NET'],
  modules: ['br_netfilter', 'kvm', 'kvm_amd', 'no_such_module', 'vfio_pci', 'vhost_net'],
  params: ['kvm_amd.nested', 'printk.time'],
  sysctlKeys: ['net.bridge.bridge-nf-call-iptables', 'net.ipv4.ip_forward', 'net.no_such.key', 'vm.swappiness'],
};
