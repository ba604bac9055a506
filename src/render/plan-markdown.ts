// The plan as a pull-request comment: summary table, then one collapsible section per host group.
// GitHub refuses comments over 65,536 characters, so sections shrink (diffs first, then everything)
// to fit, and say what was cut.
import type { Plan } from '../model/index.js';
import { describeFileEdit, buildFilePatch } from './file-diff.js';
import { formatGroupLabel, formatHostList, groupHostPlans, MAX_LISTED_HOSTS, type HostGroup } from './group.js';
import { buildHostView, STATE_WORDS, type HostView, type StepView } from './host-view.js';
import { escapeHtml, escapeTableCell, formatFence, formatInlineCode } from './markdown-syntax.js';
import { countNoun, renderSummaryLine, summarisePlan } from './summary.js';

export const MARKDOWN_LIMIT = 65_000;
/** The table may take at most this share of the limit; the rest is for details. */
const TABLE_SHARE = 0.4;

export interface MarkdownOptions {
  /** Upper bound on the comment's length in characters. */
  limit?: number;
}

interface GroupSection {
  group: HostGroup;
  view: HostView;
}

/** GitHub-flavoured, for a pull-request comment; stays under `options.limit` (default 65,000 characters). */
export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? MARKDOWN_LIMIT;
  const sections = groupHostPlans(plan.hosts).map((group) => ({ group, view: buildHostView(group.plan) }));
  const head = ['## kernfleet plan', '', `**${escapeHtml(renderSummaryLine(summarisePlan(plan)))}**`, '', renderTable(sections, limit * TABLE_SHARE)].join('\n');
  return [head, ...fitSections(sections, limit, limit - head.length - 1)].join('\n\n') + '\n';
}

/**
 * Every group first gets its steps (diffs only if they are shorter than the note that replaces
 * them), in order, each keeping room for the note about the groups after it so a cut is always
 * announced; the room left then buys back diffs, first groups first.
 */
function fitSections(sections: GroupSection[], limit: number, room: number): string[] {
  const full = sections.map((section) => renderDetails(section, true, limit));
  // Hosts from each group to the end, so the closing note costs no walk over the rest of the fleet.
  const hostsFrom = new Array<number>(sections.length + 1).fill(0);
  for (let index = sections.length - 1; index >= 0; index -= 1) {
    hostsFrom[index] = (hostsFrom[index + 1] ?? 0) + (sections[index]?.group.hosts.length ?? 0);
  }
  const closingNote = (index: number) => renderClosingNote(sections, index, hostsFrom[index] ?? 0, limit);
  if (full.reduce((sum, text) => sum + text.length + 2, 0) <= room) return full;
  const chosen: string[] = [];
  let closing: string | null = null;
  let left = room;
  for (const [index, section] of sections.entries()) {
    const reserve = index + 1 < sections.length ? closingNote(index + 1).length + 2 : 0;
    const compact = renderDetails(section, false, limit);
    const withDiffs = full[index] ?? compact;
    const fitting = [withDiffs.length < compact.length ? withDiffs : compact, renderCutNote(section, limit)].find(
      (text) => text.length + 2 + reserve <= left,
    );
    if (!fitting) {
      closing = closingNote(index);
      left -= closing.length + 2;
      break;
    }
    chosen.push(fitting);
    left -= fitting.length + 2;
  }
  chosen.forEach((text, index) => {
    const extra = (full[index] ?? text).length - text.length;
    if (extra > 0 && extra <= left) {
      left -= extra;
      chosen[index] = full[index] ?? text;
    }
  });
  return closing === null ? chosen : [...chosen, closing];
}

function renderTable(sections: GroupSection[], budget: number): string {
  const lines = ['| hosts | status | low | medium | high | blocked | reboot |', '| --- | --- | ---: | ---: | ---: | ---: | --- |'];
  let used = lines.join('\n').length;
  for (const [index, { group, view }] of sections.entries()) {
    const { risks, blocked, reboot, state } = view.summary;
    const hosts = group.hosts.length === 1 ? formatHostList(group.hosts) : `${formatHostList(group.hosts)} (${group.hosts.length})`;
    const row = `| ${escapeTableCell(hosts)} | ${STATE_WORDS[state]} | ${risks.low} | ${risks.medium} | ${risks.high} | ${blocked} | ${reboot ? 'yes' : 'no'} |`;
    if (used + row.length + 1 > budget) {
      const rest = sections.slice(index);
      const restHosts = rest.reduce((sum, item) => sum + item.group.hosts.length, 0);
      lines.push(`| … ${countNoun(rest.length, 'more group')} (${countNoun(restHosts, 'host')}) | | | | | | |`);
      break;
    }
    lines.push(row);
    used += row.length + 1;
  }
  return lines.join('\n');
}

function renderDetails({ group, view }: GroupSection, withDiffs: boolean, limit: number): string {
  const body: string[] = [];
  view.steps.forEach((step, index) => body.push(renderStep(step, index + 1, withDiffs)));
  const fileCount = view.steps.reduce((sum, step) => sum + step.files.length, 0);
  if (!withDiffs && fileCount > 0) {
    body.push(`_${countNoun(fileCount, 'file diff')} ${describeCut(limit)}._`);
  }
  if (view.blocked.length > 0) {
    body.push(['**Cannot be done**', '', ...view.blocked.map((b) => `- ${formatInlineCode(b.change)}: ${escapeHtml(b.reason)}`)].join('\n'));
  }
  if (view.diagnostics.length > 0) {
    const items = view.diagnostics.map((d) => {
      const where = d.source ? ` at ${formatInlineCode(`${d.source.file}:${d.source.line}:${d.source.col}`)}` : '';
      const hint = d.hint ? ` (hint: ${escapeHtml(d.hint)})` : '';
      return `- **${d.severity}**: ${escapeHtml(d.message)} (${formatInlineCode(d.code)})${where}${hint}`;
    });
    body.push(['**Diagnostics**', '', ...items].join('\n'));
  }
  if (view.satisfied > 0) body.push(`${countNoun(view.satisfied, 'item')} already ${view.satisfied === 1 ? 'holds' : 'hold'}.`);
  const heading = renderSummaryHeading(group, view);
  // Nothing to unfold (an unreachable host, say): the heading alone says it all.
  if (body.length === 0) return heading;
  // GitHub renders markdown inside <details> only after a blank line.
  return [`<details><summary>${heading}</summary>`, '', ...body.flatMap((b) => [b, '']), '</details>'].join('\n');
}

function renderSummaryHeading(group: HostGroup, view: HostView): string {
  return `<b>${escapeHtml(formatGroupLabel(group.hosts))}</b>: ${escapeHtml(view.headline)}`;
}

function renderStep(step: StepView, number: number, withDiffs: boolean): string {
  const indent = ' '.repeat(`${number}. `.length);
  const flags = [step.reboot ? 'reboot required' : '', step.manual ? '**manual: never run automatically**' : ''].filter(Boolean);
  const lines = [`${number}. **${step.risk.toUpperCase()}** ${escapeHtml(step.title)} ${formatInlineCode(step.id)}${flags.length > 0 ? ` — ${flags.join(', ')}` : ''}`];
  const item = (text: string) => lines.push(`${indent}- ${text}`);
  for (const change of step.changes) item(formatInlineCode(change));
  for (const reason of step.reasons) item(`why: ${escapeHtml(reason)}`);
  for (const command of step.commands) item(`run ${formatInlineCode(command)}`);
  if (step.runbook.length > 0) {
    item('runbook:');
    step.runbook.forEach((line, index) => lines.push(`${indent}  ${index + 1}. ${escapeHtml(line)}`));
  }
  if (step.rollback) item(`rollback: ${escapeHtml(step.rollback).replace(/\r?\n/g, ' ')}`);
  for (const file of step.files) {
    item(escapeHtml(describeFileEdit(file)));
    if (withDiffs) lines.push('', formatFence('diff', buildFilePatch(file), `${indent}  `));
  }
  return lines.join('\n');
}

function describeCut(limit: number): string {
  return `cut to keep this comment under ${limit.toLocaleString('en-US')} characters; \`kernfleet plan --format json\` has the full plan`;
}

function renderCutNote({ group, view }: GroupSection, limit: number): string {
  return `- **${escapeHtml(formatGroupLabel(group.hosts))}**: ${escapeHtml(view.headline)}. Details ${describeCut(limit)}.`;
}

/** The groups from `from` on, named by their first few hosts (only those are read). */
function renderClosingNote(sections: GroupSection[], from: number, hostCount: number, limit: number): string {
  const names: string[] = [];
  for (let index = from; index < sections.length && names.length <= MAX_LISTED_HOSTS; index += 1) {
    names.push(...(sections[index]?.group.hosts ?? []).slice(0, MAX_LISTED_HOSTS + 1 - names.length));
  }
  const listed = escapeHtml(formatHostList(names, MAX_LISTED_HOSTS, hostCount));
  return `_${countNoun(sections.length - from, 'more host group')} (${countNoun(hostCount, 'host')}: ${listed}) ${describeCut(limit)}._`;
}
