// apply against hosts that fail, on the simulated fleet: a module the kernel refuses to load, an /etc
// that cannot be written, a full disk, a host nothing answers on. Each failure stops only its host,
// leaves its files as they were, and the healthy hosts still converge.
//
// The full disk is a real one: a tiny tmpfs mounted over one host's /etc/modules-load.d and filled up,
// so the host's write(2) gets ENOSPC from the kernel exactly as on a full root filesystem; the write
// script's error path, temp-file clean-up and message are the ones a real host would run.
import { execFile as execFileCb } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunJournal } from '../../src/apply/journal.js';
import { sshExec } from '../fleet/clients.js';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { runKernfleet } from '../unit/apply/cli-runner.js';
import { renderSmallPlaybook } from './small-playbook.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const execFile = promisify(execFileCb);

const PLAYBOOK = renderSmallPlaybook('faults', ['vhost_net']);

let fleet: Fleet;
let playbook: string;
let immutableDir: string;
/** The tmpfs standing in for a full disk, unmounted in afterAll whatever happened. */
let fullDiskMount: string | null = null;

function rootOf(host: string): string {
  return fleet.hosts.find((h) => h.name === host)!.root;
}

beforeAll(async () => {
  // hv21's modprobe.d gives vhost_net a parameter it does not have (kmod refuses to load it); hv22's
  // /etc/default is immutable (root cannot write it either); hv24 gets a full disk; the others are healthy.
  fleet = await startFleet({
    hosts: [
      { name: 'hv21', variant: 'debian12', overrides: { files: { '/etc/modprobe.d/zz-local.conf': 'options vhost_net no_such_param=1\n' } } },
      ...['hv22', 'hv23', 'hv24', 'hv25', 'hv26'].map((name) => ({ name, variant: 'debian12' as const })),
      { name: 'hv27', variant: 'no_sudo' as const },
    ],
  });
  playbook = join(fleet.baseDir, 'faults.yml');
  await writeFile(playbook, PLAYBOOK);
  immutableDir = join(rootOf('hv22'), 'etc/default');
  await execFile('chattr', ['+i', immutableDir]);
});
afterAll(async () => {
  if (immutableDir) await execFile('chattr', ['-i', immutableDir]).catch(() => undefined);
  // A lazy unmount as the last resort: a mount left behind would outlive the fleet's directory.
  if (fullDiskMount) await execFile('umount', [fullDiskMount]).catch(() => execFile('umount', ['-l', fullDiskMount!]));
  await fleet?.stop();
});

function connectionTo(inventory: string): string[] {
  return ['-i', inventory, '--ssh-config', fleet.sshConfigPath, '--known-hosts', fleet.knownHostsPath];
}

async function readJournalOf(out: string): Promise<RunJournal> {
  return JSON.parse(await readFile(join(fleet.baseDir, '.kernfleet/runs', `${/run (\S+): journal/.exec(out)![1]}.json`), 'utf8')) as RunJournal;
}

async function listTempFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.includes('.kf-'));
}
afterEach(() => {
  vi.restoreAllMocks();
});

describe('apply when a host fails part-way', () => {
  let out = '';
  let code = 0;
  let grubBefore: Record<string, string>;

  beforeAll(async () => {
    // All three hosts in one batch, failures tolerated.
    grubBefore = {};
    for (const host of ['hv21', 'hv22']) grubBefore[host] = await readFile(join(rootOf(host), 'etc/default/grub'), 'utf8');
    const connection = ['-i', fleet.inventoryPath, '--ssh-config', fleet.sshConfigPath, '--known-hosts', fleet.knownHostsPath];
    ({ code, out } = await runKernfleet('apply', ...connection, '--yes', '--limit', 'hv21:hv22:hv23', playbook));
  });

  it('stops only the host whose module load fails, at that step, and runs nothing after it', async () => {
    // kmod's error comes back as the reason.
    expect(code).toBe(1);
    expect(out).toMatch(/^hv21: FAILED .*module:vhost_net:load: modprobe vhost_net exited 1: .*unknown parameter/m);
    const journal = await readJournalOf(out);
    const steps = journal.hosts['hv21']!.steps;
    const failedAt = steps.findIndex((s) => s.status === 'failed');
    expect(steps[failedAt]?.id).toBe('module:vhost_net:load');
    expect(steps.slice(failedAt + 1).map((s) => s.status)).toEqual(steps.slice(failedAt + 1).map(() => 'skipped'));
    expect(await readFile(join(rootOf('hv21'), 'etc/default/grub'), 'utf8')).toBe(grubBefore['hv21']);
    expect((await sshExec(fleet, 'hv21', "grep -c '^vhost_net ' /proc/modules || true")).stdout.trim()).toBe('0');
  });

  it('fails the write into a read-only /etc and leaves the old file intact, with no temporary file behind', async () => {
    // The boot loader step is the one that edits /etc/default/grub.
    expect(out).toMatch(/^hv22: FAILED .*bootloader:update: [\s\S]*?cannot create a temporary file in \/etc\/default$/m);
    expect(await readFile(join(rootOf('hv22'), 'etc/default/grub'), 'utf8')).toBe(grubBefore['hv22']);
    expect(await listTempFiles(immutableDir)).toEqual([]);
  });

  it('still converges the healthy host in the same run', () => {
    // hv23 shares the batch with both failures.
    expect(out).toMatch(/^hv23: converged \(\d+\/\d+ steps\) — reboot pending$/m);
  });
});

describe('apply to a host whose login user cannot become root', () => {
  it('fails that host before touching it, names the cause, and still converges the other', async () => {
    // hv27 logs in as kfleet, whose sudo asks for a password the inventory does not have.
    const root = rootOf('hv27');
    const grub = await readFile(join(root, 'etc/default/grub'), 'utf8');
    const { code, out } = await runKernfleet('apply', ...connectionTo(fleet.inventoryPath), '--yes', '--limit', 'hv27:hv26', playbook);
    expect(code).toBe(1);
    expect(out).toMatch(/^hv27: FAILED — .*sudo asks for a password and the inventory has no ansible_become_password/m);
    expect(out).toMatch(/^hv26: converged \(\d+\/\d+ steps\) — reboot pending$/m);
    expect((await readJournalOf(out)).hosts['hv27']).toMatchObject({ status: 'failed', steps: [] });
    expect(await readFile(join(root, 'etc/default/grub'), 'utf8')).toBe(grub);
    await expect(readdir(join(root, 'var/lib/kernfleet/backups'))).rejects.toThrow();
    await expect(readdir(join(root, 'var/lib/kernfleet/lock'))).rejects.toThrow();
  });
});

describe('apply when a host is unreachable at the start', () => {
  let inventory: string;
  const GHOST = 'hv29';

  beforeAll(async () => {
    // The fleet's inventory with one more host, first in line, on an address and port nothing listens on.
    const doc = parse(await readFile(fleet.inventoryPath, 'utf8')) as { all: { hosts: Record<string, unknown>; children: { hypervisors: { hosts: Record<string, null> } } } };
    doc.all.hosts = { [GHOST]: { ansible_host: '127.0.10.250', ansible_port: 1, ansible_user: 'root', ansible_ssh_private_key_file: fleet.keyPath }, ...doc.all.hosts };
    doc.all.children.hypervisors.hosts = { [GHOST]: null, ...doc.all.children.hypervisors.hosts };
    inventory = join(fleet.baseDir, 'with-ghost.yml');
    await writeFile(inventory, stringify(doc));
  });

  it('counts it against --max-fail: with none allowed, the rollout stops before the next host', async () => {
    // One host at a time, the unreachable one first, no failure tolerated.
    const grub = await readFile(join(rootOf('hv25'), 'etc/default/grub'), 'utf8');
    const { code, out } = await runKernfleet('apply', ...connectionTo(inventory), '--yes', '--forks', '1', '--max-fail', '0', '--limit', `${GHOST}:hv25`, playbook);
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`^${GHOST}: unreachable — .*127\\.0\\.10\\.250.*refused`, 'm'));
    expect(out).toMatch(/^hv25: not started — not started: the rollout stopped$/m);
    expect(out).toContain('rollout stopped: 1 of 2 hosts failed, more than --max-fail allows (0)');
    expect(await readFile(join(rootOf('hv25'), 'etc/default/grub'), 'utf8')).toBe(grub);
    expect((await readJournalOf(out)).hosts['hv25']?.status).toBe('not-started');
  });

  it('names the host and lets the others converge when failures are tolerated', async () => {
    // The default --max-fail: every reachable host is worked on.
    const { code, out } = await runKernfleet('apply', ...connectionTo(inventory), '--yes', '--limit', `${GHOST}:hv25`, playbook);
    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`^${GHOST}: unreachable — `, 'm'));
    expect(out).toMatch(/^hv25: converged \(\d+\/\d+ steps\) — reboot pending$/m);
    expect((await readJournalOf(out)).hosts[GHOST]?.status).toBe('unreachable');
  });
});

describe('apply when a host\'s disk is full', () => {
  let dir: string;
  let saved: string;
  let out = '';
  let code = 0;

  beforeAll(async () => {
    // hv24's /etc/modules-load.d is a 64 KiB tmpfs holding its original files and filled up to the last
    // page; hv26 beside it is healthy.
    dir = join(rootOf('hv24'), 'etc/modules-load.d');
    saved = await mkdtemp(join(tmpdir(), 'kernfleet-full-disk-'));
    await cp(dir, saved, { recursive: true, preserveTimestamps: true });
    await execFile('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'kernfleet-full-disk', dir]);
    fullDiskMount = dir;
    await cp(saved, dir, { recursive: true, preserveTimestamps: true });
    // dd stops with "No space left on device": the point.
    await execFile('dd', ['if=/dev/zero', `of=${join(dir, '.filler')}`, 'bs=4096']).catch(() => undefined);
    ({ code, out } = await runKernfleet('apply', ...connectionTo(fleet.inventoryPath), '--yes', '--limit', 'hv24:hv26', playbook));
  });
  afterAll(async () => {
    if (saved) await rm(saved, { recursive: true, force: true });
  });

  it('fails the write with the host\'s "no space left" and stops that host there', async () => {
    // The persistence file for the modules is the write that cannot fit.
    expect(code).toBe(1);
    expect(out).toMatch(/^hv24: FAILED \(0\/\d+ steps\) — file:\/etc\/modules-load\.d\/faults\.conf: .*No space left on device$/m);
    const steps = (await readJournalOf(out)).hosts['hv24']!.steps;
    const failedAt = steps.findIndex((s) => s.status === 'failed');
    expect(steps[failedAt]?.id).toBe('file:/etc/modules-load.d/faults.conf');
    expect(steps.slice(failedAt + 1).every((s) => s.status === 'skipped')).toBe(true);
  });

  it('leaves the old files intact and no temporary file behind', async () => {
    // Compared with the copy taken before the disk was filled.
    const names = (await readdir(dir)).filter((name) => name !== '.filler');
    expect(names.sort()).toEqual((await readdir(saved)).sort());
    for (const name of names) expect(await readFile(join(dir, name), 'utf8')).toBe(await readFile(join(saved, name), 'utf8'));
    expect(await listTempFiles(dir)).toEqual([]);
  });

  it('still converges the healthy host beside it', () => {
    // hv26 ran in the same batch.
    expect(out).toMatch(/^hv26: converged \(\d+\/\d+ steps\) — reboot pending$/m);
  });
});
