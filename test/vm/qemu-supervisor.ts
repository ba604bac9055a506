// Keeps the machine running across guest reboots: qemu runs with -no-reboot, so a reboot (the suite's
// or one kernfleet apply --reboot asks for) ends the process cleanly and is answered with a fresh start
// on the same overlay and port. Any other end of qemu is a failure the waiters report.
import type { ChildProcess } from 'node:child_process';
import { launchQemu, waitForExit, type QemuMachine } from './qemu.js';

export interface QemuSupervisor {
  /** The qemu process running now (a new one after every guest reboot). */
  current(): ChildProcess;
  /** Why qemu ended for good (non-zero exit, with its stderr), or null while it runs. */
  failure(): string | null;
  /** Ends qemu and stops restarting it (idempotent). */
  stop(): Promise<void>;
}

/** Starts qemu; resolves once it has survived its start-up (the forwarded port is bound by then). */
export async function superviseQemu(machine: QemuMachine, startupMs = 2_000): Promise<QemuSupervisor> {
  let child: ChildProcess;
  let failure: string | null = null;
  let stopping = false;

  const start = (): void => {
    const qemu = launchQemu(machine);
    let stderr = '';
    qemu.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    qemu.once('exit', (code, signal) => {
      if (stopping) return;
      if (code === 0) start();
      else failure = `qemu exited (${code ?? signal}): ${stderr.trim()}`;
    });
    child = qemu;
  };

  start();
  await new Promise((resolve) => setTimeout(resolve, startupMs));
  const supervisor: QemuSupervisor = {
    current: () => child,
    failure: () => failure,
    stop: async () => {
      stopping = true;
      const qemu = child;
      qemu.kill('SIGTERM');
      const killer = setTimeout(() => qemu.kill('SIGKILL'), 10_000);
      await waitForExit(qemu);
      clearTimeout(killer);
    },
  };
  if (failure !== null) {
    await supervisor.stop();
    throw new Error(failure);
  }
  return supervisor;
}
