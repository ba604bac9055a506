// Runs one host's steps in order: for each, write its files (backup first, atomically), run its
// commands, run its verification; the first failure stops the host. High-risk steps run only when the
// operator confirms them; the reboot step runs only through the `reboot` callback (--reboot), which
// owns the connection's drop and return; its verification then runs on the new connection. A step's
// commands and verifications share one exec, and so does a row of command-only steps (runGroup).
import type { Argv, Change, HostPlan, Risk, Step } from '../model/index.js';
import { decideAutoExecute, decideRisk, maxRisk } from '../plan/risk.js';
import { REBOOT_STEP_ID } from '../plan/steps.js';
import { quoteArgv, type Transport } from '../transport/index.js';
import { runCommandBatch } from './command-batch.js';
import type { ApplyListener, CommandRun, StepResult, StepStatus } from './events.js';
import { applyRemoteFile, type FileOpResult } from './remote-file.js';

export interface ExecuteHostOptions {
  runId: string;
  /** Default /var/lib/kernfleet. */
  stateDir?: string;
  /** Asked for each high-risk step that has something to run; absent = never confirmed. */
  interactiveConfirm?: (step: Step, host: string) => Promise<boolean>;
  onEvent?: ApplyListener;
  /** Step ids the resumed run already completed on this host. */
  previouslyDone?: readonly string[];
  /** Per command; default the transport's. */
  commandTimeoutMs?: number;
  /** Check each file against the plan's `before` (default true). */
  guardBefore?: boolean;
  /** Reboots the host (--reboot); absent = the reboot step is left pending. */
  reboot?: (step: Step) => Promise<RebootStepOutcome>;
  /** Aborted (Ctrl-C): the step under way finishes, no further step starts; a resume picks them up. */
  signal?: AbortSignal;
}

/** A reboot hands back the connection to the host as it is after the reboot. */
export type RebootStepOutcome = { ok: true; transport: Transport } | { ok: false; message: string };

type Outcome = { status: StepStatus; message?: string };

const OUTPUT_TAIL_LINES = 5;

export const REBOOT_PENDING = 'reboots run only with --reboot, host by host';

function tailOf(text: string): string {
  return text.trim().split('\n').slice(-OUTPUT_TAIL_LINES).join('\n');
}

/** A step that only describes work for a person (a kernel rebuild's runbook) has nothing to confirm. */
function hasAutomatedWork(step: Step): boolean {
  return step.commands.length > 0 || step.files.length > 0;
}

/**
 * A saved plan is a file anyone could edit: the risk table decides what may run unattended, from each
 * change's action, whatever the file says of the step (safeguard 1: no way to run high-risk work unasked).
 */
function assessRisk(step: Step, changes: Map<string, Change>): Risk {
  const risks = step.changes.flatMap((id) => {
    const change = changes.get(id);
    return change ? [change.risk, decideRisk(change.action)] : [];
  });
  return maxRisk([step.risk, ...risks]);
}

function mayRunUnattended(step: Step, changes: Map<string, Change>): boolean {
  return step.autoExecute && decideAutoExecute(assessRisk(step, changes));
}

function findBlockers(step: Step, changes: Map<string, Change>, notDone: Set<string>): string[] {
  return step.changes.flatMap((id) => changes.get(id)?.dependsOn ?? []).filter((dep) => notDone.has(dep));
}

class StepRunner {
  readonly files: FileOpResult[] = [];
  readonly commands: CommandRun[] = [];

  constructor(
    private transport: Transport,
    private readonly step: Step,
    private readonly options: ExecuteHostOptions,
  ) {}

  async report(detail: string): Promise<void> {
    await this.options.onEvent?.({ kind: 'step-progress', host: this.transport.host, stepId: this.step.id, detail });
  }

  async run(): Promise<Outcome> {
    for (const edit of this.step.files) {
      const result = await applyRemoteFile(this.transport, edit, {
        runId: this.options.runId,
        become: this.step.become,
        ...(this.options.stateDir !== undefined ? { stateDir: this.options.stateDir } : {}),
        ...(this.options.guardBefore !== undefined ? { guardBefore: this.options.guardBefore } : {}),
      });
      this.files.push(result);
      if (!result.ok) return { status: 'failed', message: result.message };
      await this.report(`${result.outcome} ${edit.path}`);
    }
    return this.runCommands(this.plannedCommands());
  }

  /** The reboot step: the callback reboots and waits; the verification runs on the host as it came back. */
  async reboot(reboot: NonNullable<ExecuteHostOptions['reboot']>): Promise<Outcome> {
    const outcome = await reboot(this.step);
    this.commands.push({ phase: 'run', argv: this.step.commands[0] ?? ['reboot'], code: outcome.ok ? 0 : null });
    if (!outcome.ok) return { status: 'failed', message: outcome.message };
    this.transport = outcome.transport;
    return this.verify();
  }

  /** What run() executes after the files: the commands, then the verifications. */
  plannedCommands(): PlannedCommand[] {
    return [...this.step.commands.map((argv) => ({ phase: 'run' as const, argv, runner: this })), ...this.verifications()];
  }

  private verifications(): PlannedCommand[] {
    return this.step.verify.map((argv) => ({ phase: 'verify' as const, argv, runner: this }));
  }

  private verify(): Promise<Outcome> {
    return this.runCommands(this.verifications());
  }

  private async runCommands(planned: PlannedCommand[]): Promise<Outcome> {
    const failed = await runPlanned(this.transport, planned, this.step.become, this.options);
    return failed === null ? { status: 'done' } : { status: 'failed', message: failed.message };
  }
}

interface PlannedCommand {
  phase: CommandRun['phase'];
  argv: Argv;
  /** The step it belongs to: its record gets the command's exit status. */
  runner: StepRunner;
}

/**
 * Commands of one or more steps in one exec (command-batch.ts); the first failure ends the batch.
 * Returns the step whose command failed and why, or null when all ran and succeeded.
 */
async function runPlanned(transport: Transport, planned: PlannedCommand[], become: boolean, options: ExecuteHostOptions): Promise<{ runner: StepRunner; message: string } | null> {
  const timeoutMs = options.commandTimeoutMs !== undefined ? options.commandTimeoutMs * planned.length : undefined;
  const batch = await runCommandBatch(transport, planned.map((p) => p.argv), { become, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  for (const [index, entry] of batch.ran.entries()) {
    const { phase, argv, runner } = planned[index]!;
    runner.commands.push({ phase, argv, code: entry.code });
    if (entry.code !== 0) return { runner, message: describeFailure(phase, argv, `exited ${entry.code}`, entry.output) };
    await runner.report(`${phase === 'run' ? 'ran' : 'verified'} ${quoteArgv(argv)}`);
  }
  const next = planned[batch.ran.length];
  if (next === undefined) return null;
  next.runner.commands.push({ phase: next.phase, argv: next.argv, code: null });
  return { runner: next.runner, message: describeFailure(next.phase, next.argv, 'did not finish', batch.error ?? '') };
}

function describeFailure(phase: CommandRun['phase'], argv: Argv, what: string, said: string): string {
  const tail = tailOf(said);
  return `${phase === 'verify' ? 'verification failed: ' : ''}${quoteArgv(argv)} ${what}${tail ? `: ${tail}` : ''}`;
}

async function decideStep(
  transport: Transport,
  hostPlan: HostPlan,
  step: Step,
  state: HostState,
  options: ExecuteHostOptions,
): Promise<{ outcome: Outcome; runner?: StepRunner }> {
  if (state.failed !== null) return { outcome: { status: 'skipped', message: `not run: ${state.failed} failed` } };
  if (options.signal?.aborted) return { outcome: { status: 'skipped', message: 'not run: the run was interrupted' } };
  if (options.previouslyDone?.includes(step.id)) return { outcome: { status: 'previously-done' } };
  if (step.id === REBOOT_STEP_ID && !options.reboot) return { outcome: { status: 'reboot-pending', message: REBOOT_PENDING } };
  const blockers = findBlockers(step, state.changes, state.notDone);
  if (blockers.length > 0) return { outcome: { status: 'blocked', message: `waits for ${blockers.join(', ')}, which did not run` } };
  if (step.id === REBOOT_STEP_ID && options.reboot) {
    await options.onEvent?.({ kind: 'step-started', host: hostPlan.host, step });
    const runner = new StepRunner(transport, step, options);
    return { outcome: await runner.reboot(options.reboot), runner };
  }
  if (!mayRunUnattended(step, state.changes)) {
    const confirmed = hasAutomatedWork(step) && options.interactiveConfirm !== undefined && (await options.interactiveConfirm(step, hostPlan.host));
    if (!confirmed) return { outcome: { status: 'manual', message: `${assessRisk(step, state.changes)}-risk step: needs an operator (runbook printed)` } };
  }
  await options.onEvent?.({ kind: 'step-started', host: hostPlan.host, step });
  const runner = new StepRunner(transport, step, options);
  return { outcome: await runner.run(), runner };
}

type HostState = { failed: string | null; notDone: Set<string>; changes: Map<string, Change> };
type Decided = { step: Step; outcome: Outcome; runner?: StepRunner };

/**
 * A step that would run right now, unattended, with nothing but commands: module loads, sysctl writes.
 * A row of them shares one exec (one SSH session instead of one each, most of a host's apply time).
 */
function isGroupable(step: Step, state: HostState, options: ExecuteHostOptions): boolean {
  return (
    step.files.length === 0 &&
    step.commands.length > 0 &&
    mayRunUnattended(step, state.changes) &&
    step.id !== REBOOT_STEP_ID &&
    !options.previouslyDone?.includes(step.id) &&
    findBlockers(step, state.changes, state.notDone).length === 0
  );
}

function collectGroup(steps: readonly Step[], from: number, state: HostState, options: ExecuteHostOptions): Step[] {
  const group: Step[] = [];
  if (state.failed !== null || options.signal?.aborted) return group;
  for (const step of steps.slice(from)) {
    if (!isGroupable(step, state, options) || step.become !== steps[from]!.become) break;
    group.push(step);
  }
  return group;
}

/**
 * Runs a row of command-only steps in one exec, in order, stopping at the first failure as separate
 * execs would. The journal hears of them once the exec ended: a controller that dies during it leaves
 * them unrecorded, and a resume runs them again, which is safe for what groups (each re-applies a
 * desired value: a module load, a sysctl write).
 */
async function runGroup(transport: Transport, host: string, steps: Step[], options: ExecuteHostOptions): Promise<Decided[]> {
  const runners = steps.map((step) => new StepRunner(transport, step, options));
  for (const step of steps) await options.onEvent?.({ kind: 'step-started', host, step });
  const failed = await runPlanned(transport, runners.flatMap((r) => r.plannedCommands()), steps[0]!.become, options);
  const failedAt = failed === null ? steps.length : runners.indexOf(failed.runner);
  return steps.map((step, index): Decided => {
    if (index < failedAt) return { step, outcome: { status: 'done' }, runner: runners[index]! };
    if (index === failedAt) return { step, outcome: { status: 'failed', message: failed!.message }, runner: runners[index]! };
    return { step, outcome: { status: 'skipped', message: `not run: ${steps[failedAt]!.id} failed` } };
  });
}

/** Executes one host's plan; returns one result per step, in plan order. */
export async function executeHostPlan(transport: Transport, hostPlan: HostPlan, options: ExecuteHostOptions): Promise<StepResult[]> {
  const state: HostState = { failed: null, notDone: new Set<string>(), changes: new Map(hostPlan.changes.map((c) => [c.id, c])) };
  const results: StepResult[] = [];
  for (let next = 0; next < hostPlan.steps.length; ) {
    const group = collectGroup(hostPlan.steps, next, state, options);
    const step = hostPlan.steps[next]!;
    const decided = group.length > 1 ? await runGroup(transport, hostPlan.host, group, options) : [{ step, ...(await decideStep(transport, hostPlan, step, state, options)) }];
    for (const { step, outcome, runner } of decided) {
      const result: StepResult = {
        stepId: step.id,
        title: step.title,
        risk: step.risk,
        status: outcome.status,
        files: runner?.files ?? [],
        commands: runner?.commands ?? [],
        ...(outcome.message !== undefined ? { message: outcome.message } : {}),
      };
      if (outcome.status === 'failed') state.failed = step.id;
      if (outcome.status !== 'done' && outcome.status !== 'previously-done') step.changes.forEach((c) => state.notDone.add(c));
      results.push(result);
      await options.onEvent?.({ kind: 'step-finished', host: hostPlan.host, step, result });
    }
    next += decided.length;
  }
  return results;
}
