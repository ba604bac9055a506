// The drift report as GitHub-flavoured markdown (an issue, a PR comment, a chat post): summary, a table
// of host groups, then one collapsible section per drifted group. Stays under the comment size limit:
// groups that do not fit are named in a closing note.
import type { DriftFinding, DriftReport } from '../model/generated/drift.js';
import { describeDriftHost, formatDriftSource, groupDriftHosts, renderDriftSummaryLine, summariseDrift, type DriftGroup } from './drift-group.js';
import { formatValue } from './change-text.js';
import { formatGroupLabel, formatHostList } from './group.js';
import { escapeHtml, escapeTableCell, formatInlineCode } from './markdown-syntax.js';
import { MARKDOWN_LIMIT, type MarkdownOptions } from './plan-markdown.js';
import { countNoun } from './summary.js';

export function renderDriftMarkdown(report: DriftReport, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? MARKDOWN_LIMIT;
  const groups = groupDriftHosts(report.hosts);
  const head = ['## kernfleet drift', '', `**${escapeHtml(renderDriftSummaryLine(summariseDrift(report)))}**`, '', renderTable(groups)].join('\n');
  const detailed = groups.filter((g) => g.host.findings.length > 0 || g.host.diagnostics.length > 0);
  const sections: string[] = [];
  let used = head.length;
  for (const [index, group] of detailed.entries()) {
    const section = renderDetails(group);
    const rest = detailed.slice(index);
    const note = renderCutNote(rest, limit);
    // Each section keeps room for the note about what follows, so a cut is always announced.
    const reserve = index + 1 < detailed.length ? note.length + 2 : 0;
    if (used + section.length + 2 + reserve > limit) {
      sections.push(note);
      break;
    }
    sections.push(section);
    used += section.length + 2;
  }
  return [head, ...sections].join('\n\n') + '\n';
}

function renderTable(groups: DriftGroup[]): string {
  const lines = ['| hosts | status | findings | causes |', '| --- | --- | ---: | --- |'];
  for (const { hosts, host } of groups) {
    const names = hosts.length === 1 ? formatHostList(hosts) : `${formatHostList(hosts)} (${hosts.length})`;
    const causes = [...new Set(host.findings.map((f) => f.cause))].join(', ');
    lines.push(`| ${escapeTableCell(names)} | ${host.status} | ${host.findings.length} | ${escapeTableCell(causes)} |`);
  }
  return lines.join('\n');
}

function renderFindingRow(f: DriftFinding): string {
  const where = [f.source ? `host ${formatInlineCode(formatDriftSource(f.source))}` : '', f.declared ? `playbook ${formatInlineCode(formatDriftSource(f.declared))}` : ''].filter(Boolean).join('<br>');
  const cells = [formatInlineCode(`${f.area} ${f.subject}`), f.layer, formatInlineCode(formatValue(f.expected)), formatInlineCode(formatValue(f.actual)), `**${f.cause}**`, where];
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

function renderDetails({ hosts, host }: DriftGroup): string {
  const body: string[] = [];
  if (host.lastApply) body.push(`Last apply: run ${formatInlineCode(host.lastApply.run)}${host.lastApply.playbookChanged ? ' (the playbooks changed since)' : ''}.`);
  if (host.findings.length > 0) {
    body.push(['| item | layer | wanted | actual | cause | where |', '| --- | --- | --- | --- | --- | --- |', ...host.findings.map(renderFindingRow)].join('\n'));
    body.push(host.findings.map((f) => `- ${formatInlineCode(f.id)}: ${escapeHtml(f.detail)}`).join('\n'));
  }
  if (host.diagnostics.length > 0) {
    body.push(host.diagnostics.map((d) => `- **${d.severity}**: ${escapeHtml(d.message)} (${formatInlineCode(d.code)})${d.hint ? ` (hint: ${escapeHtml(d.hint)})` : ''}`).join('\n'));
  }
  const heading = `<b>${escapeHtml(formatGroupLabel(hosts))}</b>: ${escapeHtml(describeDriftHost(host))}`;
  // GitHub renders markdown inside <details> only after a blank line.
  return [`<details><summary>${heading}</summary>`, '', ...body.flatMap((b) => [b, '']), '</details>'].join('\n');
}

function renderCutNote(rest: DriftGroup[], limit: number): string {
  const names = rest.flatMap((g) => g.hosts.slice(0, 9)).slice(0, 9);
  const total = rest.reduce((sum, g) => sum + g.hosts.length, 0);
  return `_${countNoun(rest.length, 'more host group')} (${countNoun(total, 'host')}: ${escapeHtml(formatHostList(names, 8, total))}) cut to keep this under ${limit.toLocaleString('en-US')} characters; \`kernfleet drift --format json\` has the full report._`;
}
