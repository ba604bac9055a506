// Runs the built CLI (bin/kernfleet.js) as its own process, as an operator's shell does: for what only a
// real process shows (signals, a terminal). Output is collected as it comes, so a test can act on it
// mid-run; `script` gives the process a pseudo-terminal and forwards what the test types.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { quote } from 'shell-quote';

export const BIN = resolve(import.meta.dirname, '../../../bin/kernfleet.js');

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match in stdout (stdout and stderr when on a terminal) once it appears. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** The exit code; a process killed by a signal resolves with 128 + its number, as a shell reports it. */
  exited: Promise<number>;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

function watch(child: ChildProcessWithoutNullStreams): CliProcess {
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    wake();
  });
  const exited = new Promise<number>((done) => {
    child.on('close', (code, signal) => {
      wake();
      done(code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0));
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolveMatch, reject) => {
        const check = () => {
          const match = pattern.exec(out);
          if (match) {
            waiters.delete(check);
            clearTimeout(timer);
            resolveMatch(match);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`kernfleet ended before printing ${String(pattern)}:\n${out}\n${err}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${String(pattern)} within ${timeoutMs} ms:\n${out}\n${err}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** `node bin/kernfleet.js ARGS...` with pipes (no terminal: the plain progress renderer), colour off. */
export function spawnKernfleet(args: string[]): CliProcess {
  return watch(spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } }));
}

/** The same on a pseudo-terminal (util-linux `script`): stdout and stderr arrive mixed, as on a screen. */
export function spawnKernfleetOnTerminal(args: string[]): CliProcess {
  const command = quote([process.execPath, BIN, ...args]);
  return watch(spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, NO_COLOR: '1', TERM: 'dumb' } }));
}
