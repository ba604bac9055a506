import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderPlanMarkdown, renderPlanText, renderSummaryLine, summarisePlan } from '../../../src/render/index.js';
import { aChange, aHostPlan, aPlan, aStep, aSwappinessHost } from '../../fixtures/render/builders.js';

describe('renderSummaryLine', () => {
  it('counts a host with only blocked changes as blocked, not converged, and names the changes that cannot be done', () => {
    // One host wants a module that does not exist for its kernel; another holds everything.
    const blocked = aHostPlan('gpu01', { changes: [aChange({ id: 'module:nvidia:load', blocked: 'no such module' })] });
    const plan = aPlan([blocked, aHostPlan('hv02', { satisfied: 3 })]);
    expect(renderSummaryLine(summarisePlan(plan))).toBe('Plan: 2 hosts — 0 to change, 1 converged, 1 blocked; 1 change cannot be done');
  });

  it('uses the singular for one host and one step', () => {
    // A single host with a single medium step that needs a reboot.
    const plan = aPlan([aSwappinessHost('hv01', { steps: [aStep({ risk: 'medium', restart: 'system' })] })]);
    expect(renderSummaryLine(summarisePlan(plan))).toBe('Plan: 1 host — 1 to change (1 step: 1 medium); 1 needs a reboot');
  });

  it('reports skipped hosts with the reason from their diagnostic', () => {
    // A container host: kernel operations are skipped.
    const container = aHostPlan('ct01', {
      status: 'skipped',
      diagnostics: [{ severity: 'info', code: 'container', message: 'running in a docker container: kernel operations skipped', host: 'ct01' }],
    });
    const text = renderPlanText(aPlan([container]), { color: false });
    expect(text).toContain('ct01: skipped — running in a docker container: kernel operations skipped (container)');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Plan: 1 host — 0 to change, 1 skipped');
  });
});

describe('renderPlanMarkdown size cap', () => {
  it('never exceeds the limit, whatever the number of hosts, file sizes and limit', () => {
    // Random fleets of distinct hosts with files of random size, under random limits.
    const hostArb = fc.record({ lines: fc.integer({ min: 0, max: 120 }), steps: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(fc.array(hostArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 2500, max: 20_000 }), (hosts, limit) => {
        const plans = hosts.map(({ lines, steps }, index) => {
          const content = Array.from({ length: lines }, (_, line) => `host${index} line ${line}`).join('\n');
          const files = [{ path: `/etc/h${index}.conf`, before: lines > 0 ? content : null, after: `${content}\nnew` }];
          return aHostPlan(`h${index}`, { steps: Array.from({ length: steps }, (_, step) => aStep({ id: `s:${step}`, files })) });
        });
        expect(renderPlanMarkdown(aPlan(plans), { limit }).length).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 40 },
    );
  });
});
