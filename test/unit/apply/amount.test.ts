import { describe, expect, it } from 'vitest';
import { parseAmount, resolveBatchSize, resolveFailureBudget, splitBatches } from '../../../src/apply/amount.js';

describe('host amounts for --serial and --max-fail', () => {
  it('parses counts and percentages and rejects anything else', () => {
    // What an operator types after --serial.
    expect(parseAmount('3')).toEqual({ kind: 'count', value: 3 });
    expect(parseAmount('25%')).toEqual({ kind: 'percent', value: 25 });
    expect([parseAmount('x'), parseAmount('-1'), parseAmount('150%'), parseAmount('')]).toEqual([null, null, null, null]);
  });

  it('never makes an empty batch, even for a small percentage of a small fleet', () => {
    // 10% of 7 hosts rounds down to 0, which would stall the rollout.
    expect(resolveBatchSize({ kind: 'percent', value: 10 }, 7)).toBe(1);
    expect(resolveBatchSize({ kind: 'percent', value: 50 }, 7)).toBe(3);
    expect(resolveBatchSize({ kind: 'count', value: 10 }, 7)).toBe(7);
    expect(resolveBatchSize(undefined, 7)).toBe(7);
  });

  it('tolerates no limit by default and the rounded-down share otherwise', () => {
    // 25% of 10 hosts tolerates two failures; a third stops the rollout.
    expect(resolveFailureBudget(undefined, 10)).toBe(Number.POSITIVE_INFINITY);
    expect(resolveFailureBudget({ kind: 'percent', value: 25 }, 10)).toBe(2);
    expect(resolveFailureBudget({ kind: 'count', value: 0 }, 10)).toBe(0);
  });

  it('splits hosts into ordered batches', () => {
    // Five hosts, batches of two.
    expect(splitBatches(['a', 'b', 'c', 'd', 'e'], 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });
});
