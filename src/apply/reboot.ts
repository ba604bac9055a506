// One host's reboot, as a rolling reboot needs it: note the boot id, say so (the journal is saved
// before the host goes down), run `reboot` and expect the connection to drop, then reconnect with
// backoff until SSH answers with a *different* boot id. Same boot id = not rebooted yet (a real host
// keeps serving SSH for a moment after `reboot` returns); no answer within the timeout = failed.
import type { Step } from '../model/index.js';
import type { Transport } from '../transport/index.js';
import type { ApplyListener } from './events.js';

export const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';

export type OpenHostTransport = (host: string) => Promise<Transport>;

export interface RebootContext {
  host: string;
  open: OpenHostTransport;
  /** From sending `reboot` until the host answers with a new boot id. */
  timeoutMs: number;
  onEvent?: ApplyListener;
  /**
   * The boot id a resumed run recorded before its reboot of this host: a different one now means
   * that reboot happened, so the host is not rebooted again.
   */
  bootIdBefore?: string;
  /** First and longest pause between reconnection attempts (default 500 ms and 5 s). */
  backoff?: { initialMs: number; maxMs: number };
}

export type RebootOutcome =
  | { ok: true; transport: Transport; bootId: string; rebooted: boolean }
  | { ok: false; message: string };

const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 5_000 };
/** `reboot` itself returns at once; a command that hangs longer is a host that is going down. */
const REBOOT_COMMAND_TIMEOUT_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function readBootId(transport: Transport): Promise<string> {
  const result = await transport.exec({ argv: ['cat', BOOT_ID_PATH] }, { stdin: '' });
  const id = result.stdout.trim();
  if (result.code !== 0 || id === '') throw new Error(`cannot read ${BOOT_ID_PATH}: ${result.stderr.trim() || `exit ${String(result.code)}`}`);
  return id;
}

/** One attempt at most this long, so a host that hangs mid-handshake does not use the whole timeout. */
const PROBE_TIMEOUT_MS = 15_000;

/** Opens the host and reads its boot id; throws when either fails. */
async function readHost(ctx: RebootContext): Promise<{ transport: Transport; bootId: string }> {
  const transport = await ctx.open(ctx.host);
  try {
    return { transport, bootId: await readBootId(transport) };
  } catch (error) {
    await transport.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The promise's value, or `fallback` after `ms`. The deadline is a timer of our own: an exec on a
 * connection that drops while its channel opens may never settle (and would leave nothing keeping the
 * process alive).
 */
async function raceTimer<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), Math.max(ms, 0));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** One attempt: the host's transport and boot id, or null when it does not answer (yet) within `ms`. */
async function probeHost(ctx: RebootContext, ms: number): Promise<{ transport: Transport; bootId: string } | null> {
  const attempt = readHost(ctx);
  const winner = await raceTimer(attempt.catch(() => null), Math.min(ms, PROBE_TIMEOUT_MS), null);
  // An abandoned attempt that completes after all must not leave a connection open.
  if (winner === null) attempt.then((found) => found.transport.close(), () => undefined);
  return winner;
}

/**
 * Reconnects with backoff until `accept` takes the host's boot id, or the time is up. `attempt` events
 * let the operator see the wait.
 */
async function pollHost(ctx: RebootContext, startedAt: number, accept: (bootId: string) => boolean): Promise<{ transport: Transport; bootId: string } | null> {
  const backoff = ctx.backoff ?? DEFAULT_BACKOFF;
  let delay = backoff.initialMs;
  for (let attempt = 1; ; attempt += 1) {
    const left = ctx.timeoutMs - (Date.now() - startedAt);
    if (left <= 0) return null;
    await sleep(Math.min(delay, left));
    delay = Math.min(delay * 2, backoff.maxMs);
    await ctx.onEvent?.({ kind: 'reboot-waiting', host: ctx.host, attempt, elapsedMs: Date.now() - startedAt });
    const found = await probeHost(ctx, ctx.timeoutMs - (Date.now() - startedAt));
    if (found === null) continue;
    if (accept(found.bootId)) return found;
    await found.transport.close().catch(() => undefined);
  }
}

function timeoutMessage(ctx: RebootContext): string {
  return `did not come back within ${Math.round(ctx.timeoutMs / 1000)} s`;
}

/**
 * Opens a host that a resumed run may have left rebooting: waits (within the timeout) until it answers
 * at all, whatever its boot id.
 */
export async function openWhenReachable(ctx: RebootContext): Promise<Transport> {
  const first = await probeHost(ctx, ctx.timeoutMs);
  if (first !== null) return first.transport;
  const found = await pollHost(ctx, Date.now(), () => true);
  if (found === null) throw new Error(`${ctx.host} ${timeoutMessage(ctx)}`);
  return found.transport;
}

/**
 * Reboots the host behind `transport` (which it closes) and returns a transport to the host after
 * the reboot. With bootIdBefore, a host that already has another boot id is not rebooted.
 */
export async function rebootHost(transport: Transport, step: Pick<Step, 'commands' | 'become'>, ctx: RebootContext): Promise<RebootOutcome> {
  let bootId: string;
  try {
    bootId = await readBootId(transport);
  } catch (error) {
    return { ok: false, message: describeError(error) };
  }
  if (ctx.bootIdBefore !== undefined && bootId !== ctx.bootIdBefore) {
    await ctx.onEvent?.({ kind: 'reboot-back', host: ctx.host, bootId, elapsedMs: 0 });
    return { ok: true, transport, bootId, rebooted: false };
  }
  // Awaited: the journal holds this boot id before the host goes down, so a resume can tell.
  await ctx.onEvent?.({ kind: 'reboot-started', host: ctx.host, bootId });
  const startedAt = Date.now();
  const argv = step.commands[0] ?? ['reboot'];
  try {
    const limit = Math.min(REBOOT_COMMAND_TIMEOUT_MS, ctx.timeoutMs);
    const sent = transport.exec({ argv }, { become: step.become, stdin: '', timeoutMs: limit });
    const result = await raceTimer(sent, limit, { stdout: '', stderr: '', code: null });
    // A null code is the connection dropping under the command: the reboot is under way.
    if (result.code !== 0 && result.code !== null) {
      await transport.close().catch(() => undefined);
      return { ok: false, message: `${argv.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}` };
    }
  } catch {
    // The connection dropped as the host went down: expected.
  }
  await transport.close().catch(() => undefined);
  const back = await pollHost(ctx, startedAt, (id) => id !== bootId);
  if (back === null) return { ok: false, message: timeoutMessage(ctx) };
  await ctx.onEvent?.({ kind: 'reboot-back', host: ctx.host, bootId: back.bootId, elapsedMs: Date.now() - startedAt });
  return { ok: true, transport: back.transport, bootId: back.bootId, rebooted: true };
}
