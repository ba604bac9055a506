// apply against hosts that fail part-way, on the simulated fleet: a module the kernel refuses to load,
// an /etc that cannot be written. Each failure stops only its host, leaves its files as they were,
// and the healthy host still converges. (A full disk is not simulated: it needs a mount per host.)
import { execFile as execFileCb } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunJournal } from '../../src/apply/journal.js';
import { sshExec } from '../fleet/clients.js';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { runKernfleet } from '../unit/apply/cli-runner.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const execFile = promisify(execFileCb);

const PLAYBOOK = `- name: faults
  hosts: hypervisors
  modules:
    load: [vhost_net]
    persist: faults.conf
  sysctl:
    file: 99-faults.conf
    values:
      vm.overcommit_memory: 1
  cmdline:
    target: GRUB_CMDLINE_LINUX
    set:
      iommu: pt
`;

let fleet: Fleet;
let playbook: string;
let immutableDir: string;

function rootOf(host: string): string {
  return fleet.hosts.find((h) => h.name === host)!.root;
}

beforeAll(async () => {
  // hv21's modprobe.d gives vhost_net a parameter it does not have (kmod refuses to load it); hv22's
  // /etc/default is immutable (root cannot write it either); hv23 is a healthy Debian 12 host.
  fleet = await startFleet({
    hosts: [
      { name: 'hv21', variant: 'debian12', overrides: { files: { '/etc/modprobe.d/zz-local.conf': 'options vhost_net no_such_param=1\n' } } },
      { name: 'hv22', variant: 'debian12' },
      { name: 'hv23', variant: 'debian12' },
    ],
  });
  playbook = join(fleet.baseDir, 'faults.yml');
  await writeFile(playbook, PLAYBOOK);
  immutableDir = join(rootOf('hv22'), 'etc/default');
  await execFile('chattr', ['+i', immutableDir]);
});
afterAll(async () => {
  if (immutableDir) await execFile('chattr', ['-i', immutableDir]).catch(() => undefined);
  await fleet?.stop();
});
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
    ({ code, out } = await runKernfleet('apply', ...connection, '--yes', playbook));
  });

  it('stops only the host whose module load fails, at that step, and runs nothing after it', async () => {
    // kmod's error comes back as the reason.
    expect(code).toBe(1);
    expect(out).toMatch(/^hv21: FAILED .*module:vhost_net:load: modprobe vhost_net exited 1: .*unknown parameter/m);
    const journal = JSON.parse(await readFile(join(fleet.baseDir, '.kernfleet/runs', `${/run (\S+): journal/.exec(out)![1]}.json`), 'utf8')) as RunJournal;
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
    expect((await readdir(immutableDir)).filter((name) => name.includes('.kf-'))).toEqual([]);
  });

  it('still converges the healthy host in the same run', () => {
    // hv23 shares the batch with both failures.
    expect(out).toMatch(/^hv23: converged \(\d+\/\d+ steps\) — reboot pending$/m);
  });
});
