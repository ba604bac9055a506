// The fleet's SSH side: per-run keys, and real OpenSSH sshd daemons on loopback, one per 16 hosts
// (sshd's limit on listening sockets). Root sessions enter their host root through a forced command
// that chroots by the address the client connected to; the unprivileged user of the no-sudo variant is
// chrooted by sshd itself (ChrootDirectory), since it cannot chroot on its own.
import { execFile as execFileCb, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);
const SOCKETS_PER_SSHD = 16;
const GATE = '/usr/lib/kernfleet-fleet/gate';

export interface Keys {
  hostKey: string;
  hostPublicKey: string;
  clientKey: string;
  clientPublicKey: string;
}

export async function generateKeys(dir: string): Promise<Keys> {
  // 0755: sshd reads authorized_keys with the login user's privileges (keys themselves are 0600).
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const clientKey = join(dir, 'id_ed25519');
  await Promise.all([
    execFile('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kernfleet-fleet-host', '-f', hostKey]),
    execFile('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kernfleet-fleet-client', '-f', clientKey]),
  ]);
  return {
    hostKey,
    hostPublicKey: (await readFile(`${hostKey}.pub`, 'utf8')).trim(),
    clientKey,
    clientPublicKey: (await readFile(`${clientKey}.pub`, 'utf8')).trim(),
  };
}

/** Loopback address of host i (0-based): 127.0.10.1 … 127.0.10.250, then 127.0.11.1 … */
export function addressOf(index: number): string {
  return `127.0.${10 + Math.floor(index / 250)}.${(index % 250) + 1}`;
}

function canListen(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The first port free on every address: 22 as on real hosts, else 2222 and up. */
export async function pickPort(addresses: string[], exclude: number[] = []): Promise<number> {
  for (const port of [22, ...Array.from({ length: 200 }, (_, i) => 2222 + i)]) {
    if (exclude.includes(port)) continue;
    const free = await Promise.all(addresses.map((a) => canListen(a, port)));
    if (free.every(Boolean)) return port;
  }
  throw new Error('no port is free on every fleet address (tried 22 and 2222-2421)');
}

export interface SshdHost {
  address: string;
  /** Host root, for the no-sudo login user only (sshd's ChrootDirectory). */
  chrootRoot: string | null;
}

export interface SshdSetup {
  dir: string;
  keys: Keys;
  port: number;
  /** Directory of address → host root links the forced command resolves. */
  byAddressDir: string;
  loginUser: string;
}

function renderEnter(byAddressDir: string): string {
  return [
    '#!/bin/sh',
    '# Forced command of the fleet sshd for root: enter the root of the host this connection was made to',
    '# (the server address in SSH_CONNECTION) and hand over to its gate with a clean environment.',
    'set -- $SSH_CONNECTION',
    `root=${byAddressDir}/$3`,
    '[ -d "$root" ] || { echo "kernfleet fleet: no host at $3" >&2; exit 255; }',
    'exec /usr/sbin/chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/sh \\',
    '  TERM="${TERM:-dumb}" SSH_CONNECTION="$SSH_CONNECTION" SSH_CLIENT="$SSH_CLIENT" SSH_TTY="${SSH_TTY:-}" \\',
    `  SSH_ORIGINAL_COMMAND="\${SSH_ORIGINAL_COMMAND:-}" KF_SESSION_PID=$PPID ${GATE}`,
    '',
  ].join('\n');
}

function renderConfig(setup: SshdSetup, group: SshdHost[], index: number, enter: string): string {
  const lines = [
    ...group.map((h) => `ListenAddress ${h.address}:${setup.port}`),
    `HostKey ${setup.keys.hostKey}`,
    `PidFile ${join(setup.dir, `sshd-${index}.pid`)}`,
    `AuthorizedKeysFile ${join(setup.dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // The key files live in a run directory that may sit under a world-writable parent.
    'StrictModes no',
    `AllowUsers root ${setup.loginUser}`,
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    'MaxStartups 200:30:400',
    'MaxSessions 64',
    'LogLevel ERROR',
    // sshd runs the forced command through root's login shell; bash sources ~/.bashrc for a command sent
    // by sshd when SHLVL is below 2. On machines whose .bashrc starts pyenv that cost ~1 s of CPU per
    // session and serialised sessions on pyenv's lock: the fleet must not inherit the controller's dotfiles.
    'SetEnv SHLVL=1',
    // Run by the forced command inside the host root (SSH_ORIGINAL_COMMAND is this path).
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    `ForceCommand ${enter}`,
  ];
  for (const h of group) {
    if (!h.chrootRoot) continue;
    lines.push(`Match User ${setup.loginUser} LocalAddress ${h.address}`, `  ChrootDirectory ${h.chrootRoot}`, `  ForceCommand exec ${GATE}`);
  }
  return lines.join('\n') + '\n';
}

function waitForPort(address: string, port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect({ host: address, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not start listening on ${address}:${port}`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

/** Starts the daemons; returns their pids once every address accepts connections. */
export async function startSshd(setup: SshdSetup, hosts: SshdHost[]): Promise<number[]> {
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation directory
  await writeFile(join(setup.dir, 'authorized_keys'), setup.keys.clientPublicKey + '\n', { mode: 0o644 });
  const enter = join(setup.dir, 'enter');
  await writeFile(enter, renderEnter(setup.byAddressDir), { mode: 0o755 });
  await chmod(enter, 0o755);
  const pids: number[] = [];
  const groups: SshdHost[][] = [];
  for (let i = 0; i < hosts.length; i += SOCKETS_PER_SSHD) groups.push(hosts.slice(i, i + SOCKETS_PER_SSHD));
  const exits: Promise<never>[] = [];
  for (const [index, group] of groups.entries()) {
    const config = join(setup.dir, `sshd-${index}.conf`);
    await writeFile(config, renderConfig(setup, group, index, enter), { mode: 0o600 });
    const log = openSync(join(setup.dir, `sshd-${index}.log`), 'a');
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    if (child.pid === undefined) throw new Error('could not start /usr/sbin/sshd');
    pids.push(child.pid);
    exits.push(
      new Promise<never>((_, reject) =>
        child.once('exit', (code) => {
          // After stop() the directory is gone: the daemon was meant to exit, and there is no log to quote.
          let text = '';
          try {
            text = readFileSync(join(setup.dir, `sshd-${index}.log`), 'utf8').trim();
          } catch {
            text = '(no log: the fleet was stopped)';
          }
          reject(new Error(`sshd exited with ${code}: ${text.split('\n').slice(-3).join(' | ')}`));
        }),
      ),
    );
  }
  const deadline = Date.now() + 15_000;
  const ready = Promise.all(hosts.map((h) => waitForPort(h.address, setup.port, deadline)));
  try {
    await Promise.race([ready, ...exits]);
  } catch (error) {
    killProcessTrees(pids);
    throw error;
  }
  for (const exit of exits) exit.catch(() => undefined);
  return pids;
}

/** Every descendant of the given processes (sshd sessions, their shells, a reboot's timer), from /proc. */
function descendantsOf(pids: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const queue = [...pids];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    // A zombie has ended; its parent (init, or us) just has not reaped it yet.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Kills the daemons and everything they started. Synchronous, so it also works in an exit handler. */
export function killProcessTrees(pids: number[]): number[] {
  const all = [...pids, ...descendantsOf(pids)];
  for (const pid of all) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return all;
}

export async function waitForExit(pids: number[], timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) throw new Error(`processes still alive after kill: ${pids.filter(isAlive).join(' ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
