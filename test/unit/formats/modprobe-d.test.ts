import { describe, expect, it } from 'vitest';
import { effectiveModprobe, effectiveModuleOptions, parseModprobeFile, renderModprobeBlacklist, renderModprobeOptions } from '../../../src/formats/modprobe-d.js';
import { managedHeader } from '../../../src/formats/managed.js';
import type { FileEntry } from '../../../src/model/index.js';
import { readFixture } from './fixture.js';

function file(path: string, content: string): FileEntry {
  return { path, content };
}

describe('parseModprobeFile', () => {
  it('finds the one active option in Fedora qemu kvm.conf (kvm_amd nested is commented out)', () => {
    // The qemu package ships nested=1 for Intel only; the AMD line starts with #.
    const list = parseModprobeFile('/etc/modprobe.d/kvm.conf', readFixture('modprobe-fedora-qemu-kvm.conf'));
    expect(list).toEqual([{ kind: 'options', module: 'kvm_intel', params: { nested: '1' }, path: '/etc/modprobe.d/kvm.conf', line: 10 }]);
  });

  it('normalises vfio-pci on the Proxmox host and reads both of its options', () => {
    // `options vfio-pci ids=8086:125c disable_vga=1`.
    const [d] = parseModprobeFile('/etc/modprobe.d/vfio.conf', readFixture('modprobe-proxmox-host-vfio.conf'));
    expect(d).toMatchObject({ kind: 'options', module: 'vfio_pci', params: { ids: '8086:125c', disable_vga: '1' } });
  });

  it('reads the TRX40 kvm.conf without a final newline', () => {
    // The file ends right after report_ignored_msrs=0.
    const content = readFixture('modprobe-proxmox-trx40-kvm.conf');
    expect(content.endsWith('\n')).toBe(false);
    expect(parseModprobeFile('/etc/modprobe.d/kvm.conf', content)).toMatchObject([{ module: 'kvm', params: { ignore_msrs: '1', report_ignored_msrs: '0' } }]);
  });

  it('lists the 30 modules of the Ubuntu blacklist.conf', () => {
    // A long commented file of blacklist lines only.
    const list = parseModprobeFile('/etc/modprobe.d/blacklist.conf', readFixture('modprobe-ubuntu-blacklist.conf'));
    expect(list.every((d) => d.kind === 'blacklist')).toBe(true);
    expect(list).toHaveLength(30);
    expect(list.find((d) => d.kind === 'blacklist' && d.module === 'pcspkr')?.line).toBe(50);
  });

  it('keeps the Proxmox kernel package `alias net-pf-N off` lines as other directives', () => {
    // Protocol families disabled through aliases, not blacklist.
    const list = parseModprobeFile('/usr/lib/modprobe.d/p.conf', readFixture('modprobe-proxmox-kernel-7.0.14-prevent-autoload.conf'));
    expect(list).toHaveLength(8);
    expect(list[0]).toEqual({ kind: 'other', keyword: 'alias', text: 'net-pf-3 off', path: '/usr/lib/modprobe.d/p.conf', line: 8 });
  });

  it('joins continuation lines, reads install commands, quoted and bare options', () => {
    // An options line split over two lines with a quoted value, and a bare bool option.
    const content = 'options snd-hda-intel \\\n  model="dell headset" power_save=1 enable-msi\ninstall floppy /bin/false # no\nsoftdep kvm pre: irqbypass\n';
    expect(parseModprobeFile('/etc/modprobe.d/x.conf', content)).toEqual([
      { kind: 'options', module: 'snd_hda_intel', params: { model: 'dell headset', power_save: '1', enable_msi: 'Y' }, path: '/etc/modprobe.d/x.conf', line: 1 },
      { kind: 'install', module: 'floppy', command: '/bin/false # no', path: '/etc/modprobe.d/x.conf', line: 3 },
      { kind: 'other', keyword: 'softdep', text: 'kvm pre: irqbypass', path: '/etc/modprobe.d/x.conf', line: 4 },
    ]);
  });
});

describe('effectiveModprobe', () => {
  it('uses Debian 12 systemd.conf from /lib unless /etc has a file of the same name, in name order', () => {
    // systemd's packaged file sets bonding max_bonds=0; an /etc override of the same name replaces it.
    const packaged = file('/lib/modprobe.d/systemd.conf', readFixture('modprobe-debian-12-systemd.conf'));
    expect(effectiveModuleOptions(effectiveModprobe([packaged]))).toMatchObject({
      bonding: { max_bonds: { value: '0', line: 16 } },
      dummy: { numdummies: { value: '0' } },
      ifb: { numifbs: { value: '0' } },
    });
    const files = [
      packaged,
      file('/etc/modprobe.d/systemd.conf', 'options bonding max_bonds=2\n'),
      file('/etc/modprobe.d/zz-kvm.conf', 'options kvm ignore_msrs=0\n'),
      file('/usr/lib/modprobe.d/aa-kvm.conf', 'options kvm ignore_msrs=1 halt_poll_ns=0\n'),
      file('/etc/modprobe.d/notes.txt', 'blacklist kvm\n'),
    ];
    const options = effectiveModuleOptions(effectiveModprobe(files));
    expect(options.bonding?.max_bonds).toEqual({ value: '2', path: '/etc/modprobe.d/systemd.conf', line: 1 });
    expect(options.dummy).toBeUndefined();
    expect(options.kvm).toEqual({
      ignore_msrs: { value: '0', path: '/etc/modprobe.d/zz-kvm.conf', line: 1 },
      halt_poll_ns: { value: '0', path: '/usr/lib/modprobe.d/aa-kvm.conf', line: 1 },
    });
    expect(effectiveModprobe(files).some((d) => d.kind === 'blacklist')).toBe(false);
  });

  it('reads the RHEL 10 blacklist drop-in', () => {
    // RHEL blacklists tipc_diag by default.
    const list = effectiveModprobe([file('/etc/modprobe.d/tipc_diag-blacklist.conf', readFixture('modprobe-rhel10-tipc_diag-blacklist.conf'))]);
    expect(list).toEqual([{ kind: 'blacklist', module: 'tipc_diag', path: '/etc/modprobe.d/tipc_diag-blacklist.conf', line: 7 }]);
  });
});

describe('managed modprobe files', () => {
  it('renders options sorted by module and parameter, one line per module', () => {
    // Modules given out of order, one with a dash, a value with spaces.
    const header = managedHeader('debvisor.yml');
    const out = renderModprobeOptions({ 'vfio-pci': { ids: '10de:1b80,10de:10f0', disable_vga: '1' }, kvm: { ignore_msrs: '1' }, empty: {}, snd: { model: 'a b' } }, header);
    expect(out).toBe(`${header}options kvm ignore_msrs=1\noptions snd model="a b"\noptions vfio_pci disable_vga=1 ids=10de:1b80,10de:10f0\n`);
    expect(effectiveModuleOptions(parseModprobeFile('/etc/modprobe.d/k.conf', out)).snd?.model?.value).toBe('a b');
  });

  it('renders a blacklist that also makes the module impossible to load', () => {
    // nouveau and a dashed duplicate of another module.
    const out = renderModprobeBlacklist(['nouveau', 'snd-pcsp', 'snd_pcsp'], '# h\n');
    expect(out).toBe('# h\nblacklist nouveau\ninstall nouveau /bin/false\nblacklist snd_pcsp\ninstall snd_pcsp /bin/false\n');
    expect(parseModprobeFile('/etc/modprobe.d/b.conf', out).map((d) => d.kind)).toEqual(['blacklist', 'install', 'blacklist', 'install']);
  });
});
