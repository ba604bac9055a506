import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../../src/apply/events.js';
import { executePlan, type ExecutePlanOptions } from '../../../src/apply/fleet.js';
import { acquireHostLock } from '../../../src/apply/lock.js';
import type { HostPlan, Plan, Step } from '../../../src/model/index.js';
import type { Transport } from '../../../src/transport/index.js';
import { aHostPlan, aStep } from './plan-builders.js';
import { scopeStateDir, startLocalHost, type LocalHost } from './local-host.js';

const SHARED_STATE = '/var/lib/kernfleet-unit-test';

let hosts: Record<string, LocalHost>;
let events: ApplyEvent[];
let open: Record<string, number>;
let peak: number;
beforeEach(async () => {
  hosts = {};
  for (const name of ['hv01', 'hv02', 'hv03', 'hv04']) hosts[name] = await startLocalHost(name);
  events = [];
  open = {};
  peak = 0;
});
afterEach(async () => {
  for (const host of Object.values(hosts)) await host.dispose();
});

async function openHost(name: string): Promise<Transport> {
  open[name] = (open[name] ?? 0) + 1;
  const inUse = Object.keys(open).length - events.filter((e) => e.kind === 'host-finished').length;
  peak = Math.max(peak, inUse);
  return scopeStateDir(hosts[name]!, name, SHARED_STATE);
}

const mark = (name: string, file: string): Step['commands'][number] => ['sh', '-c', 'sleep 0.05; echo ran >> "$1"', 'sh', join(hosts[name]!.root, file)];
const fail: Step['commands'][number] = ['false'];
const aPlan = (hostPlans: HostPlan[]): Plan => ({ format_version: '1.0', tool: 'kernfleet test', createdAt: '2026-11-23T14:00:00Z', manifestDigest: 'sha256:x', hosts: hostPlans });
const base = (overrides: Partial<ExecutePlanOptions> = {}): ExecutePlanOptions => ({ runId: 'run-1', forks: 10, stateDir: SHARED_STATE, onEvent: (e) => void events.push(e), ...overrides });
const converged = (host: string): HostPlan => aHostPlan(host, []);

describe('executePlan', () => {
  it('applies every host at most --forks at a time, each under its lock, and reports convergence', async () => {
    // Four hosts, two at a time; the re-plan after apply finds nothing left.
    const plan = aPlan(['hv01', 'hv02', 'hv03', 'hv04'].map((h) => aHostPlan(h, [aStep({ id: 'one', commands: [mark(h, 'one')] })])));
    const result = await executePlan(plan, openHost, base({ forks: 2, replanHost: async (h) => ({ plan: converged(h) }) }));
    expect(result.hosts.map((h) => [h.host, h.status])).toEqual([['hv01', 'converged'], ['hv02', 'converged'], ['hv03', 'converged'], ['hv04', 'converged']]);
    expect(peak).toBe(2);
    for (const name of Object.keys(hosts)) {
      expect(await readFile(join(hosts[name]!.root, 'one'), 'utf8')).toBe('ran\n');
      await expect(stat(join(hosts[name]!.stateDir, 'lock'))).rejects.toThrow();
    }
  });

  it('stops the rollout after a failed batch exceeds --max-fail, leaving later hosts untouched', async () => {
    // One host per batch and no failure tolerated: hv01 fails, so hv02.. never start.
    const plan = aPlan([aHostPlan('hv01', [aStep({ id: 'bad', commands: [fail] })]), ...['hv02', 'hv03'].map((h) => aHostPlan(h, [aStep({ id: 'one', commands: [mark(h, 'one')] })]))]);
    const result = await executePlan(plan, openHost, base({ serial: { kind: 'count', value: 1 }, maxFail: { kind: 'count', value: 0 } }));
    expect(result.hosts.map((h) => h.status)).toEqual(['failed', 'not-started', 'not-started']);
    expect(result.stopped).toContain('1 of 3 hosts failed');
    expect(events.find((e) => e.kind === 'rollout-stopped')).toMatchObject({ notStarted: ['hv02', 'hv03'] });
    expect(open['hv02']).toBeUndefined();
  });

  it('lets other hosts go on when a failure stays within --max-fail', async () => {
    // A 50% budget of four hosts tolerates two failures.
    const plan = aPlan([aHostPlan('hv01', [aStep({ id: 'bad', commands: [fail] })]), ...['hv02', 'hv03', 'hv04'].map((h) => aHostPlan(h, [aStep({ id: 'one', commands: [mark(h, 'one')] })]))]);
    const result = await executePlan(plan, openHost, base({ serial: { kind: 'count', value: 2 }, maxFail: { kind: 'percent', value: 50 } }));
    expect(result.hosts.map((h) => h.status)).toEqual(['failed', 'changed', 'changed', 'changed']);
    expect(result.stopped).toBeUndefined();
  });

  it('refuses a host whose fingerprint changed since a saved plan, without running anything', async () => {
    // hv01 was changed by hand after `plan --out`; hv02 was not.
    const plan = aPlan(['hv01', 'hv02'].map((h) => aHostPlan(h, [aStep({ id: 'one', commands: [mark(h, 'one')] })])));
    const replanHost = async (h: string) => ({ plan: { ...converged(h), fingerprint: h === 'hv01' ? 'sha256:other' : 'sha256:test' } });
    const result = await executePlan(plan, openHost, base({ checkStale: true, replanHost }));
    expect(result.hosts.map((h) => h.status)).toEqual(['stale', 'converged']);
    expect(result.hosts[0]?.message).toBe('stale plan: hv01 changed since the plan was made; plan again');
    await expect(readFile(join(hosts['hv01']!.root, 'one'))).rejects.toThrow();
  });

  it('reports a host locked by another run and leaves that lock alone', async () => {
    // Someone else's apply holds hv01.
    await mkdir(hosts['hv01']!.stateDir, { recursive: true });
    await acquireHostLock(hosts['hv01']!.transport, { runId: 'other-run', become: false, stateDir: hosts['hv01']!.stateDir });
    const plan = aPlan([aHostPlan('hv01', [aStep({ id: 'one', commands: [mark('hv01', 'one')] })])]);
    const result = await executePlan(plan, openHost, base());
    expect(result.hosts[0]).toMatchObject({ status: 'locked' });
    expect(result.hosts[0]?.message).toContain('locked by run other-run');
    expect(await readdir(join(hosts['hv01']!.stateDir, 'lock'))).toEqual(['holder']);
  });

  it('skips containers and unplannable hosts without connecting, and does not connect for empty plans', async () => {
    // A container, a host that could not be gathered, and a host already in the wanted state.
    const container: HostPlan = { ...aHostPlan('hv01', [aStep({ id: 'one' })]), status: 'skipped' };
    // A host never gathered has no fingerprint; one gathered whose plan is an error (a play conflict) has one.
    const broken: HostPlan = { ...aHostPlan('hv02', []), fingerprint: '', status: 'error', diagnostics: [{ severity: 'error', code: 'ssh-unreachable', message: 'hv02: ECONNREFUSED' }] };
    const conflicted: HostPlan = { ...aHostPlan('hv04', [aStep({ id: 'one' })]), status: 'error', diagnostics: [{ severity: 'error', code: 'conflict', message: 'vm.swappiness is set two ways' }] };
    const result = await executePlan(aPlan([container, broken, converged('hv03'), conflicted]), openHost, base());
    expect(result.hosts.map((h) => [h.status, h.message])).toEqual([
      ['skipped', 'container: kernel operations are skipped'],
      ['unreachable', 'hv02: ECONNREFUSED'],
      ['unchanged', undefined],
      ['failed', 'vm.swappiness is set two ways'],
    ]);
    expect(open).toEqual({});
  });

  it('calls a host converged when only the reboot is left, and changed when other steps remain', async () => {
    // After apply, hv01's re-plan holds only the reboot, hv02's still holds a sysctl step.
    const plan = aPlan(['hv01', 'hv02'].map((h) => aHostPlan(h, [aStep({ id: 'one', commands: [mark(h, 'one')] })])));
    const replanHost = async (h: string) => ({ plan: aHostPlan(h, h === 'hv01' ? [aStep({ id: 'reboot' })] : [aStep({ id: 'sysctl:vm.swappiness:live' }), aStep({ id: 'reboot' })]) });
    const result = await executePlan(plan, openHost, base({ replanHost }));
    expect(result.hosts.map((h) => [h.status, h.remaining])).toEqual([['converged', ['reboot']], ['changed', ['sysctl:vm.swappiness:live', 'reboot']]]);
    expect(result.hosts[1]?.message).toBe('not converged: the re-plan still has sysctl:vm.swappiness:live');
  });

  it('reports a host with an unconfirmed high-risk step as needing manual work', async () => {
    // The only step is a kernel upgrade and nobody is at the keyboard.
    const plan = aPlan([aHostPlan('hv01', [aStep({ id: 'kernel:upgrade', risk: 'high', autoExecute: false, commands: [mark('hv01', 'x')] })])]);
    const result = await executePlan(plan, openHost, base({ replanHost: async (h) => ({ plan: converged(h) }) }));
    expect(result.hosts[0]).toMatchObject({ status: 'manual', message: 'left to an operator: kernel:upgrade' });
  });
});
