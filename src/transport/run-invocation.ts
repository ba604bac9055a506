// Drives one started command (a local child process or an SSH exec channel) to its end: feeds
// stdin, answers sudo's password prompt, collects output, enforces the timeout and turns sudo
// failures into TransportErrors. Shared by local.ts and ssh.ts so both behave the same.
import type { Readable, Writable } from 'node:stream';
import type { Invocation } from './quote.js';
import { TransportError, type ExecResult } from './types.js';

/** A started command, whatever runs it. */
export interface ProcessHandle {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /**
   * Resolves once all output has been read: the exit code (null: killed by a signal), and a line
   * to add to stderr when the runner itself failed (e.g. the program does not exist).
   */
  finished: Promise<{ code: number | null; note?: string }>;
  /** Stops the command (used on timeout); it may get a moment to clean up first (local: SIGTERM, then SIGKILL). */
  kill(): void;
}

export interface RunContext {
  host: string;
  timeoutMs: number;
  /** The become password; only ever written to sudo's stdin after its prompt. */
  password: string | null;
  /** Short description for error messages (argv[0] or "script"); never holds secrets. */
  label: string;
}

export async function runInvocation(handle: ProcessHandle, invocation: Invocation, ctx: RunContext): Promise<ExecResult> {
  const stdout: Buffer[] = [];
  let stderr = Buffer.alloc(0);
  let prompts = 0;
  let started = invocation.sudo === null;
  // Writes after the command exited raise EPIPE; the exit code already tells the story.
  handle.stdin.on('error', () => undefined);

  const feedCommand = (): void => {
    if (invocation.stdin === undefined) handle.stdin.end();
    else handle.stdin.end(invocation.stdin);
  };

  handle.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  handle.stderr.on('data', (chunk: Buffer) => {
    stderr = Buffer.concat([stderr, chunk]);
    const sudo = invocation.sudo;
    if (started || sudo === null) return;
    const markerLine = Buffer.from(`${sudo.marker}\n`);
    const at = stderr.indexOf(markerLine);
    if (at >= 0) {
      // Everything before the marker is sudo talking (prompts, lecture); the command starts here.
      stderr = stderr.subarray(at + markerLine.length);
      started = true;
      feedCommand();
      return;
    }
    const seen = countOccurrences(stderr, sudo.prompt);
    if (seen > prompts) {
      prompts = seen;
      // A second prompt means the password was wrong: end stdin so sudo gives up.
      if (prompts === 1 && ctx.password !== null) handle.stdin.write(`${ctx.password}\n`);
      else handle.stdin.end();
    }
  });
  if (started) feedCommand();

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      handle.kill();
      reject(new TransportError('timeout', ctx.host, `${ctx.label} timed out after ${ctx.timeoutMs} ms`));
    }, ctx.timeoutMs);
  });
  try {
    const { code, note } = await Promise.race([handle.finished, timeout]);
    const result: ExecResult = {
      stdout: Buffer.concat(stdout).toString('utf8'),
      stderr: stderr.toString('utf8') + (note ?? ''),
      code,
    };
    if (!started) throw explainSudoFailure(ctx, result, prompts);
    if (invocation.sudo === null) throwIfSudoRefused(invocation.argv, ctx, result);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

function countOccurrences(haystack: Buffer, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** sudo ended before our marker: the password was wrong or sudo refused. */
function explainSudoFailure(ctx: RunContext, result: ExecResult, prompts: number): TransportError {
  const said = lastLines(result.stderr);
  if (prompts > 1 || /incorrect password|Sorry, try again/i.test(result.stderr)) {
    return new TransportError('sudo-password', ctx.host, `sudo rejected the become password: ${said}`);
  }
  return new TransportError('sudo-required', ctx.host, `sudo did not run ${ctx.label} (exit ${String(result.code)}): ${said}`);
}

/** With sudo -n, a password requirement or a missing sudo shows up as exit status and stderr. */
function throwIfSudoRefused(argv: string[], ctx: RunContext, result: ExecResult): void {
  if (argv[0] !== 'sudo') return;
  if (result.code === 1 && /^sudo: (a password is required|a terminal is required)/m.test(result.stderr)) {
    throw new TransportError(
      'sudo-required',
      ctx.host,
      `sudo needs a password to run ${ctx.label}: set ansible_become_password or allow NOPASSWD for this user`,
    );
  }
  if (result.code === 127 && /sudo.*not found|No such file/i.test(result.stderr)) {
    throw new TransportError('sudo-required', ctx.host, `sudo is not installed; log in as root or install sudo`);
  }
}

function lastLines(text: string): string {
  const lines = text.trim().split('\n').filter((l) => l.trim() !== '');
  return lines.slice(-2).join(' / ') || '(no output)';
}
