// `kernfleet drift`: load + gather + diff, read-only. Exit 0 clean, 2 drift, 1 error (a host not
// gathered or in error wins over drift, so monitoring never mistakes a blind spot for "only drift").
import { Command, Option } from 'commander';
import { assembleDriftReport, buildDriftInput, buildHostDrift } from '../drift/index.js';
import { createSharer } from '../plan/index.js';
import { jsonFileChunks } from '../render/json-chunks.js';
import { ExitError } from '../errors.js';
import { type ConnectionFlags, readGatherOptions, withConnectionFlags } from './connection-flags.js';
import type { DriftReport } from '../model/generated/drift.js';
import type { Diagnostic } from '../model/index.js';
import { renderDiagnostics, renderDriftJson, renderDriftMarkdown, renderDriftPrometheus, renderDriftSummaryLine, renderDriftText, summariseDrift } from '../render/index.js';
import { TOOL } from '../version.js';
import { wantsColor } from './output.js';
import { writeFileAtomic } from '../local/write-file-atomic.js';
import { loadAndGather } from './pipeline.js';

export const DRIFT_FORMATS = ['text', 'json', 'prometheus', 'markdown'] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];

interface DriftFlags extends ConnectionFlags {
  inventory: string;
  limit?: string;
  format: DriftFormat;
  out?: string;
}

/** The report in the asked format; colour only for text on a terminal. */
export async function renderDriftReport(report: DriftReport, format: DriftFormat, color: boolean): Promise<string> {
  switch (format) {
    case 'json':
      return renderDriftJson(report);
    case 'prometheus':
      return renderDriftPrometheus(report);
    case 'markdown':
      return renderDriftMarkdown(report);
    case 'text':
      return renderDriftText(report, { color });
  }
}

/** 1 when any host could not be checked, else 2 when any drifted, else 0. */
export function decideDriftExitCode(report: DriftReport): number {
  if (report.hosts.some((h) => h.status === 'error')) return 1;
  return report.hosts.some((h) => h.status === 'drifted') ? 2 : 0;
}

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function registerDrift(program: Command): Command {
  return withConnectionFlags(
    program
      .command('drift')
      .description('report, per host, what differs from the playbooks (live, persisted, next boot) and why; read-only')
      .requiredOption('-i, --inventory <file>', 'Ansible-style inventory (YAML or INI)')
      .option('-l, --limit <pattern>', 'only hosts matching this pattern')
      .addOption(new Option('--format <format>', 'output format').choices(DRIFT_FORMATS).default('text'))
      .option('-o, --out <file>', 'write the report to this file (atomically: temp file + rename) instead of stdout'),
  )
    .argument('<playbook...>', 'playbooks: the state every host should have')
    .action(async (playbooks: string[], flags: DriftFlags) => {
      const checkedAt = new Date().toISOString();
      // Each host is checked as it answers and its profile dropped; hosts of one kind share equal findings.
      const share = createSharer();
      const gathered = await loadAndGather({ inventory: flags.inventory, playbooks, limit: flags.limit, gather: readGatherOptions(flags) }, (fleet, host, result) => {
        const checked = buildHostDrift(buildDriftInput(fleet, host, result));
        return { ...checked, findings: checked.findings.map(share) };
      });
      const report = assembleDriftReport(gathered.hosts.map((host) => gathered.results[host]!), { tool: TOOL, checkedAt, manifestDigest: gathered.fleet.manifestDigest });
      if (flags.out) {
        // JSON a host at a time: a 1000-host report is ~20 MB.
        await writeFileAtomic(flags.out, flags.format === 'json' ? jsonFileChunks(report, 3) : await renderDriftReport(report, flags.format, false));
        print(renderDriftSummaryLine(summariseDrift(report)));
      } else {
        print(await renderDriftReport(report, flags.format, wantsColor(process.stdout, flags.color)));
      }
      // Machine formats carry failures as data; people reading a log still want them on stderr.
      const failures: Diagnostic[] = report.hosts.flatMap((h) => h.diagnostics.filter((d) => d.severity === 'error')).map(({ source, ...d }) => (source ? { ...d, source: { ...source, col: source.col ?? 1 } } : d));
      if (flags.format !== 'text' && failures.length > 0) process.stderr.write(renderDiagnostics(failures, {}, { color: wantsColor(process.stderr, flags.color) }));
      const code = decideDriftExitCode(report);
      if (code !== 0) throw new ExitError(code);
    });
}
