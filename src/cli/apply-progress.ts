// What apply shows: listr2 progress (one task per host, one subtask per step), the operator's view of a
// step, and the final report. The executor knows nothing of listr2: events come in, titles go out;
// each task waits on a promise that the matching event settles.
import type { ApplyEvent, HostResult, StepResult } from '../apply/events.js';
import { isFailedHost, type FleetResult } from '../apply/fleet.js';
import { journalPathOf } from '../apply/journal.js';
import { backupDirOf } from '../apply/remote-file.js';
import { REBOOT_STEP_ID } from '../plan/steps.js';
import { quoteArgv } from '../transport/index.js';
import type { Plan, Step } from '../model/index.js';
import { createPalette, renderRiskBadge } from '../render/colour.js';

export interface ApplyProgressOptions {
  /** default: redrawn tree for a terminal; simple: one line per state change, for CI logs; silent: nothing. */
  renderer: 'default' | 'simple' | 'silent';
  color: boolean;
  /** Where simple's lines go; default stdout. */
  write?: (text: string) => void;
}

export interface ApplyProgress {
  onEvent(event: ApplyEvent): void;
  /** Resolves when every task has ended; call settle() first if the run ended early. */
  done: Promise<void>;
  /** Ends every task still waiting (a host that never started, a run that threw). */
  settle(message: string): void;
  /** Says on every host not yet finished that the run was interrupted (a redrawn tree holds stderr back). */
  interrupt(): void;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function defer<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A lazily created promise per key, whichever side (event or task) asks first. */
class Waits<T> {
  private readonly map = new Map<string, Deferred<T>>();
  get(key: string): Deferred<T> {
    let d = this.map.get(key);
    if (!d) this.map.set(key, (d = defer<T>()));
    return d;
  }
  keys(): string[] {
    return [...this.map.keys()];
  }
}

export function formatStepTitle(step: Step, color: boolean): string {
  return `${renderRiskBadge(step.risk, createPalette(color))} ${step.title}`;
}

const HOST_STATUS_TEXT: Record<HostResult['status'], string> = {
  converged: 'converged',
  changed: 'changed',
  unchanged: 'nothing to do',
  manual: 'needs manual work',
  failed: 'FAILED',
  stale: 'stale plan',
  locked: 'locked by another run',
  skipped: 'skipped',
  unreachable: 'unreachable',
  interrupted: 'interrupted',
  'not-started': 'not started',
};

type RebootEvent = Extract<ApplyEvent, { kind: 'reboot-started' | 'reboot-waiting' | 'reboot-back' }>;

export function formatRebootEvent(event: RebootEvent): string {
  switch (event.kind) {
    case 'reboot-started':
      return `rebooting (boot id ${event.bootId})`;
    case 'reboot-waiting':
      return `waiting for ${event.host} (attempt ${event.attempt}, ${Math.round(event.elapsedMs / 1000)} s)`;
    case 'reboot-back':
      return event.elapsedMs === 0 ? `already rebooted: boot id ${event.bootId}` : `back: boot id ${event.bootId} after ${Math.round(event.elapsedMs / 1000)} s`;
  }
}

export function formatHostTitle(result: HostResult): string {
  // A resumed host's steps done by the first run count: the title says how far the host is, not this process.
  const done = result.steps.filter((s) => s.status === 'done' || s.status === 'previously-done').length;
  const counted = result.steps.length > 0 ? ` (${done}/${result.steps.length} steps)` : '';
  return `${result.host}: ${HOST_STATUS_TEXT[result.status]}${counted}${result.message ? ` — ${result.message}` : ''}`;
}

const STEP_STATUS_TEXT: Record<Exclude<StepResult['status'], 'done' | 'failed'>, string> = {
  manual: 'manual',
  blocked: 'blocked',
  'reboot-pending': 'reboot pending',
  skipped: 'not run',
  'previously-done': 'done in the resumed run',
};

/** The part of a listr2 task wrapper this file drives (titles, output lines, skips). */
interface Wrapper {
  title: string;
  output: string;
  skip(message?: string): void;
}

export function startApplyProgress(plan: Plan, options: ApplyProgressOptions): ApplyProgress {
  if (options.renderer === 'simple') return startLineProgress(options.color, options.write ?? ((text) => process.stdout.write(text)));
  return startTaskTree(plan, options);
}

/**
 * One line per state change, each naming its host (concurrent hosts interleave in a log). It keeps
 * nothing per host or step: listr2's tree holds every task to redraw it, 20,000 at 1000 hosts, which a
 * log that is never redrawn does not need.
 */
function startLineProgress(color: boolean, write: (text: string) => void): ApplyProgress {
  const paint = createPalette(color);
  const line = (text: string) => write(`${text}\n`);
  const stepLine = (host: string, step: Step) => `${host} ${formatStepTitle(step, color)}`;
  return {
    onEvent(event) {
      switch (event.kind) {
        case 'host-started':
          return line(`${paint.cyan('❯')} ${event.host}: applying ${event.steps.length} steps`);
        case 'step-started':
          return line(`${paint.cyan('❯')} ${stepLine(event.host, event.step)}`);
        case 'step-progress':
          return line(`${paint.dim('›')} ${event.host}: ${event.detail}`);
        case 'step-finished': {
          const { status, message } = event.result;
          if (status === 'done') return line(`${paint.green('✔')} ${stepLine(event.host, event.step)}`);
          if (status === 'failed') return line(`${paint.red('✖')} ${stepLine(event.host, event.step)} — ${message ?? 'failed'}`);
          const why = status === 'skipped' && message ? message : `${STEP_STATUS_TEXT[status]}${message ? ` — ${message}` : ''}`;
          return line(`${paint.yellow('↓')} ${stepLine(event.host, event.step)} [SKIPPED: ${why}]`);
        }
        case 'host-finished':
          return line(`${isFailedHost(event.result) ? paint.red('✖') : paint.green('✔')} ${formatHostTitle(event.result)}`);
        case 'host-checking':
          return line(`${paint.dim('›')} ${event.host}: ${CHECKING_TEXT[event.what]}`);
        case 'reboot-started':
        case 'reboot-waiting':
        case 'reboot-back':
          return line(`${paint.dim('›')} ${event.host}: ${formatRebootEvent(event)}`);
        case 'rollout-stopped':
          return line(`${paint.red('✖')} rollout stopped: ${event.reason}${event.notStarted.length > 0 ? ` (${event.notStarted.length} hosts not started)` : ''}`);
        case 'batch-started':
          return line(`${paint.cyan('❯')} batch ${event.index + 1}: ${event.hosts.length} hosts`);
      }
    },
    done: Promise.resolve(),
    settle: () => undefined,
    // The interrupt notice itself is on stderr; every later line says what each host did.
    interrupt: () => undefined,
  };
}

const CHECKING_TEXT = { lock: 'taking the host lock', stale: 'checking the plan is still current', converged: 'gathering again to check convergence' } as const;

function startTaskTree(plan: Plan, options: ApplyProgressOptions): ApplyProgress {
  const started = new Waits<Step[]>();
  const finished = new Waits<HostResult | null>();
  const steps = new Waits<StepResult | null>();
  const hostTasks = new Map<string, Wrapper>();
  const stepTasks = new Map<string, Wrapper>();
  const running = new Set<string>();
  const ended = new Set<string>();
  const keyOf = (host: string, stepId: string) => `${host}\u0000${stepId}`;

  const runStep = async (host: string, step: Step, task: Wrapper): Promise<void> => {
    stepTasks.set(keyOf(host, step.id), task);
    const result = await steps.get(keyOf(host, step.id)).promise;
    if (result === null) return task.skip('not run');
    if (result.status === 'done') return;
    if (result.status === 'failed') throw new Error(result.message ?? 'failed');
    // A skipped step's message already says it was not run, and why.
    if (result.status === 'skipped' && result.message) return task.skip(result.message);
    task.skip(`${STEP_STATUS_TEXT[result.status]}${result.message ? ` — ${result.message}` : ''}`);
  };

  /** The host's last line: waits for the outcome (after the re-gather), and fails when the host did. */
  const endHost = async (host: string, task: Wrapper): Promise<void> => {
    const result = await finished.get(host).promise;
    const title = result ? formatHostTitle(result) : `${host}: not finished`;
    if (result === null || isFailedHost(result)) throw new Error(title);
    task.title = title;
  };

  /** Waits for the host to start; its steps, or null when it ended without running any (the task is then closed). */
  const startHost = async (host: string, task: Wrapper): Promise<Step[] | null> => {
    hostTasks.set(host, task);
    const hostSteps = await started.get(host).promise;
    task.title = `${host}: applying`;
    if (hostSteps.length > 0) return hostSteps;
    const result = await finished.get(host).promise;
    if (result && isFailedHost(result)) throw new Error(formatHostTitle(result));
    task.skip(result ? formatHostTitle(result) : `${host}: not started`);
    return null;
  };

  // listr2 is loaded here, not at start-up: only apply draws progress, and every CLI run paid for it.
  const listr = import('listr2').then(({ Listr }) => new Listr(
    plan.hosts.map((h) => ({
      title: `${h.host}: waiting`,
      task: async (_ctx, task) => {
        const hostSteps = await startHost(h.host, task);
        if (hostSteps === null) return undefined;
        return task.newListr(
          [
            ...hostSteps.map((step) => ({ title: formatStepTitle(step, options.color), task: (_c: unknown, sub: Wrapper) => runStep(h.host, step, sub) })),
            { title: `${h.host}: outcome`, task: (_c: unknown, sub: Wrapper) => endHost(h.host, sub) },
          ],
          { concurrent: false, exitOnError: false },
        );
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      renderer: 'default',
      silentRendererCondition: options.renderer === 'silent',
      registerSignalListeners: false,
      rendererOptions: { collapseSubtasks: false, showSkipMessage: true, collapseSkips: false, suffixSkips: true },
    },
  ));
  const done = listr.then((list) => list.run()).then(() => undefined);

  // Step waits are created when the host starts, so ending a host reaches every one of its steps.
  const settleSteps = (host: string) => {
    for (const key of steps.keys()) if (key.startsWith(`${host}\u0000`)) steps.get(key).resolve(null);
  };
  const settleHost = (host: string, result: HostResult | null) => {
    started.get(host).resolve([]);
    finished.get(host).resolve(result);
    settleSteps(host);
  };

  return {
    onEvent(event) {
      switch (event.kind) {
        case 'host-started':
          running.add(event.host);
          for (const step of event.steps) steps.get(keyOf(event.host, step.id));
          started.get(event.host).resolve(event.steps);
          return;
        case 'step-progress': {
          const task = stepTasks.get(keyOf(event.host, event.stepId));
          if (task) task.output = event.detail;
          return;
        }
        case 'step-finished':
          steps.get(keyOf(event.host, event.step.id)).resolve(event.result);
          return;
        case 'host-finished': {
          ended.add(event.host);
          finished.get(event.host).resolve(event.result);
          settleSteps(event.host);
          const task = hostTasks.get(event.host);
          if (task) task.title = formatHostTitle(event.result);
          return;
        }
        case 'rollout-stopped':
          for (const host of event.notStarted) settleHost(host, { host, status: 'not-started', steps: [], remaining: [], message: event.reason });
          return;
        case 'host-checking': {
          const task = hostTasks.get(event.host);
          if (task) task.title = `${event.host}: ${CHECKING_TEXT[event.what]}`;
          return;
        }
        case 'reboot-started':
        case 'reboot-waiting':
        case 'reboot-back': {
          // The reboot step's line when the plan has one; the host's title for a reboot the re-plan asked for.
          const task = stepTasks.get(keyOf(event.host, REBOOT_STEP_ID));
          const line = formatRebootEvent(event);
          if (task) task.output = line;
          else {
            const hostTask = hostTasks.get(event.host);
            if (hostTask) hostTask.title = `${event.host}: ${line}`;
          }
          return;
        }
        case 'step-started':
        case 'batch-started':
          return;
      }
    },
    done,
    settle(message) {
      for (const h of plan.hosts) settleHost(h.host, { host: h.host, status: 'not-started', steps: [], remaining: [], message });
    },
    interrupt() {
      for (const [host, task] of hostTasks) {
        if (!ended.has(host)) task.title = `${task.title} — interrupted: ${running.has(host) ? 'finishing the step under way' : 'will not start'}`;
      }
    },
  };
}

/** A step as an operator must see it before confirming it or doing it by hand. */
export function renderStepForOperator(host: string, step: Step, color: boolean): string {
  const lines = [`${host}: ${formatStepTitle(step, color)}`];
  for (const edit of step.files) lines.push(`  ${edit.after === null ? 'delete' : 'write'} ${edit.path}`);
  for (const argv of step.commands) lines.push(`  run    ${quoteArgv(argv)}`);
  for (const line of step.runbook ?? []) lines.push(`  step   ${line}`);
  lines.push(`  rollback: ${step.rollback}`);
  return `${lines.join('\n')}\n`;
}

/** The end of an apply: each host's outcome, runbooks for steps left to an operator, where the run's traces are. */
export function renderApplyReport(plan: Plan, result: FleetResult, runId: string, inventory: string, color: boolean): string {
  const lines = result.hosts.map(formatHostTitle);
  const manual = result.hosts.flatMap((h) => h.steps.filter((s) => s.status === 'manual').map((s) => [h.host, s.stepId] as const));
  if (manual.length > 0) lines.push('', 'Runbook for the steps left to an operator:');
  for (const [host, stepId] of manual) {
    const step = plan.hosts.find((h) => h.host === host)?.steps.find((s) => s.id === stepId);
    if (step) lines.push(renderStepForOperator(host, step, color));
  }
  if (result.stopped) lines.push('', `rollout stopped: ${result.stopped}`);
  lines.push('', `run ${runId}: journal ${journalPathOf(inventory, runId)}; backups on each host in ${backupDirOf(runId)}`);
  lines.push(`undo the files with: kernfleet rollback -i ${inventory} --run ${runId}`);
  // A plan that does not name its playbooks needs them named again to gather the hosts.
  if (result.interrupted) lines.push(`resume with: kernfleet apply -i ${inventory} --resume ${runId}${plan.playbooks?.length ? '' : ' PLAYBOOK...'}`);
  return `${lines.join('\n')}\n`;
}
