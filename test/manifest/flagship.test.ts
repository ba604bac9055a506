import { describe, expect, it } from 'vitest';
import { loadFleet, resolveDesired, targetHosts } from '../../src/manifest/index.js';

describe('the flagship playbooks', () => {
  it('load against the example lab inventory and resolve every host without a diagnostic', async () => {
    // playbooks/debvisor.yml and debvisor-xen.yml against inventories/lab.yml, as `kernfleet validate` runs them.
    const fleet = await loadFleet({ inventory: 'inventories/lab.yml', playbooks: ['playbooks/debvisor.yml', 'playbooks/debvisor-xen.yml'] });
    const { hosts, diagnostics } = targetHosts(fleet);
    expect(diagnostics).toEqual([]);
    expect(hosts).toEqual(['hv01', 'hv02', 'hv03', 'xen01']);
    for (const host of hosts) expect(resolveDesired(fleet, host, null).diagnostics).toEqual([]);
    // hv03 lowers the 1 GiB huge page count through its inventory variable.
    expect(resolveDesired(fleet, 'hv03', null).desired.cmdline.set.hugepages?.value).toBe('8');
    expect(resolveDesired(fleet, 'hv01', null).desired.cmdline.set.hugepages?.value).toBe('16');
  });
});
