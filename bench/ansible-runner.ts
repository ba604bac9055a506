// The peer: ansible-playbook on the same fleet, configured as a competent user would (pipelining,
// ControlPersist, no fact gathering, the same forks as kernfleet). Each run gets its own ControlPath
// directory and its persisted masters are stopped afterwards, so no run inherits another's connections.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fleet } from '../test/fleet/fleet.js';
import { findProcessesMentioning } from '../test/fleet/processes.js';
import { runMeasured, type Measured } from './measure.js';

export const ANSIBLE_PLAYBOOK = new URL('./ansible/debvisor.yml', import.meta.url).pathname;

export function renderAnsibleConfig(opts: { forks: number; knownHosts: string; controlDir: string; localTmp: string }): string {
  return [
    '[defaults]',
    `forks = ${opts.forks}`,
    'host_key_checking = True',
    'interpreter_python = /usr/bin/python3',
    'retry_files_enabled = False',
    'nocolor = True',
    `local_tmp = ${opts.localTmp}`,
    'remote_tmp = /tmp/.ansible-tmp',
    '',
    '[ssh_connection]',
    'pipelining = True',
    `ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${opts.knownHosts} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`,
    `control_path_dir = ${opts.controlDir}`,
    '',
  ].join('\n');
}


let runs = 0;

export async function runAnsible(fleet: Fleet, forks: number, mode: 'check' | 'apply'): Promise<Measured> {
  const dir = join(fleet.baseDir, `ansible-${++runs}`);
  // Short: the ControlPath socket must fit in a Unix socket path.
  const controlDir = `/tmp/kfb-cp-${process.pid}-${runs}`;
  await mkdir(controlDir, { recursive: true, mode: 0o700 });
  await mkdir(join(dir, 'tmp'), { recursive: true });
  const config = join(dir, 'ansible.cfg');
  await writeFile(config, renderAnsibleConfig({ forks, knownHosts: fleet.knownHostsPath, controlDir, localTmp: join(dir, 'tmp') }));
  try {
    return await runMeasured('ansible-playbook', ['-i', fleet.inventoryPath, ANSIBLE_PLAYBOOK, ...(mode === 'check' ? ['--check', '--diff'] : [])], {
      env: { ...process.env, ANSIBLE_CONFIG: config, ANSIBLE_NOCOLOR: '1' },
    });
  } finally {
    for (const pid of findProcessesMentioning(controlDir)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}

/** Ansible's recap line counts: ok, changed, failed, unreachable summed over hosts. */
export function parseRecap(stdout: string): { ok: number; changed: number; failed: number; unreachable: number } {
  const sum = { ok: 0, changed: 0, failed: 0, unreachable: 0 };
  for (const m of stdout.matchAll(/ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/g)) {
    sum.ok += Number(m[1]);
    sum.changed += Number(m[2]);
    sum.unreachable += Number(m[3]);
    sum.failed += Number(m[4]);
  }
  return sum;
}
