// `--serial N|N%` and `--max-fail N|N%`: a host count, absolute or a share of the fleet. Pure.

export type Amount = { kind: 'count'; value: number } | { kind: 'percent'; value: number };

/** Parses "3" or "25%"; null when the text is neither. */
export function parseAmount(text: string): Amount | null {
  const match = /^\s*(\d+)\s*(%?)\s*$/.exec(text);
  if (!match) return null;
  const value = Number(match[1]);
  if (match[2] === '%') return value <= 100 ? { kind: 'percent', value } : null;
  return { kind: 'count', value };
}

/** A batch size for `total` hosts: a percentage rounds down but a batch always holds at least one host. */
export function resolveBatchSize(amount: Amount | undefined, total: number): number {
  if (amount === undefined || total === 0) return Math.max(total, 1);
  const size = amount.kind === 'count' ? amount.value : Math.floor((total * amount.value) / 100);
  return Math.min(Math.max(size, 1), total);
}

/** Failures tolerated before the rollout stops: it stops once failures exceed this. */
export function resolveFailureBudget(amount: Amount | undefined, total: number): number {
  if (amount === undefined) return Number.POSITIVE_INFINITY;
  return amount.kind === 'count' ? amount.value : Math.floor((total * amount.value) / 100);
}

export function splitBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}
