// A host for apply's unit tests: this machine through the real local transport (scripts run by the
// real sh), with a temp directory standing in for the host's files and /var/lib/kernfleet.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InventoryHost } from '../../../src/model/inventory.js';
import { openTransport, type Command, type ExecOptions, type ExecResult, type Transport } from '../../../src/transport/index.js';

const OPTIONS = { acceptNewHostKeys: false, connectTimeoutMs: 5_000, commandTimeoutMs: 20_000 };

export function aLocalHost(name = 'hv01'): InventoryHost {
  return {
    name,
    groups: ['all', 'ungrouped'],
    vars: {},
    connection: { kind: 'local', address: 'localhost', port: null, user: null, identityFile: null, become: false, becomeUser: 'root', becomePassword: null },
    source: { file: 'inventories/local.yml', line: 1, col: 1 },
  };
}

export interface LocalHost {
  transport: Transport;
  /** Stands in for the host's filesystem: test files live below it. */
  root: string;
  /** Stands in for /var/lib/kernfleet. */
  stateDir: string;
  /** Every command the host was asked to run, in order. */
  commands: Command[];
  dispose(): Promise<void>;
}

export async function startLocalHost(name = 'hv01'): Promise<LocalHost> {
  const root = await mkdtemp(join(tmpdir(), 'kernfleet-apply-'));
  const inner = await openTransport(aLocalHost(name), OPTIONS);
  const commands: Command[] = [];
  const transport: Transport = {
    host: name,
    exec(command: Command, opts?: ExecOptions): Promise<ExecResult> {
      commands.push(command);
      return inner.exec(command, opts);
    },
    close: () => inner.close(),
  };
  return {
    transport,
    root,
    stateDir: join(root, 'var/lib/kernfleet'),
    commands,
    async dispose() {
      await inner.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A transport that delivers only the first `keep` bytes of stdin, as a connection cut mid-transfer would. */
export function cutStdin(transport: Transport, keep: number): Transport {
  return {
    host: transport.host,
    exec(command, opts = {}) {
      const stdin = opts.stdin === undefined ? undefined : Buffer.from(opts.stdin).subarray(0, keep);
      return transport.exec(command, { ...opts, ...(stdin ? { stdin } : {}) });
    },
    close: () => transport.close(),
  };
}

/**
 * The host as the executor sees it when it names `sharedState` (a /var/lib/kernfleet stand-in shared by
 * every host in a test): paths below it are mapped into this host's own state dir, so every host has
 * its own lock, backups and ledger, as a real fleet would.
 */
export function scopeStateDir(host: LocalHost, name: string, sharedState: string): Transport {
  return {
    host: name,
    exec: (command, opts) => host.transport.exec('argv' in command ? { argv: command.argv.map((a) => (a.startsWith(sharedState) ? host.stateDir + a.slice(sharedState.length) : a)) } : command, opts),
    close: async () => undefined,
  };
}
