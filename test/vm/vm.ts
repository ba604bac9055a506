// A throw-away Debian 12 machine under qemu, reachable over SSH on 127.0.0.1: each start boots a fresh
// qcow2 overlay on the cached image, and stop (or the end of this process) always ends qemu.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { loadVmImage, type VmImage } from './image.js';
import { findFreePort, type QemuMachine } from './qemu.js';
import { superviseQemu, type QemuSupervisor } from './qemu-supervisor.js';
import { runSsh, type SshResult, type SshTarget } from './ssh-exec.js';

export type { SshResult } from './ssh-exec.js';
export type { VmImage } from './image.js';

/** The inventory name of the machine, in group `hypervisors`. */
export const VM_HOST_NAME = 'debvm';

export interface StartVmOptions {
  /** Where the overlay, console log, known_hosts and inventory go; kept after stop. Default: a temp dir, removed on stop. */
  overlayDir?: string;
  memoryMiB?: number;
  /** vCPUs (default 1): on a busy 2-core host two emulated CPUs starve each other into soft lockups. */
  cpus?: number;
  /** Power-on (or reboot) to SSH: 70-180 s under TCG on a busy 2-core machine (default 420 s). */
  bootTimeoutMs?: number;
  /** Extra inventory variables of the host (e.g. `{ hugepages_1g: 1 }`: the machine has 2 GiB), after the connection vars. */
  hostVars?: Record<string, unknown>;
}

export interface Vm {
  host: '127.0.0.1';
  port: number;
  keyPath: string;
  knownHostsPath: string;
  /** Ansible YAML inventory: group `hypervisors` with host `debvm`, connection vars pointing here. */
  inventoryPath: string;
  consoleLogPath: string;
  image: VmImage;
  /** qemu's process id now (a guest reboot restarts qemu: see qemu-supervisor.ts). */
  pid: number;
  /** Milliseconds from starting qemu to the first successful SSH command; one entry per reboot after. */
  timings: { bootMs: number; rebootMs: number[] };
  /** Runs a remote shell command line as root; resolves with its output and exit code, never throws for code ≠ 0. */
  ssh(command: string): Promise<SshResult>;
  /**
   * Reboots through BIOS and GRUB; resolves once SSH answers from a boot other than the one running just
   * before (boot_id read right then, so reboots made by others in between do not fool it).
   */
  reboot(): Promise<void>;
  /** Ends qemu (idempotent). */
  stop(): Promise<void>;
}

const run = promisify(execFile);
const BOOT_ID = 'cat /proc/sys/kernel/random/boot_id';

export async function startVm(options: StartVmOptions = {}): Promise<Vm> {
  const image = await loadVmImage();
  const ownDir = options.overlayDir === undefined;
  const dir = options.overlayDir ?? (await mkdtemp(join(tmpdir(), 'kernfleet-vm-')));
  await mkdir(dir, { recursive: true });
  const overlayPath = join(dir, 'overlay.qcow2');
  await rm(overlayPath, { force: true });
  await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', image.diskPath, '-F', 'raw', overlayPath]);

  const machine: Omit<QemuMachine, 'sshPort'> = {
    overlayPath,
    consoleLogPath: join(dir, 'console.log'),
    memoryMiB: options.memoryMiB ?? 2048,
    cpus: options.cpus ?? 1,
  };
  const bootTimeoutMs = options.bootTimeoutMs ?? 420_000;
  const started = Date.now();
  const { qemu, port } = await superviseWithFreePort(machine);
  const hostKey = (await readFile(image.hostKeyPath, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  const target: SshTarget = { host: '127.0.0.1', port, user: 'root', keyPath: image.keyPath, knownHostsPath: join(dir, 'known_hosts') };
  await writeFile(target.knownHostsPath, `[127.0.0.1]:${port} ${hostKey}\n`);
  const inventoryPath = join(dir, 'inventory.yml');
  await writeFile(inventoryPath, renderInventory(target, options.hostVars));

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await qemu.stop();
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitForSsh(target, qemu, machine.consoleLogPath, bootTimeoutMs, () => true);
    const timings = { bootMs: Date.now() - started, rebootMs: [] as number[] };
    return {
      host: '127.0.0.1',
      port,
      keyPath: image.keyPath,
      knownHostsPath: target.knownHostsPath,
      inventoryPath,
      consoleLogPath: machine.consoleLogPath,
      image,
      get pid() {
        return qemu.current().pid ?? -1;
      },
      timings,
      ssh: (command) => runSsh(target, command),
      reboot: async () => {
        // The boot id of the boot being ended, read now: kernfleet (apply --reboot) may have rebooted the
        // machine since the harness last looked, and a stale id would make the wait below return at once.
        const previous = await waitForSsh(target, qemu, machine.consoleLogPath, bootTimeoutMs, () => true);
        const rebootStarted = Date.now();
        // The connection may drop before systemctl answers: the new boot_id is the only proof that counts.
        await runSsh(target, 'systemctl reboot', { timeoutMs: 30_000 });
        await waitForSsh(target, qemu, machine.consoleLogPath, bootTimeoutMs, (id) => id !== previous);
        timings.rebootMs.push(Date.now() - rebootStarted);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Ansible YAML inventory of the one machine, with every connection detail kernfleet needs. */
export function renderInventory(target: SshTarget, hostVars: Record<string, unknown> = {}): string {
  const host = {
    ...hostVars,
    ansible_host: target.host,
    ansible_port: target.port,
    ansible_user: target.user,
    ansible_ssh_private_key_file: target.keyPath,
  };
  return stringify({ all: { children: { hypervisors: { hosts: { [VM_HOST_NAME]: host } } } } });
}

async function superviseWithFreePort(machine: Omit<QemuMachine, 'sshPort'>): Promise<{ qemu: QemuSupervisor; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      return { qemu: await superviseQemu({ ...machine, sshPort: port }), port };
    } catch (error) {
      // Another process may take the port between our probe and qemu's bind: try another one.
      if (attempt >= 3 || !/host forwarding/i.test(String(error))) throw error;
    }
  }
}

async function waitForSsh(target: SshTarget, qemu: QemuSupervisor, consoleLogPath: string, timeoutMs: number, accept: (bootId: string) => boolean): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = qemu.failure();
    if (failure !== null) throw new Error(`${failure}\n${await readConsoleTail(consoleLogPath)}`);
    const result = await runSsh(target, BOOT_ID, { timeoutMs: 30_000, connectTimeoutSeconds: 10 });
    const bootId = result.stdout.trim();
    if (result.code === 0 && bootId !== '' && accept(bootId)) return bootId;
    if (Date.now() > deadline) {
      throw new Error(`no SSH from the VM within ${timeoutMs / 1000}s (last: ${result.stderr.trim()})\n${await readConsoleTail(consoleLogPath)}`);
    }
    await delay(1_000);
  }
}

async function readConsoleTail(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return `serial console (last lines):\n${text.split('\n').slice(-30).join('\n')}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
