// Opening a transport to an inventory host: SSH or this machine, as the inventory says.
import type { InventoryHost } from '../model/inventory.js';
import { createLocalTransport } from './local.js';
import { openSshTransport } from './ssh.js';
import type { Transport, TransportOptions } from './types.js';

export type { Command, ExecOptions, ExecResult, Transport, TransportErrorCode, TransportOptions } from './types.js';
export { TransportError } from './types.js';
export { buildRemoteCommand, quoteArg, quoteArgv } from './quote.js';

export async function openTransport(host: InventoryHost, options: TransportOptions): Promise<Transport> {
  switch (host.connection.kind) {
    case 'local':
      return createLocalTransport(host, options);
    case 'ssh':
      return openSshTransport(host, options);
  }
}
