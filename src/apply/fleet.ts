// Applies a plan to a fleet: hosts in batches (--serial), up to --forks at once within a batch; each
// host under its own host-side lock, refused when its saved plan went stale, then re-gathered to see
// whether it converged, and the run recorded on it for drift. With --reboot a host's reboot is its
// last step, inside its batch, so the next batch starts only once this one came back: a rolling
// reboot. A failed host stops only itself; the rollout stops when failures exceed --max-fail.
// An aborted `signal` (Ctrl-C) lets each host finish the step under way, skips the rest of its steps
// and starts no further host: the journal then says exactly where a resume picks up.
import pLimit from 'p-limit';
import type { HostPlan, Plan, Step } from '../model/index.js';
import { REBOOT_STEP_ID } from '../plan/steps.js';
import type { Transport } from '../transport/index.js';
import { resolveBatchSize, resolveFailureBudget, splitBatches, type Amount } from './amount.js';
import { writeApplyRecord, type AfterApply } from './apply-record.js';
import type { ApplyListener, HostResult, HostStatus, StepResult } from './events.js';
import { executeHostPlan, REBOOT_PENDING, type ExecuteHostOptions, type RebootStepOutcome } from './execute.js';
import { acquireHostLock, releaseHostLock, type LockContext } from './lock.js';
import { openWhenReachable, rebootHost, type OpenHostTransport, type RebootContext } from './reboot.js';

export type { OpenHostTransport } from './reboot.js';

/** A host gathered and planned again; `after` (profile and desired state) when it could be gathered. */
export interface Replanned {
  plan: HostPlan;
  after?: AfterApply;
}

export interface RebootOptions {
  /** From `reboot` until the host answers with a new boot id (--reboot-timeout). */
  timeoutMs: number;
  backoff?: RebootContext['backoff'];
}

export interface ExecutePlanOptions extends Omit<ExecuteHostOptions, 'previouslyDone' | 'onEvent' | 'reboot'> {
  forks: number;
  serial?: Amount;
  maxFail?: Amount;
  onEvent?: ApplyListener;
  /**
   * Gathers and plans one host again. Used after its steps (converged = nothing left but a reboot;
   * with --reboot, nothing at all) and, with checkStale, before them: a saved plan whose host
   * fingerprint changed is refused.
   */
  replanHost?: (host: string, through?: Transport) => Promise<Replanned>;
  /** The plan was loaded from a file: compare each host's fingerprint before touching it. */
  checkStale?: boolean;
  /** Per host, the steps a resumed run already did. */
  previouslyDone?: Record<string, readonly string[]>;
  /** --reboot: hosts whose plan (or re-plan) has the reboot step are rebooted and waited for. */
  reboot?: RebootOptions;
  /** Per host, the boot id a resumed run saw before a reboot it never saw the end of. */
  bootIdsBefore?: Record<string, string>;
}

export interface FleetResult {
  hosts: HostResult[];
  /** Why the rollout stopped early, when it did. */
  stopped?: string;
  /** The signal was aborted while work was left: some host was interrupted or never started. */
  interrupted?: boolean;
}

/** Why the rollout stopped when the signal was aborted. */
export const INTERRUPTED_REASON = 'the run was interrupted';

/** Statuses that count against --max-fail. */
const FAILED: ReadonlySet<HostStatus> = new Set(['failed', 'stale', 'locked', 'unreachable']);

export function isFailedHost(result: HostResult): boolean {
  return FAILED.has(result.status);
}

function finish(host: string, status: HostStatus, steps: StepResult[], extra: { remaining?: string[]; message?: string } = {}): HostResult {
  return { host, status, steps, remaining: extra.remaining ?? [], ...(extra.message !== undefined ? { message: extra.message } : {}) };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function planOutcome(hostPlan: HostPlan, options: ExecutePlanOptions): HostResult | null {
  // The planner puts the reason for a skip (the container) first; for an error, the first error says it.
  const why = hostPlan.status === 'skipped' ? hostPlan.diagnostics[0] : hostPlan.diagnostics.find((d) => d.severity === 'error');
  if (hostPlan.status === 'skipped') return finish(hostPlan.host, 'skipped', [], { message: why?.message ?? 'container: kernel operations are skipped' });
  // Not gathered (no fingerprint): it could not be reached. Gathered but not plannable (a conflict between
  // plays, root needed without sudo): the host is fine, its plan is not — it failed, untouched.
  if (hostPlan.status === 'error') {
    return finish(hostPlan.host, hostPlan.fingerprint === '' ? 'unreachable' : 'failed', [], { message: why?.message ?? 'the host could not be gathered or planned' });
  }
  if (hostPlan.steps.length === 0) return finish(hostPlan.host, 'unchanged', []);
  // A plan made just now that holds nothing but the reboot, without --reboot: there is nothing to run,
  // so the host is not even connected to (a converged fleet's apply costs what its plan costs).
  if (!options.reboot && !options.checkStale && hostPlan.steps.every((s) => s.id === REBOOT_STEP_ID)) {
    const steps = hostPlan.steps.map((s): StepResult => ({ stepId: s.id, title: s.title, risk: s.risk, status: 'reboot-pending', files: [], commands: [], message: REBOOT_PENDING }));
    return finish(hostPlan.host, 'converged', steps, { remaining: [REBOOT_STEP_ID], message: 'reboot pending' });
  }
  return null;
}

/**
 * One host's run: the connection it currently goes through (a reboot replaces it; null while the host
 * is down or after it failed to come back, when its lock can only be taken again by a resume).
 */
class HostRun {
  transport: Transport | null;
  rebooted = false;

  constructor(
    readonly hostPlan: HostPlan,
    transport: Transport,
    private readonly open: OpenHostTransport,
    readonly options: ExecutePlanOptions,
  ) {
    this.transport = transport;
  }

  get host(): string {
    return this.hostPlan.host;
  }

  private rebootContext(reboot: RebootOptions): RebootContext {
    const bootIdBefore = this.options.bootIdsBefore?.[this.host];
    return {
      host: this.host,
      open: this.open,
      timeoutMs: reboot.timeoutMs,
      ...(reboot.backoff ? { backoff: reboot.backoff } : {}),
      ...(this.options.onEvent ? { onEvent: this.options.onEvent } : {}),
      ...(bootIdBefore !== undefined ? { bootIdBefore } : {}),
    };
  }

  /** The executor's reboot callback; absent without --reboot. */
  rebooter(): ((step: Step) => Promise<RebootStepOutcome>) | undefined {
    const reboot = this.options.reboot;
    if (!reboot) return undefined;
    return async (step) => {
      const before = this.transport;
      if (before === null) return { ok: false, message: 'no connection to reboot through' };
      this.transport = null;
      const outcome = await rebootHost(before, step, this.rebootContext(reboot));
      if (!outcome.ok) return outcome;
      this.transport = outcome.transport;
      this.rebooted = outcome.rebooted || this.rebooted;
      return { ok: true, transport: outcome.transport };
    };
  }

  /** Runs steps through the current connection, with this run's options. */
  executeSteps(steps: Step[], plan: HostPlan = this.hostPlan): Promise<StepResult[]> {
    const { previouslyDone, reboot: _reboot, ...shared } = this.options;
    const done = previouslyDone?.[this.host];
    const reboot = this.rebooter();
    return executeHostPlan(this.transport!, { ...plan, steps }, { ...shared, ...(done ? { previouslyDone: done } : {}), ...(reboot ? { reboot } : {}) });
  }
}

/** Opens the host; one a resumed run left rebooting may need a while before it answers. */
async function openHost(hostPlan: HostPlan, open: OpenHostTransport, options: ExecutePlanOptions): Promise<Transport> {
  const host = hostPlan.host;
  if (options.reboot && options.bootIdsBefore?.[host] !== undefined) {
    return openWhenReachable({ host, open, timeoutMs: options.reboot.timeoutMs, ...(options.reboot.backoff ? { backoff: options.reboot.backoff } : {}) });
  }
  return open(host);
}

const RAN: ReadonlySet<StepResult['status']> = new Set(['done', 'previously-done']);

/** The record drift reads; a failure to write it fails the host, since drift would then misreport it. */
async function recordApply(run: HostRun, replanned: Replanned, steps: StepResult[]): Promise<string | null> {
  if (!replanned.after || run.transport === null || !steps.some((s) => RAN.has(s.status))) return null;
  const become = run.hostPlan.steps.some((s) => s.become);
  const { runId, stateDir } = run.options;
  const result = await writeApplyRecord(run.transport, replanned.after, { runId, become, ...(stateDir !== undefined ? { stateDir } : {}) });
  return result.ok ? null : `cannot write the apply record: ${result.message}`;
}

function isAborted(options: ExecutePlanOptions): boolean {
  return options.signal?.aborted === true;
}

/** A host whose remaining steps the interruption skipped; a resume runs them. */
function finishInterrupted(host: string, steps: StepResult[], what: string): HostResult {
  return finish(host, 'interrupted', steps, { message: what });
}

async function judgeAfter(run: HostRun, initial: StepResult[]): Promise<HostResult> {
  const { host, options } = run;
  let steps = initial;
  const failed = () => steps.find((s) => s.status === 'failed');
  if (failed()) return finish(host, 'failed', steps, { message: `${failed()!.stepId}: ${failed()!.message ?? 'failed'}` });
  // Without a failure, a skipped step can only be one the interruption kept from starting.
  const notRun = steps.filter((s) => s.status === 'skipped');
  if (notRun.length > 0 && isAborted(options)) return finishInterrupted(host, steps, `${notRun.length} of ${steps.length} steps not run`);
  const manual = steps.filter((s) => s.status === 'manual' || s.status === 'blocked');
  if (manual.length > 0) return finish(host, 'manual', steps, { message: `left to an operator: ${manual.map((s) => s.stepId).join(', ')}` });
  if (!options.replanHost) return finish(host, 'changed', steps);
  await options.onEvent?.({ kind: 'host-checking', host, what: 'converged' });
  let replanned = await options.replanHost(host, run.transport ?? undefined);
  // A plan made before the reboot became necessary, or a host left unrebooted by an earlier run.
  const pending = replanned.plan.steps.find((s) => s.id === REBOOT_STEP_ID);
  const planned = run.hostPlan.steps.some((s) => s.id === REBOOT_STEP_ID);
  if (options.reboot && pending && !planned && replanned.plan.status === 'ok') {
    if (isAborted(options)) return finishInterrupted(host, steps, 'its reboot was not started');
    steps = [...steps, ...(await run.executeSteps([pending], replanned.plan))];
    if (failed()) return finish(host, 'failed', steps, { message: `${failed()!.stepId}: ${failed()!.message ?? 'failed'}` });
    await options.onEvent?.({ kind: 'host-checking', host, what: 'converged' });
    replanned = await options.replanHost(host, run.transport ?? undefined);
  }
  const after = replanned.plan;
  if (after.status === 'error') return finish(host, 'failed', steps, { message: `re-gather after apply failed: ${after.diagnostics[0]?.message ?? 'unknown error'}` });
  const unrecorded = await recordApply(run, replanned, steps);
  if (unrecorded !== null) return finish(host, 'failed', steps, { message: unrecorded });
  const remaining = after.steps.map((s) => s.id);
  // Without --reboot a pending reboot is the operator's; with it, converged means nothing left at all.
  const left = options.reboot ? remaining : remaining.filter((id) => id !== REBOOT_STEP_ID);
  if (left.length === 0) return finish(host, 'converged', steps, { remaining, ...(remaining.length ? { message: 'reboot pending' } : {}) });
  return finish(host, 'changed', steps, { remaining, message: `not converged: the re-plan still has ${left.join(', ')}` });
}

async function runLockedHost(run: HostRun): Promise<HostResult> {
  const { host, hostPlan, options } = run;
  if (options.checkStale && options.replanHost) {
    await options.onEvent?.({ kind: 'host-checking', host, what: 'stale' });
    const now = await options.replanHost(host, run.transport ?? undefined);
    if (now.plan.fingerprint !== hostPlan.fingerprint) {
      return finish(host, 'stale', [], { message: `stale plan: ${host} changed since the plan was made; plan again` });
    }
  }
  return judgeAfter(run, await run.executeSteps(hostPlan.steps));
}

async function runHost(hostPlan: HostPlan, open: OpenHostTransport, options: ExecutePlanOptions): Promise<HostResult> {
  const host = hostPlan.host;
  let run: HostRun;
  try {
    run = new HostRun(hostPlan, await openHost(hostPlan, open, options), open, options);
  } catch (error) {
    return finish(host, 'unreachable', [], { message: describeError(error) });
  }
  const opened = run.transport!;
  try {
    await options.onEvent?.({ kind: 'host-checking', host, what: 'lock' });
    const lockContext: LockContext = { runId: options.runId, become: hostPlan.steps.some((s) => s.become), ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}) };
    const lock = await acquireHostLock(opened, lockContext);
    if (!lock.ok) return finish(host, 'locked', [], { message: lock.message });
    try {
      return await runLockedHost(run);
    } finally {
      // A host that did not come back keeps the lock: only this run (resumed) may take it again.
      if (run.transport !== null) await releaseHostLock(run.transport, lockContext).catch(() => undefined);
    }
  } catch (error) {
    return finish(host, 'failed', [], { message: describeError(error) });
  } finally {
    await opened.close().catch(() => undefined);
    await run.transport?.close().catch(() => undefined);
  }
}

async function applyHost(hostPlan: HostPlan, open: OpenHostTransport, options: ExecutePlanOptions): Promise<HostResult> {
  const early = planOutcome(hostPlan, options);
  await options.onEvent?.({ kind: 'host-started', host: hostPlan.host, steps: early ? [] : hostPlan.steps });
  const result = early ?? (await runHost(hostPlan, open, options));
  await options.onEvent?.({ kind: 'host-finished', host: hostPlan.host, result });
  return result;
}

export async function executePlan(plan: Plan, open: OpenHostTransport, options: ExecutePlanOptions): Promise<FleetResult> {
  const total = plan.hosts.length;
  const budget = resolveFailureBudget(options.maxFail, total);
  const batches = splitBatches(plan.hosts, resolveBatchSize(options.serial, total));
  const limit = pLimit(Math.max(1, options.forks));
  const results = new Map<string, HostResult>();
  const failures = () => [...results.values()].filter(isFailedHost).length;
  let stopped: string | undefined;
  for (const [index, batch] of batches.entries()) {
    if (stopped || isAborted(options)) break;
    await options.onEvent?.({ kind: 'batch-started', index, hosts: batch.map((h) => h.host) });
    await Promise.all(
      batch.map((hostPlan) =>
        limit(async () => {
          // A host waiting for a fork slot must not start once the rollout has already failed too often, or was interrupted.
          if (failures() > budget || isAborted(options)) return;
          results.set(hostPlan.host, await applyHost(hostPlan, open, options));
        }),
      ),
    );
    if (failures() > budget) stopped = `${failures()} of ${total} hosts failed, more than --max-fail allows (${budget})`;
  }
  const notStarted = plan.hosts.filter((h) => !results.has(h.host)).map((h) => h.host);
  const interrupted = isAborted(options) && (notStarted.length > 0 || [...results.values()].some((r) => r.status === 'interrupted'));
  stopped ??= interrupted ? INTERRUPTED_REASON : undefined;
  if (stopped) await options.onEvent?.({ kind: 'rollout-stopped', reason: stopped, notStarted });
  const hosts = plan.hosts.map((h) => results.get(h.host) ?? finish(h.host, 'not-started', [], { message: `not started: ${interrupted ? INTERRUPTED_REASON : 'the rollout stopped'}` }));
  return { hosts, ...(stopped ? { stopped } : {}), ...(interrupted ? { interrupted } : {}) };
}
