// A host in memory for reboot tests: a boot id, `reboot` that makes it refuse connections for a while
// and come back with a new boot id, and a log of what happened when. Commands it does not model go to
// `fallback` (a real local transport, for the lock scripts), when given.
import type { Command, ExecOptions, ExecResult, Transport } from '../../../src/transport/index.js';

export interface FakeRebootingHostOptions {
  /** How long `reboot` keeps the host from answering. */
  downMs: number;
  /** Exit status of `reboot` (a container refuses it). */
  rebootCode?: number;
  /** After `reboot` returns, the host keeps answering with its old boot id this long before going down. */
  lingerMs?: number;
  fallback?: Transport;
}

export class FakeRebootingHost {
  bootId = 'boot-1';
  private downFrom = Number.POSITIVE_INFINITY;
  private downUntil = 0;
  private pendingBootId: string | null = null;
  /** Times `reboot` ran, and times the new boot id took over. */
  readonly rebootedAt: number[] = [];
  readonly bootChangedAt: number[] = [];
  opened = 0;
  closed = 0;
  failedConnects = 0;

  constructor(
    readonly name: string,
    private readonly options: FakeRebootingHostOptions,
  ) {}

  private settle(now: number): void {
    if (this.pendingBootId !== null && now >= this.downFrom) {
      this.bootId = this.pendingBootId;
      this.pendingBootId = null;
      this.bootChangedAt.push(now);
    }
  }

  isDown(now = Date.now()): boolean {
    this.settle(now);
    return now >= this.downFrom && now < this.downUntil;
  }

  readonly open = async (): Promise<Transport> => {
    if (this.isDown()) {
      this.failedConnects += 1;
      throw new Error(`${this.name}: ECONNREFUSED`);
    }
    this.opened += 1;
    let closed = false;
    return {
      host: this.name,
      exec: async (command: Command, opts?: ExecOptions): Promise<ExecResult> => {
        if (closed) throw new Error('transport is closed');
        if (this.isDown()) throw new Error('channel closed');
        return this.exec(command, opts);
      },
      close: async () => {
        if (!closed) this.closed += 1;
        closed = true;
      },
    };
  };

  private async exec(command: Command, opts?: ExecOptions): Promise<ExecResult> {
    const argv = 'argv' in command ? command.argv : [];
    if (argv[0] === 'cat' && argv[1] === '/proc/sys/kernel/random/boot_id') return { stdout: `${this.bootId}\n`, stderr: '', code: 0 };
    if (argv[0] === 'reboot') {
      if (this.options.rebootCode) return { stdout: '', stderr: 'System has not been booted with systemd as init system (PID 1).', code: this.options.rebootCode };
      const now = Date.now();
      this.rebootedAt.push(now);
      this.pendingBootId = `boot-${this.rebootedAt.length + 1}`;
      this.downFrom = now + (this.options.lingerMs ?? 0);
      this.downUntil = this.downFrom + this.options.downMs;
      return { stdout: '', stderr: '', code: 0 };
    }
    if (this.options.fallback) return this.options.fallback.exec(command, opts);
    throw new Error(`the fake host does not model ${argv.join(' ')}`);
  }
}
