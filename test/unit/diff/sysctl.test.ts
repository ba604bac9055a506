import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/diff/index.js';
import { aDesired, aProfile, at } from '../../builders.js';

const MANAGED = '# Managed by kernfleet (hypervisors). Changes here are overwritten: edit the playbook instead.\n';
const ids = (r: { changes: { id: string }[] }) => r.changes.map((c) => c.id);

describe('sysctl', () => {
  it('sets a differing value live and persists it in the managed file', () => {
    // IP forwarding is off and no file turns it on.
    const result = diffHost(aDesired({ sysctl: { values: { 'net.ipv4.ip_forward': { value: '1', source: at(50) } } } }), aProfile());
    expect(ids(result)).toEqual(['sysctl:net.ipv4.ip_forward:set-live', 'sysctl:net.ipv4.ip_forward:persist']);
    expect(result.changes[0]).toMatchObject({ from: '0', to: '1', risk: 'low', rollback: 'sysctl -w net.ipv4.ip_forward=0' });
    expect(result.changes[1]).toMatchObject({ from: null, to: '1', layer: 'persisted' });
  });

  it('leaves a value alone that holds live and that another file already persists', () => {
    // An operator's file already sets vm.swappiness = 10 and the kernel has it.
    const profile = aProfile({
      sysctl: { live: { 'vm.swappiness': '10' }, files: [{ path: '/etc/sysctl.d/60-tuning.conf', content: 'vm.swappiness=10\n' }] },
    });
    const result = diffHost(aDesired({ sysctl: { values: { 'vm.swappiness': { value: '10', source: at(51) } } } }), profile);
    expect(result).toMatchObject({ changes: [], diagnostics: [], satisfied: 1 });
  });

  it('compares values token-wise', () => {
    // The kernel prints tcp_rmem with tabs; the playbook writes spaces.
    const profile = aProfile({
      sysctl: { live: { 'net.ipv4.tcp_rmem': '4096\t87380\t6291456' }, files: [{ path: '/etc/sysctl.d/99-debvisor.conf', content: `${MANAGED}net.ipv4.tcp_rmem = 4096 87380 6291456\n` }] },
    });
    const desired = aDesired({ sysctl: { values: { 'net.ipv4.tcp_rmem': { value: '4096 87380 6291456', source: at(52) } } } });
    expect(diffHost(desired, profile).changes).toEqual([]);
  });

  it('rewrites the managed file when it still carries a key no play sets', () => {
    // An earlier playbook also set vm.swappiness; only ip_forward is wanted now and it holds.
    const profile = aProfile({
      sysctl: { live: { 'net.ipv4.ip_forward': '1' }, files: [{ path: '/etc/sysctl.d/99-debvisor.conf', content: `${MANAGED}net.ipv4.ip_forward = 1\nvm.swappiness = 10\n` }] },
    });
    const result = diffHost(aDesired({ sysctl: { values: { 'net.ipv4.ip_forward': { value: '1', source: at(50) } } } }), profile);
    expect(ids(result)).toEqual(['sysctl:/etc/sysctl.d/99-debvisor.conf:write-file']);
    expect(result.satisfied).toBe(1);
  });

  it('reports the file:line that would override the managed file instead of claiming it persisted', () => {
    // /etc/sysctl.conf is applied after every sysctl.d file and sets swappiness back to 60.
    const profile = aProfile({ sysctl: { files: [{ path: '/etc/sysctl.conf', content: '# tuning\nvm.swappiness = 60\n' }] } });
    const result = diffHost(aDesired({ sysctl: { values: { 'vm.swappiness': { value: '10', source: at(53) } } } }), profile);
    expect(ids(result)).toEqual(['sysctl:vm.swappiness:set-live', 'sysctl:/etc/sysctl.d/99-debvisor.conf:write-file']);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'sysctl-overridden', host: 'hv1' })]);
    expect(result.diagnostics[0]?.message).toContain('/etc/sysctl.conf:2');
  });

  it('orders a bridge key after the load of br_netfilter', () => {
    // net.bridge.* exists only once br_netfilter is loaded, and the playbook loads it.
    const desired = aDesired({ modules: { load: { br_netfilter: at(1) } }, sysctl: { values: { 'net.bridge.bridge-nf-call-iptables': { value: '1', source: at(60) } } } });
    const live = diffHost(desired, aProfile()).changes.find((c) => c.id === 'sysctl:net.bridge.bridge-nf-call-iptables:set-live');
    expect(live).toMatchObject({ from: null, to: '1', dependsOn: ['module:br_netfilter:load'] });
    expect(live?.blocked).toBeUndefined();
  });

  it('reports a missing key whose module nobody loads as a host error', () => {
    // The same bridge key without br_netfilter in the playbook.
    const desired = aDesired({ sysctl: { values: { 'net.bridge.bridge-nf-call-iptables': { value: '1', source: at(60) } } } });
    const result = diffHost(desired, aProfile());
    expect(result.changes).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'sysctl-key-missing', hint: expect.stringContaining('br_netfilter') })]);
  });

  it('blocks the bridge key when br_netfilter cannot be loaded', () => {
    // br_netfilter is wanted but this kernel does not have it.
    const desired = aDesired({ modules: { load: { br_netfilter: at(1) } }, sysctl: { values: { 'net.bridge.bridge-nf-call-iptables': { value: '1', source: at(60) } } } });
    const profile = aProfile({ modules: { available: { br_netfilter: false } } });
    const live = diffHost(desired, profile).changes.find((c) => c.id === 'sysctl:net.bridge.bridge-nf-call-iptables:set-live');
    expect(live?.blocked).toBe('waits for module:br_netfilter:load, which is blocked');
  });
});
