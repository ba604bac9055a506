// The distribution files of a simulated host, as the real distributions ship them (trimmed to what
// kernfleet reads), and the flagship playbook's end state for the converged variant.
import { managedHeader } from '../../src/formats/managed.js';
import type { Cpu } from './kernel-state.js';

export type FileMap = Record<string, string>;

/** The flagship playbook's end state (playbooks/debvisor.yml), for the converged variant. */
export const FLAGSHIP = {
  modules: ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'vhost_net', 'br_netfilter', 'overlay'],
  sysctl: {
    'net.ipv4.ip_forward': '1',
    'net.ipv6.conf.all.forwarding': '1',
    'net.bridge.bridge-nf-call-iptables': '1',
    'net.bridge.bridge-nf-call-ip6tables': '1',
    'vm.overcommit_memory': '1',
    'fs.inotify.max_user_instances': '8192',
    'fs.inotify.max_user_watches': '524288',
    'net.core.somaxconn': '32768',
    'net.ipv4.tcp_max_syn_backlog': '32768',
    'fs.file-max': '2097152',
  } as Record<string, string>,
  cmdlineLinux: (cpu: Cpu) =>
    `iommu=pt default_hugepagesz=1G hugepagesz=1G hugepages=16${cpu === 'intel' ? ' intel_iommu=on' : ''}`,
  cmdlineDefault: 'kvm.ignore_msrs=1 kvm.report_ignored_msrs=0',
};

const SYSTEMD_SYSCTL = {
  '/usr/lib/sysctl.d/50-default.conf': [
    '#  This file is part of systemd.',
    '#',
    '# See sysctl.d(5) and core(5) for documentation.',
    '',
    '# Append the PID to the core filename',
    'kernel.core_uses_pid = 1',
    '',
    '# Source route verification',
    'net.ipv4.conf.default.rp_filter = 2',
    '',
    '# Do not accept source routing',
    'net.ipv4.conf.default.accept_source_route = 0',
    '',
    '# Promote secondary addresses when the primary address is removed',
    'net.ipv4.conf.default.promote_secondaries = 1',
    '-net.ipv4.conf.all.promote_secondaries = 1',
    '',
    '# ping(8) without CAP_NET_ADMIN and CAP_NET_RAW',
    '-net.ipv4.ping_group_range = 0 2147483647',
    '',
    '# Fair Queue CoDel packet scheduler to fight bufferbloat',
    '-net.core.default_qdisc = fq_codel',
    '',
    '# Enable hard and soft link protection',
    'fs.protected_hardlinks = 1',
    'fs.protected_symlinks = 1',
    '',
    '# Enable regular file and FIFO protection',
    'fs.protected_regular = 1',
    'fs.protected_fifos = 1',
    '',
  ].join('\n'),
  '/usr/lib/sysctl.d/50-pid-max.conf': [
    '#  This file is part of systemd.',
    '',
    '# Bump the numeric PID range to its maximum of 2^22 (from the in-kernel default of 2^16)',
    'kernel.pid_max = 4194304',
    '',
  ].join('\n'),
};

const DEBIAN_GRUB = (linux: string, linuxDefault: string) =>
  [
    "# If you change this file, run 'update-grub' afterwards to update",
    '# /boot/grub/grub.cfg.',
    '# For full documentation of the options in this file, see:',
    "#   info -f grub -n 'Simple configuration'",
    '',
    'GRUB_DEFAULT=0',
    'GRUB_TIMEOUT=5',
    'GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`',
    `GRUB_CMDLINE_LINUX_DEFAULT="${linuxDefault}"`,
    `GRUB_CMDLINE_LINUX="${linux}"`,
    '',
    '# Uncomment to disable graphical terminal (grub-pc only)',
    '#GRUB_TERMINAL=console',
    '',
  ].join('\n');

export function debianFiles(opts: { boot?: boolean } = {}): FileMap {
  const files: FileMap = {
    '/etc/os-release': [
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
      'NAME="Debian GNU/Linux"',
      'VERSION_ID="12"',
      'VERSION="12 (bookworm)"',
      'VERSION_CODENAME=bookworm',
      'ID=debian',
      'HOME_URL="https://www.debian.org/"',
      '',
    ].join('\n'),
    '/etc/debian_version': '12.12\n',
    ...SYSTEMD_SYSCTL,
    '/etc/sysctl.conf': [
      '#',
      '# /etc/sysctl.conf - Configuration file for setting system variables',
      '# See /etc/sysctl.d/ for additional system variables.',
      '# See sysctl.conf (5) for information.',
      '#',
      '',
      '# Uncomment the next line to enable packet forwarding for IPv4',
      '#net.ipv4.ip_forward=1',
      '',
      '# Uncomment the next line to enable packet forwarding for IPv6',
      '#net.ipv6.conf.all.forwarding=1',
      '',
    ].join('\n'),
    '/etc/sysctl.d/README.sysctl': 'Kernel system variables configuration files\n\nFiles found under the /etc/sysctl.d directory that end with .conf are\nparsed within sysctl(8) at boot time.\n',
    '/etc/modules': [
      '# /etc/modules: kernel modules to load at boot time.',
      '#',
      '# This file contains the names of kernel modules that should be loaded',
      '# at boot time, one per line. Lines beginning with "#" are ignored.',
      '# Parameters can be specified after the module name.',
      '',
    ].join('\n'),
    '/usr/lib/modprobe.d/systemd.conf': [
      '#  This file is part of systemd.',
      '',
      '# When bonding module is loaded, it creates bond0 by default due to max_bonds',
      '# option default value 1. This interferes with the network configuration',
      '# management / networkd, as it is not possible to detect whether this bond0 was',
      '# intentionally configured by the user, or should be managed by',
      '# networkd/NM/etc. Therefore disable bond0 creation.',
      '',
      'options bonding max_bonds=0',
      '',
      'options dummy numdummies=0',
      '',
    ].join('\n'),
    '/usr/lib/modprobe.d/fbdev-blacklist.conf': [
      '# This file blacklists most old-style PCI framebuffer drivers.',
      '# Framebuffer drivers are generally buggy and poorly-supported, and cause',
      '# suspend failures, kernel panics and general mayhem.',
      'blacklist arkfb',
      'blacklist aty128fb',
      'blacklist atyfb',
      'blacklist radeonfb',
      '',
    ].join('\n'),
    '/etc/initramfs-tools/modules': '# List of modules that you want to include in your initramfs.\n',
  };
  if (opts.boot !== false) files['/etc/default/grub'] = DEBIAN_GRUB('', 'quiet');
  return files;
}

export function convergedFiles(cpu: Cpu): FileMap {
  const header = managedHeader('playbooks/debvisor.yml');
  const kvm = cpu === 'intel' ? 'kvm_intel' : 'kvm_amd';
  return {
    '/etc/default/grub': DEBIAN_GRUB(FLAGSHIP.cmdlineLinux(cpu), `quiet ${FLAGSHIP.cmdlineDefault}`),
    '/etc/modules-load.d/debvisor.conf': header + FLAGSHIP.modules.join('\n') + '\n',
    '/etc/modprobe.d/debvisor-kvm.conf': `${header}options ${kvm} nested=1\n`,
    '/etc/sysctl.d/99-debvisor.conf':
      header + Object.entries(FLAGSHIP.sysctl).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n',
  };
}

export function rhelFiles(release: string): FileMap {
  return {
    '/etc/os-release': [
      'NAME="CentOS Stream"',
      'VERSION="9"',
      'ID="centos"',
      'ID_LIKE="rhel fedora"',
      'VERSION_ID="9"',
      'PLATFORM_ID="platform:el9"',
      'PRETTY_NAME="CentOS Stream 9"',
      '',
    ].join('\n'),
    '/etc/redhat-release': 'CentOS Stream release 9\n',
    '/etc/system-release': 'CentOS Stream release 9\n',
    ...SYSTEMD_SYSCTL,
    '/usr/lib/sysctl.d/10-default-yama-scope.conf': 'kernel.yama.ptrace_scope = 0\n',
    '/usr/lib/sysctl.d/50-libkcapi-optmem_max.conf': 'net.core.optmem_max = 81920\n',
    '/etc/sysctl.conf': '# sysctl settings are defined through files in\n# /usr/lib/sysctl.d/, /run/sysctl.d/, and /etc/sysctl.d/.\n',
    '/etc/default/grub': [
      'GRUB_TIMEOUT=5',
      'GRUB_DISTRIBUTOR="$(sed \'s, release .*$,,g\' /etc/system-release 2>/dev/null)"',
      'GRUB_DEFAULT=saved',
      'GRUB_DISABLE_SUBMENU=true',
      'GRUB_TERMINAL_OUTPUT="console"',
      'GRUB_CMDLINE_LINUX="crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M resume=/dev/mapper/cs-swap rd.lvm.lv=cs/root rd.lvm.lv=cs/swap rhgb quiet"',
      'GRUB_DISABLE_RECOVERY="true"',
      'GRUB_ENABLE_BLSCFG=true',
      '',
    ].join('\n'),
    '/etc/kernel/cmdline':
      'root=/dev/mapper/cs-root ro crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M resume=/dev/mapper/cs-swap rd.lvm.lv=cs/root rd.lvm.lv=cs/swap rhgb quiet\n',
    [`/boot/loader/entries/0c2d4e6f8a1b4c3d9e7f5a6b8c9d0e1f-${release}.conf`]: [
      `title CentOS Stream (${release}) 9`,
      `version ${release}`,
      `linux /vmlinuz-${release}`,
      `initrd /initramfs-${release}.img $tuned_initrd`,
      'options root=/dev/mapper/cs-root ro crashkernel=1G-4G:192M,4G-64G:256M,64G-:512M resume=/dev/mapper/cs-swap rd.lvm.lv=cs/root rd.lvm.lv=cs/swap rhgb quiet',
      'grub_users $grub_users',
      'grub_arg --unrestricted',
      'grub_class centos',
      '',
    ].join('\n'),
  };
}

export function alpineFiles(): FileMap {
  return {
    '/etc/os-release': [
      'NAME="Alpine Linux"',
      'ID=alpine',
      'VERSION_ID=3.18.4',
      'PRETTY_NAME="Alpine Linux v3.18"',
      'HOME_URL="https://alpinelinux.org/"',
      '',
    ].join('\n'),
    '/etc/alpine-release': '3.18.4\n',
    '/etc/modules': 'af_packet\nipv6\n',
    '/etc/sysctl.d/00-alpine.conf': [
      '# Prevents SYN DOS attacks. Applies to ipv6 as well, despite name.',
      'net.ipv4.tcp_syncookies = 1',
      '',
      '# Prevents ip spoofing.',
      'net.ipv4.conf.default.rp_filter = 1',
      'net.ipv4.conf.all.rp_filter = 1',
      '',
      '# Only groups within this id range can use ping.',
      'net.ipv4.ping_group_range=999 59999',
      '',
      '# Reboot after 120 seconds on a kernel panic.',
      'kernel.panic = 120',
      '',
    ].join('\n'),
    '/etc/update-extlinux.conf': [
      '# configuration for extlinux config builder',
      'overwrite=1',
      'vesa_menu=0',
      'default_kernel_opts="quiet rootfstype=ext4"',
      'modules=sd-mod,usb-storage,ext4',
      'root=UUID=6b8d1c4e-3f2a-4e5b-9c7d-2a1b3c4d5e6f',
      'timeout=10',
      '',
    ].join('\n'),
  };
}
