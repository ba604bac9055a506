// apply against the simulated fleet: real sshd, busybox host roots, the real pipeline and playbook.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApplyEvent } from '../../src/apply/events.js';
import { executePlan } from '../../src/apply/fleet.js';
import { acquireHostLock, releaseHostLock } from '../../src/apply/lock.js';
import { applyRemoteFile, backupDirOf } from '../../src/apply/remote-file.js';
import { createReplanner, createTransportOpener } from '../../src/cli/apply-command.js';
import { loadAndGather, planFleet, type Gathered } from '../../src/cli/pipeline.js';
import type { GatherOptions } from '../../src/facts/gather.js';
import type { Plan } from '../../src/model/index.js';
import { sshExec } from '../fleet/clients.js';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { findProcessesMentioning, resume, stopChildOf } from '../fleet/processes.js';

// A full apply is dozens of SSH execs per host; on a loaded CI machine that can outlast the fleet default.
vi.setConfig({ testTimeout: 300_000 });

const PLAYBOOK = resolve(import.meta.dirname, '../../playbooks/debvisor.yml');
const WATCHED = ['etc/default/grub', 'etc/sysctl.d', 'etc/modules-load.d', 'etc/modprobe.d', 'boot/grub/grub.cfg', 'proc/modules', 'proc/cmdline'];

let fleet: Fleet;
let gather: GatherOptions;

async function planNow(): Promise<{ gathered: Gathered; plan: Plan }> {
  const gathered = await loadAndGather({ inventory: fleet.inventoryPath, playbooks: [PLAYBOOK], gather });
  return { gathered, plan: planFleet(gathered, new Date().toISOString()) };
}

function rootOf(host: string): string {
  return fleet.hosts.find((h) => h.name === host)!.root;
}

/** Every byte under the watched paths of a host root, to show that something did or did not change. */
async function snapshot(host: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (path: string): Promise<void> => {
    const full = join(rootOf(host), path);
    const info = await stat(full).catch(() => null);
    if (info === null) return;
    if (info.isDirectory()) for (const name of await readdir(full)) await walk(join(path, name));
    else out[path] = await readFile(full, 'utf8');
  };
  for (const path of WATCHED) await walk(path);
  return out;
}

beforeAll(async () => {
  // Two Debian 12 hypervisors (Intel and AMD) that have never been configured, and a container.
  fleet = await startFleet({
    hosts: [
      { name: 'hv01', variant: 'debian12' },
      { name: 'hv02', variant: 'debian12', overrides: { cpu: 'amd' } },
      { name: 'ct01', variant: 'container' },
    ],
  });
  gather = { forks: 5, acceptNewHostKeys: false, connectTimeoutMs: 15_000, commandTimeoutMs: 60_000, sshConfigPath: fleet.sshConfigPath, knownHostsPath: fleet.knownHostsPath };
});
afterAll(async () => {
  await fleet?.stop();
});

describe('apply on the simulated fleet', () => {
  const runId = 'run-first';
  let before: Record<string, Record<string, string>>;
  let firstPlan: Plan;

  it('converges every hypervisor up to the reboot, skips the container, and backs up every file it changed', async () => {
    // The flagship playbook against fresh hosts: files, module loads, sysctls and a bootloader update.
    const { gathered, plan } = await planNow();
    firstPlan = plan;
    before = { hv01: await snapshot('hv01'), hv02: await snapshot('hv02') };
    expect(plan.hosts.find((h) => h.host === 'hv01')!.steps.length).toBeGreaterThan(5);
    const events: ApplyEvent[] = [];
    const result = await executePlan(plan, createTransportOpener(gathered.fleet.inventory, gather), {
      runId,
      forks: 2,
      replanHost: createReplanner(gathered, gather),
      onEvent: (e) => void events.push(e),
    });
    expect(result.hosts.map((h) => [h.host, h.status, h.message])).toEqual([
      ['hv01', 'converged', 'reboot pending'],
      ['hv02', 'converged', 'reboot pending'],
      ['ct01', 'skipped', expect.stringContaining('container')],
    ]);
    for (const host of ['hv01', 'hv02']) {
      const steps = result.hosts.find((h) => h.host === host)!.steps;
      expect(steps.filter((s) => s.status !== 'done').map((s) => [s.stepId, s.status])).toEqual([['reboot', 'reboot-pending']]);
      const original = before[host]!['etc/default/grub']!;
      expect(await readFile(join(rootOf(host), backupDirOf(runId), 'etc/default/grub'), 'utf8')).toBe(original);
      expect(await readFile(join(rootOf(host), 'etc/default/grub'), 'utf8')).not.toBe(original);
      expect(await stat(join(rootOf(host), 'var/lib/kernfleet/lock')).catch(() => null)).toBeNull();
    }
    const created = await readFile(join(rootOf('hv01'), backupDirOf(runId), '.kernfleet-created'), 'utf8');
    expect(created).toContain('/etc/sysctl.d/99-debvisor.conf\n');
    expect(events.filter((e) => e.kind === 'step-finished' && e.host === 'ct01')).toEqual([]);
  });

  it('leaves only the reboot in a fresh plan, and a second apply changes nothing', async () => {
    // Gather and plan again after the first apply, then apply that plan.
    const { gathered, plan } = await planNow();
    for (const host of ['hv01', 'hv02']) expect(plan.hosts.find((h) => h.host === host)!.steps.map((s) => s.id)).toEqual(['reboot']);
    const after = { hv01: await snapshot('hv01'), hv02: await snapshot('hv02') };
    expect(after.hv01).not.toEqual(before['hv01']);
    const result = await executePlan(plan, createTransportOpener(gathered.fleet.inventory, gather), { runId: 'run-second', forks: 2, replanHost: createReplanner(gathered, gather) });
    expect(result.hosts.map((h) => h.status)).toEqual(['converged', 'converged', 'skipped']);
    expect(result.hosts.flatMap((h) => h.steps).filter((s) => s.status === 'done')).toEqual([]);
    expect({ hv01: await snapshot('hv01'), hv02: await snapshot('hv02') }).toEqual(after);
    expect(await stat(join(rootOf('hv01'), backupDirOf('run-second'))).catch(() => null)).toBeNull();
  });

  it('refuses a saved plan on a host that changed since it was made', async () => {
    // The first run's plan is replayed: every host has changed since (the first apply changed them).
    const { gathered } = await planNow();
    const hv01Before = await snapshot('hv01');
    const result = await executePlan({ ...firstPlan, hosts: firstPlan.hosts.filter((h) => h.host === 'hv01') }, createTransportOpener(gathered.fleet.inventory, gather), {
      runId: 'run-stale',
      forks: 1,
      checkStale: true,
      replanHost: createReplanner(gathered, gather),
    });
    expect(result.hosts[0]).toMatchObject({ status: 'stale', message: 'stale plan: hv01 changed since the plan was made; plan again' });
    expect(await snapshot('hv01')).toEqual(hv01Before);
  });

  it('lets only one run hold a host, and reports the holder to the other', async () => {
    // Another apply is running on hv02 while this one starts.
    const { gathered } = await planNow();
    const open = createTransportOpener(gathered.fleet.inventory, gather);
    const first = await open('hv02');
    const second = await open('hv02');
    try {
      expect(await acquireHostLock(first, { runId: 'run-a', become: true })).toEqual({ ok: true });
      const lost = await acquireHostLock(second, { runId: 'run-b', become: true });
      expect(lost).toMatchObject({ ok: false, holder: { runId: 'run-a' } });
      const blocked = await executePlan(
        { ...firstPlan, hosts: firstPlan.hosts.filter((h) => h.host === 'hv02') },
        open,
        { runId: 'run-c', forks: 1 },
      );
      expect(blocked.hosts[0]).toMatchObject({ status: 'locked' });
      expect(blocked.hosts[0]?.message).toContain('locked by run run-a');
      expect(await releaseHostLock(first, { runId: 'run-a', become: true })).toEqual({ ok: true });
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('keeps the old file when the SSH channel is cut in the middle of a write', async () => {
    // A 32 MiB write whose channel is cut mid-transfer. The host's `cat` is stopped as soon as it starts, so
    // the transfer stalls within SSH's window and the pipe (a few MiB at most) whatever the machine's speed;
    // the command timeout then cuts the channel, and only then may `cat` go on, to find its input ended.
    const { gathered } = await planNow();
    const transport = await createTransportOpener(gathered.fleet.inventory, gather)('hv01');
    const size = 32 * 1024 * 1024;
    const path = '/etc/sysctl.d/99-debvisor.conf';
    const old = await readFile(join(rootOf('hv01'), path), 'utf8');
    let stopped: number[] = [];
    try {
      const writing = applyRemoteFile(transport, { path, before: old, after: 'x'.repeat(size) }, { runId: 'run-cut', become: true, timeoutMs: 3_000 });
      stopped = await stopChildOf('backups/run-cut', 'cat', writing);
      const partial = (await readdir(join(rootOf('hv01'), 'etc/sysctl.d'))).filter((name) => name.includes('.kf-'));
      expect(partial).toHaveLength(1);
      expect((await stat(join(rootOf('hv01'), 'etc/sysctl.d', partial[0]!))).size).toBeLessThan(size);
      const cut = await writing;
      expect(cut).toMatchObject({ ok: false, reason: 'transfer' });
      resume(stopped);
      // The script ends once cat has read what was left in its pipe and sees the end of its input.
      await vi.waitFor(() => expect(findProcessesMentioning('backups/run-cut')).toEqual([]), { timeout: 30_000, interval: 50 });
      expect(await readFile(join(rootOf('hv01'), path), 'utf8')).toBe(old);
      expect((await readdir(join(rootOf('hv01'), 'etc/sysctl.d'))).filter((name) => name.includes('.kf-'))).toEqual([]);
      const probe = await sshExec(fleet, 'hv01', 'cat /etc/sysctl.d/99-debvisor.conf');
      expect(probe.stdout).toBe(old);
    } finally {
      resume(stopped);
      await transport.close();
    }
  });
});
