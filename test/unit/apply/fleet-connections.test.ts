// How many connections apply opens per host: none for a host whose fresh plan holds only the reboot
// (without --reboot there is nothing to run), and one for a host with work, its re-plan included.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executePlan, type Replanned } from '../../../src/apply/fleet.js';
import type { Plan } from '../../../src/model/index.js';
import type { Transport } from '../../../src/transport/index.js';
import { aHostPlan, aStep } from './plan-builders.js';
import { scopeStateDir, startLocalHost, type LocalHost } from './local-host.js';

const STATE = '/var/lib/kernfleet-unit-connections';
let host: LocalHost;
let opened: string[];
beforeEach(async () => {
  host = await startLocalHost('hv01');
  opened = [];
});
afterEach(() => host.dispose());

const open = async (name: string): Promise<Transport> => {
  opened.push(name);
  return scopeStateDir(host, name, STATE);
};
const rebootOnly = aHostPlan('hv01', [aStep({ id: 'reboot', commands: [['reboot']], verify: [['true']] })]);
const aPlan = (hosts: Plan['hosts']): Plan => ({ format_version: '1.0', tool: 'kernfleet test', createdAt: '2026-11-23T14:00:00Z', manifestDigest: 'sha256:x', hosts });

describe('connections apply opens', () => {
  it('reports a host with only a pending reboot as converged without connecting to it', async () => {
    // A converged fleet right after an apply: every host's fresh plan is the reboot, and --reboot is not given.
    const replanned: string[] = [];
    const result = await executePlan(aPlan([rebootOnly]), open, { runId: 'run-c1', forks: 2, stateDir: STATE, replanHost: async (h) => (replanned.push(h), { plan: rebootOnly }) });
    expect(opened).toEqual([]);
    expect(replanned).toEqual([]);
    expect(result.hosts[0]).toMatchObject({ host: 'hv01', status: 'converged', remaining: ['reboot'], message: 'reboot pending' });
    expect(result.hosts[0]?.steps.map((s) => [s.stepId, s.status])).toEqual([['reboot', 'reboot-pending']]);
  });

  it('still checks a saved plan of only a reboot against the host', async () => {
    // The same plan loaded from a file: the stale check has to reach the host.
    const result = await executePlan(aPlan([rebootOnly]), open, { runId: 'run-c2', forks: 2, stateDir: STATE, checkStale: true, replanHost: async () => ({ plan: rebootOnly }) });
    expect(opened).toEqual(['hv01']);
    expect(result.hosts[0]?.status).toBe('converged');
  });

  it('re-plans a host through the connection its steps ran on', async () => {
    // One step, then the convergence check: the re-plan is handed the open connection.
    const through: (Transport | undefined)[] = [];
    const replanHost = async (h: string, transport?: Transport): Promise<Replanned> => {
      through.push(transport);
      return { plan: aHostPlan(h, []) };
    };
    const result = await executePlan(aPlan([aHostPlan('hv01', [aStep({ id: 'one', commands: [['true']] })])]), open, { runId: 'run-c3', forks: 2, stateDir: STATE, replanHost });
    expect(result.hosts[0]?.status).toBe('converged');
    expect(opened).toEqual(['hv01']);
    expect(through).toHaveLength(1);
    expect(through[0]?.host).toBe('hv01');
  });
});
