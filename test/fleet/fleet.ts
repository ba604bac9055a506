// The simulated hypervisor fleet: many Linux hosts reachable over real SSH on loopback, each with its own
// root (kernel state as plain files, commands as shims). startFleet() builds and boots them, starts sshd
// and writes an Ansible inventory; stop() leaves no process and no file behind, also when a test fails.
import { randomBytes } from 'node:crypto';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { execFile as execFileCb } from 'node:child_process';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { buildTemplate, cloneTemplate, createStore, FLEET_USER, type Template } from './host-root.js';
import { writeFleetFiles } from './inventory.js';
import { addressOf, generateKeys, killProcessTrees, pickPort, startSshd, waitForExit } from './sshd.js';
import { getVariantSpec, type HostOverrides, type Variant } from './variants.js';

export type { HostOverrides, Variant } from './variants.js';
export { VARIANTS } from './variants.js';

export interface FleetHostSpec {
  name: string;
  variant: Variant;
  overrides?: HostOverrides;
}

export interface StartFleetOptions {
  hosts: FleetHostSpec[];
  /** Where the run lives (host roots, keys, inventory); a fresh directory in /dev/shm by default. */
  baseDir?: string;
}

export interface FleetHost {
  name: string;
  variant: Variant;
  address: string;
  port: number;
  /** Login user: root, or the unprivileged user of the no_sudo variant (ansible_become: true). */
  user: string;
  /** The host's root directory on this machine: what the host sees as `/`. */
  root: string;
}

export interface Fleet {
  baseDir: string;
  inventoryPath: string;
  keyPath: string;
  knownHostsPath: string;
  sshConfigPath: string;
  hosts: FleetHost[];
  /** sshd daemons (one per 16 hosts). */
  pids: number[];
  stop(): Promise<void>;
}

/** What `fleet down` needs to find a fleet started by another process. */
export interface FleetState {
  pids: number[];
  dirs: string[];
}

const execFile = promisify(execFileCb);
export const STATE_FILE = 'fleet.json';
const active = new Set<FleetState>();

function cleanUpNow(state: FleetState): void {
  killProcessTrees(state.pids);
  for (const dir of state.dirs) rmSync(dir, { recursive: true, force: true });
  active.delete(state);
}

let handlersInstalled = false;
function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', () => [...active].forEach(cleanUpNow));
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      [...active].forEach(cleanUpNow);
      process.exit(code);
    });
  }
}

// sshd's ChrootDirectory insists that every component of the path is root-owned and not writable by
// group or others (so /dev/shm and /tmp are not).
function isChrootSafe(path: string): boolean {
  for (let dir = path; ; dir = dirname(dir)) {
    try {
      const st = statSync(dir);
      if (st.uid !== 0 || (st.mode & 0o022) !== 0) return false;
    } catch {
      // not created yet: it will be, root-owned and 0755
    }
    if (dir === dirname(dir)) return true;
  }
}

function templateKey(spec: FleetHostSpec): string {
  return JSON.stringify([spec.variant, spec.overrides ?? {}]);
}

function validate(hosts: FleetHostSpec[]): void {
  const seen = new Set<string>();
  for (const h of hosts) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(h.name)) throw new Error(`fleet host name "${h.name}" is not a plain host name`);
    if (seen.has(h.name)) throw new Error(`fleet host name "${h.name}" is used twice`);
    seen.add(h.name);
    getVariantSpec(h.variant);
  }
}

export async function startFleet(opts: StartFleetOptions): Promise<Fleet> {
  validate(opts.hosts);
  if (process.getuid?.() !== 0) throw new Error('the simulated fleet needs root (it starts sshd and chroots into host roots)');
  const baseDir = opts.baseDir ?? `/dev/shm/kernfleet-fleet-${randomBytes(4).toString('hex')}`;
  const chrootDir = isChrootSafe(baseDir) ? baseDir : `/run/kernfleet-chroot-${basename(baseDir)}`;
  const state: FleetState = { pids: [], dirs: [...new Set([baseDir, chrootDir])] };
  active.add(state);
  installExitHandlers();
  try {
    await mkdir(baseDir, { recursive: true, mode: 0o755 });
    writeFileSync(join(baseDir, STATE_FILE), JSON.stringify(state));
    const hosts = opts.hosts.map((spec, index): FleetHost & { spec: FleetHostSpec } => {
      const user = getVariantSpec(spec.variant).user === 'root' ? 'root' : FLEET_USER;
      return {
        spec,
        name: spec.name,
        variant: spec.variant,
        address: addressOf(index),
        port: 0,
        user,
        root: join(user === 'root' ? baseDir : chrootDir, 'hosts', spec.name),
      };
    });
    const [store, keys] = await Promise.all([createStore(join(baseDir, 'store')), generateKeys(join(baseDir, 'ssh'))]);
    await Promise.all(state.dirs.map((d) => mkdir(join(d, 'hosts'), { recursive: true, mode: 0o755 })));

    const groups = new Map<string, typeof hosts>();
    for (const h of hosts) groups.set(templateKey(h.spec), [...(groups.get(templateKey(h.spec)) ?? []), h]);
    const limit = pLimit(2);
    await Promise.all(
      [...groups.values()].map((group, i) =>
        limit(async () => {
          const first = group[0]!;
          const template: Template = await buildTemplate(store, join(baseDir, 'templates', String(i)), first.variant, first.spec.overrides ?? {});
          await cloneTemplate(template, group);
        }),
      ),
    );
    await rm(join(baseDir, 'templates'), { recursive: true, force: true });

    const byAddressDir = join(baseDir, 'by-address');
    await mkdir(byAddressDir, { mode: 0o755 });
    await Promise.all(hosts.map((h) => symlink(h.root, join(byAddressDir, h.address))));

    const sshDir = join(baseDir, 'ssh');
    const tried: number[] = [];
    // Another fleet starting at the same moment may take the port between our check and sshd's bind.
    for (;;) {
      const port = await pickPort(hosts.map((h) => h.address), tried);
      tried.push(port);
      try {
        state.pids = await startSshd(
          { dir: sshDir, keys, port, byAddressDir, loginUser: FLEET_USER },
          hosts.map((h) => ({ address: h.address, chrootRoot: h.user === 'root' ? null : h.root })),
        );
        for (const h of hosts) h.port = port;
        break;
      } catch (error) {
        if (tried.length >= 3 || !/Address already in use|Cannot bind/i.test(String(error))) throw error;
      }
    }
    writeFileSync(join(baseDir, STATE_FILE), JSON.stringify(state));

    const fleetHosts: FleetHost[] = hosts.map(({ spec: _spec, ...h }) => h);
    const fleet: Fleet = {
      baseDir,
      inventoryPath: join(baseDir, 'inventory.yml'),
      keyPath: keys.clientKey,
      knownHostsPath: join(baseDir, 'known_hosts'),
      sshConfigPath: join(baseDir, 'ssh_config'),
      hosts: fleetHosts,
      pids: state.pids,
      stop: () => stopFleetState(state),
    };
    await writeFleetFiles(
      { inventory: fleet.inventoryPath, knownHosts: fleet.knownHostsPath, sshConfig: fleet.sshConfigPath },
      fleetHosts,
      keys,
    );
    return fleet;
  } catch (error) {
    cleanUpNow(state);
    throw error;
  }
}

/** Kills a fleet's daemons and sessions and removes its directories (also for `fleet down`). */
export async function stopFleetState(state: FleetState): Promise<void> {
  const killed = killProcessTrees(state.pids);
  await waitForExit(killed);
  // rm(1) is several times faster than fs.rm on hundreds of small trees.
  await Promise.all(state.dirs.map((d) => execFile('rm', ['-rf', '--one-file-system', d])));
  active.delete(state);
}
