// `kernfleet apply` and `kernfleet rollback`. apply takes playbooks (plan now, show, confirm), a saved
// plan (it names its playbooks; each host refused when stale), or --resume RUN; it runs src/apply with
// listr2 progress (rolling reboots with --reboot), writes the run journal, prints runbooks for manual steps.
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { parseAmount, type Amount } from '../apply/amount.js';
import type { ApplyEvent, HostResult } from '../apply/events.js';
import { executePlan, isFailedHost, type FleetResult, type Replanned } from '../apply/fleet.js';
import { createJournal, createJournalWriter, createRunId, journalPathOf, listDoneSteps, listUnfinishedReboots, loadJournal, reopenJournal, saveJournal, type RunJournal } from '../apply/journal.js';
import { acquireHostLock, releaseHostLock } from '../apply/lock.js';
import { restoreRunFiles } from '../apply/rollback.js';
import { DiagnosticError, ExitError } from '../errors.js';
import { gatherFleet, type GatherOptions } from '../facts/gather.js';
import { probeRequestFor } from '../facts/request.js';
import { hostFactsOf } from '../facts/when-facts.js';
import { loadFleet, resolveDesired, targetHosts } from '../manifest/index.js';
import type { Inventory, InventoryHost, Plan } from '../model/index.js';
import { loadInventory, matchHosts } from '../inventory/index.js';
import { renderPlanText } from '../render/index.js';
import { openTransport, type Transport } from '../transport/index.js';
import { watchInterrupts } from './apply-interrupt.js';
import { renderApplyReport, startApplyProgress } from './apply-progress.js';
import { ask, createConfirmer } from './apply-prompt.js';
import { wantsColor } from './output.js';
import { type ConnectionFlags, readGatherOptions, readPositiveInt, withConnectionFlags } from './connection-flags.js';
import { createPlanInterner } from '../plan/index.js';
import { loadAndPlan, planHost, type Loaded } from './pipeline.js';

/**
 * Gathers and plans one host again, with the manifest already loaded (stale check, convergence check);
 * also hands back the profile and desired state the apply record is built from.
 */
export function createReplanner(gathered: Loaded, gather: GatherOptions): (host: string, through?: Transport) => Promise<Replanned> {
  return async (host, through) => {
    const request = probeRequestFor(resolveDesired(gathered.fleet, host, null).desired);
    // Through the apply's own connection when there is one: a second SSH handshake per host cost more
    // than everything else a converged host's apply does.
    const borrowed = through ? { open: async () => borrowTransport(through) } : {};
    const results = await gatherFleet([findInventoryHost(gathered.fleet.inventory, host)], { [host]: request }, { ...gather, forks: 1, ...borrowed });
    const result = results[host]!;
    const plan = planHost(gathered.fleet, host, result);
    if (!result.ok) return { plan };
    return { plan, after: { profile: result.profile, desired: resolveDesired(gathered.fleet, host, hostFactsOf(result.profile)).desired } };
  };
}

/** The same connection, with a close that leaves it open for its owner. */
function borrowTransport(transport: Transport): Transport {
  return { host: transport.host, exec: (command, options) => transport.exec(command, options), close: async () => undefined };
}

function findInventoryHost(inventory: Inventory, host: string): InventoryHost {
  const found = inventory.hosts.find((h) => h.name === host);
  if (!found) throw new DiagnosticError([{ severity: 'error', code: 'unknown-host', message: `${host} is not in the inventory`, host }]);
  return found;
}

/** Opens the apply connection to one inventory host. */
export function createTransportOpener(inventory: Inventory, gather: GatherOptions): (host: string) => Promise<Transport> {
  return (host) => openTransport(findInventoryHost(inventory, host), gather);
}

interface Flags extends ConnectionFlags {
  inventory: string;
  limit?: string;
  serial?: string;
  maxFail?: string;
  yes?: boolean;
  interactive?: boolean;
  reboot?: boolean;
  rebootTimeout: string;
  resume?: string;
}

function fail(code: string, message: string, hint?: string): never {
  throw new DiagnosticError([{ severity: 'error', code, message, ...(hint ? { hint } : {}) }]);
}

function toAmount(text: string | undefined, flag: string): Amount | undefined {
  if (text === undefined) return undefined;
  return parseAmount(text) ?? fail('bad-flag', `${flag} takes a host count or a percentage (3, 25%), got "${text}"`);
}

// Apply works hosts harder than a read: fewer at once, and longer commands (initramfs, boot loader).
function withConnectionOptions(command: Command): Command {
  return withConnectionFlags(
    command.requiredOption('-i, --inventory <file>', 'Ansible-style inventory (YAML or INI)').option('-l, --limit <pattern>', 'only hosts matching this pattern'),
    { forks: '10', forksHelp: 'hosts worked on at once', commandTimeout: '600' },
  );
}

interface Prepared {
  plan: Plan;
  gathered: Loaded;
  runId: string;
  checkStale: boolean;
  previouslyDone: Record<string, string[]>;
  /** Per host, the boot id before a reboot the resumed run never saw the end of. */
  bootIdsBefore: Record<string, string>;
  /** The journal of the run being resumed. */
  journal?: RunJournal;
}

/** The playbooks named on the command line, else the ones the plan says it was made from. */
async function loadManifest(flags: Flags, named: string[], plan: Plan, what: string): Promise<Loaded> {
  const playbooks = named.length > 0 ? named : (plan.playbooks ?? []);
  if (playbooks.length === 0) fail('playbooks-required', `${what} does not say which playbooks it was made from: name them, to gather the hosts again`, `kernfleet apply -i ${flags.inventory} ${what === 'a saved plan' ? 'PLAN.json ' : `--resume RUN `}PLAYBOOK...`);
  const fleet = await loadFleet({ inventory: flags.inventory, playbooks, ...(flags.limit ? { limit: flags.limit } : {}) });
  if (fleet.manifestDigest !== plan.manifestDigest) fail('manifest-changed', `the playbooks or inventory changed since ${what} was made; plan again`);
  return { fleet, hosts: targetHosts(fleet, flags.limit).hosts };
}

/** A plan read from a file, limited to the targeted hosts, its equal steps shared as a fresh plan's are. */
function limitPlan(plan: Plan, hosts: string[]): Plan {
  const targeted = new Set(hosts);
  const share = createPlanInterner();
  return { ...plan, hosts: plan.hosts.filter((h) => targeted.has(h.host)).map(share) };
}

async function prepare(targets: string[], flags: Flags, gather: GatherOptions): Promise<Prepared> {
  const now = new Date();
  if (flags.resume) {
    const journal = await loadJournal(journalPathOf(flags.inventory, flags.resume));
    const gathered = await loadManifest(flags, targets, journal.plan, 'the resumed run');
    const previouslyDone = Object.fromEntries(journal.plan.hosts.map((h) => [h.host, listDoneSteps(journal, h.host)]));
    return { plan: limitPlan(journal.plan, gathered.hosts), gathered, runId: journal.runId, checkStale: false, previouslyDone, bootIdsBefore: listUnfinishedReboots(journal), journal };
  }
  if (targets[0]?.endsWith('.json')) {
    const plan = JSON.parse(await readFile(targets[0], 'utf8')) as Plan;
    if (typeof plan.format_version !== 'string' || !plan.format_version.startsWith('1.') || !Array.isArray(plan.hosts)) fail('bad-plan', `${targets[0]} is not a kernfleet plan (format 1.x)`);
    const gathered = await loadManifest(flags, targets.slice(1), plan, 'a saved plan');
    return { plan: limitPlan(plan, gathered.hosts), gathered, runId: createRunId(now), checkStale: true, previouslyDone: {}, bootIdsBefore: {} };
  }
  const { loaded, plan } = await loadAndPlan({ inventory: flags.inventory, playbooks: targets, ...(flags.limit ? { limit: flags.limit } : {}), gather }, now.toISOString(), { inventory: flags.inventory, playbooks: targets });
  return { plan, gathered: loaded, runId: createRunId(now), checkStale: false, previouslyDone: {}, bootIdsBefore: {} };
}

function countSteps(plan: Plan): number {
  return plan.hosts.reduce((n, h) => n + (h.status === 'ok' ? h.steps.length : 0), 0);
}

function exitCodeOf(hosts: HostResult[]): number {
  if (hosts.some((h) => isFailedHost(h) || h.status === 'not-started' || h.status === 'interrupted')) return 1;
  return hosts.some((h) => h.status === 'manual' || h.status === 'changed') ? 2 : 0;
}

async function runApply(targets: string[], flags: Flags): Promise<void> {
  const interactive = flags.interactive === true;
  if (interactive && !(process.stdin.isTTY && process.stderr.isTTY)) fail('no-terminal', '--interactive needs a terminal to type confirmations on');
  const gather = readGatherOptions(flags);
  const serial = toAmount(flags.serial, '--serial');
  const maxFail = toAmount(flags.maxFail, '--max-fail');
  const rebootTimeoutS = readPositiveInt(flags.rebootTimeout, '--reboot-timeout');
  const color = wantsColor(process.stdout, flags.color);
  const prepared = await prepare(targets, flags, gather);
  const { plan, runId } = prepared;
  process.stdout.write(renderPlanText(plan, { color }));
  if (countSteps(plan) === 0) {
    if (plan.hosts.some((h) => h.status === 'error')) throw new ExitError(1);
    return;
  }
  if (!flags.yes) {
    if (!process.stdin.isTTY) fail('confirmation-required', 'apply changes hosts: pass --yes to apply without a terminal to confirm on');
    if ((await ask(`Apply ${countSteps(plan)} steps to ${plan.hosts.length} hosts (run ${runId})? Type "yes": `)) !== 'yes') throw new ExitError(1);
  }
  const journalPath = journalPathOf(flags.inventory, runId);
  const existing = prepared.journal ? reopenJournal(prepared.journal, new Date().toISOString()) : createJournal(runId, plan, new Date().toISOString());
  await saveJournal(journalPath, existing);
  const writer = createJournalWriter(journalPath, existing);
  const interrupts = watchInterrupts();
  const progress = startApplyProgress(plan, { renderer: interactive || !process.stdout.isTTY ? 'simple' : 'default', color });
  interrupts.onInterrupt(() => progress.interrupt());
  const onEvent = async (event: ApplyEvent) => {
    progress.onEvent(event);
    await writer.onEvent(event);
  };
  let result: FleetResult;
  try {
    result = await executePlan(plan, createTransportOpener(prepared.gathered.fleet.inventory, gather), {
      runId,
      forks: gather.forks,
      ...(serial ? { serial } : {}),
      ...(maxFail ? { maxFail } : {}),
      onEvent,
      replanHost: createReplanner(prepared.gathered, gather),
      checkStale: prepared.checkStale,
      previouslyDone: prepared.previouslyDone,
      ...(flags.reboot ? { reboot: { timeoutMs: rebootTimeoutS * 1000 }, bootIdsBefore: prepared.bootIdsBefore } : {}),
      commandTimeoutMs: gather.commandTimeoutMs,
      signal: interrupts.signal,
      ...(interactive ? { interactiveConfirm: createConfirmer(color, interrupts) } : {}),
    });
  } finally {
    progress.settle('the run ended early');
    await progress.done;
    await writer.close();
    interrupts.dispose();
  }
  process.stdout.write(renderApplyReport(plan, result, runId, flags.inventory, color));
  const code = interrupts.exitCode() ?? exitCodeOf(result.hosts);
  if (code !== 0) throw new ExitError(code);
}

async function rollbackHost(transport: Transport, run: string, journal: RunJournal | null): Promise<boolean> {
  const host = transport.host;
  const lockContext = { runId: `rollback-${run}`, become: true };
  const lock = await acquireHostLock(transport, lockContext);
  if (!lock.ok) {
    process.stdout.write(`${host}: ${lock.message}\n`);
    return false;
  }
  try {
    const result = await restoreRunFiles(transport, { runId: run, become: true });
    const summary = [...result.restored.map((p) => `restored ${p}`), ...result.deleted.map((p) => `deleted ${p}`)];
    process.stdout.write(`${host}: ${result.ok ? 'files restored' : `FAILED: ${result.message}`}\n${summary.map((l) => `  ${l}\n`).join('')}`);
    // A restored file is not yet a restored kernel: say what undoes each step's effect.
    const done = journal ? listDoneSteps(journal, host) : [];
    for (const step of journal?.plan.hosts.find((h) => h.host === host)?.steps.filter((s) => done.includes(s.id)) ?? []) {
      process.stdout.write(`  to undo "${step.title}": ${step.rollback}\n`);
    }
    return result.ok;
  } finally {
    await releaseHostLock(transport, lockContext).catch(() => undefined);
  }
}

async function runRollback(flags: Flags & { run: string }): Promise<void> {
  const journal = await loadJournal(journalPathOf(flags.inventory, flags.run)).catch(() => null);
  const { inventory } = await loadInventory(flags.inventory);
  const matched = matchHosts(inventory, flags.limit ?? 'all');
  if (matched.diagnostics.some((d) => d.severity === 'error')) throw new DiagnosticError(matched.diagnostics);
  const hosts = journal ? matched.hosts.filter((h) => journal.hosts[h] !== undefined) : matched.hosts;
  const open = createTransportOpener(inventory, readGatherOptions(flags));
  let ok = true;
  for (const host of hosts) {
    let transport: Transport;
    try {
      transport = await open(host);
    } catch (error) {
      process.stdout.write(`${host}: unreachable: ${error instanceof Error ? error.message : String(error)}\n`);
      ok = false;
      continue;
    }
    try {
      ok = (await rollbackHost(transport, flags.run, journal)) && ok;
    } finally {
      await transport.close();
    }
  }
  if (!ok) throw new ExitError(1);
}

export function registerApply(program: Command): void {
  withConnectionOptions(
    program
      .command('apply')
      .description('apply a plan: PLAYBOOK... (plan now), or PLAN.json [PLAYBOOK...] (a saved plan, refused per host when stale). Exit 0 converged, 2 work left (manual steps, reboot not verified), 1 errors')
      .argument('[targets...]', 'playbooks, or a saved plan (optionally followed by the playbooks it was made from)')
      .option('--serial <n|%>', 'hosts per batch; the next batch starts when this one ended')
      .option('--max-fail <n|%>', 'stop the rollout once more hosts than this failed')
      .option('-y, --yes', 'apply without asking')
      .option('--interactive', 'on a terminal, offer each high-risk step for a typed confirmation')
      .option('--reboot', 'reboot hosts that need it after their steps, batch by batch (--serial), and wait for each to come back with a new boot id')
      .option('--reboot-timeout <seconds>', 'a host not back this long after its reboot has failed', '600')
      .addOption(new Option('--resume <run>', 'continue a run from its journal (.kernfleet/runs/RUN.json beside the inventory)')),
  ).action((targets: string[], flags: Flags) => runApply(targets, flags));

  withConnectionOptions(
    program
      .command('rollback')
      .description("put back the files a run changed, from each host's backups, and print the commands that undo their effect")
      .requiredOption('--run <run>', 'the run id apply printed'),
  ).action((flags: Flags & { run: string }) => runRollback(flags));
}
