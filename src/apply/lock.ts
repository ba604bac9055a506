// The host-side lock that keeps two applies off one host: `mkdir` is atomic on every filesystem, so
// exactly one run creates /var/lib/kernfleet/lock; a holder file inside says which run (and which
// controller process) has it, so the loser can name it. A run may take its own lock again (resume).
import { hostname } from 'node:os';
import type { ExecResult, Transport } from '../transport/index.js';
import { DEFAULT_STATE_DIR } from './remote-file.js';

export interface LockHolder {
  runId: string;
  /** The controller that took it: host name and process id. */
  controller: string;
  since: string;
}

export type LockResult = { ok: true } | { ok: false; holder: LockHolder | null; message: string };

export interface LockContext {
  runId: string;
  become: boolean;
  stateDir?: string;
  /** Time written into the holder file (ISO 8601). */
  now?: string;
}

const EXIT_HELD = 3;

const ACQUIRE_SCRIPT = `
set -u
lock=$1 run=$2 controller=$3 since=$4
mkdir -p -- "\${lock%/*}" || exit 1
if mkdir -- "$lock" 2>/dev/null; then
  printf 'run=%s\\ncontroller=%s\\nsince=%s\\n' "$run" "$controller" "$since" > "$lock/holder.part" && mv -f -- "$lock/holder.part" "$lock/holder" || { rm -rf -- "$lock"; exit 1; }
  echo acquired
  exit 0
fi
if grep -qxF -- "run=$run" "$lock/holder" 2>/dev/null; then echo reacquired; exit 0; fi
cat -- "$lock/holder" 2>/dev/null
exit ${EXIT_HELD}
`;

// Only the holder may release: a run that lost the race must never remove the winner's lock.
const RELEASE_SCRIPT = `
set -u
lock=$1 run=$2
[ -d "$lock" ] || { echo absent; exit 0; }
grep -qxF -- "run=$run" "$lock/holder" 2>/dev/null || { cat -- "$lock/holder" 2>/dev/null; exit ${EXIT_HELD}; }
rm -rf -- "$lock" && echo released
`;

export function lockPathOf(stateDir = DEFAULT_STATE_DIR): string {
  return `${stateDir}/lock`;
}

export function parseLockHolder(text: string): LockHolder | null {
  const fields = Object.fromEntries(
    text.split('\n').flatMap((line) => {
      const at = line.indexOf('=');
      return at > 0 ? [[line.slice(0, at), line.slice(at + 1)]] : [];
    }),
  );
  const runId = fields['run'];
  if (runId === undefined) return null;
  return { runId, controller: fields['controller'] ?? '?', since: fields['since'] ?? '?' };
}

function describeFailure(transport: Transport, lockPath: string, result: ExecResult): LockResult {
  if (result.code === EXIT_HELD) {
    const holder = parseLockHolder(result.stdout);
    const who = holder ? `run ${holder.runId} (controller ${holder.controller}, since ${holder.since})` : 'another run (its holder file is not written yet)';
    return { ok: false, holder, message: `${transport.host} is locked by ${who}; wait for it to finish, or remove ${lockPath} on the host if that run is dead` };
  }
  return { ok: false, holder: null, message: `cannot take the lock on ${transport.host}: ${result.stderr.trim() || `exit ${String(result.code)}`}` };
}

export async function acquireHostLock(transport: Transport, ctx: LockContext): Promise<LockResult> {
  const controller = `${hostname()}:${process.pid}`;
  const since = ctx.now ?? new Date().toISOString();
  const lockPath = lockPathOf(ctx.stateDir);
  const result = await transport.exec(
    { argv: ['sh', '-c', ACQUIRE_SCRIPT, 'kernfleet-lock', lockPath, ctx.runId, controller, since] },
    { become: ctx.become, stdin: '' },
  );
  return result.code === 0 ? { ok: true } : describeFailure(transport, lockPath, result);
}

export async function releaseHostLock(transport: Transport, ctx: LockContext): Promise<LockResult> {
  const lockPath = lockPathOf(ctx.stateDir);
  const result = await transport.exec(
    { argv: ['sh', '-c', RELEASE_SCRIPT, 'kernfleet-unlock', lockPath, ctx.runId] },
    { become: ctx.become, stdin: '' },
  );
  return result.code === 0 ? { ok: true } : describeFailure(transport, lockPath, result);
}
