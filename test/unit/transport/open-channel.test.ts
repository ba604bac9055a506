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
    const channel = Object.assign(new EventEmitter(), { stderr: new EventEmitter() });
    const client = Object.assign(new EventEmitter(), { exec: (_c: string, cb: (e: Error | undefined, ch: unknown) => void) => cb(undefined, channel) }) as unknown as Client;
    const handle = await openChannel('hv07', client, 'true');
    expect(handle.stdout).toBe(channel);
    expect((client as unknown as EventEmitter).listenerCount('close')).toBe(0);
  });

  it('keeps the exit status of a command whose exit and close arrive with the channel itself', async () => {
    // A fast command on a quiet link: ssh2 emits exit and close in the same tick as the exec callback.
    const channel = Object.assign(new EventEmitter(), { stderr: new EventEmitter() });
    const client = Object.assign(new EventEmitter(), {
      exec: (_c: string, cb: (e: Error | undefined, ch: unknown) => void) => {
        cb(undefined, channel);
        channel.emit('exit', 1);
        channel.emit('close');
      },
    }) as unknown as Client;
    const handle = await openChannel('hv07', client, 'grep -q x /proc/modules');
    await expect(handle.finished).resolves.toEqual({ code: 1 });
  });
});

describe('openChannel retries', () => {
  it('retries a channel sshd refuses while it still counts closed sessions, then succeeds', async () => {
    // MaxSessions reached for a moment: the first two opens are refused, the third is granted.
    const channel = Object.assign(new EventEmitter(), { stderr: new EventEmitter() });
    let calls = 0;
    const client = Object.assign(new EventEmitter(), {
      exec: (_c: string, cb: (e: Error | undefined, ch: unknown) => void) => {
        calls += 1;
        if (calls < 3) cb(new Error('(SSH) Channel open failure: open failed'), undefined);
        else cb(undefined, channel);
      },
    }) as unknown as Client;
    const handle = await openChannel('hv07', client, 'true');
    expect(handle.stdout).toBe(channel);
    expect(calls).toBe(3);
  });

  it('gives up on a channel that stays refused', async () => {
    // sshd refuses every time (e.g. a host that forbids sessions): an error after a few tries, not a hang.
    let calls = 0;
    const client = Object.assign(new EventEmitter(), {
      exec: (_c: string, cb: (e: Error | undefined, ch: unknown) => void) => ((calls += 1), cb(new Error('(SSH) Channel open failure: open failed'), undefined)),
    }) as unknown as Client;
    await expect(openChannel('hv07', client, 'true')).rejects.toThrow(/open failed/);
    expect(calls).toBe(5);
  });
});
