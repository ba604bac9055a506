// `npm run bench [-- --sizes 10,100,500,1000] [--forks 50] [--ansible-max 100] ...` (--help lists all):
// kernfleet plan, apply and apply on a converged fleet, the SSH floor and Ansible, on the simulated
// fleet, one size at a time.
// Each size gets two fresh fleets of the same mix: one for the floor and kernfleet, one for the floor
// again and Ansible (an apply leaves a fleet converged). Writes bench/results/latest.{json,md}.
import { execFile as execFileCb } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { startFleet, type Fleet } from '../test/fleet/fleet.js';
import { parseRecap, runAnsible } from './ansible-runner.js';
import { buildFleetMix, buildPythonBundle, describeMix, installPython, installSessionCounters, readFleetCpuSeconds, skipRootBashrc, takeSessionCounts } from './fleet-setup.js';
import { buildKernfleet, runKernfleet, summariseKernfleet } from './kernfleet-runner.js';
import { runMeasured, type Measured } from './measure.js';
import { renderMarkdown, type BenchResult, type Machine, type RunFigures, type RunName, type SizeResult } from './report.js';
import { installCounters, readCounters, removeCounters, subtractTraffic } from './traffic.js';

const execFile = promisify(execFileCb);
const RESULTS = new URL('./results/', import.meta.url).pathname;

interface Options {
  sizes: number[];
  forks: number;
  ansibleMax: number;
  ansibleApplyMax: number;
  kernfleetApplyMax: number;
  merge?: boolean;
  commit: string;
  worktree?: boolean;
  out: string;
}

function log(text: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
}

async function withFleet<T>(hosts: number, work: (fleet: Fleet) => Promise<T>): Promise<T> {
  const started = Date.now();
  const fleet = await startFleet({ hosts: buildFleetMix(hosts) });
  log(`${hosts} hosts up in ${((Date.now() - started) / 1000).toFixed(1)} s (port ${fleet.hosts[0]!.port})`);
  try {
    await skipRootBashrc(fleet);
    await installSessionCounters(fleet.hosts);
    await installCounters(fleet.hosts[0]!.port);
    return await work(fleet);
  } finally {
    await removeCounters();
    await fleet.stop();
  }
}

/** Measures one run and attaches what the kernel and the hosts counted while it ran. */
async function measure(fleet: Fleet, run: RunName, action: () => Promise<Measured>, outcomeOf: (m: Measured) => string): Promise<RunFigures> {
  const before = await readCounters();
  await takeSessionCounts(fleet.hosts);
  const cpuBefore = readFleetCpuSeconds(fleet.pids);
  const m = await action();
  // Sessions a tool leaves behind (ControlPersist masters are stopped by the runner) end within moments.
  await new Promise((r) => setTimeout(r, 500));
  const hostCpuS = readFleetCpuSeconds(fleet.pids) - cpuBefore;
  const traffic = subtractTraffic(await readCounters(), before);
  const sessions = await takeSessionCounts(fleet.hosts);
  const n = fleet.hosts.length;
  const figures: RunFigures = {
    run,
    exitCode: m.exitCode,
    wallS: m.wallS,
    cpuS: m.cpuS,
    maxRssMb: m.maxRssMb,
    treeRssMb: m.treeRssMb,
    hostCpuPerHostS: hostCpuS / n,
    sentPerHostB: traffic.sentBytes / n,
    receivedPerHostB: traffic.receivedBytes / n,
    connectionsPerHost: traffic.connections / n,
    sessionsPerHost: sessions.reduce((a, b) => a + b, 0) / n,
    sessionsMaxHost: Math.max(...sessions),
    outcome: outcomeOf(m),
  };
  const logName = `${n}-${run.replace(/[^a-z]+/g, '-').replace(/-$/, '')}.log`;
  await writeFile(join(RESULTS, 'logs', logName), `$ exit ${m.exitCode}\n--- stdout\n${m.stdout}\n--- stderr\n${m.stderr}`);
  log(`${n} hosts ${run}: ${m.wallS.toFixed(2)} s wall, ${m.cpuS.toFixed(2)} s CPU, exit ${m.exitCode}, ${figures.outcome}`);
  if (m.exitCode !== 0 && m.exitCode !== 2) log(m.stderr.split('\n').slice(-8).join('\n'));
  return figures;
}

async function measureFloor(fleet: Fleet, forks: number): Promise<RunFigures> {
  const hostsFile = join(fleet.baseDir, 'bench-hosts');
  await writeFile(hostsFile, fleet.hosts.map((h) => h.name).join('\n') + '\n');
  const args = ['-a', hostsFile, '-P', String(forks), '-I{}', 'ssh', '-F', fleet.sshConfigPath, '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '{}', 'true'];
  return measure(fleet, 'floor', () => runMeasured('xargs', args), (m) => (m.exitCode === 0 ? 'every host answered' : `xargs exit ${m.exitCode}: some ssh failed`));
}

function ansibleOutcome(m: Measured): string {
  const r = parseRecap(m.stdout);
  return `recap ok=${r.ok} changed=${r.changed} failed=${r.failed} unreachable=${r.unreachable}`;
}

async function benchKernfleet(hosts: number, forks: number, withApply: boolean, record: (run: RunFigures) => Promise<void>): Promise<void> {
  await withFleet(hosts, async (fleet) => {
    await record(await measureFloor(fleet, forks));
    await record(await measure(fleet, 'kernfleet plan', () => runKernfleet(fleet, forks, 'plan'), (m) => summariseKernfleet('plan', m.stdout, m.stderr, m.exitCode)));
    if (!withApply) return;
    await record(await measure(fleet, 'kernfleet apply', () => runKernfleet(fleet, forks, 'apply'), (m) => summariseKernfleet('apply', m.stdout, m.stderr, m.exitCode)));
    await record(await measure(fleet, 'kernfleet apply (converged)', () => runKernfleet(fleet, forks, 'apply'), (m) => summariseKernfleet('apply', m.stdout, m.stderr, m.exitCode)));
  });
}

async function benchAnsible(hosts: number, forks: number, withApply: boolean, record: (run: RunFigures) => Promise<void>): Promise<void> {
  return withFleet(hosts, async (fleet) => {
    const started = Date.now();
    const bundle = join(fleet.baseDir, 'python-bundle');
    await buildPythonBundle(bundle);
    await installPython(bundle, fleet.hosts);
    log(`python3 linked into ${hosts} roots in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const floor = await measureFloor(fleet, forks);
    log(`floor on the Ansible fleet: ${floor.wallS.toFixed(2)} s`);
    await record(await measure(fleet, 'ansible check', () => runAnsible(fleet, forks, 'check'), ansibleOutcome));
    if (!withApply) return;
    await record(await measure(fleet, 'ansible apply', () => runAnsible(fleet, forks, 'apply'), ansibleOutcome));
    await record(await measure(fleet, 'ansible apply (converged)', () => runAnsible(fleet, forks, 'apply'), ansibleOutcome));
  });
}

async function describeMachine(): Promise<Machine> {
  const version = async (cmd: string, args: string[]) => {
    const { stdout, stderr } = await execFile(cmd, args).catch(() => ({ stdout: '', stderr: '' }));
    return (stdout || stderr).split('\n')[0]!.trim();
  };
  const osRelease = await version('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']);
  return {
    cpus: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: osRelease,
    node: process.versions.node,
    openssh: await version('ssh', ['-V']),
    ansible: await version('ansible-playbook', ['--version']),
  };
}

/** --merge: the sizes of an earlier run of the same commit and forks, except those measured again now. */
async function loadEarlierSizes(name: string, kernfleet: string, sizes: number[]): Promise<SizeResult[]> {
  const earlier = JSON.parse(await readFile(join(RESULTS, `${name}.json`), 'utf8')) as BenchResult;
  if (earlier.kernfleet !== kernfleet) throw new Error(`--merge: ${name}.json measured kernfleet ${earlier.kernfleet}, this run ${kernfleet}`);
  return earlier.sizes.filter((s) => !sizes.includes(s.hosts));
}

/** Writes latest.{json,md} after every run, so an interrupted benchmark still leaves what it measured. */
async function saveResults(result: BenchResult, name: string): Promise<void> {
  await writeFile(join(RESULTS, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  await writeFile(join(RESULTS, `${name}.md`), renderMarkdown(result));
}

async function runBench(opts: Options): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  await mkdir(join(RESULTS, 'logs'), { recursive: true });
  log(`compiling ${opts.worktree ? "the working tree's" : `${opts.commit}'s`} src/ into bench/.build`);
  const kernfleet = await buildKernfleet(opts.worktree ? 'worktree' : 'head', opts.commit);
  const result: BenchResult = { format_version: '1.0', startedAt, finishedAt: '(running)', kernfleet, forks: opts.forks, machine: await describeMachine(), sizes: [] };
  if (opts.merge) result.sizes = await loadEarlierSizes(opts.out, kernfleet, opts.sizes);
  for (const hosts of opts.sizes) {
    const size: SizeResult = { hosts, measuredAt: new Date().toISOString(), mix: describeMix(buildFleetMix(hosts)), runs: [], skipped: [] };
    result.sizes.push(size);
    result.sizes.sort((a, b) => a.hosts - b.hosts);
    const record = async (run: RunFigures) => {
      size.runs.push(run);
      await saveResults(result, opts.out);
    };
    if (hosts > opts.kernfleetApplyMax) size.skipped.push(`kernfleet apply and converged apply (capped at ${opts.kernfleetApplyMax} hosts: --kernfleet-apply-max)`);
    await benchKernfleet(hosts, opts.forks, hosts <= opts.kernfleetApplyMax, record);
    if (hosts > opts.ansibleMax) size.skipped.push(`Ansible (runs capped at ${opts.ansibleMax} hosts: --ansible-max)`);
    else {
      if (hosts > opts.ansibleApplyMax) size.skipped.push(`Ansible apply and converged apply (capped at ${opts.ansibleApplyMax} hosts: --ansible-apply-max)`);
      await benchAnsible(hosts, opts.forks, hosts <= opts.ansibleApplyMax, record);
    }
  }
  result.finishedAt = new Date().toISOString();
  await saveResults(result, opts.out);
  return result;
}

function parseList(text: string): number[] {
  const sizes = text.split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes takes host counts like 10,100, got "${text}"`);
  return sizes;
}

const program = new Command('bench')
  .option('--sizes <list>', 'fleet sizes', parseList, [10, 100])
  .option('--forks <n>', 'hosts at once, for every tool', Number, 50)
  .option('--ansible-max <n>', 'largest fleet Ansible check mode runs against', Number, 100)
  .option('--ansible-apply-max <n>', 'largest fleet Ansible apply runs against', Number, 100)
  .option('--kernfleet-apply-max <n>', 'largest fleet kernfleet apply runs against', Number, Infinity)
  .option('--merge', 'keep the other sizes already in the results file (same commit)')
  .option('--commit <rev>', 'the commit to benchmark', 'HEAD')
  .option('--worktree', "benchmark the working tree's src/ instead of the last commit's")
  .option('--out <name>', 'results file name (without extension) in bench/results', 'latest')
  .action(async (opts: Options) => {
    process.stdout.write(renderMarkdown(await runBench(opts)));
  });

await program.parseAsync();
