// Runs one measured command as a child process: wall time from here, CPU and the largest single
// process's peak RSS from GNU time (children included once waited for), and the peak RSS of the whole
// process tree sampled from /proc (Ansible forks workers: the largest one alone would flatter it).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  exitCode: number;
  wallS: number;
  /** User + system CPU of the command and every child it waited for. */
  cpuS: number;
  /** Peak RSS of the largest single process (GNU time %M). */
  maxRssMb: number;
  /** Peak of the summed RSS of the command's process tree, sampled every 100 ms. */
  treeRssMb: number;
  stdout: string;
  stderr: string;
}

const PAGE = 4096;
const SAMPLE_MS = 100;

/** Parses GNU time's `-f '%e %U %S %M'` line (last line: the command may write to the same file). */
export function parseTimeLine(text: string): { wallS: number; cpuS: number; maxRssKb: number } {
  const line = text.trim().split('\n').at(-1) ?? '';
  const [wall, user, sys, rss] = line.trim().split(/\s+/).map(Number);
  if ([wall, user, sys, rss].some((n) => n === undefined || !Number.isFinite(n))) throw new Error(`unexpected GNU time output: ${line}`);
  return { wallS: wall!, cpuS: user! + sys!, maxRssKb: rss! };
}

function treeRssBytes(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      const ppid = Number(fields[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
      rss.set(pid, Number(fields[21]) * PAGE);
    } catch {
      // the process ended while we looked
    }
  }
  let total = 0;
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    total += rss.get(pid) ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}

export async function runMeasured(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'kf-bench-'));
  const timeFile = join(dir, 'time');
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, command, ...args], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peakTree = 0;
  const sampler = setInterval(() => {
    if (child.pid !== undefined) peakTree = Math.max(peakTree, treeRssBytes(child.pid));
  }, SAMPLE_MS);
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
  clearInterval(sampler);
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  const timed = parseTimeLine(await readFile(timeFile, 'utf8'));
  await rm(dir, { recursive: true, force: true });
  return {
    exitCode,
    wallS,
    cpuS: timed.cpuS,
    maxRssMb: timed.maxRssKb / 1024,
    treeRssMb: Math.max(peakTree / 2 ** 20, timed.maxRssKb / 1024),
    stdout,
    stderr,
  };
}
