// Processes on this machine whose command line mentions a path: how the harness's users check that a
// fleet (or the SSH control masters a benchmark left) is really gone.
import { readdirSync, readFileSync } from 'node:fs';

export function findProcessesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The children named `comm` of processes whose command line mentions a text (e.g. the `cat` of one write script). */
export function findChildrenOf(text: string, comm: string): number[] {
  const parents = new Set(findProcessesMentioning(text));
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const status = readFileSync(`/proc/${p}/status`, 'utf8');
        const name = /^Name:\s*(.*)$/m.exec(status)?.[1];
        const ppid = Number(/^PPid:\s*(\d+)$/m.exec(status)?.[1]);
        return name === comm && parents.has(ppid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * Stops (SIGSTOP) the `comm` children of the processes mentioning `text` as soon as one appears, polling
 * until `until` settles; returns their pids for a later SIGCONT. How a test holds a transfer in the middle:
 * a stopped reader stalls its sender within the pipe and the SSH window, however fast the machine.
 */
export async function stopChildOf(text: string, comm: string, until: Promise<unknown>): Promise<number[]> {
  let settled = false;
  void until.then(
    () => (settled = true),
    () => (settled = true),
  );
  const stopped: number[] = [];
  while (stopped.length === 0 && !settled) {
    for (const pid of findChildrenOf(text, comm)) {
      process.kill(pid, 'SIGSTOP');
      stopped.push(pid);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  if (stopped.length === 0) throw new Error(`no ${comm} under a process mentioning ${text} was seen before the command ended`);
  return stopped;
}

/** SIGCONT for what stopChildOf stopped; a process already gone is fine. */
export function resume(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // exited already
    }
  }
}
