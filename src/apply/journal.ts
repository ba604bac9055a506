// The run journal, .kernfleet/runs/RUN.json beside the inventory: the plan being applied and, per
// host, every step's outcome. Rewritten atomically after each step and before each reboot,
// so a controller that dies mid-run leaves a journal saying exactly what happened; `apply --resume`
// reads it back. It holds no secrets: plans never carry passwords.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../local/write-file-atomic.js';
import type { Plan } from '../model/index.js';
import type { ApplyEvent, HostStatus, StepStatus } from './events.js';

export const JOURNAL_FORMAT_VERSION = '1.0';

export interface JournalStep {
  id: string;
  status: StepStatus;
  message?: string;
  at: string;
}

/** A reboot this run sent: the boot id before it, and the new one once the host answered with it. */
export interface JournalReboot {
  bootIdBefore: string;
  startedAt: string;
  bootIdAfter?: string;
  backAt?: string;
}

export interface JournalHost {
  status: HostStatus | 'running';
  steps: JournalStep[];
  message?: string;
  reboot?: JournalReboot;
}

export interface RunJournal {
  format_version: string;
  runId: string;
  startedAt: string;
  updatedAt: string;
  /** The plan as applied (a resume applies the same one). */
  plan: Plan;
  hosts: Record<string, JournalHost>;
  /** Why the last process working on this run stopped early (--max-fail, Ctrl-C); a resume clears it. */
  stopped?: string;
}

/** A sortable, unique, filesystem- and shell-safe run id: 20261123T143000Z-1a2b3c. */
export function createRunId(now: Date, random: () => string = () => randomBytes(3).toString('hex')): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${random()}`;
}

export function journalPathOf(inventoryPath: string, runId: string): string {
  return join(dirname(inventoryPath), '.kernfleet', 'runs', `${runId}.json`);
}

export function createJournal(runId: string, plan: Plan, now: string): RunJournal {
  return { format_version: JOURNAL_FORMAT_VERSION, runId, startedAt: now, updatedAt: now, plan, hosts: {} };
}

/** Pure: the journal a resumed run starts from: what happened is kept, the previous stop is not. */
export function reopenJournal(journal: RunJournal, now: string): RunJournal {
  const { stopped: _stopped, ...kept } = journal;
  return { ...kept, updatedAt: now };
}

/** Pure: the journal with one event folded in; null when the event changes nothing worth saving. */
export function recordEvent(journal: RunJournal, event: ApplyEvent, now: string): RunJournal | null {
  switch (event.kind) {
    case 'host-started': {
      // A resumed host keeps what the first run recorded (its steps, its unfinished reboot).
      const { message: _message, ...kept } = journal.hosts[event.host] ?? { steps: [] };
      return { ...journal, updatedAt: now, hosts: { ...journal.hosts, [event.host]: { ...kept, status: 'running' } } };
    }
    case 'step-finished': {
      const host = journal.hosts[event.host] ?? { status: 'running', steps: [] };
      const step: JournalStep = { id: event.result.stepId, status: event.result.status, at: now, ...(event.result.message !== undefined ? { message: event.result.message } : {}) };
      // A resumed run records the step again: keep one entry per step, the latest.
      const steps = [...host.steps.filter((s) => s.id !== step.id), step];
      return { ...journal, updatedAt: now, hosts: { ...journal.hosts, [event.host]: { ...host, steps } } };
    }
    case 'host-finished': {
      const host = journal.hosts[event.host] ?? { status: 'running', steps: [] };
      const message = event.result.message;
      return { ...journal, updatedAt: now, hosts: { ...journal.hosts, [event.host]: { ...host, status: event.result.status, ...(message !== undefined ? { message } : {}) } } };
    }
    case 'reboot-started': {
      const host = journal.hosts[event.host] ?? { status: 'running', steps: [] };
      return { ...journal, updatedAt: now, hosts: { ...journal.hosts, [event.host]: { ...host, reboot: { bootIdBefore: event.bootId, startedAt: now } } } };
    }
    case 'reboot-back': {
      const host = journal.hosts[event.host] ?? { status: 'running', steps: [] };
      const reboot = host.reboot ?? { bootIdBefore: '', startedAt: now };
      return { ...journal, updatedAt: now, hosts: { ...journal.hosts, [event.host]: { ...host, reboot: { ...reboot, bootIdAfter: event.bootId, backAt: now } } } };
    }
    case 'rollout-stopped': {
      // Hosts that never started are named too, so the journal accounts for every host of the plan.
      const hosts = { ...journal.hosts };
      for (const name of event.notStarted) hosts[name] = { steps: [], ...hosts[name], status: 'not-started', message: `not started: ${event.reason}` };
      return { ...journal, updatedAt: now, stopped: event.reason, hosts };
    }
    case 'host-checking':
    case 'step-started':
    case 'step-progress':
    case 'batch-started':
    case 'reboot-waiting':
      return null;
  }
}

/**
 * Per host, the boot id before a reboot the run sent but never saw come back (the controller died
 * while waiting, or the host outlasted the timeout): a resume compares it with the host's boot id now.
 */
export function listUnfinishedReboots(journal: RunJournal): Record<string, string> {
  return Object.fromEntries(
    Object.entries(journal.hosts).flatMap(([host, entry]) => (entry.reboot && entry.reboot.bootIdAfter === undefined ? [[host, entry.reboot.bootIdBefore]] : [])),
  );
}

/** Steps of a host that a resume must not repeat. */
export function listDoneSteps(journal: RunJournal, host: string): string[] {
  return (journal.hosts[host]?.steps ?? []).filter((s) => s.status === 'done' || s.status === 'previously-done').map((s) => s.id);
}

export async function saveJournal(path: string, journal: RunJournal): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(journal, null, 2)}\n`);
}

export async function loadJournal(path: string): Promise<RunJournal> {
  const journal = JSON.parse(await readFile(path, 'utf8')) as RunJournal;
  if (typeof journal.runId !== 'string' || typeof journal.plan !== 'object' || journal.plan === null) {
    throw new Error(`${path} is not a kernfleet run journal`);
  }
  return journal;
}

export interface JournalWriter {
  /** The listener to hand to apply: resolves once the journal on disk includes the event. */
  onEvent(event: ApplyEvent): Promise<void>;
  current(): RunJournal;
}

/** Keeps the journal on disk in step with the events; writes are serialised, so concurrent hosts never interleave. */
export function createJournalWriter(path: string, initial: RunJournal, clock: () => Date = () => new Date()): JournalWriter {
  let journal = initial;
  let queue: Promise<void> = Promise.resolve();
  return {
    onEvent(event) {
      const next = recordEvent(journal, event, clock().toISOString());
      if (next === null) return queue;
      journal = next;
      const snapshot = journal;
      queue = queue.then(() => saveJournal(path, snapshot));
      return queue;
    },
    current: () => journal,
  };
}
