import { describe, expect, it } from 'vitest';
import { decideDriftExitCode, renderDriftReport } from '../../../src/cli/drift-command.js';
import type { DriftHost, DriftReport } from '../../../src/model/generated/drift.js';

const finding = { id: 'sysctl:vm.swappiness:set-live', area: 'sysctl', subject: 'vm.swappiness', layer: 'live', expected: '10', actual: '60', cause: 'changed-since-apply', detail: 'vm.swappiness is 60' } as const;

function aReport(...hosts: Partial<DriftHost>[]): DriftReport {
  return {
    format_version: '1.0',
    tool: 'kernfleet 0.1.0',
    checkedAt: '2026-11-23T12:00:00Z',
    manifestDigest: 'sha256:0',
    hosts: hosts.map((h, i) => ({ host: `hv${i + 1}`, status: 'clean', fingerprint: 'sha256:1', findings: [], diagnostics: [], ...h })),
  };
}

describe('decideDriftExitCode', () => {
  it('exits 0 for a clean fleet, 2 for drift, and 1 when any host could not be checked, even with drift elsewhere', () => {
    // Monitoring must never read a blind spot as "only drift".
    expect(decideDriftExitCode(aReport({}, { status: 'skipped' }))).toBe(0);
    expect(decideDriftExitCode(aReport({}, { status: 'drifted', findings: [finding] }))).toBe(2);
    expect(decideDriftExitCode(aReport({ status: 'drifted', findings: [finding] }, { status: 'error' }))).toBe(1);
  });
});

describe('renderDriftReport', () => {
  it('picks the renderer for each --format', async () => {
    // One drifted host rendered four ways.
    const report = aReport({ status: 'drifted', findings: [finding] });
    expect(JSON.parse(await renderDriftReport(report, 'json', false))).toEqual(report);
    expect(await renderDriftReport(report, 'prometheus', false)).toMatch(/^kernfleet_drift_findings\{host="hv1",area="sysctl"\} 1$/m);
    expect(await renderDriftReport(report, 'markdown', false)).toMatch(/^## kernfleet drift$/m);
    expect(await renderDriftReport(report, 'text', false)).toMatch(/^hv1: drifted, 1 finding$/m);
  });
});
