import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireHostLock, lockPathOf, parseLockHolder, releaseHostLock } from '../../../src/apply/lock.js';
import { startLocalHost, type LocalHost } from './local-host.js';

let host: LocalHost;
beforeEach(async () => {
  host = await startLocalHost();
});
afterEach(() => host.dispose());

const ctxOf = (runId: string) => ({ runId, become: false, stateDir: host.stateDir, now: '2026-11-23T14:30:00.000Z' });

describe('host lock', () => {
  it('lets one run take the lock and names it to a second run, which fails at once', async () => {
    // Two operators start an apply on the same host.
    expect(await acquireHostLock(host.transport, ctxOf('run-a'))).toEqual({ ok: true });
    const second = await acquireHostLock(host.transport, ctxOf('run-b'));
    expect(second.ok).toBe(false);
    expect(!second.ok && second.holder?.runId).toBe('run-a');
    expect(!second.ok && second.message).toContain('hv01 is locked by run run-a');
    const holder = await readFile(join(lockPathOf(host.stateDir), 'holder'), 'utf8');
    expect(holder).toContain(`:${process.pid}\n`);
  });

  it('gives the lock back only when its holder releases it', async () => {
    // The losing run must not remove the winner's lock; after the winner releases, the next run gets it.
    await acquireHostLock(host.transport, ctxOf('run-a'));
    const stolen = await releaseHostLock(host.transport, ctxOf('run-b'));
    expect(stolen.ok).toBe(false);
    expect((await stat(lockPathOf(host.stateDir))).isDirectory()).toBe(true);
    expect(await releaseHostLock(host.transport, ctxOf('run-a'))).toEqual({ ok: true });
    expect(await acquireHostLock(host.transport, ctxOf('run-b'))).toEqual({ ok: true });
  });

  it('lets a resumed run take its own lock again', async () => {
    // The controller crashed holding the lock; `apply --resume run-a` continues under the same id.
    await acquireHostLock(host.transport, ctxOf('run-a'));
    expect(await acquireHostLock(host.transport, ctxOf('run-a'))).toEqual({ ok: true });
  });

  it('admits exactly one of many runs racing for the lock', async () => {
    // Eight runs start at the same moment.
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => acquireHostLock(host.transport, ctxOf(`run-${i}`))));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('parses a holder file and rejects one without a run', () => {
    // The holder file is key=value lines written by the acquire script.
    expect(parseLockHolder('run=r1\ncontroller=ctl:42\nsince=2026-01-01T00:00:00Z\n')).toEqual({ runId: 'r1', controller: 'ctl:42', since: '2026-01-01T00:00:00Z' });
    expect(parseLockHolder('garbage\n')).toBeNull();
  });
});
