import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInventory, matchHosts } from '../../../src/inventory/index.js';
import type { Inventory } from '../../../src/model/index.js';

let inventory: Inventory;
beforeAll(async () => {
  inventory = (await loadInventory('test/fixtures/inventory/lab/hosts.yml')).inventory;
});

const hostsOf = (pattern: string) => matchHosts(inventory, pattern).hosts;

describe('host pattern algebra', () => {
  it('behaves as set union, intersection and difference, always in inventory order', () => {
    // Any two names among the lab's groups and hosts, combined with each operator.
    const names = ['all', 'ungrouped', 'hypervisors', 'intel', 'amd', 'legacy', 'jump01', 'hv02', 'hv05', 'old01'];
    const order = inventory.hosts.map((h) => h.name);
    const inOrder = (hosts: string[]) => [...hosts].sort((a, b) => order.indexOf(a) - order.indexOf(b));
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.constantFrom(...names), (a, b) => {
        const [setA, setB] = [new Set(hostsOf(a)), new Set(hostsOf(b))];
        expect(hostsOf(`${a}:${b}`)).toEqual(inOrder([...new Set([...setA, ...setB])]));
        expect(hostsOf(`${b},${a}`)).toEqual(hostsOf(`${a}:${b}`));
        expect(hostsOf(`${a}:&${b}`)).toEqual(inOrder([...setA].filter((h) => setB.has(h))));
        expect(hostsOf(`${a}:!${b}`)).toEqual(inOrder([...setA].filter((h) => !setB.has(h))));
        expect(hostsOf(`!${b}:${a}`)).toEqual(hostsOf(`${a}:!${b}`));
      }),
    );
  });
});
