// Applies a plan to a fleet: hosts in batches (--serial), up to --forks at once within a batch; each
// host under its own host-side lock, refused when its saved plan went stale, then re-gathered to see
// whether it converged. A failed host stops only itself; the rollout stops when failures exceed
// --max-fail. Reboots are not run here.
import pLimit from 'p-limit';
import type { HostPlan, Plan } from '../model/index.js';
import { REBOOT_STEP_ID } from '../plan/steps.js';
import type { Transport } from '../transport/index.js';
import { resolveBatchSize, resolveFailureBudget, splitBatches, type Amount } from './amount.js';
import type { ApplyListener, HostResult, HostStatus, StepResult } from './events.js';
import { executeHostPlan, type ExecuteHostOptions } from './execute.js';
import { acquireHostLock, releaseHostLock } from './lock.js';

export type OpenHostTransport = (host: string) => Promise<Transport>;

export interface ExecutePlanOptions extends Omit<ExecuteHostOptions, 'previouslyDone' | 'onEvent'> {
  forks: number;
  serial?: Amount;
  maxFail?: Amount;
  onEvent?: ApplyListener;
  /**
   * Gathers and plans one host again. Used after its steps (converged = nothing left but a reboot)
   * and, with checkStale, before them: a saved plan whose host fingerprint changed is refused.
   */
  replanHost?: (host: string) => Promise<HostPlan>;
  /** The plan was loaded from a file: compare each host's fingerprint before touching it. */
  checkStale?: boolean;
  /** Per host, the steps a resumed run already did. */
  previouslyDone?: Record<string, readonly string[]>;
}

export interface FleetResult {
  hosts: HostResult[];
  /** Why the rollout stopped early, when it did. */
  stopped?: string;
}

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

function planOutcome(hostPlan: HostPlan): HostResult | null {
  // The planner puts the reason for a skip (the container) first; for an error, the first error says it.
  const why = hostPlan.status === 'skipped' ? hostPlan.diagnostics[0] : hostPlan.diagnostics.find((d) => d.severity === 'error');
  if (hostPlan.status === 'skipped') return finish(hostPlan.host, 'skipped', [], { message: why?.message ?? 'container: kernel operations are skipped' });
  if (hostPlan.status === 'error') return finish(hostPlan.host, 'unreachable', [], { message: why?.message ?? 'the host could not be gathered or planned' });
  if (hostPlan.steps.length === 0) return finish(hostPlan.host, 'unchanged', []);
  return null;
}

async function judgeAfter(hostPlan: HostPlan, steps: StepResult[], options: ExecutePlanOptions): Promise<HostResult> {
  const host = hostPlan.host;
  const failed = steps.find((s) => s.status === 'failed');
  if (failed) return finish(host, 'failed', steps, { message: `${failed.stepId}: ${failed.message ?? 'failed'}` });
  const manual = steps.filter((s) => s.status === 'manual' || s.status === 'blocked');
  if (manual.length > 0) return finish(host, 'manual', steps, { message: `left to an operator: ${manual.map((s) => s.stepId).join(', ')}` });
  if (!options.replanHost) return finish(host, 'changed', steps);
  await options.onEvent?.({ kind: 'host-checking', host, what: 'converged' });
  const after = await options.replanHost(host);
  if (after.status === 'error') return finish(host, 'failed', steps, { message: `re-gather after apply failed: ${after.diagnostics[0]?.message ?? 'unknown error'}` });
  const remaining = after.steps.map((s) => s.id);
  const left = remaining.filter((id) => id !== REBOOT_STEP_ID);
  if (left.length === 0) return finish(host, 'converged', steps, { remaining, ...(remaining.length ? { message: 'reboot pending' } : {}) });
  return finish(host, 'changed', steps, { remaining, message: `not converged: the re-plan still has ${left.join(', ')}` });
}

async function runLockedHost(transport: Transport, hostPlan: HostPlan, options: ExecutePlanOptions): Promise<HostResult> {
  const host = hostPlan.host;
  if (options.checkStale && options.replanHost) {
    await options.onEvent?.({ kind: 'host-checking', host, what: 'stale' });
    const now = await options.replanHost(host);
    if (now.fingerprint !== hostPlan.fingerprint) {
      return finish(host, 'stale', [], { message: `stale plan: ${host} changed since the plan was made; plan again` });
    }
  }
  const { previouslyDone, ...shared } = options;
  const steps = await executeHostPlan(transport, hostPlan, { ...shared, ...(previouslyDone?.[host] ? { previouslyDone: previouslyDone[host] } : {}) });
  return judgeAfter(hostPlan, steps, options);
}

async function runHost(hostPlan: HostPlan, open: OpenHostTransport, options: ExecutePlanOptions): Promise<HostResult> {
  const host = hostPlan.host;
  let transport: Transport;
  try {
    transport = await open(host);
  } catch (error) {
    return finish(host, 'unreachable', [], { message: describeError(error) });
  }
  try {
    await options.onEvent?.({ kind: 'host-checking', host, what: 'lock' });
    const lockContext = { runId: options.runId, become: hostPlan.steps.some((s) => s.become), ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}) };
    const lock = await acquireHostLock(transport, lockContext);
    if (!lock.ok) return finish(host, 'locked', [], { message: lock.message });
    try {
      return await runLockedHost(transport, hostPlan, options);
    } finally {
      await releaseHostLock(transport, lockContext).catch(() => undefined);
    }
  } catch (error) {
    return finish(host, 'failed', [], { message: describeError(error) });
  } finally {
    await transport.close().catch(() => undefined);
  }
}

async function applyHost(hostPlan: HostPlan, open: OpenHostTransport, options: ExecutePlanOptions): Promise<HostResult> {
  const early = planOutcome(hostPlan);
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
    if (stopped) break;
    await options.onEvent?.({ kind: 'batch-started', index, hosts: batch.map((h) => h.host) });
    await Promise.all(
      batch.map((hostPlan) =>
        limit(async () => {
          // A host waiting for a fork slot must not start once the rollout has already failed too often.
          if (failures() > budget) return;
          results.set(hostPlan.host, await applyHost(hostPlan, open, options));
        }),
      ),
    );
    if (failures() > budget) stopped = `${failures()} of ${total} hosts failed, more than --max-fail allows (${budget})`;
  }
  const notStarted = plan.hosts.filter((h) => !results.has(h.host)).map((h) => h.host);
  if (stopped) await options.onEvent?.({ kind: 'rollout-stopped', reason: stopped, notStarted });
  const hosts = plan.hosts.map((h) => results.get(h.host) ?? finish(h.host, 'not-started', [], { message: 'not started: the rollout stopped' }));
  return { hosts, ...(stopped ? { stopped } : {}) };
}
