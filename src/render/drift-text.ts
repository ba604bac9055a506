// The drift report for people and CI logs: one section per group of identical hosts, the summary last.
import type { DriftCause, DriftFinding, DriftReport } from '../model/generated/drift.js';
import { createPalette, paintSeverity, type Palette, type RenderOptions } from './colour.js';
import { describeDriftHost, describeFinding, formatDriftSource, groupDriftHosts, renderDriftSummaryLine, summariseDrift, type DriftGroup } from './drift-group.js';
import { formatGroupLabel } from './group.js';

const INDENT = '  ';
const DETAIL = '      ';

// What kernfleet can put back by itself reads yellow; what needs a person (another file, a kernel,
// a reboot) red; what was simply never applied cyan.
const causePaint: Record<DriftCause, 'yellow' | 'red' | 'cyan'> = {
  'changed-since-apply': 'yellow',
  'module-unloaded': 'yellow',
  'never-applied': 'cyan',
  'reboot-pending': 'yellow',
  shadowed: 'red',
  'dropin-override': 'red',
  'kernel-changed': 'red',
  unknown: 'red',
};

export function renderDriftText(report: DriftReport, options: RenderOptions): string {
  const palette = createPalette(options.color);
  const sections = groupDriftHosts(report.hosts).map((group) => renderGroup(group, palette));
  return [...sections, palette.bold(renderDriftSummaryLine(summariseDrift(report)))].join('\n\n') + '\n';
}

function renderGroup(group: DriftGroup, palette: Palette): string {
  const { host } = group;
  const lines = [`${palette.bold(formatGroupLabel(group.hosts))}: ${describeDriftHost(host)}`];
  if (host.lastApply) {
    const changed = host.lastApply.playbookChanged ? '; the playbooks changed since' : '';
    lines.push(`${INDENT}${palette.dim(`last apply: run ${host.lastApply.run}${group.hosts.length === 1 ? ` at ${host.lastApply.at}` : ''}${changed}`)}`);
  } else if (host.status === 'drifted') {
    lines.push(`${INDENT}${palette.dim('no kernfleet apply recorded')}`);
  }
  for (const finding of host.findings) lines.push(...renderFinding(finding, palette));
  for (const d of host.diagnostics) {
    lines.push(`${INDENT}${paintSeverity(d.severity, `${d.severity}:`, palette)} ${d.message} ${palette.dim(`(${d.code})`)}`);
    if (d.hint) lines.push(`${INDENT}  ${palette.dim('hint:')} ${d.hint}`);
  }
  return lines.join('\n');
}

function renderFinding(finding: DriftFinding, palette: Palette): string[] {
  const cause = palette.bold(palette[causePaint[finding.cause]](`[${finding.cause}]`));
  const lines = [`${INDENT}${cause} ${describeFinding(finding)}  ${palette.dim(finding.id)}`];
  lines.push(`${DETAIL}${palette.dim('why:')} ${finding.detail}`);
  if (finding.source) lines.push(`${DETAIL}${palette.dim('on the host:')} ${formatDriftSource(finding.source)}`);
  if (finding.declared) lines.push(`${DETAIL}${palette.dim('declared:')} ${formatDriftSource(finding.declared)}`);
  return lines;
}
