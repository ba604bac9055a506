// `kernfleet apply` on a real terminal (a pseudo-terminal from util-linux `script`), as an operator types
// at it: the run's confirmation, and --interactive's offer of high-risk steps.
//
// Which high-risk step can --interactive offer? Risk is decided in src/plan/risk.ts: only a kernel
// rebuild and a kernel upgrade are high. An upgrade is always a blocked change (no step), and the rebuild
// step is a runbook with no command or file kernfleet could run, so there is nothing to confirm: today no
// high-risk step has automated work, and the prompt must never appear; the runbook is printed instead.
//
// The typed confirmation itself is proved here on a saved plan edited the way a future high-risk step would
// look: the real low-risk "load module nbd" step (and its change) re-marked high-risk, not auto-executed.
// This is honest because a saved plan is applied exactly as reviewed (apply neither re-plans nor re-rates
// its steps; it only refuses a host whose facts changed), and the step's command and verification are the
// planner's own, run over SSH and checked on the host: nothing is stubbed but the risk rating.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sshExec } from '../fleet/clients.js';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import type { Plan } from '../../src/model/index.js';
import { spawnKernfleet, spawnKernfleetOnTerminal, type CliProcess } from '../unit/apply/cli-process.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const PLAYBOOK = `- name: terminal
  hosts: hypervisors
  kernel:
    config:
      required:
        CONFIG_VFIO_PCI: ym
  modules:
    load: [tun]
`;
const CONFIRM = /Type "yes": $/;
const NBD_PLAYBOOK = `- name: nbd
  hosts: hypervisors
  modules:
    load: [nbd]
`;
const NBD_STEP = 'module:nbd:load';
const HOST_PROMPT = /Type the host name \((\S+)\) to run this step, anything else leaves it for later: /;

let fleet: Fleet;
let playbook: string;
let connection: string[];

beforeAll(async () => {
  // Two hosts whose kernel lacks CONFIG_VFIO_PCI (a rebuild is the only way to get it), tun not loaded.
  fleet = await startFleet({ hosts: [{ name: 'hv41', variant: 'no_vfio' }, { name: 'hv42', variant: 'no_vfio' }] });
  playbook = join(fleet.baseDir, 'terminal.yml');
  await writeFile(playbook, PLAYBOOK);
  connection = ['-i', fleet.inventoryPath, '--ssh-config', fleet.sshConfigPath, '--known-hosts', fleet.knownHostsPath];
});
afterAll(async () => {
  await fleet?.stop();
});

async function isLoaded(host: string, module: string): Promise<boolean> {
  return (await sshExec(fleet, host, `grep -c '^${module} ' /proc/modules || true`)).stdout.trim() === '1';
}

async function isTunLoaded(host: string): Promise<boolean> {
  return isLoaded(host, 'tun');
}

type Journal = {
  hosts: Record<string, { steps: { id: string; status: string }[] }>;
};

async function readJournal(screen: string): Promise<Journal> {
  const runId = /^run (\S+): journal/m.exec(screen)![1]!;
  return JSON.parse(await readFile(join(fleet.baseDir, '.kernfleet/runs', `${runId}.json`), 'utf8')) as Journal;
}

/** Saves a plan of the nbd playbook, with its module load re-rated as a high-risk step for an operator. */
async function saveHighRiskNbdPlan(): Promise<string> {
  const nbdPlaybook = join(fleet.baseDir, 'nbd.yml');
  const planPath = join(fleet.baseDir, 'nbd-plan.json');
  await writeFile(nbdPlaybook, NBD_PLAYBOOK);
  const planning = spawnKernfleet(['plan', ...connection, '--format', 'json', '-o', planPath, nbdPlaybook]);
  expect(await planning.exited, planning.stderr()).toBe(0);
  const plan = JSON.parse(await readFile(planPath, 'utf8')) as Plan;
  for (const host of plan.hosts) {
    const step = host.steps.find((s) => s.id === NBD_STEP);
    expect(step?.commands).toEqual([['modprobe', 'nbd']]);
    Object.assign(step!, { risk: 'high', autoExecute: false });
    for (const change of host.changes.filter((c) => step!.changes.includes(c.id))) Object.assign(change, { risk: 'high', autoExecute: false });
  }
  await writeFile(planPath, JSON.stringify(plan, null, 2));
  return planPath;
}

/** Starts apply on a terminal and waits for its "Apply N steps ...?" question. */
async function startAtConfirmation(args: string[]): Promise<CliProcess> {
  const run = spawnKernfleetOnTerminal(['apply', ...connection, ...args, playbook]);
  await run.waitFor(CONFIRM);
  return run;
}

describe('apply on a terminal', () => {
  it('asks before changing anything, and an answer other than "yes" changes nothing', async () => {
    // The operator reads the plan and types "no".
    const run = await startAtConfirmation(['--limit', 'hv41']);
    run.child.stdin.write('no\r');
    expect(await run.exited).toBe(1);
    expect(await isTunLoaded('hv41')).toBe(false);
    expect(run.stdout()).not.toMatch(/^run \S+: journal/m);
  });

  it('treats Ctrl-C at the question as stopping, with 130 and nothing changed', async () => {
    // The operator presses Ctrl-C instead of answering.
    const run = await startAtConfirmation(['--limit', 'hv41']);
    run.child.stdin.write('\u0003');
    expect(await run.exited).toBe(130);
    expect(await isTunLoaded('hv41')).toBe(false);
  });

  it('with --interactive never offers a high-risk step that has nothing to run, and prints its runbook', async () => {
    // The operator confirms the run; the kernel rebuild is the only high-risk step on both hosts.
    const run = await startAtConfirmation(['--interactive']);
    run.child.stdin.write('yes\r');
    const code = await run.exited;
    const screen = run.stdout();
    expect(screen).not.toContain('Type the host name');
    expect(screen).toContain('Runbook for the steps left to an operator:');
    for (const host of ['hv41', 'hv42']) {
      expect(screen).toMatch(new RegExp(`^${host}: needs manual work .*kernel:rebuild`, 'm'));
      expect(screen).toMatch(new RegExp(`^${host}: \\[HIGH\\] rebuild the kernel \\(CONFIG_VFIO_PCI\\)`, 'm'));
      expect(await isTunLoaded(host)).toBe(true);
    }
    expect(code).toBe(2);
    const journal = await readJournal(screen);
    expect(journal.hosts['hv41']!.steps.find((s) => s.id === 'kernel:rebuild')?.status).toBe('manual');
  });

  it('with --interactive runs a high-risk step only on the host whose name the operator types', async () => {
    // A saved plan loads nbd on both hosts as a high-risk step; at the first host's prompt the operator
    // types the other host's name (a wrong answer), at the second host's prompt that host's own name.
    const planPath = await saveHighRiskNbdPlan();
    const run = spawnKernfleetOnTerminal(['apply', ...connection, '--interactive', planPath]);
    await run.waitFor(CONFIRM);
    run.child.stdin.write('yes\r');

    const first = await run.waitFor(HOST_PROMPT);
    const declined = first[1]!;
    const confirmed = declined === 'hv41' ? 'hv42' : 'hv41';
    const offered = run.stdout().slice(run.stdout().lastIndexOf(`${declined}: [HIGH] load module nbd`, first.index), first.index);
    expect(offered).toContain(`${declined}: [HIGH] load module nbd`);
    expect(offered).toMatch(/^ {2}run {4}modprobe nbd\r?$/m);
    expect(offered).toMatch(/^ {2}rollback: modprobe -r nbd\r?$/m);
    run.child.stdin.write(`${confirmed}\r`);

    const second = await run.waitFor(new RegExp(`Type the host name \\(${confirmed}\\)`));
    expect(run.stdout().slice(first.index, second.index)).toContain(`${confirmed}: [HIGH] load module nbd`);
    run.child.stdin.write(`${confirmed}\r`);

    const code = await run.exited;
    const screen = run.stdout();
    expect(screen).toMatch(new RegExp(`^${declined}: needs manual work .*${NBD_STEP}`, 'm'));
    expect(screen).toMatch(new RegExp(`^${confirmed}: converged \\(2/2 steps\\)`, 'm'));
    // Only the confirmed host's step ran, and its verification passed on the host.
    expect(screen.match(/ran modprobe nbd/g)).toHaveLength(1);
    expect(screen).toContain("verified grep -q '^nbd ' /proc/modules");
    expect(code).toBe(2);
    expect(await isLoaded(declined, 'nbd')).toBe(false);
    expect(await isLoaded(confirmed, 'nbd')).toBe(true);
    const journal = await readJournal(screen);
    expect(journal.hosts[declined]!.steps.find((s) => s.id === NBD_STEP)?.status).toBe('manual');
    expect(journal.hosts[confirmed]!.steps.find((s) => s.id === NBD_STEP)?.status).toBe('done');
  });
});
