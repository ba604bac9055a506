// The plan for people and CI logs: one section per host group, then the one-line summary.
import type { Diagnostic, Plan } from '../model/index.js';
import { formatSourceRef } from './change-text.js';
import { createPalette, type RenderOptions, paintRisk, paintSeverity, renderRiskBadge, type Palette } from './colour.js';
import { describeFileEdit, renderFileDiff } from './file-diff.js';
import { formatGroupLabel, groupHostPlans, type HostGroup } from './group.js';
import { buildHostView, type StepView } from './host-view.js';
import { countNoun, renderSummaryLine, summarisePlan } from './summary.js';

const STEP_INDENT = '  ';
const DETAIL_INDENT = '       ';

export function renderPlanText(plan: Plan, options: RenderOptions): string {
  const palette = createPalette(options.color);
  const sections = groupHostPlans(plan.hosts).map((group) => renderGroupText(group, palette));
  const summary = palette.bold(renderSummaryLine(summarisePlan(plan)));
  return [...sections, summary].join('\n\n') + '\n';
}

function renderGroupText(group: HostGroup, palette: Palette): string {
  const view = buildHostView(group.plan);
  const lines = [`${palette.bold(formatGroupLabel(group.hosts))}: ${view.headline}`];
  view.steps.forEach((step, index) => lines.push(...renderStepText(step, index + 1, palette)));
  if (view.blocked.length > 0) {
    lines.push(`${STEP_INDENT}${palette.red('cannot be done:')}`);
    for (const blocked of view.blocked) {
      lines.push(`${STEP_INDENT}  ${blocked.change}`, `${STEP_INDENT}    ${palette.dim('blocked:')} ${blocked.reason}`);
    }
  }
  for (const diagnostic of view.diagnostics) lines.push(...renderHostDiagnostic(diagnostic, palette));
  if (view.satisfied > 0) lines.push(`${STEP_INDENT}${palette.dim(`${countNoun(view.satisfied, 'item')} already ${view.satisfied === 1 ? 'holds' : 'hold'}`)}`);
  return lines.join('\n');
}

function renderStepText(step: StepView, number: number, palette: Palette): string[] {
  const flags = [step.reboot ? paintRisk('medium', 'reboot required', palette) : '', palette.dim(step.id)].filter(Boolean);
  const lines = [`${STEP_INDENT}${number}. ${renderRiskBadge(step.risk, palette)} ${palette.bold(step.title)}  ${flags.join('  ')}`];
  const detail = (text: string) => lines.push(...indentBlock(text, DETAIL_INDENT));
  for (const change of step.changes) detail(change);
  for (const reason of step.reasons) detail(`${palette.dim('why:')} ${reason}`);
  if (step.manual) detail(paintRisk('high', 'manual: never run automatically', palette));
  for (const command of step.commands) detail(palette.dim(`$ ${command}`));
  if (step.runbook.length > 0) {
    detail('runbook:');
    step.runbook.forEach((line, index) => detail(`  ${index + 1}. ${line}`));
  }
  if (step.rollback) detail(`${palette.dim('rollback:')} ${step.rollback}`);
  for (const file of step.files) {
    detail(palette.dim(describeFileEdit(file)));
    detail(renderFileDiff(file, palette));
  }
  return lines;
}

function renderHostDiagnostic(d: Diagnostic, palette: Palette): string[] {
  const where = d.source ? `  (${formatSourceRef(d.source)})` : '';
  const lines = [`${STEP_INDENT}${paintSeverity(d.severity, `${d.severity}:`, palette)} ${d.message} ${palette.dim(`(${d.code})`)}${where}`];
  if (d.hint) lines.push(`${STEP_INDENT}  ${palette.dim('hint:')} ${d.hint}`);
  return lines;
}

/** Multi-line text (rollback prose, diffs) keeps its shape under the step it belongs to. */
function indentBlock(text: string, indent: string): string[] {
  return text.split('\n').map((line) => (line === '' ? '' : `${indent}${line}`));
}
