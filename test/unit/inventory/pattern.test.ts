import { beforeAll, describe, expect, it } from 'vitest';
import { loadInventory, matchHosts } from '../../../src/inventory/index.js';
import type { Inventory } from '../../../src/model/index.js';
import { diagnosticLines } from '../../manifest/render-diagnostics.js';

let inventory: Inventory;
beforeAll(async () => {
  inventory = (await loadInventory('test/fixtures/inventory/lab/hosts.yml')).inventory;
});

const hostsOf = (pattern: string) => matchHosts(inventory, pattern).hosts;

describe('matchHosts', () => {
  it('selects everything with all or *, and a group with its children', () => {
    // The lab: jump01 ungrouped, hypervisors = intel (hv01-03) + amd (hv04, hv05) + legacy (old01).
    const everyone = ['jump01', 'hv01', 'hv02', 'hv03', 'hv04', 'hv05', 'old01'];
    expect(hostsOf('all')).toEqual(everyone);
    expect(hostsOf('*')).toEqual(everyone);
    expect(hostsOf('hypervisors')).toEqual(['hv01', 'hv02', 'hv03', 'hv04', 'hv05', 'old01']);
    expect(hostsOf('ungrouped')).toEqual(['jump01']);
    expect(hostsOf('jump01')).toEqual(['jump01']);
  });

  it('unions with : and , and returns inventory order whatever the written order', () => {
    // The amd group is written before intel, and a single host is added.
    expect(hostsOf('amd:intel')).toEqual(['hv01', 'hv02', 'hv03', 'hv04', 'hv05']);
    expect(hostsOf('old01,amd')).toEqual(['hv04', 'hv05', 'old01']);
  });

  it('intersects with & and excludes with !, after the unions, as Ansible does', () => {
    // Exclusions and intersections come first in some patterns but still apply last.
    expect(hostsOf('hypervisors:&amd')).toEqual(['hv04', 'hv05']);
    expect(hostsOf('hypervisors:!legacy')).toEqual(['hv01', 'hv02', 'hv03', 'hv04', 'hv05']);
    expect(hostsOf('!legacy:hypervisors:!intel')).toEqual(['hv04', 'hv05']);
    expect(hostsOf('!hypervisors')).toEqual(['jump01']);
    expect(hostsOf('intel:amd:&hv0[2-4]')).toEqual(['hv02', 'hv03', 'hv04']);
  });

  it('matches globs and regexes against group and host names', () => {
    // Host names share the hv0 prefix; the regex is anchored at the start like Python's re.match.
    expect(hostsOf('hv0*')).toEqual(['hv01', 'hv02', 'hv03', 'hv04', 'hv05']);
    expect(hostsOf('hv0?:!hv0[!4]')).toEqual(['hv04']);
    expect(hostsOf('am*')).toEqual(['hv04', 'hv05']);
    expect(hostsOf('~hv0[45]')).toEqual(['hv04', 'hv05']);
    expect(hostsOf('~(jump|old)')).toEqual(['jump01', 'old01']);
  });

  it('picks hosts from a group by index and slice', () => {
    // intel holds hv01, hv02, hv03 in that order.
    expect(hostsOf('intel[0]')).toEqual(['hv01']);
    expect(hostsOf('intel[-1]')).toEqual(['hv03']);
    expect(hostsOf('hypervisors[1:2]')).toEqual(['hv02', 'hv03']);
  });

  it('reports an unknown name with a suggestion, and an empty glob as a warning', () => {
    // A pattern misspells the intel group; another glob matches nothing.
    const typo = matchHosts(inventory, 'intle:amd');
    expect(typo.hosts).toEqual(['hv04', 'hv05']);
    expect(diagnosticLines(typo.diagnostics)).toEqual(['error: no host or group named "intle" in the inventory (did you mean "intel"?)']);
    expect(diagnosticLines(matchHosts(inventory, 'db*').diagnostics)).toEqual(['warning: host pattern "db*" matches no host or group']);
    expect(diagnosticLines(matchHosts(inventory, '~v0').diagnostics)).toEqual(['warning: host pattern "~v0" matches no host or group']);
  });
});
