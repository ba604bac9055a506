// A controller's work is mostly waiting on hosts, and it often runs on a small bastion or CI runner:
// its memory matters more than its CPU. By default V8 lets the heap grow to several times what is live
// before collecting (a 1000-host plan: ~40 MB live, 196 MB resident at the peak). Optimising for size
// keeps the heap near its live size (127 MB) for ~20% more controller CPU, which a run at 50 forks
// does not wait on. Flags set at run time steer the collector from its next cycle on.
import { setFlagsFromString } from 'node:v8';

export function preferSmallHeap(): void {
  setFlagsFromString('--optimize-for-size');
}
