// How one change reads in any output: `vm.swappiness 60 → 10  (playbooks/debvisor.yml:42)`.
import type { Change, SourceRef } from '../model/index.js';

/** null means the item does not exist at all, which is not the same as an empty value. */
export function formatValue(value: string | null): string {
  if (value === null) return '(absent)';
  if (value === '') return '""';
  return value;
}

export function formatSourceRef(source: SourceRef): string {
  return `${source.file}:${source.line}`;
}

export function describeChange(change: Change): string {
  const where = change.source ? `  (${formatSourceRef(change.source)})` : '';
  return `${change.subject} ${formatValue(change.from)} → ${formatValue(change.to)}${where}`;
}

/** The changes a step closes, in the step's order; an id the host plan lacks is shown as-is, not dropped. */
export function findStepChanges(changeIds: string[], changes: Change[]): (Change | string)[] {
  const byId = new Map(changes.map((change) => [change.id, change]));
  return changeIds.map((id) => byId.get(id) ?? id);
}

export function listBlockedChanges(changes: Change[]): Change[] {
  return changes.filter((change) => change.blocked !== undefined);
}
