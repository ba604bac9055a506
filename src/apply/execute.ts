// Runs one host's steps in order: for each, write its files (backup first, atomically), run its
// commands, run its verification; the first failure stops the host. High-risk steps run only when the
// operator confirms them; the reboot step runs only through the `reboot` callback (--reboot), which
// owns the connection's drop and return; its verification then runs on the new connection.
import type { Argv, Change, HostPlan, Step } from '../model/index.js';
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

  private async report(detail: string): Promise<void> {
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
    return this.runCommands([...this.step.commands.map((argv) => ({ phase: 'run' as const, argv })), ...this.verifications()]);
  }

  /** The reboot step: the callback reboots and waits; the verification runs on the host as it came back. */
  async reboot(reboot: NonNullable<ExecuteHostOptions['reboot']>): Promise<Outcome> {
    const outcome = await reboot(this.step);
    this.commands.push({ phase: 'run', argv: this.step.commands[0] ?? ['reboot'], code: outcome.ok ? 0 : null });
    if (!outcome.ok) return { status: 'failed', message: outcome.message };
    this.transport = outcome.transport;
    return this.verify();
  }

  private verifications(): { phase: 'verify'; argv: Argv }[] {
    return this.step.verify.map((argv) => ({ phase: 'verify' as const, argv }));
  }

  private verify(): Promise<Outcome> {
    return this.runCommands(this.verifications());
  }

  /** A step's commands then its verifications, in one exec (see command-batch.ts); the first failure ends it. */
  private async runCommands(planned: { phase: CommandRun['phase']; argv: Argv }[]): Promise<Outcome> {
    const timeoutMs = this.options.commandTimeoutMs !== undefined ? this.options.commandTimeoutMs * planned.length : undefined;
    const batch = await runCommandBatch(this.transport, planned.map((p) => p.argv), { become: this.step.become, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    for (const [index, entry] of batch.ran.entries()) {
      const { phase, argv } = planned[index]!;
      this.commands.push({ phase, argv, code: entry.code });
      if (entry.code !== 0) return { status: 'failed', message: describeFailure(phase, argv, `exited ${entry.code}`, entry.output) };
      await this.report(`${phase === 'run' ? 'ran' : 'verified'} ${quoteArgv(argv)}`);
    }
    const next = planned[batch.ran.length];
    if (next === undefined) return { status: 'done' };
    this.commands.push({ phase: next.phase, argv: next.argv, code: null });
    return { status: 'failed', message: describeFailure(next.phase, next.argv, 'did not finish', batch.error ?? '') };
  }
}

function describeFailure(phase: CommandRun['phase'], argv: Argv, what: string, said: string): string {
  const tail = tailOf(said);
  return `${phase === 'verify' ? 'verification failed: ' : ''}${quoteArgv(argv)} ${what}${tail ? `: ${tail}` : ''}`;
}

async function decideStep(
  transport: Transport,
  hostPlan: HostPlan,
  step: Step,
  state: { failed: string | null; notDone: Set<string>; changes: Map<string, Change> },
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
  if (!step.autoExecute) {
    const confirmed = hasAutomatedWork(step) && options.interactiveConfirm !== undefined && (await options.interactiveConfirm(step, hostPlan.host));
    if (!confirmed) return { outcome: { status: 'manual', message: `${step.risk}-risk step: needs an operator (runbook printed)` } };
  }
  await options.onEvent?.({ kind: 'step-started', host: hostPlan.host, step });
  const runner = new StepRunner(transport, step, options);
  return { outcome: await runner.run(), runner };
}

/** Executes one host's plan; returns one result per step, in plan order. */
export async function executeHostPlan(transport: Transport, hostPlan: HostPlan, options: ExecuteHostOptions): Promise<StepResult[]> {
  const state = { failed: null as string | null, notDone: new Set<string>(), changes: new Map(hostPlan.changes.map((c) => [c.id, c])) };
  const results: StepResult[] = [];
  for (const step of hostPlan.steps) {
    const { outcome, runner } = await decideStep(transport, hostPlan, step, state, options);
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
  return results;
}
