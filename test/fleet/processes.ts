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
