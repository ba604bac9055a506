import { EventEmitter } from 'node:events';
import type { Client } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { openChannel } from '../../../src/transport/ssh.js';
import { TransportError } from '../../../src/transport/types.js';

describe('openChannel', () => {
  it('fails instead of hanging when the connection closes while the channel opens', async () => {
    // A host that goes down for a reboot between the request for a channel and its answer: ssh2 never calls back.
    const client = Object.assign(new EventEmitter(), { exec: () => undefined }) as unknown as Client;
    const opening = openChannel('hv07', client, 'true');
    (client as unknown as EventEmitter).emit('close');
    await expect(opening).rejects.toBeInstanceOf(TransportError);
    await expect(opening).rejects.toThrow(/closed while opening/);
  });

  it('leaves no close listener behind once the channel is open', async () => {
    // Many execs on one connection must not pile up listeners.
    const channel = {};
    const client = Object.assign(new EventEmitter(), { exec: (_c: string, cb: (e: Error | undefined, ch: unknown) => void) => cb(undefined, channel) }) as unknown as Client;
    await expect(openChannel('hv07', client, 'true')).resolves.toBe(channel);
    expect((client as unknown as EventEmitter).listenerCount('close')).toBe(0);
  });
});
