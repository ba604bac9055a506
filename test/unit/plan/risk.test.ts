import { describe, expect, it } from 'vitest';
import { decideAutoExecute, decideRisk, maxRisk } from '../../../src/plan/risk.js';

describe('risk table', () => {
  it('follows the seed: loads and files low, reloads and bootloader medium, kernel work high', () => {
    // The seed's risk classification, one row per kind of operation.
    expect(['load', 'persist', 'write-file', 'set-live'].map((a) => decideRisk(a as 'load'))).toEqual(['low', 'low', 'low', 'low']);
    expect(['unload', 'reload', 'update-bootloader', 'rebuild-initramfs', 'reboot'].map((a) => decideRisk(a as 'load'))).toEqual(['medium', 'medium', 'medium', 'medium', 'medium']);
    expect([decideRisk('rebuild-kernel'), decideRisk('upgrade-kernel')]).toEqual(['high', 'high']);
  });

  it('never lets high-risk work run automatically and picks the worst risk of a group', () => {
    // Safeguard 1, and a step that folds changes of several risks.
    expect([decideAutoExecute('low'), decideAutoExecute('medium'), decideAutoExecute('high')]).toEqual([true, true, false]);
    expect(maxRisk(['low', 'high', 'medium'])).toBe('high');
    expect(maxRisk([])).toBe('low');
  });
});
