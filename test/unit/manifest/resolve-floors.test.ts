import { describe, expect, it } from 'vitest';
import { resolveDesired } from '../../../src/manifest/index.js';
import { diagnosticLines } from '../../manifest/render-diagnostics.js';
import { aFleet, LAB_INVENTORY } from './fleet-builder.js';

const play = (name: string, values: string, vars = '') => `- name: ${name}\n  hosts: all\n${vars}  sysctl:\n    values:\n${values}`;

describe('resolveDesired: sysctl floors', () => {
  it('reads every form of a value: plain, floor as number, floor as digits, floor from a template', async () => {
    // One play mixes exact values with floors written three ways; hv01's inventory sets watches for the template.
    const values = [
      '      net.ipv4.ip_forward: 1',
      '      net.core.somaxconn: { min: 32768 }',
      '      fs.file-max: { min: "9223372036854775807" }',
      '      fs.inotify.max_user_watches: { min: "{{ watches }}" }',
      '      fs.nr_open: { min: "0001048576" }',
      '',
    ].join('\n');
    const fleet = await aFleet(LAB_INVENTORY.replace('hv01: { hugepages: 8 }', 'hv01: { watches: 524288 }'), { 'p.yml': play('floors', values) });
    const { desired, diagnostics } = resolveDesired(fleet, 'hv01', null);
    expect(diagnostics).toEqual([]);
    expect(Object.fromEntries(Object.entries(desired.sysctl.values).map(([k, v]) => [k, [v.value, v.atLeast]]))).toEqual({
      'net.ipv4.ip_forward': ['1', false],
      'net.core.somaxconn': ['32768', true],
      'fs.file-max': ['9223372036854775807', true],
      'fs.inotify.max_user_watches': ['524288', true],
      'fs.nr_open': ['1048576', true],
    });
    expect(desired.sysctl.values['net.core.somaxconn']?.source).toEqual({ file: 'p.yml', line: 6, col: 27 });
  });

  it('refuses a template that does not substitute to a non-negative integer', async () => {
    // The play's default for the watches variable is a word, and another floor names a variable nobody sets.
    const vars = '  vars: { watches: lots }\n';
    const values = '      fs.inotify.max_user_watches: { min: "{{ watches }}" }\n      fs.file-max: { min: "{{ file_max }}" }\n';
    const fleet = await aFleet(LAB_INVENTORY, { 'p.yml': play('floors', values, vars) });
    const { desired, diagnostics } = resolveDesired(fleet, 'hv02', null);
    expect(diagnosticLines(diagnostics)).toEqual([
      'p.yml:6:43: error: "{{ watches }}" becomes "lots", which is not a non-negative integer for host hv02',
      'p.yml:7:27: error: undefined variable "file_max" in "{{ file_max }}" for host hv02',
    ]);
    expect(desired.sysctl.values).toEqual({});
  });

  it('reads a bare LONG_MAX exactly, takes YAML integer notations, and refuses what prints as an exponent', async () => {
    // fs.file-max is floored at LONG_MAX without quotes (beyond a double); the other floors use exponent and hex notation.
    const values = '      fs.file-max: { min: 9223372036854775807 }\n      fs.nr_open: { min: 1e6 }\n      net.core.somaxconn: { min: 0x8000 }\n      vm.max_map_count: { min: 1e21 }\n';
    const fleet = await aFleet(LAB_INVENTORY, { 'p.yml': play('floors', values) });
    const { desired, diagnostics } = resolveDesired(fleet, 'hv02', null);
    expect(Object.fromEntries(Object.entries(desired.sysctl.values).map(([k, v]) => [k, v.value]))).toEqual({
      'fs.file-max': '9223372036854775807',
      'fs.nr_open': '1000000',
      'net.core.somaxconn': '32768',
    });
    expect(diagnosticLines(diagnostics)).toEqual([
      'p.yml:8:32: error: min 1e+21 is not written in decimal digits for host hv02 (write the floor as plain digits, e.g. min: 1000000)',
    ]);
  });

  it('names both places when two plays ask different floors, or a floor and an exact value, for one key', async () => {
    // a.yml floors somaxconn at 4096 and sets file-max exactly; b.yml floors somaxconn higher and file-max at the same number.
    const a = play('a', '      net.core.somaxconn: { min: 4096 }\n      fs.file-max: 2097152\n');
    const b = play('b', '      net.core.somaxconn: { min: 32768 }\n      fs.file-max: { min: 2097152 }\n');
    const fleet = await aFleet(LAB_INVENTORY, { 'a.yml': a, 'b.yml': b });
    const { desired, diagnostics } = resolveDesired(fleet, 'hv02', null);
    expect(diagnosticLines(diagnostics)).toEqual([
      'b.yml:5:27: error: sysctl net.core.somaxconn is at least 4096 at a.yml:5:27 but at least 32768 at b.yml:5:27 for host hv02',
      'b.yml:6:20: error: sysctl fs.file-max is 2097152 at a.yml:6:20 but at least 2097152 at b.yml:6:20 for host hv02',
    ]);
    expect(diagnostics.every((d) => d.code === 'conflict')).toBe(true);
  });

  it('accepts the same floor from two plays, written as a number in one and as digits in the other', async () => {
    // Two plays agree on the inotify floor; only the spelling differs.
    const a = play('a', '      fs.inotify.max_user_watches: { min: 524288 }\n');
    const b = play('b', '      fs.inotify.max_user_watches: { min: "524288" }\n');
    const fleet = await aFleet(LAB_INVENTORY, { 'a.yml': a, 'b.yml': b });
    const { desired, diagnostics } = resolveDesired(fleet, 'hv02', null);
    expect(diagnostics).toEqual([]);
    expect(desired.sysctl.values['fs.inotify.max_user_watches']).toEqual({ value: '524288', atLeast: true, source: { file: 'a.yml', line: 5, col: 36 } });
  });
});
