import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../../src/model/generated/drift.js';
import { renderDriftJson, renderDriftMarkdown, renderDriftPrometheus, renderDriftText } from '../../../src/render/index.js';
import { aFleetDriftReport, CHECKED_AT, hostName } from './fleet-report.js';

const schema = JSON.parse(readFileSync(new URL('../../../schemas/drift.schema.json', import.meta.url), 'utf8')) as object;
const validateReport = new Ajv({ allErrors: true, strict: true }).compile<DriftReport>(schema);

describe('renderDriftText', () => {
  it('shows hosts with identical findings once, with cause, host file and playbook line, and a summary', () => {
    // Ten hosts: the usual mix of clean, sysctl -w, a shadowing file and an unreachable host.
    const report = aFleetDriftReport(10);
    const text = renderDriftText(report, { color: false });
    expect(text).toMatch(/^6 hosts \(hv001, hv005, hv006, hv007, hv008, hv009\): clean$/m);
    expect(text).toContain('[changed-since-apply] sysctl vm.swappiness [live]: 60, wanted 10');
    expect(text).toContain('[shadowed] sysctl net.ipv4.ip_forward [persisted]: 0, wanted 1');
    expect(text).toContain('on the host: /etc/sysctl.d/zz-tuning.conf:1');
    expect(text).toContain('declared: playbooks/debvisor.yml:21');
    expect(text).toContain('hv010: error: hv010: connect ECONNREFUSED');
    expect(text.trimEnd().split('\n').at(-1)).toBe('Drift: 10 hosts — 3 drifted (3 findings: 1 changed-since-apply, 1 shadowed, 1 reboot-pending), 6 clean, 1 error; 1 reboot pending');
    expect(text).not.toContain('\u001b[');
  });

  it('keeps a 200-host report short: one section per distinct situation', () => {
    // 200 hosts in five situations.
    const text = renderDriftText(aFleetDriftReport(200), { color: false });
    const sections = text.split('\n\n');
    expect(sections).toHaveLength(6);
    expect(text.split('\n').length).toBeLessThan(40);
    expect(text).toMatch(/^20 hosts \(hv002, hv012, .* and 12 more\): drifted, 1 finding$/m);
  });

  it('paints causes when colour is on', () => {
    // Same report, on a terminal.
    expect(renderDriftText(aFleetDriftReport(10), { color: true })).toContain('\u001b[');
  });
});

describe('renderDriftJson', () => {
  it('writes a 200-host report that validates against schemas/drift.schema.json', () => {
    // The full fleet report, as `--format json` prints it.
    const json = renderDriftJson(aFleetDriftReport(200));
    const parsed: unknown = JSON.parse(json);
    expect(validateReport(parsed), JSON.stringify(validateReport.errors)).toBe(true);
    expect((parsed as DriftReport).hosts).toHaveLength(200);
  });

  it('is rejected by the schema when a finding has a cause it does not know', () => {
    // Guards the schema itself: a made-up cause must not validate.
    const report = aFleetDriftReport(3);
    const broken = structuredClone(report) as unknown as { hosts: { findings: { cause: string }[] }[] };
    const finding = broken.hosts.flatMap((h) => h.findings)[0];
    if (!finding) throw new Error('fixture has no finding');
    finding.cause = 'gremlins';
    expect(validateReport(broken)).toBe(false);
  });
});

describe('renderDriftMarkdown', () => {
  it('has a summary table and a collapsible section per drifted group with the findings table', () => {
    // Ten hosts as above, for a pull-request or issue comment.
    const md = renderDriftMarkdown(aFleetDriftReport(10));
    expect(md.startsWith('## kernfleet drift\n')).toBe(true);
    expect(md).toContain('| hosts | status | findings | causes |');
    expect(md).toContain('| hv001, hv005, hv006, hv007, hv008, hv009 (6) | clean | 0 |  |');
    expect(md).toContain('<details><summary><b>hv002</b>: drifted, 1 finding</summary>');
    expect(md).toContain('| `sysctl net.ipv4.ip_forward` | persisted | `1` | `0` | **shadowed** | host `/etc/sysctl.d/zz-tuning.conf:1`<br>playbook `playbooks/debvisor.yml:21` |');
    expect(md.match(/<details>/g)).toHaveLength(4);
  });

  it('stays under its size limit and says which host groups were cut', () => {
    // A tight limit that fits the table and one group.
    const full = renderDriftMarkdown(aFleetDriftReport(200));
    const md = renderDriftMarkdown(aFleetDriftReport(200), { limit: 2500 });
    expect(full.length).toBeGreaterThan(2500);
    expect(md.length).toBeLessThanOrEqual(2500);
    expect(md).toMatch(/_\d+ more host groups? \(\d+ hosts?: .*\) cut to keep this under 2,500 characters/);
  });
});

describe('renderDriftPrometheus', () => {
  it('exposes per host and area counts, check time, reboot pending and gather failures that a real parser reads', async () => {
    // Ten hosts: hv002 drifted (sysctl), hv004 reboot pending, hv010 unreachable.
    const text = await renderDriftPrometheus(aFleetDriftReport(10));
    const families = parsePrometheusTextFormat(text);
    const family = (name: string) => families.find((f) => f.name === name);
    const sample = (name: string, labels: Record<string, string>) => family(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value;
    expect(families.map((f) => `${f.name}:${f.type}`).sort()).toEqual([
      'kernfleet_drift_findings:GAUGE',
      'kernfleet_gather_failed:GAUGE',
      'kernfleet_last_apply_timestamp_seconds:GAUGE',
      'kernfleet_last_check_timestamp_seconds:GAUGE',
      'kernfleet_reboot_pending:GAUGE',
    ]);
    expect(family('kernfleet_drift_findings')?.help).toMatch(/per host and area/);
    expect(sample('kernfleet_drift_findings', { host: 'hv002', area: 'sysctl' })).toBe('1');
    expect(sample('kernfleet_drift_findings', { host: 'hv002', area: 'module' })).toBe('0');
    expect(sample('kernfleet_reboot_pending', { host: 'hv004' })).toBe('1');
    expect(sample('kernfleet_reboot_pending', { host: 'hv002' })).toBe('0');
    expect(sample('kernfleet_gather_failed', { host: 'hv010' })).toBe('1');
    expect(Number(sample('kernfleet_last_check_timestamp_seconds', { host: 'hv010' }))).toBe(Date.parse(CHECKED_AT) / 1000);
    // No counts for a host nobody could look at: a 0 would read as clean.
    expect(sample('kernfleet_drift_findings', { host: 'hv010' })).toBeUndefined();
  });

  it('gives every gathered host of a 200-host fleet a sample per area', async () => {
    // Textfile collector input for the whole fleet.
    const families = parsePrometheusTextFormat(await renderDriftPrometheus(aFleetDriftReport(200)));
    const findings = families.find((f) => f.name === 'kernfleet_drift_findings');
    expect(findings?.metrics).toHaveLength(199 * 6);
    expect(findings?.metrics.filter((m) => m.labels?.host === hostName(0))).toHaveLength(6);
  });
});
