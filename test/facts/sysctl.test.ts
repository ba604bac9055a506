import { describe, expect, it } from 'vitest';
import { emptyProbeRequest } from '../../src/facts/request.js';
import { buildSysctlProbe, parseSysctlSections, sysctlPath } from '../../src/facts/sysctl.js';
import { file, none, probeSections } from './probe-text.js';

describe('sysctlPath', () => {
  it.each([
    ['vm.swappiness', '/proc/sys/vm/swappiness'],
    ['net.bridge.bridge-nf-call-iptables', '/proc/sys/net/bridge/bridge-nf-call-iptables'],
    ['net.ipv4.conf.eth0/100.rp_filter', '/proc/sys/net/ipv4/conf/eth0.100/rp_filter'],
    ['net/ipv4/conf/eth0.100/rp_filter', '/proc/sys/net/ipv4/conf/eth0.100/rp_filter'],
  ])('maps %s', (key, path) => {
    // sysctl.d(5) key forms, including a VLAN interface whose name holds a dot.
    expect(sysctlPath(key)).toBe(path);
  });

  it.each(['net..ipv4', '../../etc/shadow', 'vm.swappiness\nx', ''])('refuses %j', (key) => {
    // Keys that would leave /proc/sys or break the script.
    expect(() => sysctlPath(key)).toThrow(/not a sysctl key/);
  });

  it('quotes keys into the probe so they cannot run as shell', () => {
    // A hostile key with quotes and a command substitution.
    const script = buildSysctlProbe({ ...emptyProbeRequest(), sysctlKeys: ["vm.x'$(reboot)'"] });
    expect(script).toContain(`kf_file 'vm.x'\\''$(reboot)'\\''' '/proc/sys/vm/x'\\''$(reboot)'\\'''`);
  });
});

describe('parseSysctlSections', () => {
  it('reads live values with null for missing keys, and every file layer', () => {
    // br_netfilter not loaded: its key is missing; a tab-separated multi-value key keeps its tabs.
    const sysctl = parseSysctlSections(
      probeSections({
        'sysctl-live': [...file('net.ipv4.tcp_rmem', '4096\t131072\t6291456\n'), ...none('net.bridge.bridge-nf-call-iptables')],
        'sysctl-files': [...file('/usr/lib/sysctl.d/50-default.conf', 'kernel.sysrq = 16\n', '-rw-r--r-- 0 0'), ...file('/etc/sysctl.d/99-masked.conf', '', 'crw-rw-rw- 0 0'), ...none('/etc/sysctl.conf')],
      }),
    );
    expect(sysctl.live).toEqual({ 'net.ipv4.tcp_rmem': '4096\t131072\t6291456', 'net.bridge.bridge-nf-call-iptables': null });
    expect(sysctl.files).toEqual([
      { path: '/usr/lib/sysctl.d/50-default.conf', content: 'kernel.sysrq = 16\n', mode: '0644', owner: '0:0' },
      { path: '/etc/sysctl.d/99-masked.conf', content: '', mode: '0666', owner: '0:0' },
    ]);
  });
});
