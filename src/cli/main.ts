// The command line: the only code that touches argv, stdout/stderr and exit codes. One catch decides
// the exit code: 0 ok (or no changes), 2 changes with --detailed-exitcode, 1 any error.
import { readFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { DiagnosticError, ExitError } from '../errors.js';
import { loadFleet, resolveDesired, targetHosts } from '../manifest/index.js';
import { loadPlaybooks } from '../manifest/index.js';
import type { Diagnostic, Plan } from '../model/index.js';
import { renderDiagnostics, renderPlanJson, renderPlanMarkdown, renderPlanText, renderProfilesText } from '../render/index.js';
import { TOOL } from '../version.js';
import { loadAndGather, loadAndPlan } from './pipeline.js';
import { wantsColor } from './output.js';
import { writeFileAtomic } from '../local/write-file-atomic.js';
import { jsonFileChunks } from '../render/json-chunks.js';
import { type ConnectionFlags, readGatherOptions, withConnectionFlags } from './connection-flags.js';
import { registerDrift } from './drift-command.js';
import { registerApply } from './apply-command.js';
import { preferSmallHeap } from './heap.js';

function print(text: string): void {
  process.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
}

function hostErrors(plan: Plan): boolean {
  return plan.hosts.some((h) => h.status === 'error');
}

export function buildProgram(): Command {
  const program = new Command('kernfleet')
    .description('Declarative kernel state for hypervisor fleets: gather over SSH, diff, plan.')
    .version(TOOL.split(' ')[1] ?? '0.0.0')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('validate')
    .description('check playbooks (and the inventory) without contacting any host')
    .option('-i, --inventory <file>', 'inventory: patterns and templates are checked against it')
    .argument('<playbook...>')
    .action(async (playbooks: string[], flags: { inventory?: string; color?: boolean }) => {
      if (!flags.inventory) {
        const { plays } = await loadPlaybooks(playbooks);
        print(`ok: ${plays.length} plays in ${playbooks.length} file(s)`);
        return;
      }
      const fleet = await loadFleet({ inventory: flags.inventory, playbooks });
      const target = targetHosts(fleet);
      const diagnostics: Diagnostic[] = [...target.diagnostics];
      for (const host of target.hosts) diagnostics.push(...resolveDesired(fleet, host, null).diagnostics);
      if (diagnostics.some((d) => d.severity === 'error')) throw new DiagnosticError(diagnostics);
      if (diagnostics.length) process.stderr.write(renderDiagnostics(diagnostics, fleet.sources, { color: wantsColor(process.stderr, flags.color) }));
      print(`ok: ${fleet.plays.length} plays, ${target.hosts.length} hosts`);
    });

  withConnectionFlags(
    program
      .command('gather')
      .description('gather host profiles (one SSH exec per host)')
      .requiredOption('-i, --inventory <file>', 'Ansible-style inventory (YAML or INI)')
      .option('-l, --limit <pattern>', 'only hosts matching this pattern')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .argument('<playbook...>', 'playbooks: they decide what is asked of each host'),
  ).action(async (playbooks: string[], flags: ConnectionFlags & { inventory: string; limit?: string; format: string }) => {
    const gathered = await loadAndGather({ inventory: flags.inventory, playbooks, limit: flags.limit, gather: readGatherOptions(flags) });
    const profiles = gathered.hosts.flatMap((h) => { const r = gathered.results[h]!; return r.ok ? [r.profile] : []; });
    const failures = gathered.hosts.flatMap((h) => { const r = gathered.results[h]!; return r.ok ? [] : [r.diagnostic]; });
    print(flags.format === 'json' ? JSON.stringify({ format_version: '1.0', profiles, diagnostics: failures }, null, 2) : renderProfilesText(profiles, { color: wantsColor(process.stdout, flags.color) }));
    if (failures.length) {
      process.stderr.write(renderDiagnostics(failures, {}, { color: wantsColor(process.stderr, flags.color) }));
      throw new ExitError(1);
    }
  });

  withConnectionFlags(
    program
      .command('plan')
      .description('show, per host, the changes that would bring its kernel to the playbook (read-only)')
      .requiredOption('-i, --inventory <file>', 'Ansible-style inventory (YAML or INI)')
      .option('-l, --limit <pattern>', 'only hosts matching this pattern')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
      .option('-o, --out <file>', 'also save the plan as JSON (for `kernfleet apply PLAN.json`)')
      .option('--detailed-exitcode', 'exit 0 when nothing changes, 2 when something would, 1 on error')
      .argument('<playbook...>'),
  ).action(async (playbooks: string[], flags: ConnectionFlags & { inventory: string; limit?: string; format: string; out?: string; detailedExitcode?: boolean }) => {
    // The saved plan names what it was made from, so `apply -i INV plan.json` needs nothing else.
    const { plan } = await loadAndPlan({ inventory: flags.inventory, playbooks, limit: flags.limit, gather: readGatherOptions(flags) }, new Date().toISOString(), { inventory: flags.inventory, playbooks });
    if (flags.out) await writeFileAtomic(flags.out, jsonFileChunks(plan, 2));
    const color = wantsColor(process.stdout, flags.color);
    print(flags.format === 'json' ? renderPlanJson(plan) : flags.format === 'markdown' ? renderPlanMarkdown(plan) : renderPlanText(plan, { color }));
    if (hostErrors(plan)) throw new ExitError(1);
    if (flags.detailedExitcode && plan.hosts.some((h) => h.steps.length > 0)) throw new ExitError(2);
  });

  registerApply(program);
  registerDrift(program);
  return program;
}

/** Runs the CLI; returns the exit code instead of calling process.exit, so tests can call it too. */
export async function main(argv: string[]): Promise<number> {
  preferSmallHeap();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    return exitCodeFor(error);
  }
}

async function sourcesOf(diagnostics: Diagnostic[]): Promise<Record<string, string>> {
  const sources: Record<string, string> = {};
  for (const file of new Set(diagnostics.flatMap((d) => (d.source ? [d.source.file] : [])))) {
    sources[file] = await readFile(file, 'utf8').catch(() => '');
  }
  return sources;
}

async function exitCodeFor(error: unknown): Promise<number> {
  if (error instanceof ExitError) return error.code;
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
  if (error instanceof DiagnosticError) {
    process.stderr.write(renderDiagnostics(error.diagnostics, await sourcesOf(error.diagnostics), { color: wantsColor(process.stderr, undefined) }));
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`kernfleet: internal error: ${message}\n${error instanceof Error && process.env['KERNFLEET_DEBUG'] ? error.stack ?? '' : ''}`);
  return 1;
}
