import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProbe, parseProbe } from '../../src/facts/probe.js';
import type { ProbeRequest } from '../../src/facts/request.js';
import type { HostProfile } from '../../src/model/index.js';

// The running kernel's release: `uname -r` inside the root answers it, so /boot/config-<it> is the config.
const RELEASE = release();
const cloudDropIn = readFileSync(new URL('../fixtures/facts/boot/ubuntu-cloudimg-50-cloudimg-settings.cfg', import.meta.url), 'utf8');

const FILES: Record<string, string> = {
  '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
  [`/boot/config-${RELEASE}`]: '# Linux/x86 6.1.76 Kernel Configuration\nCONFIG_MODULES=y\nCONFIG_KVM=m\nCONFIG_VFIO_PCI=m\n# CONFIG_VFIO_PCI_VGA is not set\nCONFIG_LOCALVERSION=""\n',
  '/proc/modules': 'kvm_intel 409600 0 - Live 0x0000000000000000\nkvm 1146880 1 kvm_intel, Live 0x0000000000000000\nvfio_pci 16384 0 - Live 0x0000000000000000\n',
  '/proc/cmdline': 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=1234 ro quiet\n',
  '/proc/cpuinfo': 'processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nprocessor\t: 1\nvendor_id\t: GenuineIntel\n',
  '/proc/sys/kernel/random/boot_id': '3b9f7c1e-0000-4000-8000-000000000001\n',
  '/proc/sys/vm/swappiness': '60\n',
  '/proc/sys/net/ipv4/tcp_rmem': '4096\t131072\t6291456\n',
  '/sys/module/kvm_intel/parameters/nested': 'Y\n',
  '/sys/module/kvm/parameters/halt_poll_ns': '200000\n',
  '/sys/kernel/iommu_groups/0/type': 'DMA\n',
  '/sys/kernel/iommu_groups/1/type': 'DMA\n',
  '/sys/devices/system/node/node0/cpulist': '0-1\n',
  [`/lib/modules/${RELEASE}/modules.dep`]: 'kernel/drivers/vfio/pci/vfio-pci.ko: kernel/drivers/vfio/vfio.ko\nkernel/drivers/vfio/vfio.ko:\nkernel/net/bridge/br_netfilter.ko: kernel/net/bridge/bridge.ko\n',
  [`/lib/modules/${RELEASE}/modules.builtin`]: 'kernel/drivers/pci/pci-stub.ko\n',
  '/etc/modprobe.d/kvm.conf': 'options kvm_intel nested=1\n',
  '/lib/modprobe.d/aliases.conf': 'alias char-major-10-232 rtc\n',
  '/etc/modules-load.d/vfio.conf': 'vfio-pci\n',
  '/etc/modules': '# /etc/modules: kernel modules to load at boot time.\n',
  '/usr/lib/sysctl.d/50-default.conf': 'kernel.sysrq = 0x01b6\n',
  '/etc/sysctl.d/99-kernfleet.conf': 'vm.swappiness = 10\n',
  '/etc/sysctl.d/README': 'not a .conf file\n',
  '/etc/sysctl.conf': '#net.ipv4.ip_forward=1\n',
  '/etc/default/grub': 'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n',
  '/etc/default/grub.d/50-cloudimg-settings.cfg': cloudDropIn,
  '/boot/grub/grub.cfg': "menuentry 'Debian GNU/Linux' {\n\tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=UUID=1234 ro  console=tty1 console=ttyS0\n\tinitrd\t/boot/initrd.img-6.1.0-18-amd64\n}\nsubmenu 'Advanced' {\n\tmenuentry 'recovery' {\n\t\tlinux\t/boot/vmlinuz-6.1.0-18-amd64 root=UUID=1234 ro single\n\t}\n}\n",
  '/etc/initramfs-tools/modules': '# initramfs modules\nvfio_pci\n',
  '/var/lib/kernfleet/ledger.json': '{"cmdline":["intel_iommu=on"]}\n',
};

const REQUEST: ProbeRequest = {
  configSymbols: ['CONFIG_KVM', 'CONFIG_VFIO_PCI', 'CONFIG_VFIO_PCI_VGA', 'CONFIG_LOCALVERSION', 'CONFIG_IOMMUFD'],
  modules: ['br_netfilter', 'kvm_intel', 'pci_stub', 'vfio_pci', 'vhost_net'],
  params: ['kvm_intel.nested', 'kvm.halt_poll_ns', 'vfio_pci.ids'],
  sysctlKeys: ['net.bridge.bridge-nf-call-iptables', 'net.ipv4.tcp_rmem', 'vm.swappiness'],
};

describe('the probe in a Debian 12 hypervisor root (busybox only, chroot)', () => {
  let root = '';
  let profile: HostProfile;
  beforeAll(() => {
    // A root with nothing but static busybox, /dev/null and the files above; read-only sysfs parameter files.
    root = mkdtempSync(join(tmpdir(), 'kf-debian-root-'));
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'dev'));
    copyFileSync('/usr/bin/busybox', join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    for (const applet of execFileSync('busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox')) {
      symlinkSync('busybox', join(root, 'bin', applet));
    }
    execFileSync('mknod', ['-m', '666', join(root, 'dev/null'), 'c', '1', '3']);
    for (const [path, content] of Object.entries(FILES)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    chmodSync(join(root, 'sys/module/kvm_intel/parameters/nested'), 0o444);
    chmodSync(join(root, 'etc/modules-load.d/vfio.conf'), 0o640);
    const output = execFileSync('chroot', [root, '/bin/sh', '-s'], { input: buildProbe(REQUEST), encoding: 'utf8', env: { PATH: '/bin:/usr/sbin:/usr/bin' } });
    profile = parseProbe('hv1', output, '2026-11-23T15:00:00.000Z');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads the config from /boot and the module state from /proc and /lib/modules', () => {
    // /boot/config-<release> exists, so /proc/config.gz is never looked at; CONFIG_IOMMUFD has no line.
    expect(profile.kernel).toEqual({
      release: RELEASE,
      configSource: `/boot/config-${RELEASE}`,
      config: { CONFIG_MODULES: 'y', CONFIG_KVM: 'm', CONFIG_VFIO_PCI: 'm', CONFIG_VFIO_PCI_VGA: 'n', CONFIG_LOCALVERSION: '', CONFIG_IOMMUFD: null },
      modulesSupported: true,
    });
    expect(profile.modules.loaded).toEqual(['kvm_intel', 'kvm', 'vfio_pci']);
    expect(profile.modules.available).toEqual({ br_netfilter: true, kvm_intel: false, pci_stub: true, vfio_pci: true, vhost_net: false });
    expect(profile.modules.builtin).toEqual(['pci_stub']);
    expect(profile.modules.initramfs).toEqual(['vfio_pci']);
  });

  it('reads parameters, their writability and the module file layers with mode and owner', () => {
    // nested is 0444 like the real kvm_intel parameter; halt_poll_ns is 0644; vfio_pci.ids has no file.
    expect(profile.modules.params).toEqual({ 'kvm_intel.nested': 'Y', 'kvm.halt_poll_ns': '200000', 'vfio_pci.ids': null });
    expect(profile.modules.paramsWritable).toEqual({ 'kvm_intel.nested': false, 'kvm.halt_poll_ns': true, 'vfio_pci.ids': false });
    expect(profile.modules.modprobeFiles.map((f) => f.path)).toEqual(['/etc/modprobe.d/kvm.conf', '/lib/modprobe.d/aliases.conf']);
    expect(profile.modules.loadFiles).toEqual([
      { path: '/etc/modules-load.d/vfio.conf', content: 'vfio-pci\n', mode: '0640', owner: '0:0' },
      { path: '/etc/modules', content: FILES['/etc/modules'], mode: '0644', owner: '0:0' },
    ]);
  });

  it('reads live sysctls and every .conf layer in order, /etc/sysctl.conf last', () => {
    // br_netfilter is not loaded, so its key is missing; README in sysctl.d is not a .conf file.
    expect(profile.sysctl.live).toEqual({ 'net.bridge.bridge-nf-call-iptables': null, 'net.ipv4.tcp_rmem': '4096\t131072\t6291456', 'vm.swappiness': '60' });
    expect(profile.sysctl.files.map((f) => f.path)).toEqual(['/etc/sysctl.d/99-kernfleet.conf', '/usr/lib/sysctl.d/50-default.conf', '/etc/sysctl.conf']);
  });

  it('detects grub and reads the generated linux lines, default entry first', () => {
    // /etc/default/grub, the Ubuntu cloud drop-in, and a grub.cfg with a normal and a recovery entry.
    expect(profile.boot.loader).toBe('grub');
    expect(profile.boot.files.map((f) => f.path)).toEqual(['/etc/default/grub', '/etc/default/grub.d/50-cloudimg-settings.cfg']);
    expect(profile.boot.files[1]?.content).toBe(cloudDropIn);
    expect(profile.boot.nextBootCmdlines).toEqual(['root=UUID=1234 ro  console=tty1 console=ttyS0', 'root=UUID=1234 ro single']);
    expect(profile.boot.procCmdline).toBe('BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=1234 ro quiet');
    expect(profile.boot.bootId).toBe('3b9f7c1e-0000-4000-8000-000000000001');
  });

  it('reads the distribution, hardware and the kernfleet ledger', () => {
    // Two Intel CPUs, two IOMMU groups, one NUMA node, a ledger from an earlier apply.
    expect(profile.os).toEqual({ id: 'debian', family: 'debian', version: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' });
    expect(profile.hardware).toEqual({ cpuVendor: 'intel', iommuGroups: 2, numaNodes: 1 });
    expect(profile.kernfleet.ledger?.content).toBe(FILES['/var/lib/kernfleet/ledger.json']);
    expect(profile.env).toMatchObject({ root: true, sudo: 'root', container: false, wsl: false });
  });
});
