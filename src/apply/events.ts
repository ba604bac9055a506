// What apply reports while it runs: plain tagged objects through one onEvent callback. The CLI turns
// them into listr2 titles or log lines; the journal writer turns step results into its file. A
// listener may return a promise (the journal's write): the run waits for it before the next step, so
// what the journal says happened has happened.
import type { Argv, Risk, Step } from '../model/index.js';
import type { FileOpResult } from './remote-file.js';

/**
 * done: ran and verified; failed: a file, command or verification failed (the host stops here);
 * manual: high-risk, not confirmed (printed as a runbook); blocked: waits on a step that did not run;
 * reboot-pending: not rebooted (no --reboot); skipped: an earlier step failed, or the run was interrupted;
 * previously-done: done by the run being resumed.
 */
export type StepStatus = 'done' | 'failed' | 'manual' | 'blocked' | 'reboot-pending' | 'skipped' | 'previously-done';

export interface CommandRun {
  phase: 'run' | 'verify';
  argv: Argv;
  /** Exit status; null when killed, or when the transport failed before one arrived. */
  code: number | null;
}

export interface StepResult {
  stepId: string;
  title: string;
  risk: Risk;
  status: StepStatus;
  files: FileOpResult[];
  commands: CommandRun[];
  /** Why it failed, or why it did not run. */
  message?: string;
}

/**
 * converged: the re-gathered host has nothing left but a reboot; changed: steps ran but the re-plan still
 * has work (or was not checked); unchanged: the plan had no step for it (not contacted); manual: needs an
 * operator; failed: a step or the connection failed, or its plan is an error (root needed without sudo, a conflict); stale: its saved plan is out of date; locked: another
 * run holds it; skipped: a container; unreachable: it could not be gathered or connected to; interrupted:
 * the run was interrupted (Ctrl-C) after the step under way, the rest left to a resume; not-started: the
 * rollout stopped (or was interrupted) first.
 */
export type HostStatus = 'converged' | 'changed' | 'unchanged' | 'manual' | 'failed' | 'stale' | 'locked' | 'skipped' | 'unreachable' | 'interrupted' | 'not-started';

export interface HostResult {
  host: string;
  status: HostStatus;
  steps: StepResult[];
  /** Ids of the steps the re-plan after apply still holds (reboot included). */
  remaining: string[];
  message?: string;
}

export type ApplyEvent =
  | { kind: 'host-started'; host: string; steps: Step[] }
  | { kind: 'host-checking'; host: string; what: 'lock' | 'stale' | 'converged' }
  | { kind: 'step-started'; host: string; step: Step }
  | { kind: 'step-progress'; host: string; stepId: string; detail: string }
  | { kind: 'step-finished'; host: string; step: Step; result: StepResult }
  | { kind: 'host-finished'; host: string; result: HostResult }
  | { kind: 'batch-started'; index: number; hosts: string[] }
  /** The boot id before `reboot` is sent; the journal is on disk before the host goes down. */
  | { kind: 'reboot-started'; host: string; bootId: string }
  | { kind: 'reboot-waiting'; host: string; attempt: number; elapsedMs: number }
  /** The host answers with a new boot id (elapsedMs 0: a resumed run found it already rebooted). */
  | { kind: 'reboot-back'; host: string; bootId: string; elapsedMs: number }
  | { kind: 'rollout-stopped'; reason: string; notStarted: string[] };

export type ApplyListener = (event: ApplyEvent) => void | Promise<void>;
