import { afterEach, describe, expect, it } from 'vitest';
import { INTERRUPT_NOTICE, watchInterrupts, type InterruptWatch } from '../../../src/cli/apply-interrupt.js';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

let watch: InterruptWatch | undefined;
afterEach(() => watch?.dispose());

function start(): { written: string[]; watch: InterruptWatch } {
  const written: string[] = [];
  const stderr = { isTTY: false, write: (chunk: string) => written.push(chunk) > 0 } as unknown as NodeJS.WriteStream;
  watch = watchInterrupts({
    stderr,
    exit: (code) => {
      throw new Exited(code);
    },
  });
  return { written, watch };
}

describe('watchInterrupts', () => {
  it('aborts the run on the first SIGINT, says what happens next and ends with 130', () => {
    // The operator presses Ctrl-C once while apply runs.
    const { written, watch } = start();
    let told = 0;
    watch.onInterrupt(() => told++);
    expect(watch.exitCode()).toBeUndefined();
    process.emit('SIGINT', 'SIGINT');
    expect(watch.signal.aborted).toBe(true);
    expect(watch.exitCode()).toBe(130);
    expect(told).toBe(1);
    expect(written.join('')).toBe(`\n${INTERRUPT_NOTICE}\n`);
  });

  it('exits at once on the second signal', () => {
    // Ctrl-C, then SIGTERM from a supervisor before the steps under way ended.
    const { written, watch } = start();
    process.emit('SIGINT', 'SIGINT');
    expect(() => process.emit('SIGTERM', 'SIGTERM')).toThrow(new Exited(130));
    expect(written.at(-1)).toMatch(/^\nstopped at once \(SIGTERM\)/);
    expect(watch.exitCode()).toBe(130);
  });

  it('ends with 143 when SIGTERM came first, and treats a Ctrl-C typed at a prompt as SIGINT', () => {
    // A supervisor stops the run; then the operator presses Ctrl-C at a confirmation prompt.
    const { watch } = start();
    process.emit('SIGTERM', 'SIGTERM');
    expect(watch.exitCode()).toBe(143);
    expect(() => watch.interrupt()).toThrow(new Exited(143));
  });

  it('gives the signals back to Node once disposed', () => {
    // The run ended; the CLI removes its handlers.
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const { watch } = start();
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before.map((n) => n + 1));
    watch.dispose();
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  });
});
