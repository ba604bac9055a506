import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRecap } from './ansible-runner.js';
import { buildFleetMix, describeMix } from './fleet-setup.js';
import { parseTimeLine } from './measure.js';
import { summariseKernfleet } from './kernfleet-runner.js';
import { parseCounters, subtractTraffic } from './traffic.js';

describe('parseTimeLine', () => {
  it('reads wall, CPU and peak RSS after the line GNU time adds for a failing command', () => {
    // kernfleet apply exits 2 (changes left): GNU time writes a status line before the format line.
    const text = 'Command exited with non-zero status 2\n12.50 3.25 0.75 131072\n';
    expect(parseTimeLine(text)).toEqual({ wallS: 12.5, cpuS: 4, maxRssKb: 131072 });
  });

  it('refuses output that is not the expected format', () => {
    // A killed command leaves only the status line.
    expect(() => parseTimeLine('Command terminated by signal 9\n')).toThrow(/unexpected GNU time output/);
  });
});

describe('parseCounters', () => {
  it('finds the three counters of a real `nft -j list table` by their comments', () => {
    // Captured from nftables 1.0.6 on Debian 12 during a 10-host benchmark run.
    const json = readFileSync(new URL('./fixtures/nft-list-table-debian12-nft1.0.6.json', import.meta.url), 'utf8');
    expect(parseCounters(json)).toEqual({ sentBytes: 475222, receivedBytes: 459746, connections: 30 });
  });

  it('says which counter is missing', () => {
    // A table whose rules were edited by hand: only the "sent" rule is left.
    const json = JSON.stringify({ nftables: [{ rule: { comment: 'sent', expr: [{ counter: { packets: 1, bytes: 60 } }] } }] });
    expect(() => parseCounters(json)).toThrow(/"received"/);
  });

  it('subtracts a reading taken before a run from one taken after', () => {
    // The counters only grow: a run's share is the difference.
    const before = { sentBytes: 1000, receivedBytes: 2000, connections: 10 };
    const after = { sentBytes: 1600, receivedBytes: 2900, connections: 20 };
    expect(subtractTraffic(after, before)).toEqual({ sentBytes: 600, receivedBytes: 900, connections: 10 });
  });
});

describe('parseRecap', () => {
  it('sums the recap lines of every host', () => {
    // Two hosts: one changed, one failed.
    const stdout = [
      'PLAY RECAP *********************************************************************',
      'hv0001                     : ok=8    changed=5    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0',
      'hv0009                     : ok=2    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0',
    ].join('\n');
    expect(parseRecap(stdout)).toEqual({ ok: 10, changed: 5, failed: 1, unreachable: 0 });
  });
});

describe('buildFleetMix', () => {
  it('gives 100 hosts unique names and the mix of ten, ten times over', () => {
    // The 100-host size of the benchmark.
    const specs = buildFleetMix(100);
    expect(new Set(specs.map((s) => s.name)).size).toBe(100);
    expect(specs.filter((s) => s.variant === 'rhel9')).toHaveLength(10);
    expect(describeMix(specs)).toBe('debian12 50, debian12 (amd) 10, debian12_cloud 10, rhel9 10, converged 10, no_vfio 10');
  });
});

describe('summariseKernfleet', () => {
  it('tallies the closing per-host report of an apply, not the plan printed before it', () => {
    // Lines of a real 10-host apply (commit c6b6e42): the plan says hv0008 "converged", the report "nothing to do".
    const stdout = readFileSync(new URL('./fixtures/apply-stdout-10-hosts-c6b6e42.txt', import.meta.url), 'utf8');
    expect(summariseKernfleet('apply', stdout, '', 2)).toBe('8 converged, 1 nothing to do, 1 needs manual work');
  });

  it('quotes the plan summary for plan, and the last error line when kernfleet failed outright', () => {
    // The same output read as a plan; then a run that stopped on a bad inventory.
    const stdout = readFileSync(new URL('./fixtures/apply-stdout-10-hosts-c6b6e42.txt', import.meta.url), 'utf8');
    expect(summariseKernfleet('plan', stdout, '', 0)).toMatch(/^Plan: 10 hosts — 9 to change/);
    expect(summariseKernfleet('plan', '', 'inventory.yml:3:1: error: bad\n', 1)).toBe('error: inventory.yml:3:1: error: bad');
  });
});
