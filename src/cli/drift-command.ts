// `kernfleet drift`: load + gather + diff, read-only. Exit 0 clean, 2 drift, 1 error (a host not
// gathered or in error wins over drift, so monitoring never mistakes a blind spot for "only drift").
import { Command, Option } from 'commander';
import { buildDriftInput, buildDriftReport } from '../drift/index.js';
import { DiagnosticError, ExitError } from '../errors.js';
import type { GatherOptions } from '../facts/gather.js';
import type { DriftReport } from '../model/generated/drift.js';
import type { Diagnostic } from '../model/index.js';
import { renderDiagnostics, renderDriftJson, renderDriftMarkdown, renderDriftPrometheus, renderDriftSummaryLine, renderDriftText, summariseDrift } from '../render/index.js';
import { TOOL } from '../version.js';
import { wantsColor, writeFileAtomic } from './output.js';
import { loadAndGather } from './pipeline.js';

export const DRIFT_FORMATS = ['text', 'json', 'prometheus', 'markdown'] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];

interface DriftFlags {
  inventory: string;
  limit?: string;
  format: DriftFormat;
  out?: string;
  forks: string;
  acceptNewHostKeys?: boolean;
  connectTimeout: string;
  commandTimeout: string;
  sshConfig?: string;
  knownHosts?: string;
  color?: boolean;
}

// The same connection flags as gather and plan (cli/main.ts keeps its own copy private for now).
function readGatherOptions(flags: DriftFlags): GatherOptions {
  return {
    forks: readPositiveInt(flags.forks, '--forks'),
    acceptNewHostKeys: flags.acceptNewHostKeys === true,
    connectTimeoutMs: readPositiveInt(flags.connectTimeout, '--connect-timeout') * 1000,
    commandTimeoutMs: readPositiveInt(flags.commandTimeout, '--command-timeout') * 1000,
    ...(flags.sshConfig ? { sshConfigPath: flags.sshConfig } : {}),
    ...(flags.knownHosts ? { knownHostsPath: flags.knownHosts } : {}),
  };
}

function readPositiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new DiagnosticError([{ severity: 'error', code: 'bad-flag', message: `${flag} must be a whole number above 0, got "${text}"` }]);
  }
  return n;
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
  return program
    .command('drift')
    .description('report, per host, what differs from the playbooks (live, persisted, next boot) and why; read-only')
    .requiredOption('-i, --inventory <file>', 'Ansible-style inventory (YAML or INI)')
    .option('-l, --limit <pattern>', 'only hosts matching this pattern')
    .addOption(new Option('--format <format>', 'output format').choices(DRIFT_FORMATS).default('text'))
    .option('-o, --out <file>', 'write the report to this file (atomically: temp file + rename) instead of stdout')
    .option('-f, --forks <n>', 'hosts contacted at once', '50')
    .option('--accept-new-host-keys', 'record host keys not yet in known_hosts (a changed key is always refused)')
    .option('--connect-timeout <s>', 'seconds to establish an SSH connection', '15')
    .option('--command-timeout <s>', 'seconds a remote command may run', '120')
    .option('--ssh-config <file>', 'OpenSSH client config (default ~/.ssh/config)')
    .option('--known-hosts <file>', 'known_hosts file (default: ssh config UserKnownHostsFile or ~/.ssh/known_hosts)')
    .option('--no-color', 'plain text even on a terminal (NO_COLOR is honoured too)')
    .argument('<playbook...>', 'playbooks: the state every host should have')
    .action(async (playbooks: string[], flags: DriftFlags) => {
      const gathered = await loadAndGather({ inventory: flags.inventory, playbooks, limit: flags.limit, gather: readGatherOptions(flags) });
      const inputs = gathered.hosts.map((host) => buildDriftInput(gathered.fleet, host, gathered.results[host]!));
      const report = buildDriftReport(inputs, { tool: TOOL, checkedAt: new Date().toISOString(), manifestDigest: gathered.fleet.manifestDigest });
      if (flags.out) {
        await writeFileAtomic(flags.out, await renderDriftReport(report, flags.format, false));
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
