// Builders for pure tests: a realistic Debian 12 Intel hypervisor that kernfleet has not touched yet, and
// an empty desired state with the debvisor file names; tests deep-merge only what their situation needs.
import type { DesiredState, FileEntry, HostPlan, HostProfile, SourceRef } from '../src/model/index.js';
import { readConfiguredCmdline } from '../src/plan/boot-config.js';

export type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | undefined } : T;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key, arrays and scalars replace, an explicit undefined deletes the key. */
export function deepMerge<T>(base: T, overrides: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return (overrides === undefined ? base : overrides) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete out[key];
    else out[key] = key in out ? deepMerge(out[key], value) : value;
  }
  return out as T;
}

export const PLAYBOOK = 'playbooks/debvisor.yml';

export function at(line: number, col = 5, file = PLAYBOOK): SourceRef {
  return { file, line, col };
}

export const DEBIAN_RELEASE = '6.1.0-18-amd64';
export const DEBIAN_PROC_CMDLINE = `BOOT_IMAGE=/boot/vmlinuz-${DEBIAN_RELEASE} root=UUID=3f1c9a52-8d2e-4b7a-9c61-0a5e2f7d4b11 ro quiet`;

export const DEBIAN_DEFAULT_GRUB = `# If you change this file, run 'update-grub' afterwards to update
# /boot/grub/grub.cfg.
# For full documentation of the options in this file, see:
#   info -f grub -n 'Simple configuration'

GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=\`lsb_release -i -s 2> /dev/null || echo Debian\`
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""

# If your computer has multiple video cards, you may need to uncomment the following line:
#GRUB_GFXPAYLOAD_LINUX=keep
`;

export const DEBIAN_SYSCTL_CONF = `#
# /etc/sysctl.conf - Configuration file for setting system variables
# See /etc/sysctl.d/ for additional system variables.
# See sysctl.conf (5) for information.
#

#kernel.domainname = example.com

# Uncomment the following to stop low-level messages on console
#kernel.printk = 3 4 1 3

# Uncomment the next line to enable packet forwarding for IPv4
#net.ipv4.ip_forward=1
`;

export const DEBIAN_ETC_MODULES = `# /etc/modules: kernel modules to load at boot time.
#
# This file contains the names of kernel modules that should be loaded
# at boot time, one per line. Lines beginning with "#" are ignored.
# Parameters can be specified after the module name.

`;

const DEBIAN_12: HostProfile = {
  format_version: '1.0',
  host: 'hv1',
  fingerprint: 'sha256:9b1f0c2e7d4a6b3c5e8f1a2d4c6e8b0a1c3e5f7a9b2d4f6a8c0e2b4d6f8a0c2e',
  gatheredAt: '2026-11-23T12:00:00Z',
  os: { id: 'debian', family: 'debian', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
  env: { container: false, containerKind: null, wsl: false, user: 'root', root: true, sudo: 'root' },
  kernel: {
    release: DEBIAN_RELEASE,
    configSource: `/boot/config-${DEBIAN_RELEASE}`,
    config: {
      CONFIG_MODULES: 'y',
      CONFIG_KVM: 'm',
      CONFIG_KVM_INTEL: 'm',
      CONFIG_KVM_AMD: 'm',
      CONFIG_VFIO: 'm',
      CONFIG_VFIO_PCI: 'm',
      CONFIG_VFIO_IOMMU_TYPE1: 'm',
      CONFIG_VHOST_NET: 'm',
      CONFIG_BRIDGE: 'm',
      CONFIG_BRIDGE_NETFILTER: 'm',
      CONFIG_OVERLAY_FS: 'm',
      CONFIG_NAMESPACES: 'y',
      CONFIG_CGROUPS: 'y',
      CONFIG_HZ: '250',
    },
    modulesSupported: true,
  },
  modules: {
    loaded: ['kvm_intel', 'kvm', 'irqbypass', 'bridge', 'stp', 'llc', 'ext4'],
    builtin: [],
    available: { kvm: true, kvm_intel: true, vfio: true, vfio_pci: true, vfio_iommu_type1: true, vhost_net: true, br_netfilter: true, overlay: true, nouveau: true },
    params: { 'kvm_intel.nested': 'Y', 'kvm.ignore_msrs': 'N' },
    paramsWritable: { 'kvm_intel.nested': false, 'kvm.ignore_msrs': true },
    loadFiles: [{ path: '/etc/modules', content: DEBIAN_ETC_MODULES }],
    modprobeFiles: [
      { path: '/lib/modprobe.d/systemd.conf', content: '# Bonding and dummy interfaces are created by systemd-networkd\noptions bonding max_bonds=0\noptions dummy numdummies=0\n' },
    ],
    initramfs: [],
    dkms: [],
  },
  sysctl: {
    live: {
      'net.ipv4.ip_forward': '0',
      'net.ipv6.conf.all.forwarding': '0',
      'net.bridge.bridge-nf-call-iptables': null,
      'net.bridge.bridge-nf-call-ip6tables': null,
      'vm.overcommit_memory': '0',
      'vm.swappiness': '60',
      'fs.inotify.max_user_instances': '128',
      'net.core.somaxconn': '4096',
    },
    files: [
      { path: '/usr/lib/sysctl.d/50-pid-max.conf', content: '# Bump the numeric PID range to its maximum of 2^22\nkernel.pid_max = 4194304\n' },
      { path: '/etc/sysctl.d/99-sysctl.conf', content: DEBIAN_SYSCTL_CONF },
      { path: '/etc/sysctl.conf', content: DEBIAN_SYSCTL_CONF },
    ],
  },
  boot: {
    loader: 'grub',
    procCmdline: DEBIAN_PROC_CMDLINE,
    bootId: '0f3b7c1e-5a2d-4e8f-9b6c-2d1a7e4f8c3b',
    files: [{ path: '/etc/default/grub', content: DEBIAN_DEFAULT_GRUB }],
    nextBootCmdlines: [DEBIAN_PROC_CMDLINE],
  },
  hardware: { cpuVendor: 'intel', iommuGroups: 0, numaNodes: 1 },
  kernfleet: { ledger: null },
};

const EMPTY_DESIRED: DesiredState = {
  host: 'hv1',
  plays: ['hypervisors'],
  kernel: { minimum: null, recommended: null, config: {} },
  modules: { load: {}, persistFile: 'debvisor.conf', options: {}, optionsFile: 'debvisor-options.conf', blacklist: {}, blacklistFile: 'debvisor-blacklist.conf' },
  sysctl: { file: '99-debvisor.conf', values: {} },
  cmdline: { set: {}, remove: {} },
};

export function aProfile(overrides: DeepPartial<HostProfile> = {}): HostProfile {
  return deepMerge(structuredClone(DEBIAN_12), overrides);
}

/** Sysctl values given without `atLeast` are exact, as a playbook's plain `key: value` is. */
export function aDesired(overrides: DeepPartial<DesiredState> = {}): DesiredState {
  const desired = deepMerge(structuredClone(EMPTY_DESIRED), overrides);
  for (const want of Object.values(desired.sysctl.values)) want.atLeast ??= false;
  return desired;
}

/** Which profile list a file written by a plan lands in. */
function fileListOf(profile: HostProfile, path: string): FileEntry[] | null {
  if (path.startsWith('/etc/sysctl.d/') || path === '/etc/sysctl.conf') return profile.sysctl.files;
  if (path.startsWith('/etc/modules-load.d/') || path === '/etc/modules') return profile.modules.loadFiles;
  if (path.startsWith('/etc/modprobe.d/')) return profile.modules.modprobeFiles;
  if (path.startsWith('/etc/default/grub') || path === '/etc/kernel/cmdline' || path === '/etc/update-extlinux.conf') return profile.boot.files;
  return null;
}

function writeSimulatedFile(profile: HostProfile, path: string, content: string | null): void {
  if (path === profile.kernfleet.ledger?.path || path === '/var/lib/kernfleet/ledger.json') {
    profile.kernfleet.ledger = content === null ? null : { path, content };
    return;
  }
  const list = fileListOf(profile, path);
  if (!list) throw new Error(`simulated apply: no profile list for ${path}`);
  const index = list.findIndex((f) => f.path === path);
  if (index >= 0) list.splice(index, 1);
  if (content !== null) list.push({ path, content });
}

function runSimulatedCommand(profile: HostProfile, desired: DesiredState, argv: string[]): void {
  const [cmd, ...args] = argv;
  const { modules } = profile;
  if (cmd === 'modprobe' && args[0] === '-r') {
    modules.loaded = modules.loaded.filter((m) => m !== args[1]);
  } else if (cmd === 'modprobe' && args[0]) {
    const module = args[0];
    if (!modules.loaded.includes(module)) modules.loaded.push(module);
    for (const [param, wanted] of Object.entries(desired.modules.options[module] ?? {})) modules.params[`${module}.${param}`] = wanted.value;
    // Loading br_netfilter creates the net.bridge.* keys with their defaults.
    for (const key of Object.keys(profile.sysctl.live)) if (module === 'br_netfilter' && key.startsWith('net.bridge.')) profile.sysctl.live[key] ??= '0';
  } else if (cmd === 'sysctl' && args[0] === '-w' && args[1]) {
    const [key, ...value] = args[1].split('=');
    profile.sysctl.live[key as string] = value.join('=');
  } else if (cmd === 'sh' && args[1]?.startsWith('printf')) {
    // ['sh', '-c', script, 'sh', value, /sys/module/M/parameters/P]
    const [module, , param] = (args[4] ?? '').split('/').slice(3);
    modules.params[`${module}.${param}`] = args[3] ?? '';
  } else if (['update-grub', 'grub-mkconfig', 'grub2-mkconfig', 'grubby', 'kernel-install', 'update-extlinux'].includes(cmd ?? '')) {
    const kernelArgs = readConfiguredCmdline(profile).text;
    profile.boot.nextBootCmdlines = [`BOOT_IMAGE=/boot/vmlinuz-${profile.kernel.release} root=UUID=3f1c9a52-8d2e-4b7a-9c61-0a5e2f7d4b11 ro ${kernelArgs}`.trim()];
  } else if (cmd === 'reboot') {
    profile.boot.procCmdline = profile.boot.nextBootCmdlines[0] ?? profile.boot.procCmdline;
  }
}

/** The profile as a re-gather would see it after every automatic step of `plan` ran (manual steps are skipped). */
export function aProfileAfter(profile: HostProfile, desired: DesiredState, plan: HostPlan): HostProfile {
  const after = structuredClone(profile);
  for (const step of plan.steps.filter((s) => s.autoExecute)) {
    for (const file of step.files) writeSimulatedFile(after, file.path, file.after);
    for (const argv of step.commands) runSimulatedCommand(after, desired, argv);
  }
  return after;
}
