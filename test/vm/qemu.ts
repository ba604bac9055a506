// The qemu machine the suite boots, and the process that runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** What differs between two boots of the suite's machine. */
export interface QemuMachine {
  /** qcow2 overlay on top of the cached image: the guest may write anything, the image stays clean. */
  overlayPath: string;
  /** Host port on 127.0.0.1 forwarded to the guest's sshd. */
  sshPort: number;
  /** File the guest's serial console (GRUB, kernel, getty) is written to. */
  consoleLogPath: string;
  memoryMiB: number;
  cpus: number;
}

/**
 * qemu argv for the machine. Facts of this host that shape it: /dev/kvm is a paravirtual nested KVM
 * without vmx/svm that cannot run a stock kernel, so TCG; `-cpu max` exposes SVM so kvm_amd (nested=1)
 * really loads; q35 + intel-iommu gives IOMMU groups once the guest enables it (intel_iommu=on);
 * restricted user networking keeps the guest off every network but the one forwarded port.
 */
export function buildQemuArgs(machine: QemuMachine): string[] {
  return [
    '-name', 'kernfleet-debvm',
    '-machine', 'q35',
    '-accel', 'tcg,thread=multi',
    '-cpu', 'max',
    '-smp', String(machine.cpus),
    '-m', String(machine.memoryMiB),
    '-nodefaults',
    '-display', 'none',
    '-monitor', 'none',
    // Appended, not truncated: every boot of the machine (see -no-reboot) adds to one console log.
    '-chardev', `file,id=console,path=${machine.consoleLogPath},append=on`,
    '-serial', 'chardev:console',
    // A guest reboot ends qemu and the supervisor cold-starts it on the same disk: still firmware →
    // GRUB → kernel for the guest, without the warm resets that crawl under TCG.
    '-no-reboot',
    // The IOMMU must exist before the PCI devices it translates for.
    '-device', 'intel-iommu',
    '-drive', `file=${machine.overlayPath},format=qcow2,if=none,id=disk0`,
    '-device', 'virtio-blk-pci,drive=disk0',
    '-netdev', `user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:${machine.sshPort}-:22`,
    // No option ROM: the guest boots from disk, and ipxe's ROM files need not be installed.
    '-device', 'virtio-net-pci,netdev=net0,romfile=',
  ];
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts qemu. Two nets against a leaked VM: setpriv's parent-death signal kills qemu if this process
 * dies without running any handler (SIGKILL, OOM), and an exit hook kills it on any ordinary exit.
 */
export function launchQemu(machine: QemuMachine): ChildProcess {
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'qemu-system-x86_64', ...buildQemuArgs(machine)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const qemu of running) qemu.kill('SIGKILL');
    });
  }
  return child;
}

/** A port on 127.0.0.1 that was free a moment ago (qemu binds it itself; a lost race is retried). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port on 127.0.0.1'))));
    });
  });
}

/** Resolves with the exit code once the process has ended (immediately if it already has). */
export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
