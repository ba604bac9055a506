import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../../src/apply/events.js';
import { executePlan, INTERRUPTED_REASON, type ExecutePlanOptions } from '../../../src/apply/fleet.js';
import { createJournal, recordEvent, reopenJournal, type RunJournal } from '../../../src/apply/journal.js';
import type { Plan, Step } from '../../../src/model/index.js';
import type { Transport } from '../../../src/transport/index.js';
import { aHostPlan, aStep } from './plan-builders.js';
import { scopeStateDir, startLocalHost, type LocalHost } from './local-host.js';

const SHARED_STATE = '/var/lib/kernfleet-unit-interrupt';

let hosts: Record<string, LocalHost>;
let events: ApplyEvent[];
beforeEach(async () => {
  hosts = {};
  for (const name of ['hv01', 'hv02', 'hv03']) hosts[name] = await startLocalHost(name);
  events = [];
});
afterEach(async () => {
  for (const host of Object.values(hosts)) await host.dispose();
});

const openHost = async (name: string): Promise<Transport> => scopeStateDir(hosts[name]!, name, SHARED_STATE);
const mark = (name: string, file: string): Step['commands'][number] => ['sh', '-c', 'sleep 0.2; echo ran >> "$1"', 'sh', join(hosts[name]!.root, file)];
const aPlan = (names: string[]): Plan => ({
  format_version: '1.0',
  tool: 'kernfleet test',
  createdAt: '2026-11-23T14:00:00Z',
  manifestDigest: 'sha256:x',
  // Each step also writes a file, so that the two never share one exec (command-only steps in a row do).
  hosts: names.map((h) => aHostPlan(h, ['one', 'two'].map((id) => aStep({ id, files: [{ path: join(hosts[h]!.root, `${id}.conf`), before: null, after: `${id}\n` }], commands: [mark(h, id)] })))),
});

/** Options whose signal is aborted once `hostCount` hosts started `stepId`, as a Ctrl-C in the middle of it. */
function abortDuring(stepId: string, hostCount: number, overrides: Partial<ExecutePlanOptions> = {}): ExecutePlanOptions {
  const controller = new AbortController();
  let seen = 0;
  return {
    runId: 'run-int',
    forks: 10,
    stateDir: SHARED_STATE,
    signal: controller.signal,
    onEvent: (e) => {
      events.push(e);
      if (e.kind === 'step-started' && e.step.id === stepId && ++seen === hostCount) controller.abort();
    },
    ...overrides,
  };
}

describe('executePlan interrupted', () => {
  it('finishes the step under way, skips the rest, starts no other host and releases the lock', async () => {
    // One host at a time; the operator presses Ctrl-C while hv01 runs its first step.
    const result = await executePlan(aPlan(['hv01', 'hv02', 'hv03']), openHost, abortDuring('one', 1, { forks: 1, replanHost: async (h) => ({ plan: aHostPlan(h, []) }) }));
    expect(result.hosts.map((h) => [h.host, h.status])).toEqual([['hv01', 'interrupted'], ['hv02', 'not-started'], ['hv03', 'not-started']]);
    expect(result).toMatchObject({ interrupted: true, stopped: INTERRUPTED_REASON });
    expect(result.hosts[0]!.steps.map((s) => [s.stepId, s.status, s.message])).toEqual([['one', 'done', undefined], ['two', 'skipped', 'not run: the run was interrupted']]);
    expect(result.hosts[0]!.message).toBe('1 of 2 steps not run');
    expect(await readFile(join(hosts['hv01']!.root, 'one'), 'utf8')).toBe('ran\n');
    expect(await readdir(hosts['hv01']!.root)).not.toContain('two');
    expect(await readdir(hosts['hv02']!.root)).toEqual([]);
    await expect(stat(join(hosts['hv01']!.stateDir, 'lock'))).rejects.toThrow();
    // The interrupted host is not re-gathered: a resume does that once its steps are done.
    expect(events.filter((e) => e.kind === 'host-checking' && e.what === 'converged')).toEqual([]);
    expect(events.at(-1)).toEqual({ kind: 'rollout-stopped', reason: INTERRUPTED_REASON, notStarted: ['hv02', 'hv03'] });
  });

  it('lets hosts already running finish their step each, and starts no later batch', async () => {
    // Two hosts per batch; Ctrl-C once both run their first step, while hv03 waits for batch 2.
    const result = await executePlan(aPlan(['hv01', 'hv02', 'hv03']), openHost, abortDuring('one', 2, { serial: { kind: 'count', value: 2 } }));
    expect(result.hosts.map((h) => h.status)).toEqual(['interrupted', 'interrupted', 'not-started']);
    for (const name of ['hv01', 'hv02']) expect(await readFile(join(hosts[name]!.root, 'one'), 'utf8')).toBe('ran\n');
    expect(events.filter((e) => e.kind === 'batch-started')).toHaveLength(1);
  });

  it('is not an interruption when the signal comes after every host finished', async () => {
    // Ctrl-C arrives during the last step of the only host: nothing is left to resume.
    const result = await executePlan(aPlan(['hv01']), openHost, abortDuring('two', 1));
    expect(result.hosts.map((h) => h.status)).toEqual(['changed']);
    expect(result.interrupted).toBeUndefined();
    expect(result.stopped).toBeUndefined();
  });
});

describe('journal of an interrupted run', () => {
  it('names the hosts that never started and why the run stopped, until a resume reopens it', () => {
    // The rollout-stopped event of an interrupted run folded into a journal where hv01 ran a step.
    const plan = aPlan(['hv01', 'hv02']);
    const started: RunJournal = { ...createJournal('R', plan, 't0'), hosts: { hv01: { status: 'interrupted', steps: [{ id: 'one', status: 'done', at: 't1' }] } } };
    const stopped = recordEvent(started, { kind: 'rollout-stopped', reason: INTERRUPTED_REASON, notStarted: ['hv02'] }, 't2')!;
    expect(stopped.stopped).toBe(INTERRUPTED_REASON);
    expect(stopped.hosts['hv02']).toEqual({ status: 'not-started', steps: [], message: `not started: ${INTERRUPTED_REASON}` });
    expect(stopped.hosts['hv01']).toEqual(started.hosts['hv01']);
    const reopened = reopenJournal(stopped, 't3');
    expect(reopened).not.toHaveProperty('stopped');
    expect(reopened).toMatchObject({ updatedAt: 't3', hosts: stopped.hosts });
  });
});
