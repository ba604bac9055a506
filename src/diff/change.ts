// How every differ builds its Change and Diagnostic values: ids, risk and automation are derived here,
// never chosen by a differ, so they stay consistent across domains.
import type { Change, Diagnostic, SourceRef } from '../model/index.js';
import { decideAutoExecute, decideRisk } from '../plan/risk.js';

export interface ChangeSpec {
  area: Change['area'];
  subject: string;
  action: Change['action'];
  layer: Change['layer'];
  from: string | null;
  to: string | null;
  reason: string;
  rollback: string;
  restart?: Change['restart'];
  dependsOn?: string[];
  blocked?: string;
  source?: SourceRef;
}

export function changeId(area: Change['area'], subject: string, action: Change['action']): string {
  return `${area}:${subject}:${action}`;
}

export function buildChange(spec: ChangeSpec): Change {
  const risk = decideRisk(spec.action);
  const change: Change = {
    id: changeId(spec.area, spec.subject, spec.action),
    area: spec.area,
    action: spec.action,
    subject: spec.subject,
    layer: spec.layer,
    from: spec.from,
    to: spec.to,
    risk,
    autoExecute: decideAutoExecute(risk),
    restart: spec.restart ?? 'none',
    reason: spec.reason,
    rollback: spec.rollback,
    dependsOn: spec.dependsOn ?? [],
  };
  if (spec.blocked !== undefined) change.blocked = spec.blocked;
  if (spec.source !== undefined) change.source = spec.source;
  return change;
}

/** What one domain's differ returns; diffHost concatenates them in a fixed domain order. */
export interface DomainDiff {
  changes: Change[];
  diagnostics: Diagnostic[];
  satisfied: number;
}

export function emptyDomainDiff(): DomainDiff {
  return { changes: [], diagnostics: [], satisfied: 0 };
}

export function buildDiagnostic(
  severity: Diagnostic['severity'],
  code: string,
  message: string,
  host: string,
  source?: SourceRef,
  hint?: string,
): Diagnostic {
  const diagnostic: Diagnostic = { severity, code, message, host };
  if (hint !== undefined) diagnostic.hint = hint;
  if (source !== undefined) diagnostic.source = source;
  return diagnostic;
}
