// Ctrl-C during `kernfleet apply`, on the simulated fleet, with the built CLI as its own process: the first
// SIGINT lets the steps under way finish and starts nothing new, the second stops at once; either way no
// host file is half-written, the journal says what was done, and `apply --resume` finishes the run.
// The hosts' modprobe.d makes loading vhost_net take 3 s (an install command that sleeps, then loads it
// as kmod would), so the signal lands in the middle of a step.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadJournal, type RunJournal } from '../../src/apply/journal.js';
import type { Plan } from '../../src/model/index.js';
import { INTERRUPT_NOTICE } from '../../src/cli/apply-interrupt.js';
import { LEDGER_PATH } from '../../src/plan/ledger.js';
import { REBOOT_STEP_ID } from '../../src/plan/steps.js';
import { sshExec } from '../fleet/clients.js';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { spawnKernfleet, type CliProcess } from '../unit/apply/cli-process.js';
import { runKernfleet } from '../unit/apply/cli-runner.js';
import { renderSmallPlaybook } from './small-playbook.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const SLOW_LOAD = 'install vhost_net sleep 3; /sbin/modprobe --ignore-install vhost_net\n';
const PLAYBOOK = renderSmallPlaybook('interrupt', ['vhost_net', 'tun']);
const INTERRUPTED = 'not run: the run was interrupted';
const STEP_STARTED = /^\S+ (hv\d+) \[LOW\] load module vhost_net$/m;

/**
 * The host whose vhost_net load is under way: the progress line appears as the previous step ends, a
 * moment before the load begins; a second in, the 3 s load is surely running.
 */
async function waitForSlowStep(run: CliProcess): Promise<string> {
  const host = (await run.waitFor(STEP_STARTED))[1]!;
  await new Promise((r) => setTimeout(r, 1_000));
  return host;
}

let fleet: Fleet;
let playbook: string;
let connection: string[];

beforeAll(async () => {
  // Five fresh Debian 12 hosts with the slow vhost_net load: three for one Ctrl-C, two for two.
  const slow = { files: { '/etc/modprobe.d/zz-slow.conf': SLOW_LOAD } };
  fleet = await startFleet({ hosts: ['hv31', 'hv32', 'hv33', 'hv34', 'hv35'].map((name) => ({ name, variant: 'debian12' as const, overrides: slow })) });
  playbook = join(fleet.baseDir, 'interrupt.yml');
  await writeFile(playbook, PLAYBOOK);
  connection = ['-i', fleet.inventoryPath, '--ssh-config', fleet.sshConfigPath, '--known-hosts', fleet.knownHostsPath];
});
afterAll(async () => {
  await fleet?.stop();
});

function rootOf(host: string): string {
  return fleet.hosts.find((h) => h.name === host)!.root;
}

async function readJournal(out: string): Promise<RunJournal> {
  const runId = /^run (\S+): journal/m.exec(out)?.[1];
  expect(runId).toBeDefined();
  // As --resume reads it: RUN.json, and the log of steps a controller that stopped at once left beside it.
  return loadJournal(join(fleet.baseDir, '.kernfleet/runs', `${runId}.json`));
}

async function findTempFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.name.includes('.kf-')) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}

/**
 * Nothing half-done: every file a step of the plan writes holds its new content when the journal says the
 * step was done, its old content (or is absent) otherwise; and no temporary file is left beside any.
 */
async function expectFilesMatchJournal(journal: RunJournal, hosts: string[]): Promise<void> {
  for (const host of hosts) {
    const done = new Set((journal.hosts[host]?.steps ?? []).filter((s) => s.status === 'done' || s.status === 'previously-done').map((s) => s.id));
    for (const step of journal.plan.hosts.find((h) => h.host === host)!.steps) {
      for (const edit of step.files) {
        const onHost = await readFile(join(rootOf(host), edit.path), 'utf8').catch(() => null);
        // A converged host's ledger was rewritten once more, after its steps, with the run's record.
        if (edit.path === LEDGER_PATH && journal.hosts[host]?.status === 'converged') {
          expect((JSON.parse(onHost ?? '{}') as { last_apply?: { run?: string } }).last_apply?.run).toBe(journal.runId);
          continue;
        }
        expect(onHost, `${host} ${edit.path} (${step.id} ${done.has(step.id) ? 'done' : 'not done'})`).toBe(done.has(step.id) ? edit.after : edit.before);
      }
    }
    expect(await findTempFiles(join(rootOf(host), 'etc'))).toEqual([]);
  }
}

async function lockOf(host: string): Promise<string | null> {
  return readFile(join(rootOf(host), 'var/lib/kernfleet/lock/holder'), 'utf8').catch(() => null);
}

async function resume(journal: RunJournal): Promise<{ code: number; out: string; journal: RunJournal }> {
  const run = spawnKernfleet(['apply', ...connection, '--yes', '--resume', journal.runId]);
  const code = await run.exited;
  return { code, out: run.stdout(), journal: await readJournal(run.stdout()) };
}

async function planNow(limit: string): Promise<Plan> {
  const result = await runKernfleet('plan', ...connection, '--limit', limit, '--format', 'json', playbook);
  expect(result.code).toBe(0);
  return JSON.parse(result.out) as Plan;
}

describe('Ctrl-C once', () => {
  let run: CliProcess;
  let code: number;
  let seen: string;
  let journal: RunJournal;

  beforeAll(async () => {
    // Two hosts at a time, three hosts: hv33 waits for a fork; SIGINT once a vhost_net load has begun.
    run = spawnKernfleet(['apply', ...connection, '--yes', '--forks', '2', '--limit', 'hv31:hv32:hv33', playbook]);
    seen = await waitForSlowStep(run);
    run.child.kill('SIGINT');
    code = await run.exited;
    journal = await readJournal(run.stdout());
  });

  it('says it is finishing the steps under way, and ends with 130 and how to resume', () => {
    // The operator reads stderr at once and the report at the end.
    expect(run.stderr()).toContain(INTERRUPT_NOTICE);
    expect(code).toBe(130);
    expect(run.stdout()).toContain(`resume with: kernfleet apply -i ${fleet.inventoryPath} --resume ${journal.runId}\n`);
    expect(run.stdout()).toMatch(/^rollout stopped: the run was interrupted$/m);
  });

  it('finishes the step under way, runs nothing after it and starts no new host', async () => {
    // The host whose vhost_net load was seen starting.
    const steps = journal.hosts[seen]!.steps;
    const at = steps.findIndex((s) => s.id === 'module:vhost_net:load');
    expect(steps[at]?.status).toBe('done');
    expect((await sshExec(fleet, seen, "grep -c '^vhost_net ' /proc/modules || true")).stdout.trim()).toBe('1');
    // Command-only steps in a row share one exec with it (module loads, sysctl writes): they finish with it.
    const planned = journal.plan.hosts.find((h) => h.host === seen)!.steps;
    const after = steps.slice(at + 1);
    const cut = after.findIndex((s) => s.status === 'skipped');
    expect(cut).toBeGreaterThanOrEqual(0);
    for (const s of after.slice(0, cut)) expect([s.id, s.status, planned.find((p) => p.id === s.id)?.files.length]).toEqual([s.id, 'done', 0]);
    expect(after.slice(cut).map((s) => [s.status, s.message])).toEqual(after.slice(cut).map(() => ['skipped', INTERRUPTED]));
    expect(steps.length).toBe(journal.plan.hosts.find((h) => h.host === seen)!.steps.length);
    expect(journal.hosts[seen]!.status).toBe('interrupted');
    expect(journal.hosts['hv33']).toMatchObject({ status: 'not-started', steps: [] });
    expect(run.stdout()).toMatch(/^hv33: not started — not started: the run was interrupted$/m);
    expect(journal.stopped).toBe('the run was interrupted');
  });

  it('leaves no file half-written, no temporary file and no lock', async () => {
    // Every host of the run, the one that never started included.
    await expectFilesMatchJournal(journal, ['hv31', 'hv32', 'hv33']);
    for (const host of ['hv31', 'hv32', 'hv33']) expect(await lockOf(host)).toBeNull();
  });

  it('is finished by apply --resume, after which only the reboot is left', async () => {
    // The operator runs the command the report printed.
    const resumed = await resume(journal);
    expect(resumed.code).toBe(0);
    for (const host of ['hv31', 'hv32', 'hv33']) expect(resumed.out).toMatch(new RegExp(`^${host}: converged \\(\\d+/\\d+ steps\\) — reboot pending$`, 'm'));
    expect(resumed.journal.runId).toBe(journal.runId);
    expect(resumed.journal.stopped).toBeUndefined();
    expect(resumed.journal.hosts[seen]!.steps.find((s) => s.id === 'module:vhost_net:load')?.status).toBe('previously-done');
    await expectFilesMatchJournal(resumed.journal, ['hv31', 'hv32', 'hv33']);
    const after = await planNow('hv31:hv32:hv33');
    expect(after.hosts.map((h) => [h.host, h.steps.map((s) => s.id)])).toEqual(['hv31', 'hv32', 'hv33'].map((h) => [h, [REBOOT_STEP_ID]]));
  });

  it('is undone by rollback, across both processes, each file named once with what happened to it', async () => {
    // The run that was interrupted and resumed is rolled back on one host.
    const result = await runKernfleet('rollback', ...connection, '--run', journal.runId, '--limit', seen);
    expect(result.code).toBe(0);
    const lines = result.out.split('\n').filter((l) => /^ {2}(restored|deleted) /.test(l));
    const paths = lines.map((l) => l.replace(/^ {2}\S+ /, ''));
    expect(new Set(paths).size).toBe(paths.length);
    expect(lines).toContain(`  deleted ${LEDGER_PATH}`);
    // Every file of the plan is back as it was before the run: restored, or gone when the run created it.
    await expectFilesMatchJournal({ ...journal, hosts: { [seen]: { status: 'running', steps: [] } } }, [seen]);
  });
});

describe('Ctrl-C twice', () => {
  it('stops at once, and a resume still finishes the run', async () => {
    // SIGINT once a vhost_net load has begun, and again before that 3 s load can have ended.
    const run = spawnKernfleet(['apply', ...connection, '--yes', '--limit', 'hv34:hv35', playbook]);
    const seen = await waitForSlowStep(run);
    run.child.kill('SIGINT');
    for (let i = 0; i < 100 && !run.stderr().includes(INTERRUPT_NOTICE); i++) await new Promise((r) => setTimeout(r, 20));
    expect(run.stderr()).toContain(INTERRUPT_NOTICE);
    const second = Date.now();
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(Date.now() - second).toBeLessThan(2_000);
    expect(run.stderr()).toMatch(/stopped at once \(SIGINT\)/);
    expect(run.stdout()).not.toContain('resume with:');

    // The journal is as the last finished step left it: the load under way is not in it.
    const runs = await readdir(join(fleet.baseDir, '.kernfleet/runs'));
    const journals = await Promise.all(runs.filter((f) => f.endsWith('.json')).map((f) => loadJournal(join(fleet.baseDir, '.kernfleet/runs', f))));
    const journal = journals.find((j) => j.plan.hosts.some((h) => h.host === 'hv34'))!;
    expect(journal.hosts[seen]!.status).toBe('running');
    expect(journal.hosts[seen]!.steps.map((s) => s.id)).not.toContain('module:vhost_net:load');
    expect(journal.stopped).toBeUndefined();
    await expectFilesMatchJournal(journal, ['hv34', 'hv35']);
    // The dead run still holds its hosts: only this run, resumed, may take them again.
    expect(await lockOf(seen)).toContain(`run=${journal.runId}\n`);

    // The load the controller left behind finishes on the host by itself; then the operator resumes.
    await new Promise((r) => setTimeout(r, 3_500));
    const resumed = await resume(journal);
    expect(resumed.code).toBe(0);
    for (const host of ['hv34', 'hv35']) expect(resumed.out).toMatch(new RegExp(`^${host}: converged`, 'm'));
    for (const host of ['hv34', 'hv35']) expect(await lockOf(host)).toBeNull();
    await expectFilesMatchJournal(resumed.journal, ['hv34', 'hv35']);
    expect((await sshExec(fleet, seen, "grep -c '^vhost_net ' /proc/modules || true")).stdout.trim()).toBe('1');
    const after = await planNow('hv34:hv35');
    expect(after.hosts.map((h) => h.steps.map((s) => s.id))).toEqual([[REBOOT_STEP_ID], [REBOOT_STEP_ID]]);
  });
});
