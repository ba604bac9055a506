// kernfleet as users run it: the compiled CLI in a fresh node process. The sources are compiled into
// bench/.build (dist/ may lag behind them): the last commit's src/ by default (reproducible while others
// edit the tree), or the working tree's. Links let it find schemas/ and package.json where it looks for
// them (two and one levels above its modules); the playbook is taken from the same tree.
import { execFile as execFileCb } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Fleet } from '../test/fleet/fleet.js';
import { runMeasured, type Measured } from './measure.js';

const execFile = promisify(execFileCb);
const REPO = new URL('..', import.meta.url).pathname;
const BUILD = join(REPO, 'bench/.build');
const LAUNCHER = join(BUILD, 'kernfleet.mjs');
// The playbook comes from the same tree as the code: a playbook ahead of its code may not validate.
export const KERNFLEET_PLAYBOOK = join(BUILD, 'playbooks/debvisor.yml');

export type Source = 'head' | 'worktree';

/** Compiles kernfleet; returns the commit (or "working tree") that was compiled. */
export async function buildKernfleet(source: Source, commit = 'HEAD'): Promise<string> {
  await rm(BUILD, { recursive: true, force: true });
  await mkdir(BUILD, { recursive: true });
  const { stdout: head } = await execFile('git', ['-C', REPO, 'rev-parse', '--short', commit]);
  let srcDir = join(REPO, 'src');
  if (source === 'head') {
    await execFile('sh', ['-c', 'git -C "$1" archive "$3" src schemas playbooks | tar -x -C "$2"', 'sh', REPO, BUILD, commit]);
    srcDir = join(BUILD, 'src');
  } else {
    await symlink(join(REPO, 'schemas'), join(BUILD, 'schemas'));
    await symlink(join(REPO, 'playbooks'), join(BUILD, 'playbooks'));
  }
  const tsconfig = join(BUILD, 'tsconfig.json');
  await writeFile(tsconfig, JSON.stringify({ extends: join(REPO, 'tsconfig.json'), compilerOptions: { rootDir: srcDir, outDir: join(BUILD, 'dist'), noEmit: false }, include: [srcDir] }));
  // Type errors still emit JavaScript; only a missing CLI is fatal (others may be mid-edit).
  await execFile(join(REPO, 'node_modules/.bin/tsc'), ['-p', tsconfig], { cwd: REPO }).catch((error: { stdout?: string }) => {
    process.stderr.write(`[bench] tsc reported type errors:\n${error.stdout ?? ''}`);
  });
  await readFile(join(BUILD, 'dist/cli/main.js'));
  await symlink(join(REPO, 'package.json'), join(BUILD, 'package.json'));
  await writeFile(LAUNCHER, "import { main } from './dist/cli/main.js';\nprocess.exitCode = await main(process.argv);\n");
  return source === 'head' ? head.trim() : `${head.trim()} + working tree`;
}

export async function runKernfleet(fleet: Fleet, forks: number, command: 'plan' | 'apply'): Promise<Measured> {
  const emptySshConfig = join(fleet.baseDir, 'empty_ssh_config');
  await writeFile(emptySshConfig, '');
  const args = [
    LAUNCHER,
    command,
    '-i', fleet.inventoryPath,
    KERNFLEET_PLAYBOOK,
    '--forks', String(forks),
    '--known-hosts', fleet.knownHostsPath,
    '--ssh-config', emptySshConfig,
    ...(command === 'apply' ? ['--yes'] : []),
  ];
  return runMeasured(process.execPath, args, { env: { ...process.env, NO_COLOR: '1' }, cwd: fleet.baseDir });
}

/** kernfleet's own summary: plan's "Plan: …" line; for apply (which prints the plan first), the per-host outcomes tallied. */
export function summariseKernfleet(command: 'plan' | 'apply', stdout: string, stderr: string, exitCode: number): string {
  if (exitCode === 1 && !/^\S+: /m.test(stdout)) return `error: ${stderr.trim().split('\n').at(-1) ?? ''}`.slice(0, 120);
  if (command === 'plan') return (stdout.split('\n').find((l) => l.startsWith('Plan: ')) ?? 'no plan summary').slice(0, 120);
  // The closing report has one line per host; progress lines before it may name a host too: the last wins.
  const byHost = new Map<string, string>();
  for (const m of stdout.matchAll(/^(\S+): (converged|nothing to do|needs manual work|FAILED|stale|locked|unreachable|changed)\b/gm)) {
    byHost.set(m[1]!, m[2]!);
  }
  const tally = new Map<string, number>();
  for (const status of byHost.values()) tally.set(status, (tally.get(status) ?? 0) + 1);
  return [...tally].sort((a, b) => b[1] - a[1]).map(([status, n]) => `${n} ${status}`).join(', ') || 'no host summary';
}
