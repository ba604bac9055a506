import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../../src/inventory/index.js';
import type { Inventory } from '../../../src/model/index.js';
import { rejectionLines } from '../../manifest/render-diagnostics.js';

const LAB = 'test/fixtures/inventory/lab';

function summarise(inventory: Inventory) {
  return inventory.hosts.map((h) => ({ name: h.name, groups: h.groups, vars: h.vars, connection: h.connection }));
}

describe('loadInventory', () => {
  it('reads an Ansible YAML inventory with ranges, host:port and nested children', async () => {
    // The lab inventory declares hv[01:03] by range, hv05 with an inline port and three child groups.
    const { inventory } = await loadInventory(`${LAB}/hosts.yml`);
    expect(inventory.hosts.map((h) => h.name)).toEqual(['jump01', 'hv01', 'hv02', 'hv03', 'hv04', 'hv05', 'old01']);
    expect(inventory.hosts.find((h) => h.name === 'hv02')!.groups).toEqual(['all', 'hypervisors', 'intel']);
    expect(inventory.hosts[0]!.groups).toEqual(['all', 'ungrouped']);
    expect(inventory.groups.hypervisors).toEqual({ hosts: [], children: ['intel', 'amd', 'legacy'] });
    expect(inventory.hosts.find((h) => h.name === 'hv05')!.connection.port).toBe(2200);
    expect(inventory.hosts[1]!.source).toEqual({ file: `${LAB}/hosts.yml`, line: 17, col: 13 });
  });

  it('applies Ansible variable precedence across inventory, group_vars/ and host_vars/', async () => {
    // `tier` is set at every level: all, hypervisors and amd in the inventory, group_vars for all,
    // hypervisors and intel (a directory of two files), inline on hv02 and in host_vars/hv01.yml.
    const { inventory } = await loadInventory(`${LAB}/hosts.yml`);
    const tier = Object.fromEntries(inventory.hosts.map((h) => [h.name, h.vars.tier]));
    expect(tier).toEqual({
      jump01: 'group_vars-all', // group_vars/all beats the inventory's all vars
      hv01: 'host_vars-hv01', // host_vars/ beats everything
      hv02: 'inventory-host', // an inventory host var beats every group var
      hv03: 'intel-dir', // the deeper group's group_vars file beats its parent's
      hv04: 'group_vars-hypervisors', // any group_vars file beats inventory group vars, even of a deeper group
      hv05: 'group_vars-hypervisors',
      old01: 'group_vars-hypervisors',
    });
    const hv03 = inventory.hosts.find((h) => h.name === 'hv03')!;
    expect(hv03.vars.vendor).toBe('GenuineIntel'); // files of a group_vars directory load in name order
    expect(hv03.vars.ntp).toBe('pool.ntp.org');
  });

  it('derives the connection from the ansible_* variables', async () => {
    // hv01 becomes root with a password from host_vars, a relative key from group_vars; old01 is local.
    const { inventory } = await loadInventory(`${LAB}/hosts.yml`);
    const byName = Object.fromEntries(inventory.hosts.map((h) => [h.name, h.connection]));
    expect(byName.hv01).toEqual({
      kind: 'ssh', address: 'hv01', port: null, user: 'ops', identityFile: resolve(LAB, 'keys/hv_ed25519'),
      become: true, becomeUser: 'root', becomePassword: 's3cret',
    });
    expect(byName.jump01).toMatchObject({ address: '192.0.2.1', become: false, identityFile: null });
    expect(byName.hv04?.port).toBe(2222);
    expect(byName.old01?.kind).toBe('local');
  });

  it('gives the same hosts, groups, vars and connections for the INI form', async () => {
    // hosts.ini describes the lab of hosts.yml line for line.
    const [yaml, ini] = await Promise.all([loadInventory(`${LAB}/hosts.yml`), loadInventory(`${LAB}/hosts.ini`)]);
    expect(summarise(ini.inventory)).toEqual(summarise(yaml.inventory));
    const { all: _iniAll, ...iniGroups } = ini.inventory.groups;
    const { all: _yamlAll, ...yamlGroups } = yaml.inventory.groups;
    expect(iniGroups).toEqual(yamlGroups);
    expect(ini.inventory.hosts[2]!.source).toEqual({ file: `${LAB}/hosts.ini`, line: 18, col: 1 });
    expect(Object.keys(ini.sources)).toContain(`${LAB}/group_vars/intel/20-override.yaml`);
  });

  it('reports unknown keys and bad values of a YAML inventory at their position', async () => {
    // A group misspells `hosts` and gives a port that is not a number.
    const file = 'test/fixtures/inventory/bad/unknown-key.yml';
    expect(await rejectionLines(() => loadInventory(file))).toEqual([
      `${file}:4:7: error: unknown key "host" (did you mean "hosts"?)`,
      `${file}:7:23: error: "http" is not a port number`,
    ]);
  });

  it('reports every broken INI line at once', async () => {
    // An unclosed quote, a backwards range, a misspelt section type (its lines skipped) and a vars line without =.
    const file = 'test/fixtures/inventory/bad/broken.ini';
    expect(await rejectionLines(() => loadInventory(file))).toEqual([
      `${file}:3:1: error: unclosed " quote`,
      `${file}:4:1: error: host range "[05:1]" must give begin and end the same width`,
      `${file}:6:1: error: "[hypervisors:childs]" is not a valid section (sections are [group], [group:vars] or [group:children])`,
      `${file}:10:1: error: expected key=value, got "novalue"`,
    ]);
  });

  it('refuses duplicate keys and names a missing inventory', async () => {
    // One inventory sets ansible_host twice for a host; another path does not exist.
    expect(await rejectionLines(() => loadInventory('test/fixtures/inventory/bad/duplicate.yml'))).toEqual([
      'test/fixtures/inventory/bad/duplicate.yml:5:7: error: duplicate key "ansible_host" (each key may appear once in a map)',
    ]);
    expect(await rejectionLines(() => loadInventory('test/fixtures/inventory/none.ini'))).toEqual([
      'error: inventory not found: test/fixtures/inventory/none.ini',
    ]);
  });
});
