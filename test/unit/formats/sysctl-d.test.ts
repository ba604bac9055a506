import { describe, expect, it } from 'vitest';
import {
  editSysctlFile,
  effectiveSysctl,
  matchSysctlGlob,
  normaliseSysctlKey,
  orderSysctlFiles,
  parseSysctlFile,
  renderSysctlFile,
  sameSysctlValue,
  sysctlGlobFor,
} from '../../../src/formats/sysctl-d.js';
import { managedHeader } from '../../../src/formats/managed.js';
import type { FileEntry } from '../../../src/model/index.js';
import { readFixture } from './fixture.js';

function file(path: string, content: string): FileEntry {
  return { path, content };
}

// Debian 12's sysctl layers as installed: two files from procps/systemd in /lib, /etc/sysctl.conf all comments.
const debian12 = [
  file('/etc/sysctl.conf', readFixture('sysctl-debian-12-etc-sysctl.conf')),
  file('/lib/sysctl.d/50-pid-max.conf', readFixture('sysctl.d-debian-12-50-pid-max.conf')),
  file('/lib/sysctl.d/99-protect-links.conf', readFixture('sysctl.d-debian-12-99-protect-links.conf')),
];

describe('parseSysctlFile', () => {
  it('reads nothing from Debian 12 /etc/sysctl.conf, where every example is commented out', () => {
    // The stock file only documents settings (`#net.ipv4.ip_forward=1`).
    expect(parseSysctlFile('/etc/sysctl.conf', debian12[0]!.content)).toEqual([]);
  });

  it('reads the four fs.protected_* keys of Debian 12 99-protect-links.conf with their lines', () => {
    // A header of comments, then key = value lines.
    const list = parseSysctlFile('/lib/sysctl.d/99-protect-links.conf', debian12[2]!.content);
    expect(list.map((a) => `${a.key}=${a.value}@${a.line}`)).toEqual([
      'fs.protected_fifos=1@7',
      'fs.protected_hardlinks=1@8',
      'fs.protected_regular=2@9',
      'fs.protected_symlinks=1@10',
    ]);
  });

  it('handles spacing, `-` prefix, ; comments, slash keys, globs and exclusion lines', () => {
    // Every syntax sysctl.d(5) allows, on one file.
    const content = [
      '  net.ipv4.ip_forward=1  ',
      '; a comment',
      '-net.ipv4.ping_group_range =  0 2147483647',
      'net/ipv4/conf/eth0.200/forwarding = 1',
      'net.ipv4.conf.*.rp_filter = 2',
      '-net.ipv4.conf.all.rp_filter',
      'not an assignment',
      'kernel.domainname =',
    ].join('\r\n');
    const list = parseSysctlFile('/etc/sysctl.d/x.conf', content);
    expect(list.map(({ key, value, ignoreErrors, line }) => ({ key, value, ignoreErrors, line }))).toEqual([
      { key: 'net.ipv4.ip_forward', value: '1', ignoreErrors: false, line: 1 },
      { key: 'net.ipv4.ping_group_range', value: '0 2147483647', ignoreErrors: true, line: 3 },
      { key: 'net.ipv4.conf.eth0/200.forwarding', value: '1', ignoreErrors: false, line: 4 },
      { key: 'net.ipv4.conf.*.rp_filter', value: '2', ignoreErrors: false, line: 5 },
      { key: 'kernel.domainname', value: '', ignoreErrors: false, line: 8 },
    ]);
  });

  it('normalises keys as sysctl.d(5) describes', () => {
    // The man page's own example pair refers to one /proc/sys path.
    expect(normaliseSysctlKey('net/ipv4/conf/enp3s0.200/forwarding')).toBe('net.ipv4.conf.enp3s0/200.forwarding');
    expect(normaliseSysctlKey('net.ipv4.conf.enp3s0/200.forwarding')).toBe('net.ipv4.conf.enp3s0/200.forwarding');
    expect(normaliseSysctlKey('kernel/domainname')).toBe('kernel.domainname');
  });
});

describe('orderSysctlFiles and effectiveSysctl', () => {
  it('gives Debian 12 its stock values, each from the file that sets it', () => {
    // Nothing overrides the packaged files.
    const eff = effectiveSysctl(debian12);
    expect(eff['kernel.pid_max']).toMatchObject({ value: '4194304', path: '/lib/sysctl.d/50-pid-max.conf', line: 16 });
    expect(eff['fs.protected_regular']).toMatchObject({ value: '2', path: '/lib/sysctl.d/99-protect-links.conf' });
    expect(Object.keys(eff)).toHaveLength(5);
  });

  it('lets /etc shadow a same-named file in /usr/lib, sorts by name across directories, applies sysctl.conf last', () => {
    // /etc/sysctl.d/50-pid-max.conf masks the packaged one; 10-x in /run sorts first; sysctl.conf wins over all.
    const files = [
      ...debian12,
      file('/usr/lib/sysctl.d/50-pid-max.conf', 'kernel.pid_max = 1\n'),
      file('/etc/sysctl.d/50-pid-max.conf', 'kernel.pid_max = 65536\n'),
      file('/run/sysctl.d/10-x.conf', 'vm.swappiness = 30\n'),
      file('/etc/sysctl.d/99-z.conf', 'vm.swappiness = 10\n'),
      file('/etc/sysctl.d/README.sysctl', 'vm.swappiness = 99\n'),
      file('/etc/sysctl.conf', 'fs.protected_regular = 1\n'),
    ].filter((f, i, all) => all.findLastIndex((g) => g.path === f.path) === i);
    expect(orderSysctlFiles(files).map((f) => f.path)).toEqual([
      '/run/sysctl.d/10-x.conf',
      '/etc/sysctl.d/50-pid-max.conf',
      '/lib/sysctl.d/99-protect-links.conf',
      '/etc/sysctl.d/99-z.conf',
      '/etc/sysctl.conf',
    ]);
    const eff = effectiveSysctl(files);
    expect(eff['kernel.pid_max']).toMatchObject({ value: '65536', path: '/etc/sysctl.d/50-pid-max.conf' });
    expect(eff['vm.swappiness']).toMatchObject({ value: '10', path: '/etc/sysctl.d/99-z.conf' });
    expect(eff['fs.protected_regular']).toMatchObject({ value: '1', path: '/etc/sysctl.conf', line: 1 });
  });

  it('an empty /etc file masks the packaged one of the same name', () => {
    // The /dev/null-link convention: the gatherer reads it as an empty file.
    const eff = effectiveSysctl([...debian12, file('/etc/sysctl.d/50-pid-max.conf', '')]);
    expect(eff['kernel.pid_max']).toBeUndefined();
  });
});

describe('sysctl.d globs', () => {
  it('matches a glob within one key segment only', () => {
    // `*` stands for one interface name; a VLAN interface eth0.200 is the segment eth0/200.
    expect(matchSysctlGlob('net.ipv4.conf.*.rp_filter', 'net.ipv4.conf.eth0.rp_filter')).toBe(true);
    expect(matchSysctlGlob('net.ipv4.conf.*.rp_filter', 'net.ipv4.conf.eth0/200.rp_filter')).toBe(true);
    expect(matchSysctlGlob('net.ipv4.conf.*.rp_filter', 'net.ipv4.conf.a.b.rp_filter')).toBe(false);
    expect(matchSysctlGlob('net.ipv[46].conf.all.forwarding', 'net.ipv6.conf.all.forwarding')).toBe(true);
    expect(matchSysctlGlob('net.ipv[!4].conf.all.forwarding', 'net.ipv4.conf.all.forwarding')).toBe(false);
    expect(matchSysctlGlob('kernel.pid?max', 'kernel.pid_max')).toBe(true);
  });

  it('finds the glob that sets a key, unless an explicit key or an exclusion line keeps it out', () => {
    // systemd's packaged default sets rp_filter for every interface by glob and excludes `all`.
    const packaged = file('/usr/lib/sysctl.d/50-default.conf', 'net.ipv4.conf.default.rp_filter = 2\nnet.ipv4.conf.*.rp_filter = 2\n-net.ipv4.conf.all.rp_filter\n');
    expect(sysctlGlobFor([packaged], 'net.ipv4.conf.eth0.rp_filter')).toMatchObject({ key: 'net.ipv4.conf.*.rp_filter', value: '2', line: 2 });
    expect(sysctlGlobFor([packaged], 'net.ipv4.conf.all.rp_filter')).toBeUndefined();
    expect(sysctlGlobFor([packaged], 'net.ipv4.conf.default.rp_filter')).toBeUndefined();
    const local = file('/etc/sysctl.d/10-eth0.conf', 'net.ipv4.conf.eth0.rp_filter = 1\n');
    expect(sysctlGlobFor([packaged, local], 'net.ipv4.conf.eth0.rp_filter')).toBeUndefined();
    const later = file('/etc/sysctl.d/90-loose.conf', 'net.ipv4.conf.e*.rp_filter = 0\n');
    expect(sysctlGlobFor([packaged, later], 'net.ipv4.conf.eth1.rp_filter')).toMatchObject({ value: '0', path: '/etc/sysctl.d/90-loose.conf' });
  });
});

describe('sameSysctlValue', () => {
  it('compares tokens, not whitespace', () => {
    // tcp_rmem as the kernel prints it (tabs) against a playbook value (spaces).
    expect(sameSysctlValue('4096 87380  6291456', '4096\t87380 6291456 ')).toBe(true);
    expect(sameSysctlValue('4096 87380', '4096 87380 6291456')).toBe(false);
    expect(sameSysctlValue('1', '01')).toBe(false);
  });
});

describe('renderSysctlFile and editSysctlFile', () => {
  it('renders the managed file sorted by key under the header', () => {
    // Two keys given out of order.
    const out = renderSysctlFile({ 'vm.swappiness': '10', 'net.ipv4.ip_forward': '1' }, managedHeader('debvisor.yml'));
    expect(out).toBe(`${managedHeader('debvisor.yml')}net.ipv4.ip_forward = 1\nvm.swappiness = 10\n`);
    expect(parseSysctlFile('/etc/sysctl.d/90-kernfleet.conf', out).map((a) => a.line)).toEqual([2, 3]);
  });

  it('edits the last assignment in place, keeps the - prefix and spacing, appends and removes', () => {
    // swappiness is assigned twice; the second one decides.
    const content = 'vm.swappiness=60\n# keep me\n-vm.swappiness  =  30   \nkernel.pid_max = 1\n';
    const out = editSysctlFile(content, { 'vm.swappiness': '10', 'net/ipv4/ip_forward': '1' }, ['kernel.pid_max']);
    expect(out).toBe('vm.swappiness=60\n# keep me\n-vm.swappiness  =  10   \nnet.ipv4.ip_forward = 1\n');
    expect(editSysctlFile(out, { 'vm.swappiness': '10', 'net.ipv4.ip_forward': '1' }, ['kernel.pid_max'])).toBe(out);
  });
});
