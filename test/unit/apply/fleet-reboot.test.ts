import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../../src/apply/events.js';
import { executePlan, type ExecutePlanOptions, type Replanned } from '../../../src/apply/fleet.js';
import { createJournal, createJournalWriter, listDoneSteps, listUnfinishedReboots } from '../../../src/apply/journal.js';
import { readLastApply } from '../../../src/drift/last-apply.js';
import type { HostPlan, Plan } from '../../../src/model/index.js';
import { aDesired, aProfile } from '../../builders.js';
import { FakeRebootingHost } from './fake-rebooting-host.js';
import { scopeStateDir, startLocalHost, type LocalHost } from './local-host.js';
import { aHostPlan, aStep } from './plan-builders.js';

const SHARED_STATE = '/var/lib/kernfleet-unit-test';
const NAMES = ['hv01', 'hv02', 'hv03'];
const BACKOFF = { initialMs: 20, maxMs: 60 };

let locals: Record<string, LocalHost>;
let fakes: Record<string, FakeRebootingHost>;
let events: ApplyEvent[];

async function startHosts(downMs: Record<string, number>): Promise<void> {
  for (const name of NAMES) {
    locals[name] = await startLocalHost(name);
    fakes[name] = new FakeRebootingHost(name, { downMs: downMs[name] ?? 150, fallback: scopeStateDir(locals[name]!, name, SHARED_STATE) });
  }
}

beforeEach(() => {
  locals = {};
  fakes = {};
  events = [];
});
afterEach(async () => {
  for (const host of Object.values(locals)) await host.dispose();
});

const open = (name: string) => fakes[name]!.open();
const aPlan = (hostPlans: HostPlan[]): Plan => ({ format_version: '1.0', tool: 'kernfleet test', createdAt: '2026-11-23T14:00:00Z', manifestDigest: 'sha256:x', hosts: hostPlans });
const rebootPlan = (host: string): HostPlan => aHostPlan(host, [aStep({ id: 'one', commands: [['true']] }), aStep({ id: 'reboot', commands: [['reboot']], verify: [['true']] })]);
const converged = async (host: string): Promise<Replanned> => ({ plan: aHostPlan(host, []) });
const options = (overrides: Partial<ExecutePlanOptions> = {}): ExecutePlanOptions => ({
  runId: 'run-r',
  forks: 10,
  stateDir: SHARED_STATE,
  onEvent: (e) => void events.push(e),
  replanHost: converged,
  reboot: { timeoutMs: 3_000, backoff: BACKOFF },
  ...overrides,
});

describe('executePlan --reboot', () => {
  it('with --serial 1 reboots one host at a time: each goes down only after the previous one came back', async () => {
    // Three hosts that need a reboot, one per batch.
    await startHosts({});
    const result = await executePlan(aPlan(NAMES.map(rebootPlan)), open, options({ serial: { kind: 'count', value: 1 } }));
    expect(result.hosts.map((h) => [h.host, h.status])).toEqual(NAMES.map((h) => [h, 'converged']));
    for (const [i, name] of NAMES.entries()) {
      expect(fakes[name]!.rebootedAt).toHaveLength(1);
      if (i > 0) expect(fakes[name]!.rebootedAt[0]).toBeGreaterThanOrEqual(fakes[NAMES[i - 1]!]!.bootChangedAt[0]! + 150);
    }
    expect(result.hosts[0]!.steps.map((s) => [s.stepId, s.status])).toEqual([['one', 'done'], ['reboot', 'done']]);
  });

  it('without --serial reboots the batch in parallel, and verifies each host on its new connection', async () => {
    // The same three hosts in one batch.
    await startHosts({});
    const result = await executePlan(aPlan(NAMES.map(rebootPlan)), open, options());
    expect(result.hosts.map((h) => h.status)).toEqual(['converged', 'converged', 'converged']);
    const firstBack = Math.min(...NAMES.map((n) => fakes[n]!.bootChangedAt[0]! + 150));
    for (const name of NAMES) expect(fakes[name]!.rebootedAt[0]).toBeLessThan(firstBack);
    const reboot = result.hosts[0]!.steps.find((s) => s.stepId === 'reboot')!;
    expect(reboot.commands.map((c) => [c.phase, c.argv[0], c.code])).toEqual([['run', 'reboot', 0], ['verify', 'true', 0]]);
  });

  it('stops the rollout at a host that does not come back, and a resume neither repeats its reboot nor its steps', async () => {
    // hv01 stays down 1.5 s but the timeout is 0.5 s; nothing may fail (--max-fail 0).
    await startHosts({ hv01: 1_500 });
    const plan = aPlan(NAMES.map(rebootPlan));
    const writer = createJournalWriter(join(locals['hv01']!.root, 'journal.json'), createJournal('run-r', plan, '2026-11-23T14:00:00Z'));
    const first = await executePlan(plan, open, options({ serial: { kind: 'count', value: 1 }, maxFail: { kind: 'count', value: 0 }, reboot: { timeoutMs: 500, backoff: BACKOFF }, onEvent: writer.onEvent }));
    expect(first.hosts.map((h) => [h.host, h.status, h.message])).toEqual([
      ['hv01', 'failed', 'reboot: did not come back within 1 s'],
      ['hv02', 'not-started', 'not started: the rollout stopped'],
      ['hv03', 'not-started', 'not started: the rollout stopped'],
    ]);
    // The host keeps this run's lock: only the resumed run may take it.
    expect(await stat(join(locals['hv01']!.stateDir, 'lock')).then(() => true)).toBe(true);
    const journal = writer.current();
    expect(listUnfinishedReboots(journal)).toEqual({ hv01: 'boot-1' });
    const resumed = await executePlan(plan, open, options({
      previouslyDone: Object.fromEntries(NAMES.map((h) => [h, listDoneSteps(journal, h)])),
      bootIdsBefore: listUnfinishedReboots(journal),
    }));
    expect(resumed.hosts.map((h) => h.status)).toEqual(['converged', 'converged', 'converged']);
    expect(NAMES.map((n) => fakes[n]!.rebootedAt.length)).toEqual([1, 1, 1]);
    expect(resumed.hosts[0]!.steps.map((s) => [s.stepId, s.status])).toEqual([['one', 'previously-done'], ['reboot', 'done']]);
    await expect(stat(join(locals['hv01']!.stateDir, 'lock'))).rejects.toThrow();
  });

  it('reboots a host whose re-plan still shows a reboot pending although its plan had none', async () => {
    // The plan only wrote a file; the re-plan finds the boot configuration differs from /proc/cmdline.
    await startHosts({});
    let replans = 0;
    const replanHost = async (host: string): Promise<Replanned> => {
      replans += 1;
      return { plan: aHostPlan(host, fakes[host]!.rebootedAt.length === 0 ? [aStep({ id: 'reboot', commands: [['reboot']] })] : []) };
    };
    const result = await executePlan(aPlan([aHostPlan('hv02', [aStep({ id: 'one', commands: [['true']] })])]), open, options({ replanHost }));
    expect(result.hosts[0]).toMatchObject({ status: 'converged', remaining: [] });
    expect(result.hosts[0]!.steps.map((s) => [s.stepId, s.status])).toEqual([['one', 'done'], ['reboot', 'done']]);
    expect(fakes['hv02']!.rebootedAt).toHaveLength(1);
    expect(replans).toBe(2);
  });

  it('records the apply in the host ledger after the final re-gather, keeping the command-line ledger', async () => {
    // The re-gathered profile has kernfleet's command-line ledger and the wanted sysctl live.
    await startHosts({});
    const ledgerPath = `${SHARED_STATE}/ledger.json`;
    const existing = `${JSON.stringify({ format_version: '1.0', cmdline: { added: { iommu: 'pt' } } }, null, 2)}\n`;
    const desired = aDesired({ sysctl: { values: { 'vm.swappiness': { value: '10', source: { file: 'p.yml', line: 3, col: 5 } } } } });
    const profile = aProfile({ host: 'hv03', kernfleet: { ledger: { path: ledgerPath, content: existing } }, sysctl: { live: { 'vm.swappiness': '10' } } });
    await mkdir(locals['hv03']!.stateDir, { recursive: true });
    await writeFile(join(locals['hv03']!.stateDir, 'ledger.json'), existing);
    const replanHost = async (host: string): Promise<Replanned> => ({ plan: aHostPlan(host, []), after: { profile, desired } });
    const result = await executePlan(aPlan([rebootPlan('hv03')]), open, options({ replanHost }));
    expect(result.hosts[0]!.status, result.hosts[0]!.message).toBe('converged');
    const written = await readFile(join(locals['hv03']!.stateDir, 'ledger.json'), 'utf8');
    expect(JSON.parse(written).cmdline).toEqual({ added: { iommu: 'pt' } });
    const { lastApply } = readLastApply({ ...profile, kernfleet: { ledger: { path: ledgerPath, content: written } } });
    expect(lastApply).toMatchObject({ run: 'run-r', state: { sysctl: { 'vm.swappiness': '10' } } });
    // The backup keeps the host path below the run's backup directory (here the host path is the mapped one).
    const stateDir = locals['hv03']!.stateDir;
    expect(await readFile(join(stateDir, 'backups/run-r', stateDir, 'ledger.json'), 'utf8')).toBe(existing);
  });
});

describe('executePlan apply record', () => {
  it('fails the host rather than leave drift a wrong record when the ledger changed under it', async () => {
    // Someone rewrote the ledger between the final re-gather and the record.
    await startHosts({});
    await mkdir(locals['hv01']!.stateDir, { recursive: true });
    await writeFile(join(locals['hv01']!.stateDir, 'ledger.json'), '{"format_version":"1.0","cmdline":{"added":{"quiet":null}}}\n');
    const profile = aProfile({ host: 'hv01', kernfleet: { ledger: { path: `${SHARED_STATE}/ledger.json`, content: '{}\n' } } });
    const replanHost = async (host: string): Promise<Replanned> => ({ plan: aHostPlan(host, []), after: { profile, desired: aDesired() } });
    const result = await executePlan(aPlan([aHostPlan('hv01', [aStep({ id: 'one', commands: [['true']] })])]), open, options({ replanHost }));
    expect(result.hosts[0]).toMatchObject({ status: 'failed' });
    expect(result.hosts[0]!.message).toMatch(/^cannot write the apply record: .*changed on the host since the plan was made/);
  });
});
