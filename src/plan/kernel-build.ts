// The kernel rebuild runbook (the seed's pipeline): never automatic, printed for an operator who confirms
// each line. Build dependencies and the bootloader update depend on the distro family.
import type { Change, HostProfile } from '../model/index.js';
import { grubUpdateCommand } from './boot-config.js';

const BUILD_DEPS: Record<HostProfile['os']['family'], string> = {
  debian: 'apt-get install -y build-essential libncurses-dev flex bison libssl-dev libelf-dev bc',
  rhel: 'dnf install -y gcc make ncurses-devel flex bison openssl-devel elfutils-libelf-devel bc',
  alpine: 'apk add build-base ncurses-dev flex bison openssl-dev elfutils-dev bc',
  suse: 'zypper install -y gcc make ncurses-devel flex bison libopenssl-devel libelf-devel bc',
  arch: 'pacman -S --needed base-devel bc libelf pahole',
  unknown: 'install a C toolchain, make, flex, bison, bc and the ncurses, OpenSSL and libelf development headers',
};

const KERNEL_SOURCE: Record<HostProfile['os']['family'], string> = {
  debian: 'apt-get install -y linux-source && tar xf /usr/src/linux-source-*.tar.xz -C /usr/src',
  rhel: 'dnf download --source kernel, or fetch the matching tarball from kernel.org, into /usr/src',
  alpine: 'fetch the matching linux-lts tarball from kernel.org into /usr/src',
  suse: 'zypper install -y kernel-source',
  arch: 'fetch the matching tarball from kernel.org into /usr/src',
  unknown: 'fetch the matching tarball from kernel.org into /usr/src',
};

/** scripts/config takes the symbol with or without CONFIG_; the full name reads better in a runbook. */
function describeConfigEdit(change: Change): string {
  const symbol = change.subject;
  switch (change.to) {
    case 'm':
      return `scripts/config --module ${symbol}`;
    case 'y':
    case 'ym':
      return `scripts/config --enable ${symbol}`;
    case 'n':
      return `scripts/config --disable ${symbol}`;
    default:
      return /^-?\d+$|^0x[0-9a-f]+$/i.test(change.to ?? '')
        ? `scripts/config --set-val ${symbol} ${change.to}`
        : `scripts/config --set-str ${symbol} "${change.to ?? ''}"`;
  }
}

export function buildKernelRunbook(profile: HostProfile, changes: Change[]): string[] {
  const release = profile.kernel.release;
  const config = profile.kernel.configSource ?? `/boot/config-${release}`;
  return [
    `# ${changes.length} option(s) need a kernel built with a different config; 20-120 min, one reboot.`,
    `${BUILD_DEPS[profile.os.family]}`,
    `df -BG --output=avail /usr/src   # preflight: at least 7 GB free (source ~1 GB, build 3-5 GB, install 0.5 GB)`,
    KERNEL_SOURCE[profile.os.family],
    `cp /boot/config-${release} /boot/config-${release}.kernfleet-backup`,
    config.endsWith('.gz') ? 'cd /usr/src/linux-* && zcat /proc/config.gz > .config' : `cd /usr/src/linux-* && cp ${config} .config`,
    ...changes.map(describeConfigEdit),
    'make olddefconfig',
    'make -j$(nproc)',
    'make modules_install',
    'make install',
    grubUpdateCommand(profile.os.family).join(' '),
    'reboot',
    `after the reboot: uname -r shows the new kernel, and grep -E '^(${changes.map((c) => c.subject).join('|')})=' /boot/config-$(uname -r) lists every option`,
  ];
}

export function buildKernelRollback(profile: HostProfile): string {
  const release = profile.kernel.release;
  return `if the new kernel fails to boot: at the GRUB menu choose "Advanced options" and the previous kernel (${release}); then restore /boot/config-${release} from /boot/config-${release}.kernfleet-backup and remove the new kernel's image and modules`;
}
