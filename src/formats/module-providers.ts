// What would provide a module that is not available for the running kernel: the CONFIG_ symbol that
// builds it, or the DKMS package of an out-of-tree module. A small table of the modules hypervisors ask for.
export type ModuleProvider = { kind: 'config'; symbol: string } | { kind: 'dkms'; package: string };

const PROVIDERS: Record<string, ModuleProvider> = {
  kvm: { kind: 'config', symbol: 'CONFIG_KVM' },
  kvm_intel: { kind: 'config', symbol: 'CONFIG_KVM_INTEL' },
  kvm_amd: { kind: 'config', symbol: 'CONFIG_KVM_AMD' },
  vfio: { kind: 'config', symbol: 'CONFIG_VFIO' },
  vfio_pci: { kind: 'config', symbol: 'CONFIG_VFIO_PCI' },
  vfio_iommu_type1: { kind: 'config', symbol: 'CONFIG_VFIO_IOMMU_TYPE1' },
  vfio_mdev: { kind: 'config', symbol: 'CONFIG_VFIO_MDEV' },
  vhost: { kind: 'config', symbol: 'CONFIG_VHOST' },
  vhost_net: { kind: 'config', symbol: 'CONFIG_VHOST_NET' },
  vhost_scsi: { kind: 'config', symbol: 'CONFIG_VHOST_SCSI' },
  vhost_vsock: { kind: 'config', symbol: 'CONFIG_VHOST_VSOCK' },
  bridge: { kind: 'config', symbol: 'CONFIG_BRIDGE' },
  br_netfilter: { kind: 'config', symbol: 'CONFIG_BRIDGE_NETFILTER' },
  overlay: { kind: 'config', symbol: 'CONFIG_OVERLAY_FS' },
  '8021q': { kind: 'config', symbol: 'CONFIG_VLAN_8021Q' },
  vxlan: { kind: 'config', symbol: 'CONFIG_VXLAN' },
  geneve: { kind: 'config', symbol: 'CONFIG_GENEVE' },
  nf_tables: { kind: 'config', symbol: 'CONFIG_NF_TABLES' },
  nf_conntrack: { kind: 'config', symbol: 'CONFIG_NF_CONNTRACK' },
  ip_vs: { kind: 'config', symbol: 'CONFIG_IP_VS' },
  rbd: { kind: 'config', symbol: 'CONFIG_BLK_DEV_RBD' },
  ceph: { kind: 'config', symbol: 'CONFIG_CEPH_FS' },
  wireguard: { kind: 'config', symbol: 'CONFIG_WIREGUARD' },
  zfs: { kind: 'dkms', package: 'zfs-dkms' },
  nvidia: { kind: 'dkms', package: 'nvidia-dkms' },
};

export function findModuleProvider(module: string): ModuleProvider | undefined {
  return PROVIDERS[module];
}

/** The CONFIG_ symbols that say whether these modules exist, so a probe can ask for them too. */
export function providerSymbols(modules: string[]): string[] {
  return modules.flatMap((m) => {
    const provider = PROVIDERS[m];
    return provider?.kind === 'config' ? [provider.symbol] : [];
  });
}
