// Shared by the drift renderers: hosts with identical findings are shown once (a 200-host report stays
// readable), the counts behind the summary line, and how a finding reads in one line.
import type { DriftCause, DriftFinding, DriftHost, DriftReport, DriftSourceRef } from '../model/generated/drift.js';
import { formatValue } from './change-text.js';
import { countNoun } from './summary.js';
import { groupByKey } from './group.js';

export interface DriftGroup {
  /** Member host names, in report order. */
  hosts: string[];
  /** The first member; every member equals it apart from names, fingerprints, digests and apply times. */
  host: DriftHost;
}

/** What a reader sees of a host, without what naturally differs between identical hosts. */
function buildDriftGroupKey(host: DriftHost): string {
  // Findings and diagnostics are built in a fixed key order, so plain JSON compares them.
  return JSON.stringify([host.status, host.findings, host.diagnostics.map(({ host: _host, ...rest }) => rest), host.lastApply?.run ?? null, host.lastApply?.playbookChanged ?? null]);
}

export function groupDriftHosts(hosts: DriftHost[]): DriftGroup[] {
  return groupByKey(hosts, (h) => h.host, buildDriftGroupKey).map((g) => ({ hosts: g.names, host: g.first }));
}

export type DriftStatus = DriftHost['status'];

export interface DriftSummary {
  hosts: number;
  states: Record<DriftStatus, number>;
  findings: number;
  causes: Partial<Record<DriftCause, number>>;
  /** Hosts with a reboot pending. */
  rebootPending: number;
}

export function hasRebootPending(host: DriftHost): boolean {
  return host.findings.some((f) => f.cause === 'reboot-pending');
}

export function summariseDrift(report: DriftReport): DriftSummary {
  const summary: DriftSummary = { hosts: report.hosts.length, states: { clean: 0, drifted: 0, error: 0, skipped: 0 }, findings: 0, causes: {}, rebootPending: 0 };
  for (const host of report.hosts) {
    summary.states[host.status] += 1;
    summary.findings += host.findings.length;
    for (const finding of host.findings) summary.causes[finding.cause] = (summary.causes[finding.cause] ?? 0) + 1;
    if (hasRebootPending(host)) summary.rebootPending += 1;
  }
  return summary;
}

/** `Drift: 200 hosts — 3 drifted (5 findings: 3 changed-since-apply, 2 shadowed), 196 clean, 1 error; 1 reboot pending` */
export function renderDriftSummaryLine(summary: DriftSummary): string {
  const { states } = summary;
  const causes = Object.entries(summary.causes).map(([cause, count]) => `${count} ${cause}`).join(', ');
  const drifted = states.drifted > 0 || summary.findings > 0 ? `${states.drifted} drifted (${countNoun(summary.findings, 'finding')}${causes ? `: ${causes}` : ''})` : '0 drifted';
  const others = [
    states.clean > 0 ? `${states.clean} clean` : '',
    states.skipped > 0 ? `${states.skipped} skipped` : '',
    states.error > 0 ? countNoun(states.error, 'error') : '',
  ].filter(Boolean);
  const head = `Drift: ${countNoun(summary.hosts, 'host')} — ${[drifted, ...others].join(', ')}`;
  return summary.rebootPending > 0 ? `${head}; ${countNoun(summary.rebootPending, 'reboot')} pending` : head;
}

export function formatDriftSource(source: DriftSourceRef): string {
  return `${source.file}:${source.line}`;
}

/** `sysctl vm.swappiness [live]: 60, wanted 10` */
export function describeFinding(finding: DriftFinding): string {
  return `${finding.area} ${finding.subject} [${finding.layer}]: ${formatValue(finding.actual)}, wanted ${formatValue(finding.expected)}`;
}

/** The group's one-line state: "clean", "2 findings", "error: …". */
export function describeDriftHost(host: DriftHost): string {
  switch (host.status) {
    case 'clean':
      return 'clean';
    case 'skipped':
      return 'skipped (container)';
    case 'drifted':
      return `drifted, ${countNoun(host.findings.length, 'finding')}`;
    case 'error': {
      const first = host.diagnostics.find((d) => d.severity === 'error');
      const findings = host.findings.length > 0 ? `, ${countNoun(host.findings.length, 'finding')}` : '';
      return `error${findings}${first ? `: ${first.message}` : ''}`;
    }
  }
}
