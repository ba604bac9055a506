// What apply asks the operator on the terminal: the run's "yes", and each high-risk step's typed host
// name (--interactive). A Ctrl-C at a prompt reaches readline as a keystroke, not the process as a signal,
// so it is turned into the run's own interruption here.
import { createInterface } from 'node:readline/promises';
import { ExitError } from '../errors.js';
import type { Step } from '../model/index.js';
import { EXIT_CODE_OF, type InterruptWatch } from './apply-interrupt.js';
import { renderStepForOperator } from './apply-progress.js';

/**
 * One answer typed on the terminal. A Ctrl-C there (or the run being interrupted meanwhile) counts as no
 * answer and interrupts the run; before the run has started (no `interrupts`), apply ends with 130.
 */
export async function ask(question: string, interrupts?: InterruptWatch): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const typed = new AbortController();
  const stop = () => typed.abort();
  rl.once('SIGINT', stop);
  interrupts?.signal.addEventListener('abort', stop, { once: true });
  try {
    return (await rl.question(question, { signal: typed.signal })).trim();
  } catch (error) {
    if (!typed.signal.aborted) throw error;
    process.stderr.write('\n');
    if (!interrupts) throw new ExitError(EXIT_CODE_OF.SIGINT);
    if (!interrupts.signal.aborted) interrupts.interrupt();
    return '';
  } finally {
    interrupts?.signal.removeEventListener('abort', stop);
    rl.close();
  }
}

/** Typed confirmation of one high-risk step; prompts are serialised because hosts run concurrently. */
export function createConfirmer(color: boolean, interrupts: InterruptWatch): (step: Step, host: string) => Promise<boolean> {
  let queue: Promise<unknown> = Promise.resolve();
  return (step, host) => {
    const answer = queue.then(async () => {
      // A prompt queued behind an interrupted one is not asked: the run is stopping.
      if (interrupts.signal.aborted) return false;
      process.stderr.write(`\n${renderStepForOperator(host, step, color)}`);
      return (await ask(`Type the host name (${host}) to run this step, anything else leaves it for later: `, interrupts)) === host;
    });
    queue = answer;
    return answer;
  };
}
