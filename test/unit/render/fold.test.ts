import { describe, expect, it } from 'vitest';
import { renderPlanText } from '../../../src/render/index.js';
import type { Diagnostic } from '../../../src/model/index.js';
import { aChange, aHostPlan, aPlan } from '../../fixtures/render/builders.js';

function recommended(symbol: string): Diagnostic {
  return { severity: 'warning', code: 'kconfig-recommended-unmet', message: `recommended ${symbol} not set, wanted m`, host: 'hv1' };
}

describe('folded warnings', () => {
  it('folds many warnings of one code into a short block and keeps every item', () => {
    // A cloud kernel missing thirty recommended options, plus one error that must stay on its own line.
    const symbols = Array.from({ length: 30 }, (_, i) => `CONFIG_OPTION_${i}`);
    const error: Diagnostic = { severity: 'error', code: 'sysctl-key-missing', message: 'sysctl net.x does not exist', host: 'hv1' };
    const text = renderPlanText(aPlan([aHostPlan('hv1', { diagnostics: [...symbols.map(recommended), error] })]), { color: false });
    expect(text).toContain('warning: 30 × recommended (kconfig-recommended-unmet)');
    for (const symbol of symbols) expect(text).toContain(`${symbol} not set, wanted m`);
    expect(text).toContain('error: sysctl net.x does not exist');
    const foldedLines = text.split('\n').filter((l) => l.includes('CONFIG_OPTION_'));
    expect(foldedLines.length).toBeLessThanOrEqual(15);
    expect(text).not.toMatch(/recommended CONFIG_OPTION_1 /);
  });

  it('leaves a few warnings as they are', () => {
    // Three warnings of one code are each worth their own line.
    const text = renderPlanText(aPlan([aHostPlan('hv1', { diagnostics: ['A', 'B', 'C'].map((s) => recommended(`CONFIG_${s}`)) })]), { color: false });
    expect(text).toContain('warning: recommended CONFIG_A not set, wanted m (kconfig-recommended-unmet)');
    expect(text).not.toContain(' × ');
  });
});

describe('folded blocked changes', () => {
  it('states a reason shared by many blocked changes once, with every item', () => {
    // A container: every kernel item is blocked for the same reason.
    const reason = 'kernel operations not available in containers (they share the host kernel)';
    const changes = Array.from({ length: 12 }, (_, i) => aChange({ id: `module:m${i}:load`, subject: `m${i}`, blocked: reason }));
    const text = renderPlanText(aPlan([aHostPlan('ct1', { status: 'skipped', changes })]), { color: false });
    expect(text.split(reason).length - 1).toBe(1);
    expect(text).toContain(`12 × blocked: ${reason}`);
    for (let i = 0; i < 12; i++) expect(text).toMatch(new RegExp(`\\bm${i}\\b`));
  });
});

describe('merged reasons', () => {
  it('says a reason shared by many parameters once, naming each', async () => {
    // Seven kernel parameters missing from one GRUB line.
    const { mergeReasons } = await import('../../../src/render/host-view.js');
    const keys = ['iommu', 'hugepages', 'intel_iommu'];
    expect(mergeReasons(keys.map((k) => `${k} is wanted; the configured command line has no such parameter`))).toEqual([
      'iommu, hugepages, intel_iommu is wanted; the configured command line has no such parameter',
    ]);
  });

  it('keeps reasons that are not alike', async () => {
    // Different causes must each be read.
    const { mergeReasons } = await import('../../../src/render/host-view.js');
    const reasons = ['vm.swappiness is 60', 'net.core.somaxconn is 4096', 'the next boot sets fs.file-max = 1 (/etc/sysctl.conf:3)'];
    expect(mergeReasons(reasons)).toEqual(reasons);
  });
});
