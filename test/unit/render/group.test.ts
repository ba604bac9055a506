import { describe, expect, it } from 'vitest';
import { formatHostList, groupHostPlans } from '../../../src/render/index.js';
import { aChange, aHostPlan, aStep, aSwappinessHost, anErrorHost, hostNames } from '../../fixtures/render/builders.js';

describe('groupHostPlans', () => {
  it('puts hosts whose plans differ only in name and fingerprint into one group', () => {
    // 40 hosts need the same change; each has its own fingerprint and host-tagged warning.
    const warn = (host: string) => ({ severity: 'warning' as const, code: 'kernel-below-recommended', message: 'kernel below 6.6', host });
    const hosts = hostNames('hv', 40).map((name) => aSwappinessHost(name, { diagnostics: [warn(name)] }));
    const groups = groupHostPlans(hosts);
    expect(groups).toHaveLength(1);
    expect(groups[0]?.hosts).toEqual(hostNames('hv', 40));
    expect(groups[0]?.plan.host).toBe('hv01');
  });

  it('keeps the odd ones on their own, in order of first appearance', () => {
    // 40 uniform hosts with one that holds one more item and one unreachable host between them.
    const hosts = [
      ...hostNames('hv', 20).map((name) => aSwappinessHost(name)),
      aSwappinessHost('odd', { satisfied: 6 }),
      anErrorHost('down'),
      ...hostNames('hw', 20).map((name) => aSwappinessHost(name)),
    ];
    const groups = groupHostPlans(hosts);
    expect(groups.map((group) => group.hosts.length)).toEqual([40, 1, 1]);
    expect(groups.map((group) => group.hosts[0])).toEqual(['hv01', 'odd', 'down']);
  });

  it('treats the same plan built with a different key order as identical', () => {
    // Two planners serialised the same step with their fields in another order.
    const step = aStep();
    const reordered = Object.fromEntries(Object.entries(step).reverse()) as typeof step;
    const groups = groupHostPlans([aHostPlan('a', { steps: [step], changes: [aChange()] }), aHostPlan('b', { steps: [reordered], changes: [aChange()] })]);
    expect(groups).toHaveLength(1);
  });

  it('separates hosts whose steps come in a different order', () => {
    // Same two steps, opposite order: the execution differs, so the plans do.
    const one = aStep({ id: 'one' });
    const two = aStep({ id: 'two' });
    const groups = groupHostPlans([aHostPlan('a', { steps: [one, two] }), aHostPlan('b', { steps: [two, one] })]);
    expect(groups).toHaveLength(2);
  });

  it('separates hosts whose file contents differ', () => {
    // Each host's GRUB file has a different existing command line.
    const withFile = (name: string, before: string) =>
      aSwappinessHost(name, { steps: [aStep({ files: [{ path: '/etc/default/grub', before, after: 'GRUB_CMDLINE_LINUX="iommu=pt"\n' }] })] });
    const groups = groupHostPlans([withFile('a', 'GRUB_CMDLINE_LINUX=""\n'), withFile('b', 'GRUB_CMDLINE_LINUX="quiet"\n')]);
    expect(groups).toHaveLength(2);
  });
});

describe('formatHostList', () => {
  it('lists up to eight names and counts the rest', () => {
    // A 38-host group and a 3-host group.
    expect(formatHostList(hostNames('hv', 38))).toBe('hv01, hv02, hv03, hv04, hv05, hv06, hv07, hv08 and 30 more');
    expect(formatHostList(['a', 'b', 'c'])).toBe('a, b, c');
  });
});
