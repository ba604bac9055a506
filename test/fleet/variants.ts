// The kinds of host the simulated fleet can hold: each variant says which kernel data, boot loader,
// distribution files and login it has. Files common to several variants live in host-files.ts.
import { alpineFiles, convergedFiles, debianFiles, rhelFiles, type FileMap } from './host-files.js';
import type { Cpu } from './kernel-state.js';
import type { KernelDataId } from './kernel-data.js';

export const VARIANTS = [
  'debian12',
  'debian12_cloud',
  'rhel9',
  'alpine318',
  'no_vfio',
  'no_modules',
  'container',
  'wsl2',
  'no_sudo',
  'converged',
] as const;
export type Variant = (typeof VARIANTS)[number];

export type BootLoader = 'grub' | 'grub-bls' | 'extlinux' | 'none';

/** Changes a test makes to one host before it first boots. */
export interface HostOverrides {
  /** Host path → content written into its root (null removes the file). */
  files?: Record<string, string | null>;
  /** CPU vendor in /proc/cpuinfo (intel by default): decides kvm_intel vs kvm_amd and the IOMMU. */
  cpu?: Cpu;
  /** Commands run inside the host after its first boot, e.g. ['sysctl', '-w', 'vm.swappiness=10']. */
  run?: string[][];
  /** How long `reboot` keeps the host unreachable (2 s by default). */
  rebootSeconds?: number;
}

export interface VariantSpec {
  kernel: KernelDataId;
  release: string;
  /** What `uname -v` prints. */
  version: string;
  /** Where the kernel config sits in /boot (null: none); /proc/config.gz when procConfig. */
  bootConfig: string | null;
  procConfig: boolean;
  loader: BootLoader;
  /** Login user: root, or the unprivileged user of the no-sudo variant. */
  user: 'root' | 'kfleet';
  /** A container: no kernel of its own to change (read-only /proc/sys, no modprobe, no reboot). */
  container: boolean;
  /** Host paths of the shims this variant does not have. */
  without: string[];
  files: (cpu: Cpu) => FileMap;
}

const DEBIAN_RELEASE = '6.1.0-50-amd64';
const DEBIAN_VERSION = '#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-01)';
const KMOD = ['/usr/sbin/modprobe', '/usr/bin/lsmod'];

const debian12: VariantSpec = {
  kernel: 'debian12',
  release: DEBIAN_RELEASE,
  version: DEBIAN_VERSION,
  bootConfig: `/boot/config-${DEBIAN_RELEASE}`,
  procConfig: false,
  loader: 'grub',
  user: 'root',
  container: false,
  without: ['/usr/sbin/grubby', '/usr/sbin/dracut', '/usr/sbin/update-extlinux', '/usr/sbin/grub2-mkconfig'],
  files: () => debianFiles(),
};

const CLOUD_DROP_IN = [
  '# Cloud Image specific Grub settings for Generic Cloud Images',
  '# CLOUD_IMG: This file was created/modified by the Cloud Image build process',
  '',
  '# Set the recordfail timeout',
  'GRUB_RECORDFAIL_TIMEOUT=0',
  '',
  '# Do not wait on grub prompt',
  'GRUB_TIMEOUT=0',
  '',
  '# Set the default commandline',
  'GRUB_CMDLINE_LINUX_DEFAULT="console=tty1 console=ttyS0"',
  '',
  '# Set the grub console type',
  'GRUB_TERMINAL=console',
  '',
].join('\n');

const SPECS: Record<Variant, VariantSpec> = {
  debian12,
  debian12_cloud: {
    ...debian12,
    files: () => ({ ...debianFiles(), '/etc/default/grub.d/50-cloudimg-settings.cfg': CLOUD_DROP_IN }),
  },
  rhel9: {
    kernel: 'rhel9',
    release: '5.14.0-529.el9.x86_64',
    version: '#1 SMP PREEMPT_DYNAMIC Fri Nov 1 13:21:53 UTC 2024',
    bootConfig: '/boot/config-5.14.0-529.el9.x86_64',
    procConfig: false,
    loader: 'grub-bls',
    user: 'root',
    container: false,
    without: ['/usr/sbin/update-grub', '/usr/sbin/grub-mkconfig', '/usr/sbin/update-initramfs', '/usr/sbin/update-extlinux'],
    files: () => rhelFiles('5.14.0-529.el9.x86_64'),
  },
  alpine318: {
    kernel: 'alpine',
    release: '6.1.55-0-lts',
    version: '#1-Alpine SMP PREEMPT_DYNAMIC Mon, 25 Sep 2023 08:17:45 +0000',
    // Alpine names the config after the flavour, so /boot/config-$(uname -r) is absent: /proc/config.gz decides.
    bootConfig: '/boot/config-lts',
    procConfig: true,
    loader: 'extlinux',
    user: 'root',
    container: false,
    without: ['/usr/sbin/update-grub', '/usr/sbin/grub-mkconfig', '/usr/sbin/grub2-mkconfig', '/usr/sbin/grubby', '/usr/sbin/dracut', '/usr/sbin/update-initramfs'],
    files: () => alpineFiles(),
  },
  no_vfio: {
    ...debian12,
    kernel: 'debian12-no-vfio',
    release: '6.1.176-novfio',
    version: '#1 SMP PREEMPT_DYNAMIC Sat Jul 12 09:14:02 UTC 2026',
    bootConfig: '/boot/config-6.1.176-novfio',
  },
  no_modules: {
    ...debian12,
    kernel: 'debian12-monolithic',
    release: '6.1.176-monolithic',
    version: '#1 SMP PREEMPT_DYNAMIC Sat Jul 12 09:14:02 UTC 2026',
    bootConfig: '/boot/config-6.1.176-monolithic',
  },
  container: {
    ...debian12,
    kernel: 'none',
    bootConfig: null,
    loader: 'none',
    container: true,
    without: [...debian12.without, ...KMOD, '/usr/sbin/update-grub', '/usr/sbin/grub-mkconfig', '/usr/sbin/update-initramfs'],
    files: () => ({ ...debianFiles({ boot: false }), '/.dockerenv': '' }),
  },
  wsl2: {
    ...debian12,
    kernel: 'wsl2',
    release: '5.15.167.4-microsoft-standard-WSL2',
    version: '#1 SMP Tue Nov 5 00:21:55 UTC 2024',
    bootConfig: null,
    loader: 'none',
    without: [...debian12.without, '/usr/sbin/update-grub', '/usr/sbin/grub-mkconfig'],
    files: () => ({
      ...debianFiles({ boot: false }),
      '/etc/wsl.conf': '[boot]\nsystemd=true\n',
      '/proc/sys/fs/binfmt_misc/WSLInterop': 'enabled\ninterpreter /init\nflags: PF\noffset 0\nmagic 4d5a\n',
    }),
  },
  no_sudo: {
    ...debian12,
    user: 'kfleet',
    files: () => ({
      ...debianFiles(),
      '/etc/sudoers.d/kfleet': 'kfleet ALL=(ALL:ALL) ALL\n',
    }),
  },
  converged: {
    ...debian12,
    files: (cpu) => ({ ...debianFiles(), ...convergedFiles(cpu) }),
  },
};

export function getVariantSpec(variant: Variant): VariantSpec {
  const spec = SPECS[variant];
  if (!spec) throw new Error(`unknown fleet variant "${variant}" (known: ${VARIANTS.join(', ')})`);
  return spec;
}
