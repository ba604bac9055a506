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
    // One reason often blocks many items (a container, a kernel without modules): say it once.
    const reasons = [...new Set(view.blocked.map((b) => b.reason))];
    for (const reason of reasons) {
      const items = view.blocked.filter((b) => b.reason === reason).map((b) => b.change);
      if (items.length < FOLD_AT) {
        for (const item of items) lines.push(`${STEP_INDENT}  ${item}`, `${STEP_INDENT}    ${palette.dim('blocked:')} ${reason}`);
      } else {
        lines.push(`${STEP_INDENT}  ${items.length} × ${palette.dim('blocked:')} ${reason}`);
        lines.push(...packLine(items, `${STEP_INDENT}    `));
      }
    }
  }
  lines.push(...renderHostDiagnostics(view.diagnostics, palette));
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

// Beyond this many warnings of one code, a host's warnings fold into one block, several to a line: a
// Firecracker or cloud kernel can miss dozens of recommended options and each would otherwise be a line.
const FOLD_AT = 4;
const FOLD_WIDTH = 100;

function renderHostDiagnostics(diagnostics: Diagnostic[], palette: Palette): string[] {
  const counts = new Map<string, number>();
  for (const d of diagnostics) if (d.severity !== 'error') counts.set(d.code, (counts.get(d.code) ?? 0) + 1);
  const lines: string[] = [];
  const folded = new Set<string>();
  for (const d of diagnostics) {
    if (d.severity === 'error' || (counts.get(d.code) ?? 0) < FOLD_AT) {
      lines.push(...renderHostDiagnostic(d, palette));
    } else if (!folded.has(d.code)) {
      folded.add(d.code);
      const members = diagnostics.filter((o) => o.code === d.code && o.severity !== 'error');
      const messages = members.map((m) => m.message);
      const prefix = commonWordPrefix(messages);
      lines.push(`${STEP_INDENT}${paintSeverity(d.severity, `${d.severity}:`, palette)} ${members.length} × ${prefix}${palette.dim(`(${d.code})`)}`);
      lines.push(...packLine(messages.map((m) => m.slice(prefix.length)), `${STEP_INDENT}  `));
    }
  }
  return lines;
}

/** The whole words every message starts with ("recommended "), said once in the fold's header. */
function commonWordPrefix(messages: string[]): string {
  let prefix = messages[0] ?? '';
  for (const m of messages) while (!m.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const cut = prefix.lastIndexOf(' ');
  return cut < 0 ? '' : prefix.slice(0, cut + 1);
}

function packLine(items: string[], indent: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const item of items) {
    if (current !== '' && indent.length + current.length + 2 + item.length > FOLD_WIDTH) {
      lines.push(`${indent}${current};`);
      current = item;
    } else {
      current = current === '' ? item : `${current}; ${item}`;
    }
  }
  if (current !== '') lines.push(`${indent}${current}`);
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
