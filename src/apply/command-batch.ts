// Several commands in one exec: each SSH session costs a channel open, a shell and (with become) a
// sudo, which for a host's 30-odd module loads, sysctl writes and their read-backs was most of apply's
// time. The commands run in order in one `sh -c` and stop at the first that fails, exactly as one exec
// per command would. After each, the script prints a marker line carrying a per-run random nonce (so
// no command's output can forge one) with the command's index and exit status; each command's output
// (stderr merged into stdout) is what lies between two markers.
import { randomBytes } from 'node:crypto';
import type { Argv } from '../model/index.js';
import { quoteArgv, type Transport } from '../transport/index.js';

export interface BatchOptions {
  become: boolean;
  /** For the whole batch; default the transport's. */
  timeoutMs?: number;
}

/** One command that ran: its exit status (a signal shows as the shell's 128+N) and its output. */
export interface BatchEntry {
  code: number;
  output: string;
}

/**
 * The commands that ran, in order; the last one failed when its code is not 0. `error` is set when
 * the exec itself failed (connection cut, timeout): the commands after the reported ones may or may
 * not have run.
 */
export interface BatchResult {
  ran: BatchEntry[];
  error?: string;
}

function buildBatchScript(commands: readonly Argv[], marker: string): string {
  const lines = commands.map((argv, index) => `kf_run ${index} ${quoteArgv(argv)} || exit 0`);
  return [`kf_run() { kf_i=$1; shift; "$@" 2>&1; kf_c=$?; printf '\\n${marker} %s %s\\n' "$kf_i" "$kf_c"; return "$kf_c"; }`, ...lines, ''].join('\n');
}

export function parseBatchOutput(stdout: string, marker: string): BatchEntry[] {
  const ran: BatchEntry[] = [];
  const pattern = new RegExp(`\\n?${marker} (\\d+) (\\d+)\\n`, 'g');
  let from = 0;
  for (let match = pattern.exec(stdout); match !== null; match = pattern.exec(stdout)) {
    ran.push({ code: Number(match[2]), output: stdout.slice(from, match.index) });
    from = match.index + match[0].length;
  }
  return ran;
}

export async function runCommandBatch(transport: Transport, commands: readonly Argv[], options: BatchOptions): Promise<BatchResult> {
  if (commands.length === 0) return { ran: [] };
  const marker = `@@kf-ran-${randomBytes(8).toString('hex')}`;
  try {
    const result = await transport.exec(
      { script: buildBatchScript(commands, marker) },
      { become: options.become, stdin: '', ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) },
    );
    const ran = parseBatchOutput(result.stdout, marker);
    // The shell itself failed before or between the commands (sudo refused, killed): say what it said.
    if (result.code !== 0 || (ran.length < commands.length && ran.at(-1)?.code === 0)) {
      return { ran, error: `the command shell ${result.code === null ? 'was killed' : `exited ${result.code}`}: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ')}` };
    }
    return { ran };
  } catch (error) {
    return { ran: [], error: error instanceof Error ? error.message : String(error) };
  }
}
