// Pure: per host (profile, desired state, diff) → findings with their causes → the drift report.
// Drift is load + gather + diff, not plan: every difference is reported, including the ones no step
// could close (blocked, manual), each with the layer that differs and why.
import type { Change, DesiredState, Diagnostic, HostProfile } from '../model/index.js';
import type { DriftFinding, DriftHost, DriftReport } from '../model/generated/drift.js';
import type { DiffResult } from '../diff/index.js';
import { sysctlPath } from '../plan/managed-files.js';
import { explainChange, type DriftContext } from './causes.js';
import { digestDesiredState, readLastApply } from './last-apply.js';
import { findShadowedSysctls, type ShadowedSysctl } from './overrides.js';

export const DRIFT_FORMAT_VERSION = '1.0';

export type DriftInput =
  | { host: string; gathered: false; diagnostic: Diagnostic }
  | {
      host: string;
      gathered: true;
      profile: HostProfile;
      desired: DesiredState;
      diff: DiffResult;
      /** Resolving the desired state (a `when` that failed, a conflict): kept with the host. */
      diagnostics: Diagnostic[];
    };

export interface DriftMeta {
  tool: string;
  checkedAt: string;
  manifestDigest: string;
}

const AREA_ORDER: DriftFinding['area'][] = ['kconfig', 'kernel', 'module', 'sysctl', 'cmdline', 'boot'];

// diffSysctl reports a shadowed key as this diagnostic; drift reports it as a finding instead.
const SHADOW_DIAGNOSTIC = 'sysctl-overridden';

function buildFinding(change: Change, ctx: DriftContext): DriftFinding | null {
  const explanation = explainChange(change, ctx);
  if (explanation === null) return null;
  const finding: DriftFinding = {
    id: change.id,
    area: change.area,
    subject: change.subject,
    layer: change.layer,
    expected: change.to,
    actual: change.from,
    cause: explanation.cause,
    detail: `${change.reason}; ${explanation.why}${change.blocked ? ` (cannot be done here: ${change.blocked})` : ''}`,
  };
  if (explanation.source) finding.source = explanation.source;
  if (change.source) finding.declared = { file: change.source.file, line: change.source.line, col: change.source.col };
  return finding;
}

function buildShadowFinding(shadow: ShadowedSysctl, desired: DesiredState): DriftFinding {
  const wanted = desired.sysctl.values[shadow.key];
  const finding: DriftFinding = {
    id: `sysctl:${shadow.key}:persist`,
    area: 'sysctl',
    subject: shadow.key,
    layer: 'persisted',
    expected: wanted?.value ?? null,
    actual: shadow.value,
    cause: 'shadowed',
    detail: `${shadow.source.file}:${shadow.source.line} sets ${shadow.key} = ${shadow.value} after kernfleet's ${sysctlPath(desired)}: the next boot gets ${shadow.value}; change or remove that line`,
    source: shadow.source,
  };
  if (wanted) finding.declared = { file: wanted.source.file, line: wanted.source.line, col: wanted.source.col };
  return finding;
}

function sortFindings(findings: DriftFinding[]): DriftFinding[] {
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => AREA_ORDER.indexOf(a.finding.area) - AREA_ORDER.indexOf(b.finding.area) || a.index - b.index)
    .map(({ finding }) => finding);
}

function withHost(diagnostics: Diagnostic[], host: string): Diagnostic[] {
  return diagnostics.map((d) => ({ ...d, host: d.host ?? host }));
}

export function buildHostDrift(input: DriftInput): DriftHost {
  if (!input.gathered) return { host: input.host, status: 'error', findings: [], diagnostics: withHost([input.diagnostic], input.host) };
  const { profile, desired, diff } = input;
  const { lastApply, diagnostics: recordDiagnostics } = readLastApply(profile);
  const desiredDigest = digestDesiredState(desired);
  const diagnostics = withHost([...input.diagnostics, ...diff.diagnostics.filter((d) => d.code !== SHADOW_DIAGNOSTIC), ...recordDiagnostics], input.host);
  const host: DriftHost = { host: input.host, status: 'clean', fingerprint: profile.fingerprint, desiredDigest, findings: [], diagnostics };
  if (lastApply) {
    host.lastApply = { run: lastApply.run, at: lastApply.at, desiredDigest: lastApply.desiredDigest, playbookChanged: lastApply.desiredDigest !== desiredDigest };
  }
  // A container shares its host's kernel: nothing here is this host's to drift.
  if (profile.env.container) return { ...host, status: 'skipped' };
  const ctx: DriftContext = { profile, desired, last: lastApply, sameDesired: lastApply?.desiredDigest === desiredDigest };
  const shadows = findShadowedSysctls(desired, profile).map((s) => buildShadowFinding(s, desired));
  const shadowIds = new Set(shadows.map((f) => f.id));
  const found = diff.changes.filter((c) => !shadowIds.has(c.id)).flatMap((c) => buildFinding(c, ctx) ?? []);
  host.findings = sortFindings([...found, ...shadows]);
  if (diagnostics.some((d) => d.severity === 'error')) host.status = 'error';
  else if (host.findings.length > 0) host.status = 'drifted';
  return host;
}

export function buildDriftReport(inputs: DriftInput[], meta: DriftMeta): DriftReport {
  return assembleDriftReport(inputs.map(buildHostDrift), meta);
}

/** The report of hosts already checked (a fleet checks each host as it is gathered, then drops its profile). */
export function assembleDriftReport(hosts: DriftHost[], meta: DriftMeta): DriftReport {
  return { format_version: DRIFT_FORMAT_VERSION, tool: meta.tool, checkedAt: meta.checkedAt, manifestDigest: meta.manifestDigest, hosts };
}
