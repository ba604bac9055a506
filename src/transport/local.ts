// The local connection (ansible_connection=local): commands run on this machine, argv directly
// through spawn (no shell), scripts through `sh -s`.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import type { InventoryHost } from '../model/inventory.js';
import { buildBecomeSpec, buildInvocation, type Invocation } from './quote.js';
import { runInvocation, type ProcessHandle } from './run-invocation.js';
import type { Command, ExecOptions, ExecResult, Transport, TransportOptions } from './types.js';

export function createLocalTransport(host: InventoryHost, options: TransportOptions): Transport {
  const connection = host.connection;
  // uid 0 is root whatever the account is called.
  const loginUser = process.getuid?.() === 0 ? 'root' : userInfo().username;
  let closed = false;
  return {
    host: host.name,
    async exec(command: Command, opts: ExecOptions = {}): Promise<ExecResult> {
      if (closed) throw new Error(`transport to ${host.name} is closed`);
      const spec = buildBecomeSpec(connection, loginUser, opts.become, () => randomBytes(8).toString('hex'));
      const invocation = buildInvocation(command, spec, opts.stdin);
      return runInvocation(spawnInvocation(invocation), invocation, {
        host: host.name,
        timeoutMs: opts.timeoutMs ?? options.commandTimeoutMs,
        password: connection.becomePassword,
        label: 'argv' in command ? (command.argv[0] ?? 'command') : 'script',
      });
    },
    async close(): Promise<void> {
      closed = true;
    },
  };
}

/** How long a timed-out command has, after SIGTERM, before its process group gets SIGKILL. */
export const KILL_GRACE_MS = 2_000;

const GROUP_WATCH_MS = 50;

/** Signal 0 to the group: it still has a member (a zombie leader not yet reaped counts, and holds the id). */
function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // The group is gone already (ESRCH), or was never made: signal the child alone.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

function spawnInvocation(invocation: Invocation): ProcessHandle {
  const [file, ...args] = invocation.argv as [string, ...string[]];
  // A process group of its own, so a timeout kills the command's children too.
  const child = spawn(file, args, { stdio: 'pipe', detached: true });
  const finished = new Promise<{ code: number | null; note?: string }>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Same shape as a shell that cannot run the program, so callers see one behaviour locally and over SSH.
      if (err.code === 'ENOENT') resolve({ code: 127, note: `${file}: command not found\n` });
      else resolve({ code: 126, note: `${file}: ${err.message}\n` });
    });
    child.on('close', (code) => resolve({ code }));
  });
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    finished,
    kill() {
      // TERM first, so a script's traps still run (the write script removes its temp file); KILL whatever
      // of the group is left after a grace period. The group is watched, not the shell (a child that
      // ignores TERM can outlive it), and the watch stops once the group is empty: its id could then be
      // reused. Not unref'd: the group is detached, and a CLI exiting first would leave it running.
      signalGroup(child, 'SIGTERM');
      const deadline = Date.now() + KILL_GRACE_MS;
      const watch = setInterval(() => {
        if (!groupAlive(child)) clearInterval(watch);
        else if (Date.now() >= deadline) {
          clearInterval(watch);
          signalGroup(child, 'SIGKILL');
        }
      }, GROUP_WATCH_MS);
    },
  };
}
