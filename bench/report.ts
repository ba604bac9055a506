// The benchmark's results as data, their ratios, the targets of the issue, and the markdown table.
// Pure: run.ts gathers the figures, this turns them into latest.json and latest.md.

export type RunName = 'floor' | 'kernfleet plan' | 'kernfleet apply' | 'kernfleet apply (converged)' | 'ansible check' | 'ansible apply' | 'ansible apply (converged)';

export interface RunFigures {
  run: RunName;
  exitCode: number;
  wallS: number;
  cpuS: number;
  /** Largest single process (GNU time). */
  maxRssMb: number;
  /** Whole process tree, sampled. */
  treeRssMb: number;
  /** CPU the fleet's side (sshd, sessions, remote commands) used per host; null where not measured. */
  hostCpuPerHostS: number | null;
  sentPerHostB: number;
  receivedPerHostB: number;
  connectionsPerHost: number;
  sessionsPerHost: number;
  sessionsMaxHost: number;
  /** One line on the outcome (recap, summary), so a fast failure never passes for a fast run. */
  outcome: string;
}

export interface SizeResult {
  hosts: number;
  /** When this size was measured (sizes may come from separate invocations: --merge). */
  measuredAt: string;
  mix: string;
  runs: RunFigures[];
  /** Runs left out at this size, and why. */
  skipped: string[];
}

export interface Machine {
  cpus: number;
  memoryGb: number;
  os: string;
  node: string;
  openssh: string;
  ansible: string;
}

export interface BenchResult {
  format_version: '1.0';
  startedAt: string;
  finishedAt: string;
  /** The kernfleet commit measured. */
  kernfleet: string;
  forks: number;
  machine: Machine;
  sizes: SizeResult[];
}

export interface Ratios {
  hosts: number;
  planOverFloor: number | null;
  convergedOverPlan: number | null;
  ansibleCheckOverPlan: number | null;
  ansibleApplyOverApply: number | null;
}

export interface Target {
  name: string;
  status: 'met' | 'missed' | 'not measured';
  detail: string;
}

function wallOf(size: SizeResult, run: RunName): number | null {
  const found = size.runs.find((r) => r.run === run);
  return found ? found.wallS : null;
}

function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

export function computeRatios(size: SizeResult): Ratios {
  const plan = wallOf(size, 'kernfleet plan');
  return {
    hosts: size.hosts,
    planOverFloor: ratio(plan, wallOf(size, 'floor')),
    convergedOverPlan: ratio(wallOf(size, 'kernfleet apply (converged)'), plan),
    ansibleCheckOverPlan: ratio(wallOf(size, 'ansible check'), plan),
    ansibleApplyOverApply: ratio(wallOf(size, 'ansible apply'), wallOf(size, 'kernfleet apply')),
  };
}

function judge(name: string, checks: Array<{ label: string; value: number | null; ok: (v: number) => boolean }>): Target {
  const measured = checks.filter((c) => c.value !== null);
  if (measured.length === 0) return { name, status: 'not measured', detail: 'no run at the sizes this target names' };
  const detail = checks.map((c) => `${c.label}: ${c.value === null ? 'not measured' : c.value.toFixed(2)}`).join('; ');
  return { name, status: measured.every((c) => c.ok(c.value!)) ? 'met' : 'missed', detail };
}

/** Seconds per host of a run at each size, for the linearity target. */
function perHost(result: BenchResult, run: RunName): Array<{ hosts: number; s: number }> {
  return result.sizes.flatMap((s) => {
    const wall = wallOf(s, run);
    return wall === null ? [] : [{ hosts: s.hosts, s: wall / s.hosts }];
  });
}

export function evaluateTargets(result: BenchResult): Target[] {
  const at = (hosts: number) => result.sizes.find((s) => s.hosts === hosts);
  const ratiosAt = (hosts: number) => {
    const size = at(hosts);
    return size ? computeRatios(size) : null;
  };
  const all = result.sizes.map(computeRatios);
  const rss1000 = at(1000)?.runs.filter((r) => r.run.startsWith('kernfleet')).map((r) => r.treeRssMb);
  const planPerHost = perHost(result, 'kernfleet plan').filter((p) => p.hosts >= 100);
  const linear = planPerHost.length >= 2 ? planPerHost.at(-1)!.s / planPerHost[0]!.s : null;
  return [
    judge('plan within 1.5x of the SSH floor at 100 and 1000 hosts', [100, 1000].map((h) => ({ label: `${h} hosts`, value: ratiosAt(h)?.planOverFloor ?? null, ok: (v: number) => v <= 1.5 }))),
    judge('at least 20x faster than Ansible check mode at equal concurrency', all.map((r) => ({ label: `${r.hosts} hosts`, value: r.ansibleCheckOverPlan, ok: (v: number) => v >= 20 }))),
    judge('apply on a converged fleet within 2x of plan', all.map((r) => ({ label: `${r.hosts} hosts`, value: r.convergedOverPlan, ok: (v: number) => v <= 2 }))),
    judge('controller peak memory < 200 MB at 1000 hosts', [{ label: 'peak MB (process tree)', value: rss1000?.length ? Math.max(...rss1000) : null, ok: (v) => v < 200 }]),
    judge('time linear in hosts (plan s/host at the largest size vs at 100, within 1.5x)', [{ label: 'ratio', value: linear, ok: (v) => v <= 1.5 }]),
  ];
}

const fmt = (v: number | null, digits = 2) => (v === null ? '—' : v.toFixed(digits));
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

export function renderMarkdown(result: BenchResult): string {
  const m = result.machine;
  const lines = [
    `# kernfleet benchmark`,
    '',
    `Machine: ${m.cpus} CPUs, ${m.memoryGb} GB, ${m.os}, Node ${m.node}, ${m.openssh}, ${m.ansible}. ` +
      `kernfleet ${result.kernfleet}. Forks (concurrency) ${result.forks} for every tool. Run ${result.startedAt} → ${result.finishedAt}.`,
    '',
    '| hosts | run | exit | wall s | CPU s | fleet-side CPU s/host | peak RSS MB (largest proc / tree) | sent KB/host | recv KB/host | TCP conns/host | SSH sessions/host (max) | outcome |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const size of result.sizes) {
    for (const r of size.runs) {
      lines.push(
        `| ${size.hosts} | ${r.run} | ${r.exitCode} | ${fmt(r.wallS)} | ${fmt(r.cpuS)} | ${fmt(r.hostCpuPerHostS, 3)} | ${fmt(r.maxRssMb, 0)} / ${fmt(r.treeRssMb, 0)} | ${kb(r.sentPerHostB)} | ${kb(r.receivedPerHostB)} | ${fmt(r.connectionsPerHost)} | ${fmt(r.sessionsPerHost)} (${r.sessionsMaxHost}) | ${r.outcome.replaceAll('|', '/')} |`,
      );
    }
  }
  lines.push('', '| hosts | plan / floor | apply converged / plan | Ansible check / plan | Ansible apply / apply |', '|---:|---:|---:|---:|---:|');
  for (const r of result.sizes.map(computeRatios)) {
    lines.push(`| ${r.hosts} | ${fmt(r.planOverFloor)} | ${fmt(r.convergedOverPlan)} | ${fmt(r.ansibleCheckOverPlan)} | ${fmt(r.ansibleApplyOverApply)} |`);
  }
  lines.push('', '| target | status | figures |', '|---|---|---|');
  for (const t of evaluateTargets(result)) lines.push(`| ${t.name} | ${t.status} | ${t.detail} |`);
  const skipped = result.sizes.flatMap((s) => s.skipped.map((why) => `- ${s.hosts} hosts: ${why}`));
  const mixes = result.sizes.map((s) => `- ${s.hosts} hosts (measured ${s.measuredAt}): ${s.mix}`);
  lines.push('', 'Fleet mix:', ...mixes);
  if (skipped.length) lines.push('', 'Left out:', ...skipped);
  return lines.join('\n') + '\n';
}
