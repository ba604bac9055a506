import { describe, expect, it } from 'vitest';
import { checkFleet, digestSources, loadFleet, targetHosts } from '../../src/manifest/index.js';
import { diagnosticLines, rejectionLines } from './render-diagnostics.js';

const INVENTORY = 'test/fixtures/inventory/lab/hosts.yml';
const BASE = 'test/fixtures/manifest/good/base.yml';
const CONFLICT = 'test/fixtures/manifest/conflict';

describe('loadFleet', () => {
  it('loads inventory and playbooks together, with every file read and its digest', async () => {
    // The lab inventory (with group_vars/ and host_vars/) and a playbook for the hypervisors group.
    const fleet = await loadFleet({ inventory: INVENTORY, playbooks: [BASE] });
    expect(fleet.plays).toHaveLength(3);
    expect(Object.keys(fleet.sources).sort()).toEqual([
      'test/fixtures/inventory/lab/group_vars/all.yml',
      'test/fixtures/inventory/lab/group_vars/hypervisors.yml',
      'test/fixtures/inventory/lab/group_vars/intel/10-base.yml',
      'test/fixtures/inventory/lab/group_vars/intel/20-override.yaml',
      'test/fixtures/inventory/lab/host_vars/hv01.yml',
      INVENTORY,
      BASE,
    ].sort());
    expect(fleet.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fleet.manifestDigest).toBe(digestSources(fleet.sources));
  });

  it('targets the hosts some play selects, narrowed by --limit', async () => {
    // base.yml only targets hypervisors, so jump01 is never a target.
    const fleet = await loadFleet({ inventory: INVENTORY, playbooks: [BASE] });
    expect(targetHosts(fleet)).toEqual({ hosts: ['hv01', 'hv02', 'hv03', 'hv04', 'hv05', 'old01'], diagnostics: [] });
    expect(targetHosts(fleet, 'amd:jump01').hosts).toEqual(['hv04', 'hv05']);
    expect(targetHosts(fleet, 'amb').diagnostics.map((d) => [d.message, d.hint])).toEqual([
      ['--limit amb: no host or group named "amb" in the inventory', 'did you mean "amd"?'],
    ]);
  });

  it('reports an unknown group in a play pattern at the hosts: value', async () => {
    // The play targets `hypervisor` (singular), which the inventory does not have.
    const file = `${CONFLICT}/unknown-group.yml`;
    expect(await rejectionLines(() => loadFleet({ inventory: INVENTORY, playbooks: [file] }))).toEqual([
      `${file}:2:10: error: no host or group named "hypervisor" in the inventory (did you mean "hypervisors"?)`,
    ]);
  });

  it('checks the patterns of valid playbooks even when another playbook is broken', async () => {
    // One playbook misspells a key, the other names a group the inventory lacks.
    const [broken, unknown] = ['test/fixtures/manifest/bad/unknown-key.yml', `${CONFLICT}/unknown-group.yml`];
    expect(await rejectionLines(() => loadFleet({ inventory: INVENTORY, playbooks: [broken, unknown] }))).toEqual([
      `${broken}:5:5: error: unknown key "optons" (did you mean "options"?)`,
      `${broken}:7:3: error: unknown key "sysctrl" (did you mean "sysctl"?)`,
      `${unknown}:2:10: error: no host or group named "hypervisor" in the inventory (did you mean "hypervisors"?)`,
    ]);
  });

  it('refuses a play whose pattern is valid but selects nobody', async () => {
    // The intersection of two disjoint groups is empty.
    const fleet = await loadFleet({ inventory: INVENTORY, playbooks: [BASE] });
    const lines = diagnosticLines(checkFleet({ ...fleet, plays: [{ ...fleet.plays[0]!, play: { ...fleet.plays[0]!.play, hosts: 'intel:&amd' } }] }));
    expect(lines).toEqual([`${BASE}:3:10: error: play "baseline": host pattern "intel:&amd" matches no host in ${INVENTORY}`]);
  });

  it('reports a conflict shared by many hosts once, counting the hosts', async () => {
    // a.yml (hypervisors) and b.yml (all) disagree for each of the six hypervisors.
    const [a, b] = [`${CONFLICT}/a.yml`, `${CONFLICT}/b.yml`];
    const lines = await rejectionLines(() => loadFleet({ inventory: INVENTORY, playbooks: [a, b] }));
    expect(lines).toEqual([
      `${b}:5:22: error: sysctl vm.swappiness is 10 at ${a}:5:22 but 60 at ${b}:5:22 for host hv01 (and 5 more hosts)`,
      `${b}:8:17: error: module nouveau is loaded at ${a}:8:12 but blacklisted at ${b}:8:17 for host hv01 (and 5 more hosts)`,
      `${b}:10:14: error: kernel parameter quiet is set at ${a}:11:14 but removed at ${b}:10:14 for host hv01 (and 5 more hosts)`,
    ]);
  });

  it('reports the errors of the inventory and of the playbooks in one go', async () => {
    // Both the inventory and one of the playbooks are broken.
    const lines = await rejectionLines(() => loadFleet({ inventory: 'test/fixtures/inventory/bad/unknown-key.yml', playbooks: ['test/fixtures/manifest/bad/unknown-key.yml'] }));
    expect(lines).toEqual([
      'test/fixtures/inventory/bad/unknown-key.yml:4:7: error: unknown key "host" (did you mean "hosts"?)',
      'test/fixtures/inventory/bad/unknown-key.yml:7:23: error: "http" is not a port number',
      'test/fixtures/manifest/bad/unknown-key.yml:5:5: error: unknown key "optons" (did you mean "options"?)',
      'test/fixtures/manifest/bad/unknown-key.yml:7:3: error: unknown key "sysctrl" (did you mean "sysctl"?)',
    ]);
  });
});

describe('digestSources', () => {
  it('depends on every byte and on nothing but the files', () => {
    // The same two files given in another order, then with one byte changed.
    const digest = digestSources({ 'a.yml': 'x: 1\n', 'b.yml': 'y: 2\n' });
    expect(digestSources({ 'b.yml': 'y: 2\n', 'a.yml': 'x: 1\n' })).toBe(digest);
    expect(digestSources({ 'a.yml': 'x: 1\n', 'b.yml': 'y: 3\n' })).not.toBe(digest);
    // Moving text from one file to the next is a different manifest.
    expect(digestSources({ 'a.yml': 'x: 1\ny', 'b.yml': ': 2\n' })).not.toBe(digest);
  });
});
