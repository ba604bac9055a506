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
