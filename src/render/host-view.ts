// What a host (group) section shows, decided once for every output format: text and markdown only
// differ in how they lay it out.
import type { Change, Diagnostic, FileEdit, HostPlan, Risk, Step } from '../model/index.js';
import { describeChange, findStepChanges, listBlockedChanges } from './change-text.js';
import { sortDiagnostics } from './diagnostics.js';
import { countNoun, describeStepCounts, summariseHost, type HostState, type HostSummary } from './summary.js';

export interface StepView {
  id: string;
  title: string;
  risk: Risk;
  reboot: boolean;
  /** autoExecute false: apply runs it only after a typed confirmation, otherwise prints it as a runbook. */
  manual: boolean;
  /** `subject from → to  (file:line)` per change the step closes. */
  changes: string[];
  /** Why, for medium and high steps (the seed's "expanded explanation" for anything above low). */
  reasons: string[];
  /** Display form of the argv commands; never executed from this text. */
  commands: string[];
  runbook: string[];
  /** Shown for medium and high steps: the reader must know the way back before saying yes. */
  rollback: string | null;
  files: FileEdit[];
}

export interface BlockedView {
  change: string;
  reason: string;
}

export interface HostView {
  summary: HostSummary;
  /** "to change — 3 steps: 2 low, 1 medium; reboot needed". */
  headline: string;
  steps: StepView[];
  blocked: BlockedView[];
  /** Diagnostics not already said in the headline. */
  diagnostics: Diagnostic[];
  satisfied: number;
}

export const STATE_WORDS: Record<HostState, string> = {
  change: 'to change',
  converged: 'converged',
  blocked: 'blocked',
  error: 'error',
  skipped: 'skipped',
};

export function buildHostView(host: HostPlan): HostView {
  const summary = summariseHost(host);
  // An error or skipped host is explained by its first diagnostic; the headline carries it.
  const explaining = pickExplainingDiagnostic(host, summary.state);
  return {
    summary,
    headline: buildHeadline(summary, explaining),
    steps: host.steps.map((step) => buildStepView(step, host.changes)),
    blocked: listBlockedChanges(host.changes).map((change) => ({ change: describeChange(change), reason: change.blocked ?? '' })),
    diagnostics: sortDiagnostics(host.diagnostics.filter((d) => d !== explaining)),
    satisfied: host.satisfied,
  };
}

function pickExplainingDiagnostic(host: HostPlan, state: HostState): Diagnostic | undefined {
  if (state === 'error') return host.diagnostics.find((d) => d.severity === 'error') ?? host.diagnostics[0];
  if (state === 'skipped') return host.diagnostics[0];
  return undefined;
}

function buildHeadline(summary: HostSummary, explaining: Diagnostic | undefined): string {
  const word = STATE_WORDS[summary.state];
  if (explaining) return `${word} — ${explaining.message} (${explaining.code})`;
  const parts: string[] = [];
  if (summary.steps > 0) parts.push(describeStepCounts(summary.steps, summary.risks));
  if (summary.manual > 0) parts.push(`${summary.manual} manual`);
  if (summary.blocked > 0) parts.push(`${countNoun(summary.blocked, 'change')} cannot be done`);
  if (summary.reboot) parts.push('reboot needed');
  return parts.length > 0 ? `${word} — ${parts.join('; ')}` : word;
}

function buildStepView(step: Step, changes: Change[]): StepView {
  const closed = findStepChanges(step.changes, changes);
  const explained = step.risk !== 'low';
  return {
    id: step.id,
    title: step.title,
    risk: step.risk,
    reboot: step.restart === 'system',
    manual: !step.autoExecute,
    changes: closed.map((change) => (typeof change === 'string' ? change : describeChange(change))),
    reasons: explained ? mergeReasons([...new Set(closed.flatMap((change) => (typeof change === 'string' || !change.reason ? [] : [change.reason])))]) : [],
    commands: step.commands.map(formatArgvForDisplay),
    runbook: step.runbook ?? [],
    rollback: explained || !step.autoExecute ? step.rollback || null : null,
    files: step.files,
  };
}

const PLAIN_ARGUMENT = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * How a person would type the argv: plain words bare, anything else single-quoted. For reading
 * only; the transport does the quoting that is executed.
 */
export function formatArgvForDisplay(argv: string[]): string {
  return argv.map((arg) => (PLAIN_ARGUMENT.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * Reasons that differ only in their first words ("iommu is wanted; …", "hugepages is wanted; …") read as
 * one: "iommu, hugepages is wanted; …". Seven parameters of one boot-loader step would otherwise be seven
 * near-identical lines.
 */
export function mergeReasons(reasons: string[]): string[] {
  if (reasons.length < 3) return reasons;
  let suffix = reasons[0]!;
  for (const r of reasons) while (!r.endsWith(suffix)) suffix = suffix.slice(1);
  const cut = suffix.indexOf(' ');
  suffix = cut < 0 ? '' : suffix.slice(cut);
  const heads = reasons.map((r) => r.slice(0, r.length - suffix.length));
  if (suffix.length < 12 || heads.some((h) => h === '' || h.includes(' '))) return reasons;
  return [`${heads.join(', ')}${suffix}`];
}
