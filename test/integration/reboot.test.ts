// `kernfleet apply --reboot` against the simulated fleet: rolling reboots batch by batch, a host that
// does not come back in time, the resume that continues after it, and the apply record drift reads.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunJournal } from '../../src/apply/journal.js';
import { sshExec } from '../fleet/clients.js';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { runKernfleet } from '../unit/apply/cli-runner.js';
import { renderSmallPlaybook } from './small-playbook.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const PLAYBOOK = resolve(import.meta.dirname, '../../playbooks/debvisor.yml');
const BOOT_ID = 'proc/sys/kernel/random/boot_id';
const HOSTS = ['hv01', 'hv02'];
// Enough to need a reboot, small enough to apply in a few commands: for the fault paths.
const SMALL_PLAYBOOK = renderSmallPlaybook('small');

function connectionOf(fleet: Fleet): string[] {
  return ['-i', fleet.inventoryPath, '--ssh-config', fleet.sshConfigPath, '--known-hosts', fleet.knownHostsPath];
}

function rootOf(fleet: Fleet, host: string): string {
  return fleet.hosts.find((h) => h.name === host)!.root;
}

async function bootIdOf(fleet: Fleet, host: string): Promise<{ id: string; changedAt: number }> {
  const path = join(rootOf(fleet, host), BOOT_ID);
  return { id: (await readFile(path, 'utf8')).trim(), changedAt: (await stat(path)).mtimeMs };
}

async function journalOf(fleet: Fleet, out: string): Promise<RunJournal> {
  const runId = /run (\S+): journal/.exec(out)?.[1];
  if (!runId) throw new Error(`no run id in:\n${out}`);
  return JSON.parse(await readFile(join(fleet.baseDir, '.kernfleet/runs', `${runId}.json`), 'utf8')) as RunJournal;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('apply --reboot, one host at a time', () => {
  let fleet: Fleet;
  let before: Record<string, { id: string; changedAt: number }>;
  let applied: { code: number; out: string; error?: unknown };

  beforeAll(async () => {
    // Two fresh Debian 12 hypervisors, each down for one second when it reboots.
    fleet = await startFleet({ hosts: HOSTS.map((name) => ({ name, variant: 'debian12' as const, overrides: { rebootSeconds: 1 } })) });
    before = {};
    for (const h of fleet.hosts) before[h.name] = await bootIdOf(fleet, h.name);
    applied = await runKernfleet('apply', ...connectionOf(fleet), '--yes', '--reboot', '--serial', '1', '--reboot-timeout', '60', PLAYBOOK);
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('converges every host with its reboot, each rebooted once with a new boot id', async () => {
    // The flagship playbook needs a new kernel command line on every host.
    expect(applied.error).toBeUndefined();
    for (const host of HOSTS) {
      expect(applied.out).toMatch(new RegExp(`^${host}: converged \\(\\d+/\\d+ steps\\)$`, 'm'));
      expect((await bootIdOf(fleet, host)).id).not.toBe(before[host]!.id);
    }
    const journal = await journalOf(fleet, applied.out);
    for (const host of HOSTS) {
      expect(journal.hosts[host]?.reboot).toMatchObject({ bootIdBefore: before[host]!.id, bootIdAfter: (await bootIdOf(fleet, host)).id });
      expect(journal.hosts[host]?.steps.find((s) => s.id === 'reboot')?.status).toBe('done');
    }
    const cmdline = (await sshExec(fleet, 'hv02', 'cat /proc/cmdline')).stdout;
    expect(cmdline).toContain('intel_iommu=on');
  });

  it('rebooted them one after another: each boot id changed only after the previous host was back', async () => {
    // --serial 1: batches of one; a host is back a second after its boot id changed.
    const changed = await Promise.all(HOSTS.map(async (h) => (await bootIdOf(fleet, h)).changedAt));
    expect(changed[1]! - changed[0]!).toBeGreaterThanOrEqual(1_000);
    const journal = await journalOf(fleet, applied.out);
    const at = (host: string, key: 'startedAt' | 'backAt') => Date.parse(journal.hosts[host]!.reboot![key]!);
    expect(at('hv02', 'startedAt')).toBeGreaterThanOrEqual(at('hv01', 'backAt'));
  });

  it('leaves the apply record drift reads, taken after the reboot', async () => {
    // The ledger on hv02 after the run.
    const ledger = JSON.parse(await readFile(join(rootOf(fleet, 'hv02'), 'var/lib/kernfleet/ledger.json'), 'utf8')) as { cmdline: { added: Record<string, string> }; last_apply: { run: string; state: { bootId: string; cmdline: Record<string, string> } } };
    const journal = await journalOf(fleet, applied.out);
    expect(ledger.last_apply.run).toBe(journal.runId);
    expect(ledger.last_apply.state.bootId).toBe((await bootIdOf(fleet, 'hv02')).id);
    expect(ledger.last_apply.state.cmdline['intel_iommu']).toBe('on');
    expect(Object.keys(ledger.cmdline.added)).toContain('intel_iommu');
  });

  it('has nothing left to plan, and a second apply --reboot changes and reboots nothing', async () => {
    // Plan and apply again right after the rollout.
    const plan = await runKernfleet('plan', ...connectionOf(fleet), '--detailed-exitcode', PLAYBOOK);
    expect(plan.code, plan.out).toBe(0);
    const ids = await Promise.all(HOSTS.map((h) => bootIdOf(fleet, h)));
    const again = await runKernfleet('apply', ...connectionOf(fleet), '--yes', '--reboot', PLAYBOOK);
    expect(again.code, again.out).toBe(0);
    expect(again.out).not.toMatch(/run \S+: journal/);
    expect(await Promise.all(HOSTS.map((h) => bootIdOf(fleet, h)))).toEqual(ids);
  });
});

describe('apply --reboot when a host does not come back in time', () => {
  let fleet: Fleet;
  let playbook: string;

  beforeAll(async () => {
    // hv11 stays down 8 s after its reboot; hv12 one second. A small playbook that needs a reboot.
    fleet = await startFleet({
      hosts: [
        { name: 'hv11', variant: 'debian12', overrides: { rebootSeconds: 8 } },
        { name: 'hv12', variant: 'debian12', overrides: { rebootSeconds: 1 } },
      ],
    });
    playbook = join(fleet.baseDir, 'small.yml');
    await writeFile(playbook, SMALL_PLAYBOOK);
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('stops the rollout with --max-fail 0, and --resume continues without rebooting hv11 again', async () => {
    // A 3 s reboot timeout, one host per batch, no failure tolerated.
    const hv11Before = await bootIdOf(fleet, 'hv11');
    const hv12Before = await bootIdOf(fleet, 'hv12');
    const hv12Grub = await readFile(join(rootOf(fleet, 'hv12'), 'etc/default/grub'), 'utf8');
    const first = await runKernfleet('apply', ...connectionOf(fleet), '--yes', '--reboot', '--serial', '1', '--max-fail', '0', '--reboot-timeout', '3', playbook);
    expect(first.code).toBe(1);
    expect(first.out).toMatch(/^hv11: FAILED .*reboot: did not come back within 3 s$/m);
    expect(first.out).toMatch(/^hv12: not started/m);
    expect(first.out).toContain('rollout stopped: 1 of 2 hosts failed');
    expect(await readFile(join(rootOf(fleet, 'hv12'), 'etc/default/grub'), 'utf8')).toBe(hv12Grub);
    const journal = await journalOf(fleet, first.out);
    expect(journal.hosts['hv11']?.reboot).toEqual({ bootIdBefore: hv11Before.id, startedAt: expect.any(String) });
    const hv11Rebooted = await bootIdOf(fleet, 'hv11');
    expect(hv11Rebooted.id).not.toBe(hv11Before.id);

    // The operator resumes the run (hv11 may still be down): it waits for hv11, finds it rebooted, and goes on.
    const resumed = await runKernfleet('apply', ...connectionOf(fleet), '--yes', '--reboot', '--serial', '1', '--reboot-timeout', '30', '--resume', journal.runId, playbook);
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).toMatch(/^hv11: converged/m);
    expect(resumed.out).toMatch(/^hv12: converged/m);
    expect(await bootIdOf(fleet, 'hv11')).toEqual(hv11Rebooted);
    expect((await bootIdOf(fleet, 'hv12')).id).not.toBe(hv12Before.id);
    const after = JSON.parse(await readFile(join(fleet.baseDir, '.kernfleet/runs', `${journal.runId}.json`), 'utf8')) as RunJournal;
    expect(after.hosts['hv11']?.reboot).toMatchObject({ bootIdBefore: hv11Before.id, bootIdAfter: hv11Rebooted.id });
    expect(after.hosts['hv11']?.steps.filter((s) => s.status === 'done').map((s) => s.id)).toEqual(['reboot']);
    expect((await sshExec(fleet, 'hv11', 'cat /proc/cmdline')).stdout).toMatch(/\biommu=pt\b/);
    expect(await stat(join(rootOf(fleet, 'hv11'), 'var/lib/kernfleet/lock')).catch(() => null)).toBeNull();
  });
});
