// `kernfleet apply` on a real terminal (a pseudo-terminal from util-linux `script`), as an operator types
// at it: the run's confirmation, and --interactive's offer of high-risk steps.
//
// Which high-risk step can --interactive offer? Risk is decided in src/plan/risk.ts: only a kernel
// rebuild and a kernel upgrade are high. An upgrade is always a blocked change (no step), and the rebuild
// step is a runbook with no command or file kernfleet could run, so there is nothing to confirm: today no
// high-risk step has automated work, and the prompt must never appear; the runbook is printed instead.
// (The typed confirmation itself is covered in test/unit/apply/execute.test.ts.)
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sshExec } from '../fleet/clients.js';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { spawnKernfleetOnTerminal, type CliProcess } from '../unit/apply/cli-process.js';

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

async function isTunLoaded(host: string): Promise<boolean> {
  return (await sshExec(fleet, host, "grep -c '^tun ' /proc/modules || true")).stdout.trim() === '1';
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
    const runId = /^run (\S+): journal/m.exec(screen)![1]!;
    const journal = JSON.parse(await readFile(join(fleet.baseDir, '.kernfleet/runs', `${runId}.json`), 'utf8')) as { hosts: Record<string, { steps: { id: string; status: string }[] }> };
    expect(journal.hosts['hv41']!.steps.find((s) => s.id === 'kernel:rebuild')?.status).toBe('manual');
  });
});
