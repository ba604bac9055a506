// The benchmark's fleet: a hypervisor-like mix of variants, a per-host session counter in front of the
// fleet's gate (every SSH session, exec or sftp, passes through it), and, for the Ansible runs, a
// Python interpreter in every host root.
import { execFile as execFileCb } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FleetHost, FleetHostSpec } from '../test/fleet/fleet.js';

const execFile = promisify(execFileCb);
const GATE = 'usr/lib/kernfleet-fleet/gate';
const SESSION_LOG = 'var/tmp/kf-bench-sessions';

// Out of ten hypervisors: mostly Debian 12 on Intel, one AMD, one cloud image (grub.d drop-in), one
// RHEL 9 (BLS + grubby), one already converged and one without vfio_pci (a blocked change). The
// container, WSL, Alpine and no-sudo variants are error or edge cases, not a fleet's bulk.
const MIX: Array<Omit<FleetHostSpec, 'name'>> = [
  { variant: 'debian12' },
  { variant: 'debian12' },
  { variant: 'debian12' },
  { variant: 'debian12' },
  { variant: 'debian12', overrides: { cpu: 'amd' } },
  { variant: 'debian12_cloud' },
  { variant: 'rhel9' },
  { variant: 'converged' },
  { variant: 'no_vfio' },
  { variant: 'debian12' },
];

export function buildFleetMix(size: number): FleetHostSpec[] {
  return Array.from({ length: size }, (_, i) => ({ name: `hv${String(i + 1).padStart(4, '0')}`, ...MIX[i % MIX.length]! }));
}

/** Describes the mix for the report, e.g. "debian12 6, debian12_cloud 1, …". */
export function describeMix(specs: FleetHostSpec[]): string {
  const counts = new Map<string, number>();
  for (const s of specs) {
    const key = s.overrides?.cpu ? `${s.variant} (${s.overrides.cpu})` : s.variant;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
}

// The wrapper appends one byte per session, then becomes the real gate (same pid, so the gate still
// finds its session by $PPID).
const COUNTING_GATE = `#!/bin/sh
printf . >> /${SESSION_LOG} 2>/dev/null
exec /${GATE}.real "$@"
`;

export async function installSessionCounters(hosts: FleetHost[]): Promise<void> {
  await Promise.all(
    hosts.map(async (h) => {
      await mkdir(join(h.root, 'var/tmp'), { recursive: true, mode: 0o1777 });
      await rename(join(h.root, GATE), join(h.root, `${GATE}.real`));
      await writeFile(join(h.root, GATE), COUNTING_GATE, { mode: 0o755 });
      await writeFile(join(h.root, SESSION_LOG), '', { mode: 0o666 });
    }),
  );
}

/** Sessions per host since the last reset, and resets them. */
export async function takeSessionCounts(hosts: FleetHost[]): Promise<number[]> {
  return Promise.all(
    hosts.map(async (h) => {
      const path = join(h.root, SESSION_LOG);
      const count = (await stat(path)).size;
      await writeFile(path, '');
      return count;
    }),
  );
}

// Debian's python3 needs libm, libz and libexpat beside the libc the roots already have, and its
// extension modules need a few more (libssl, libffi, ...): all are collected with ldd.
const SKIPPED_STDLIB = ['test', 'idlelib', 'tkinter', 'turtledemo', 'ensurepip', 'lib2to3', 'pydoc_data'];
const PRESENT_IN_ROOTS = new Set(['libc.so.6', 'ld-linux-x86-64.so.2']);

async function sharedLibrariesOf(files: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const file of files) {
    const { stdout } = await execFile('ldd', [file]).catch(() => ({ stdout: '' }));
    for (const m of stdout.matchAll(/=>\s+(\/\S+)/g)) found.add(m[1]!);
  }
  return [...found].filter((p) => !PRESENT_IN_ROOTS.has(p.split('/').at(-1)!));
}

/** Builds /usr/bin/python3 + stdlib + libraries once under `dir`, laid out as a root (merged /usr). */
export async function buildPythonBundle(dir: string): Promise<void> {
  const dynload = '/usr/lib/python3.11/lib-dynload';
  const extensions = (await readdir(dynload)).filter((f) => f.endsWith('.so')).map((f) => join(dynload, f));
  const libraries = await sharedLibrariesOf(['/usr/bin/python3.11', ...extensions]);
  await mkdir(join(dir, 'usr/bin'), { recursive: true });
  await mkdir(join(dir, 'usr/lib/x86_64-linux-gnu'), { recursive: true });
  await execFile('cp', ['-L', '/usr/bin/python3.11', join(dir, 'usr/bin/python3.11')]);
  await execFile('ln', ['-s', 'python3.11', join(dir, 'usr/bin/python3')]);
  await execFile('cp', ['-L', ...libraries, join(dir, 'usr/lib/x86_64-linux-gnu/')]);
  const excludes = SKIPPED_STDLIB.map((d) => `--exclude=python3.11/${d}`);
  await execFile('tar', ['-C', '/usr/lib', ...excludes, '-cf', join(dir, 'stdlib.tar'), 'python3.11']);
  await execFile('tar', ['-C', join(dir, 'usr/lib'), '-xf', join(dir, 'stdlib.tar')]);
  await execFile('rm', [join(dir, 'stdlib.tar')]);
}

// Python asks the kernel for the release (os.uname), not the fleet's uname shim: community.general.modprobe
// then looks for /lib/modules/<this machine's release>/modules.builtin. A link from that name to the
// host's own module directory gives Python the same view of the kernel as every shell tool on the host.
async function linkRealRelease(root: string): Promise<void> {
  const modules = join(root, 'usr/lib/modules');
  const releases = await readdir(modules).catch((): string[] => []);
  if (releases.length === 0 || releases.includes(release())) return;
  await symlink(releases[0]!, join(modules, release()));
}

/** Hard-links the bundle into every host root (they share a tmpfs with it), never replacing a file. */
export async function installPython(bundleDir: string, hosts: FleetHost[]): Promise<void> {
  const queue = [...hosts];
  const worker = async () => {
    for (let h = queue.shift(); h; h = queue.shift()) {
      await execFile('cp', ['-al', '-n', `${bundleDir}/usr`, h.root]);
      await linkRealRelease(h.root);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const probe = await readFile(join(hosts[0]!.root, 'usr/bin/python3.11')).then((b) => b.length);
  if (probe === 0) throw new Error('python3 was not installed into the host roots');
}

const CLOCK_TICKS = 100;

/**
 * CPU seconds the fleet's side has used so far: every session process is a descendant of an sshd
 * daemon, and each parent waits for its children, so the daemons' cutime + cstime hold it all once
 * the sessions ended. On this one machine the hosts share the controller's CPUs: this is the work a
 * real fleet would spread over its own machines.
 */
export function readFleetCpuSeconds(sshdPids: number[]): number {
  let ticks = 0;
  for (const pid of sshdPids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[13]) + Number(fields[14]);
  }
  return ticks / CLOCK_TICKS;
}

/**
 * Root sessions run the forced command through root's login shell, and Debian's bash reads ~/.bashrc
 * when started by sshd at shell level 1: on a controller whose /root/.bashrc runs `pyenv init` that
 * costs ~1 s of CPU per session and serialises sessions on pyenv's rehash lock (a stale lock adds 60 s
 * to every session). No real hypervisor runs the controller's .bashrc: SHLVL=1 from sshd makes bash a
 * nested shell, which skips it. Applied to every tool alike; belongs in test/fleet/sshd.ts.
 */
export async function skipRootBashrc(fleet: { baseDir: string; pids: number[] }): Promise<void> {
  const sshDir = join(fleet.baseDir, 'ssh');
  const configs = (await readdir(sshDir)).filter((f) => /^sshd-\d+\.conf$/.test(f));
  for (const name of configs) {
    const path = join(sshDir, name);
    const text = await readFile(path, 'utf8');
    if (!text.startsWith('SetEnv SHLVL=1\n')) await writeFile(path, `SetEnv SHLVL=1\n${text}`, { mode: 0o600 });
  }
  // sshd re-executes itself on SIGHUP (same pid) and reads its config again.
  for (const pid of fleet.pids) process.kill(pid, 'SIGHUP');
  await new Promise((r) => setTimeout(r, 1500));
}
