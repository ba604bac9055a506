import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectLoader, parseBootSections, type LoaderEvidence } from '../../src/facts/cmdline.js';
import { file, probeSections } from './probe-text.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/facts/boot/${name}`, import.meta.url), 'utf8');
const meta = '-rw-r--r-- 0 0';

describe('parseBootSections', () => {
  it('detects BLS grub on RHEL 10 and reads the newest entry first', () => {
    // A RHEL 10 host: BLS grub defaults, /etc/kernel/cmdline beside them, two loader entries (-100 newer than -55), no linux lines in grub.cfg.
    const sections = probeSections({
      boot: [
        ...file('/proc/cmdline', 'BOOT_IMAGE=(hd0,msdos1)/vmlinuz-6.12.0-55.el10.x86_64 root=/dev/mapper/rhel_vbox-root ro rhgb quiet\n'),
        ...file('boot_id', '0f1e2d3c-aaaa-bbbb-cccc-000000000001\n'),
        ...file('/etc/default/grub', fixture('rhel10-etc-default-grub'), meta),
        ...file('/etc/kernel/cmdline', fixture('rhel10-etc-kernel-cmdline'), meta),
        'entries-dir /boot/loader/entries',
        ...file('/boot/loader/entries/abc-6.12.0-55.el10.x86_64.conf', 'title RHEL (6.12.0-55)\nlinux /vmlinuz-6.12.0-55.el10.x86_64\noptions root=/dev/mapper/rhel_vbox-root ro old\n', meta),
        ...file('/boot/loader/entries/abc-6.12.0-100.el10.x86_64.conf', 'title RHEL (6.12.0-100)\noptions root=/dev/mapper/rhel_vbox-root ro new\n', meta),
        'command grub2-mkconfig',
        'command grubby',
      ],
      'boot-next': ['grub-cfg /boot/grub2/grub.cfg'],
    });
    const boot = parseBootSections(sections, { wsl: false });
    expect(boot.loader).toBe('grub-bls');
    expect(boot.nextBootCmdlines).toEqual(['root=/dev/mapper/rhel_vbox-root ro new', 'root=/dev/mapper/rhel_vbox-root ro old']);
    expect(boot.procCmdline).toMatch(/ rhgb quiet$/);
    expect(boot.bootId).toBe('0f1e2d3c-aaaa-bbbb-cccc-000000000001');
    expect(boot.files.map((f) => f.path)).toEqual([
      '/etc/default/grub',
      '/etc/kernel/cmdline',
      '/boot/loader/entries/abc-6.12.0-55.el10.x86_64.conf',
      '/boot/loader/entries/abc-6.12.0-100.el10.x86_64.conf',
    ]);
    expect(boot.files[1]?.content).toBe(fixture('rhel10-etc-kernel-cmdline'));
  });

  it('reads grub.cfg linux lines on an Ubuntu cloud image with a drop-in', () => {
    // An Ubuntu cloud image: main grub file, the cloud drop-in, and a generated grub.cfg with a normal and a recovery entry.
    const sections = probeSections({
      boot: [
        ...file('/proc/cmdline', 'BOOT_IMAGE=/vmlinuz root=LABEL=cloudimg-rootfs ro console=tty1 console=ttyS0\n'),
        ...file('boot_id', 'x\n'),
        ...file('/etc/default/grub', 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet splash"\nGRUB_CMDLINE_LINUX=""\n', meta),
        ...file('/etc/default/grub.d/50-cloudimg-settings.cfg', fixture('ubuntu-cloudimg-50-cloudimg-settings.cfg'), meta),
        'command update-grub',
        'command grub-mkconfig',
      ],
      'boot-next': [
        'grub-cfg /boot/grub/grub.cfg',
        'grub linux\t/boot/vmlinuz-6.8.0-1012-aws root=LABEL=cloudimg-rootfs ro  console=tty1 console=ttyS0',
        'grub linux /boot/vmlinuz-6.8.0-1012-aws root=LABEL=cloudimg-rootfs ro recovery nomodeset',
      ],
    });
    const boot = parseBootSections(sections, { wsl: false });
    expect(boot.loader).toBe('grub');
    expect(boot.nextBootCmdlines).toEqual(['root=LABEL=cloudimg-rootfs ro  console=tty1 console=ttyS0', 'root=LABEL=cloudimg-rootfs ro recovery nomodeset']);
    expect(boot.files.map((f) => f.path)).toEqual(['/etc/default/grub', '/etc/default/grub.d/50-cloudimg-settings.cfg']);
  });

  it('reads extlinux APPEND lines on Alpine', () => {
    // An Alpine host: /etc/update-extlinux.conf and the generated extlinux.conf.
    const sections = probeSections({
      boot: [...file('/proc/cmdline', 'root=UUID=1 modules=sd-mod,usb-storage,ext4 quiet\n'), ...file('boot_id', 'x\n'), ...file('/etc/update-extlinux.conf', 'default_kernel_opts="quiet"\n', meta)],
      'boot-next': ['extlinux-cfg /boot/extlinux.conf', 'extlinux APPEND root=UUID=1 modules=sd-mod,usb-storage,ext4 quiet'],
    });
    const boot = parseBootSections(sections, { wsl: false });
    expect(boot.loader).toBe('extlinux');
    expect(boot.nextBootCmdlines).toEqual(['root=UUID=1 modules=sd-mod,usb-storage,ext4 quiet']);
  });

  it('reports no loader and empty values for a bare container', () => {
    // A container: no boot files at all, /proc/cmdline of the host kernel unreadable.
    const boot = parseBootSections(probeSections({ boot: ['@@kf:none /proc/cmdline', '@@kf:none boot_id'], 'boot-next': [] }), { wsl: false });
    expect(boot).toEqual({ loader: 'none', procCmdline: '', bootId: '', files: [], nextBootCmdlines: [] });
  });
});

describe('detectLoader', () => {
  const nothing: LoaderEvidence = { wsl: false, grubDefaults: false, grubCfg: false, blscfg: false, bootEntries: false, anyEntries: false, kernelCmdline: false, extlinux: false, commands: [] };

  it.each<[string, Partial<LoaderEvidence>, string]>([
    ['Debian with grub', { grubDefaults: true, grubCfg: true, commands: ['update-grub'] }, 'grub'],
    ['grub with BLS switched on but no entries yet', { grubDefaults: true, grubCfg: true, blscfg: true }, 'grub'],
    ['RHEL BLS with /etc/kernel/cmdline too', { grubDefaults: true, grubCfg: true, blscfg: true, bootEntries: true, anyEntries: true, kernelCmdline: true }, 'grub-bls'],
    ['Proxmox on systemd-boot with grub packages installed', { grubDefaults: true, kernelCmdline: true, commands: ['update-grub', 'bootctl'] }, 'systemd-boot'],
    ['systemd-boot with ESP entries only', { anyEntries: true, commands: ['bootctl'] }, 'systemd-boot'],
    ['Alpine extlinux', { extlinux: true, commands: ['update-extlinux'] }, 'extlinux'],
    ['WSL even with a stray grub file', { wsl: true, grubDefaults: true }, 'none'],
    ['nothing at all', {}, 'none'],
  ])('%s', (_name, evidence, loader) => {
    // The evidence a host of this kind leaves.
    expect(detectLoader({ ...nothing, ...evidence })).toBe(loader);
  });

  it('takes the Proxmox systemd-boot command line file from the corpus as systemd-boot evidence', () => {
    // A Proxmox host whose only boot file is /etc/kernel/cmdline.
    const sections = probeSections({
      boot: [...file('/proc/cmdline', 'initrd=\\EFI\\proxmox\\initrd.img\n'), ...file('boot_id', 'x\n'), ...file('/etc/kernel/cmdline', fixture('proxmox8-systemd-boot-etc-kernel-cmdline'), meta), 'command proxmox-boot-tool'],
      'boot-next': [],
    });
    const boot = parseBootSections(sections, { wsl: false });
    expect(boot.loader).toBe('systemd-boot');
    expect(boot.files[0]?.content).toContain('intel_iommu=on iommu=pt');
  });
});
