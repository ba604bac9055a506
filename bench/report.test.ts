import { describe, expect, it } from 'vitest';
import { computeRatios, evaluateTargets, renderMarkdown, type BenchResult, type RunFigures, type RunName, type SizeResult } from './report.js';

function aRun(run: RunName, wallS: number, extra: Partial<RunFigures> = {}): RunFigures {
  return {
    run,
    exitCode: 0,
    wallS,
    cpuS: wallS / 4,
    maxRssMb: 90,
    treeRssMb: 95,
    hostCpuPerHostS: 0.25,
    sentPerHostB: 4096,
    receivedPerHostB: 8192,
    connectionsPerHost: 1,
    sessionsPerHost: 1,
    sessionsMaxHost: 1,
    outcome: 'ok',
    ...extra,
  };
}

function aSize(hosts: number, walls: Partial<Record<RunName, number>>): SizeResult {
  return { hosts, measuredAt: '2026-11-23T15:10:00Z', mix: 'debian12 10', runs: Object.entries(walls).map(([run, wall]) => aRun(run as RunName, wall)), skipped: [] };
}

function aResult(sizes: SizeResult[]): BenchResult {
  return {
    format_version: '1.0',
    startedAt: '2026-11-23T15:00:00Z',
    finishedAt: '2026-11-23T15:30:00Z',
    kernfleet: 'abc1234',
    forks: 50,
    machine: { cpus: 2, memoryGb: 24, os: 'Debian 12', node: '20.19.0', openssh: 'OpenSSH_9.2p1', ansible: 'core 2.14.18' },
    sizes,
  };
}

describe('computeRatios', () => {
  it('divides plan by the floor and Ansible by kernfleet at one size', () => {
    // 100 hosts: floor 10 s, plan 12 s, converged apply 18 s, Ansible check 300 s, apply 90 s vs 600 s.
    const size = aSize(100, { floor: 10, 'kernfleet plan': 12, 'kernfleet apply': 90, 'kernfleet apply (converged)': 18, 'ansible check': 300, 'ansible apply': 600 });
    const r = computeRatios(size);
    expect(r.planOverFloor).toBeCloseTo(1.2);
    expect(r.convergedOverPlan).toBeCloseTo(1.5);
    expect(r.ansibleCheckOverPlan).toBeCloseTo(25);
    expect(r.ansibleApplyOverApply).toBeCloseTo(600 / 90);
  });

  it('leaves a ratio empty when one side was not run', () => {
    // 1000 hosts: Ansible is capped and did not run.
    const r = computeRatios(aSize(1000, { floor: 50, 'kernfleet plan': 60 }));
    expect(r.ansibleCheckOverPlan).toBeNull();
    expect(r.planOverFloor).toBeCloseTo(1.2);
  });
});

describe('evaluateTargets', () => {
  it('meets, misses and leaves unmeasured each target from the figures alone', () => {
    // Sizes 10 and 100: plan 1.2x the floor at 100, Ansible check only 10x plan, no 1000-host run.
    const result = aResult([
      aSize(10, { floor: 2, 'kernfleet plan': 2.5, 'kernfleet apply (converged)': 3, 'ansible check': 25 }),
      aSize(100, { floor: 10, 'kernfleet plan': 12, 'kernfleet apply (converged)': 30, 'ansible check': 120 }),
    ]);
    const byName = Object.fromEntries(evaluateTargets(result).map((t) => [t.name.split(' ').slice(0, 3).join(' '), t]));
    expect(byName['plan within 1.5x']!.status).toBe('met');
    expect(byName['plan within 1.5x']!.detail).toContain('1000 hosts: not measured');
    expect(byName['at least 20x']!.status).toBe('missed');
    expect(byName['apply on a']!.status).toBe('missed');
    expect(byName['controller peak memory']!.status).toBe('not measured');
  });

  it('judges linearity by seconds per host from 100 hosts up', () => {
    // Plan takes 10 s at 100 hosts and 200 s at 1000: twice the time per host.
    const result = aResult([aSize(100, { 'kernfleet plan': 10 }), aSize(1000, { 'kernfleet plan': 200 })]);
    const linear = evaluateTargets(result).find((t) => t.name.startsWith('time linear'))!;
    expect(linear.status).toBe('missed');
    expect(linear.detail).toContain('2.00');
  });
});

describe('renderMarkdown', () => {
  it('prints every run, the ratios, the targets and what was left out', () => {
    // One size with a skipped Ansible run and an outcome containing a pipe.
    const size = aSize(500, { floor: 20, 'kernfleet plan': 25 });
    size.runs[1]!.outcome = 'Plan: 500 hosts | 450 to change';
    size.skipped.push('Ansible (runs capped at 100 hosts)');
    const md = renderMarkdown(aResult([size]));
    expect(md).toContain('| 500 | kernfleet plan | 0 | 25.00 | 6.25 | 0.250 | 90 / 95 | 4.0 | 8.0 | 1.00 | 1.00 (1) | Plan: 500 hosts / 450 to change |');
    expect(md).toContain('| 500 | 1.25 | — | — | — |');
    expect(md).toContain('- 500 hosts: Ansible (runs capped at 100 hosts)');
    expect(md).toContain('kernfleet abc1234');
  });
});
