// The drift report as Prometheus text exposition, for node_exporter's textfile collector
// (`kernfleet drift --format prometheus --out /var/lib/node_exporter/textfile_collector/kernfleet.prom`).
// Every gathered host gets a sample for every area, 0 included, so an alert resolves when drift goes.
// async because prom-client's Registry.metrics() is (no I/O, a fresh registry per render), and
// prom-client is loaded here, on first use: only this format needs it, and every CLI run paid for it.
import type { DriftArea, DriftReport } from '../model/generated/drift.js';
import { hasRebootPending } from './drift-group.js';

const AREAS: DriftArea[] = ['kconfig', 'kernel', 'module', 'sysctl', 'cmdline', 'boot'];

export async function renderDriftPrometheus(report: DriftReport): Promise<string> {
  const { Gauge, Registry } = await import('prom-client');
  const registry = new Registry();
  const registers = [registry];
  const findings = new Gauge({ name: 'kernfleet_drift_findings', help: 'Items whose live, persisted or next-boot value differs from the playbooks, per host and area.', labelNames: ['host', 'area'] as const, registers });
  const checked = new Gauge({ name: 'kernfleet_last_check_timestamp_seconds', help: 'Unix time of the drift check that produced these samples.', labelNames: ['host'] as const, registers });
  const reboot = new Gauge({ name: 'kernfleet_reboot_pending', help: '1 when the next boot has a kernel command line the running kernel does not.', labelNames: ['host'] as const, registers });
  const failed = new Gauge({ name: 'kernfleet_gather_failed', help: '1 when the host could not be gathered or checked (see kernfleet drift output).', labelNames: ['host'] as const, registers });
  const applied = new Gauge({ name: 'kernfleet_last_apply_timestamp_seconds', help: 'Unix time of the last kernfleet apply recorded on the host (absent: never applied).', labelNames: ['host'] as const, registers });
  const checkedAt = Date.parse(report.checkedAt) / 1000;
  for (const host of report.hosts) {
    const labels = { host: host.host };
    checked.set(labels, checkedAt);
    failed.set(labels, host.status === 'error' ? 1 : 0);
    if (host.lastApply && Number.isFinite(Date.parse(host.lastApply.at))) applied.set(labels, Date.parse(host.lastApply.at) / 1000);
    // A host that was not gathered has no counts: a 0 would claim it is clean.
    if (host.fingerprint === undefined) continue;
    reboot.set(labels, hasRebootPending(host) ? 1 : 0);
    for (const area of AREAS) findings.set({ host: host.host, area }, host.findings.filter((f) => f.area === area).length);
  }
  return registry.metrics();
}
