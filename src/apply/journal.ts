// The run journal, .kernfleet/runs/RUN.json beside the inventory: the plan being applied and, per
// host, every step's outcome. RUN.json is written (atomically) when a run starts and when it ends;
// in between, each step's outcome and each reboot is appended to RUN.log, one JSON line, flushed to
// disk before the run goes on. Rewriting the whole journal after each step cost O(plan) per step —
// quadratic in the fleet: 90 s of controller CPU for 100 hosts. A controller that dies mid-run
// leaves RUN.json + RUN.log, which loadJournal replays, so `apply --resume` knows exactly what
// happened. It holds no secrets: plans never carry passwords.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../local/write-file-atomic.js';
import { jsonFileChunks } from '../render/json-chunks.js';
import type { Plan } from '../model/index.js';
import type { ApplyEvent, HostResult, HostStatus, StepResult, StepStatus } from './events.js';

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

/** What the journal keeps of an event: the fields recordEvent reads, nothing else (RUN.log's lines). */
export type RecordedEvent =
  | { kind: 'host-started'; host: string }
  | { kind: 'step-finished'; host: string; result: Pick<StepResult, 'stepId' | 'status' | 'message'> }
  | { kind: 'host-finished'; host: string; result: Pick<HostResult, 'status' | 'message'> }
  | { kind: 'reboot-started' | 'reboot-back'; host: string; bootId: string }
  | { kind: 'rollout-stopped'; reason: string; notStarted: string[] }
  | { kind: 'host-checking' | 'step-started' | 'step-progress' | 'batch-started' | 'reboot-waiting' };

function slimEvent(event: ApplyEvent): RecordedEvent {
  switch (event.kind) {
    case 'host-started':
      return { kind: event.kind, host: event.host };
    case 'step-finished':
      return { kind: event.kind, host: event.host, result: { stepId: event.result.stepId, status: event.result.status, ...(event.result.message !== undefined ? { message: event.result.message } : {}) } };
    case 'host-finished':
      return { kind: event.kind, host: event.host, result: { status: event.result.status, ...(event.result.message !== undefined ? { message: event.result.message } : {}) } };
    case 'reboot-started':
    case 'reboot-back':
      return { kind: event.kind, host: event.host, bootId: event.bootId };
    case 'rollout-stopped':
      return { kind: event.kind, reason: event.reason, notStarted: event.notStarted };
    default:
      return { kind: event.kind };
  }
}

/** Pure: the journal with one event folded in; null when the event changes nothing worth saving. */
export function recordEvent(journal: RunJournal, event: RecordedEvent, now: string): RunJournal | null {
  const hosts = { ...journal.hosts };
  const change = foldEvent(hosts, event, now);
  return change === null ? null : { ...journal, ...change, updatedAt: now, hosts };
}

/**
 * Folds one event into `hosts`, replacing the entry of the host it concerns (entries themselves are never
 * changed, so a journal that shares them is not either); returns what changes of the run itself, or null
 * when the event changes nothing worth saving. In place, because a run folds an event per step: copying
 * a thousand hosts' entries for each of 20,000 events was most of a large apply's garbage.
 */
function foldEvent(hosts: Record<string, JournalHost>, event: RecordedEvent, now: string): { stopped?: string } | null {
  const entry = (host: string): JournalHost => hosts[host] ?? { status: 'running', steps: [] };
  switch (event.kind) {
    case 'host-started': {
      // A resumed host keeps what the first run recorded (its steps, its unfinished reboot).
      const { message: _message, ...kept } = hosts[event.host] ?? { steps: [] };
      hosts[event.host] = { ...kept, status: 'running' };
      return {};
    }
    case 'step-finished': {
      const host = entry(event.host);
      const step: JournalStep = { id: event.result.stepId, status: event.result.status, at: now, ...(event.result.message !== undefined ? { message: event.result.message } : {}) };
      // A resumed run records the step again: keep one entry per step, the latest.
      hosts[event.host] = { ...host, steps: [...host.steps.filter((s) => s.id !== step.id), step] };
      return {};
    }
    case 'host-finished': {
      const message = event.result.message;
      hosts[event.host] = { ...entry(event.host), status: event.result.status, ...(message !== undefined ? { message } : {}) };
      return {};
    }
    case 'reboot-started':
      hosts[event.host] = { ...entry(event.host), reboot: { bootIdBefore: event.bootId, startedAt: now } };
      return {};
    case 'reboot-back': {
      const host = entry(event.host);
      const reboot = host.reboot ?? { bootIdBefore: '', startedAt: now };
      hosts[event.host] = { ...host, reboot: { ...reboot, bootIdAfter: event.bootId, backAt: now } };
      return {};
    }
    case 'rollout-stopped':
      // Hosts that never started are named too, so the journal accounts for every host of the plan.
      for (const name of event.notStarted) hosts[name] = { steps: [], ...hosts[name], status: 'not-started', message: `not started: ${event.reason}` };
      return { stopped: event.reason };
    case 'host-checking':
    case 'step-started':
    case 'step-progress':
    case 'batch-started':
    case 'reboot-waiting':
      return null;
  }
}

/** A journal of its own, and the fold that brings events into it in place. */
function startFold(from: RunJournal): { journal: RunJournal; fold(event: RecordedEvent, now: string): boolean } {
  const journal = { ...from, hosts: { ...from.hosts } };
  return {
    journal,
    fold(event, now) {
      const change = foldEvent(journal.hosts, event, now);
      if (change === null) return false;
      Object.assign(journal, change, { updatedAt: now });
      return true;
    },
  };
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

/** Writes RUN.json whole; the log it supersedes goes. */
export async function saveJournal(path: string, journal: RunJournal): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // Written a host at a time: a large fleet's journal (its plan) runs to tens of MB.
  await writeFileAtomic(path, jsonFileChunks(journal, 3));
  await rm(journalLogPathOf(path), { force: true });
}

/** The log of step outcomes appended between the journal's rewrites. */
export function journalLogPathOf(journalPath: string): string {
  return journalPath.replace(/\.json$/, '.log');
}

/** RUN.json, with RUN.log replayed onto it when the controller that wrote them did not finish. */
export async function loadJournal(path: string): Promise<RunJournal> {
  const saved = JSON.parse(await readFile(path, 'utf8')) as RunJournal;
  if (typeof saved.runId !== 'string' || typeof saved.plan !== 'object' || saved.plan === null) {
    throw new Error(`${path} is not a kernfleet run journal`);
  }
  const { journal, fold } = startFold(saved);
  const log = await readFile(journalLogPathOf(path), 'utf8').catch(() => '');
  for (const line of log.split('\n')) {
    // A line cut by the crash itself never reached the disk whole: its step is simply not recorded.
    const entry = parseLogLine(line);
    if (entry) fold(entry.event, entry.at);
  }
  return journal;
}

function parseLogLine(line: string): { at: string; event: RecordedEvent } | null {
  if (line.trim() === '') return null;
  try {
    return JSON.parse(line) as { at: string; event: RecordedEvent };
  } catch {
    return null;
  }
}

export interface JournalWriter {
  /** The listener to hand to apply: resolves once the journal on disk includes the event. */
  onEvent(event: ApplyEvent): Promise<void>;
  current(): RunJournal;
  /** Writes RUN.json whole, with every event, and removes RUN.log. */
  close(): Promise<void>;
}

/**
 * Keeps the journal on disk in step with the events. The caller has saved the initial journal as RUN.json;
 * the first event starts a fresh RUN.log. Appends are serialised, so concurrent hosts never interleave.
 */
export function createJournalWriter(path: string, initial: RunJournal, clock: () => Date = () => new Date()): JournalWriter {
  const logPath = journalLogPathOf(path);
  const { journal, fold } = startFold(initial);
  let queue: Promise<void> = Promise.resolve();
  let log: FileHandle | undefined;
  const append = async (line: string) => {
    log ??= await open(logPath, 'w');
    await log.write(line);
    await log.datasync();
  };
  return {
    onEvent(event) {
      const at = clock().toISOString();
      const recorded = slimEvent(event);
      if (!fold(recorded, at)) return queue;
      const line = `${JSON.stringify({ at, event: recorded })}\n`;
      queue = queue.then(() => append(line));
      return queue;
    },
    current: () => journal,
    async close() {
      await queue.catch(() => undefined);
      await log?.close();
      await saveJournal(path, journal);
    },
  };
}
