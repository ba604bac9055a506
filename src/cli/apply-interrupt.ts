// Ctrl-C during apply, as Terraform does it: the first SIGINT/SIGTERM lets the steps under way finish
// (a half-run step is worse than a finished one: a file is written or not, a module loaded or not),
// starts nothing new and ends with a report and a journal a resume continues from; a second one
// exits at once. Exiting at once is still safe: every file write on a host is atomic and each step's
// outcome is flushed to the journal's log as it ends, so a resume repeats at most the steps under way.

export const INTERRUPT_NOTICE = 'interrupted: finishing the steps under way, then stopping (Ctrl-C again to stop at once)';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type WatchedSignal = (typeof SIGNALS)[number];

/** The shell's convention: 128 + the signal's number. */
export const EXIT_CODE_OF: Record<WatchedSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface InterruptWatch {
  /** Aborted by the first signal; hand it to executePlan. */
  signal: AbortSignal;
  /** The exit code the run ends with once interrupted; undefined while it was not. */
  exitCode(): number | undefined;
  /** A Ctrl-C that readline caught at a prompt (the terminal sends no signal then): same as SIGINT. */
  interrupt(): void;
  /** Tells the progress display, which may hold stderr until it ends. */
  onInterrupt(listener: () => void): void;
  /** Puts Node's default handling back. */
  dispose(): void;
}

export interface InterruptIo {
  stderr: NodeJS.WriteStream;
  /** Ends the process now (the second signal). */
  exit(code: number): never;
}

export function watchInterrupts(io: InterruptIo = { stderr: process.stderr, exit: (code) => process.exit(code) }): InterruptWatch {
  const controller = new AbortController();
  const listeners: (() => void)[] = [];
  // listr2's tree renderer swaps stderr's write for a buffer while it draws (the progress shows the
  // notice in its tree instead); on the way out at once, the function taken now still reaches the terminal.
  const write = io.stderr.write.bind(io.stderr);
  let code: number | undefined;

  const receive = (name: WatchedSignal): void => {
    if (code !== undefined) {
      // listr2 hides the cursor while it draws; a process that ends now must give it back.
      if (io.stderr.isTTY) write('\u001B[?25h');
      write(`\nstopped at once (${name}): the journal holds every step finished so far\n`);
      io.exit(code);
    }
    code = EXIT_CODE_OF[name];
    io.stderr.write(`\n${INTERRUPT_NOTICE}\n`);
    controller.abort(new Error(`interrupted by ${name}`));
    for (const listener of listeners) listener();
  };
  const handlers = SIGNALS.map((name) => [name, () => receive(name)] as const);
  for (const [name, handler] of handlers) process.on(name, handler);

  return {
    signal: controller.signal,
    exitCode: () => code,
    interrupt: () => receive('SIGINT'),
    onInterrupt: (listener) => void listeners.push(listener),
    dispose() {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
