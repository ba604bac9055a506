// `kernfleet apply` and `kernfleet rollback` as an operator runs them, against the simulated fleet.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { executeHostPlan } from '../../src/apply/execute.js';
import { createJournal, journalPathOf, saveJournal, type RunJournal } from '../../src/apply/journal.js';
import { acquireHostLock } from '../../src/apply/lock.js';
import { createReplanner, createTransportOpener } from '../../src/cli/apply-command.js';
import { loadAndGather, planFleet } from '../../src/cli/pipeline.js';
import { DiagnosticError } from '../../src/errors.js';
import { sshExec } from '../fleet/clients.js';
import { startFleet, type Fleet } from '../fleet/fleet.js';
import { runKernfleet } from '../unit/apply/cli-runner.js';

// A full apply is dozens of SSH execs per host; on a loaded CI machine that can outlast the fleet default.
vi.setConfig({ testTimeout: 300_000 });

const PLAYBOOK = resolve(import.meta.dirname, '../../playbooks/debvisor.yml');
const planSchema = JSON.parse(await readFile(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8')) as object;
const validatePlan = new Ajv({ allErrors: true, strict: false }).compile(planSchema);

let fleet: Fleet;
let connection: string[];
let originalGrub: string;

beforeAll(async () => {
  // One fresh Debian 12 hypervisor, reached through the fleet's inventory, ssh config and known_hosts.
  fleet = await startFleet({ hosts: [{ name: 'hv01', variant: 'debian12' }] });
  connection = ['-i', fleet.inventoryPath, '--ssh-config', fleet.sshConfigPath, '--known-hosts', fleet.knownHostsPath];
  originalGrub = await readFile(join(fleet.hosts[0]!.root, 'etc/default/grub'), 'utf8');
});
afterAll(async () => {
  await fleet?.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('kernfleet apply / rollback', () => {
  let runId = '';

  it('refuses to apply without --yes when nobody can confirm', async () => {
    // Tests run without a terminal, as CI does.
    const result = await runKernfleet('apply', ...connection, PLAYBOOK);
    expect(result.error).toBeInstanceOf(DiagnosticError);
    expect((result.error as DiagnosticError).diagnostics[0]?.code).toBe('confirmation-required');
    expect(await readFile(join(fleet.hosts[0]!.root, 'etc/default/grub'), 'utf8')).toBe(originalGrub);
  });

  it('applies a playbook with --yes, reports convergence and keeps a journal of every step', async () => {
    // The operator applies the flagship playbook in CI mode.
    const result = await runKernfleet('apply', ...connection, '--yes', PLAYBOOK);
    expect(result.error).toBeUndefined();
    expect(result.out).toMatch(/hv01: converged \(\d+\/\d+ steps\) — reboot pending/);
    runId = /run (\S+): journal/.exec(result.out)?.[1] ?? '';
    expect(runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    const journal = JSON.parse(await readFile(join(fleet.baseDir, '.kernfleet/runs', `${runId}.json`), 'utf8')) as RunJournal;
    expect(journal.hosts['hv01']?.status).toBe('converged');
    const statuses = new Set(journal.hosts['hv01']?.steps.map((s) => s.status));
    expect([...statuses].sort()).toEqual(['done', 'reboot-pending']);
    expect(JSON.stringify(journal)).not.toMatch(/password/i);
    expect((await sshExec(fleet, 'hv01', "grep -c '^vfio_pci ' /proc/modules")).stdout.trim()).toBe('1');
  });

  it('rolls a run back: the files it changed are restored and the ones it created are gone', async () => {
    // The operator undoes the run's files with the id apply printed.
    const result = await runKernfleet('rollback', ...connection, '--run', runId);
    expect(result.error).toBeUndefined();
    expect(result.out).toContain('hv01: files restored');
    expect(result.out).toContain('restored /etc/default/grub');
    expect(result.out).toMatch(/to undo "update the boot command line/);
    expect(await readFile(join(fleet.hosts[0]!.root, 'etc/default/grub'), 'utf8')).toBe(originalGrub);
    expect(await stat(join(fleet.hosts[0]!.root, 'etc/sysctl.d/99-debvisor.conf')).catch(() => null)).toBeNull();
  });

  it('refuses a saved plan for a host that changed after planning', async () => {
    // A plan is saved, then someone changes a playbook-managed sysctl on hv01 by hand before it is applied.
    const gather = { forks: 2, acceptNewHostKeys: false, connectTimeoutMs: 15_000, commandTimeoutMs: 60_000, sshConfigPath: fleet.sshConfigPath, knownHostsPath: fleet.knownHostsPath };
    const gathered = await loadAndGather({ inventory: fleet.inventoryPath, playbooks: [PLAYBOOK], gather });
    const planPath = join(fleet.baseDir, 'plan.json');
    await writeFile(planPath, JSON.stringify(planFleet(gathered, new Date().toISOString())));
    expect((await sshExec(fleet, 'hv01', 'sysctl -w net.core.somaxconn=1024')).code).toBe(0);
    const stale = await runKernfleet('apply', ...connection, '--yes', planPath, PLAYBOOK);
    expect(stale.code).toBe(1);
    expect(stale.out).toContain('stale plan: hv01 changed since the plan was made; plan again');
    expect((await createReplanner(gathered, gather)('hv01')).plan.steps.length).toBeGreaterThan(1);
  });

  it('applies a fresh saved plan exactly', async () => {
    // Plan saved and applied with nothing in between.
    const gather = { forks: 2, acceptNewHostKeys: false, connectTimeoutMs: 15_000, commandTimeoutMs: 60_000, sshConfigPath: fleet.sshConfigPath, knownHostsPath: fleet.knownHostsPath };
    const planPath = join(fleet.baseDir, 'plan-fresh.json');
    await writeFile(planPath, JSON.stringify(planFleet(await loadAndGather({ inventory: fleet.inventoryPath, playbooks: [PLAYBOOK], gather }), new Date().toISOString())));
    const applied = await runKernfleet('apply', ...connection, '--yes', planPath, PLAYBOOK);
    expect(applied.error).toBeUndefined();
    expect(applied.out).toMatch(/hv01: converged/);
  });

  it('applies a saved plan that names its playbooks, with none on the command line', async () => {
    // The plan file says which inventory and playbooks it came from; hv01 is then changed by hand so there is work.
    const gather = { forks: 2, acceptNewHostKeys: false, connectTimeoutMs: 15_000, commandTimeoutMs: 60_000, sshConfigPath: fleet.sshConfigPath, knownHostsPath: fleet.knownHostsPath };
    expect((await sshExec(fleet, 'hv01', 'sysctl -w vm.overcommit_memory=0')).code).toBe(0);
    const gathered = await loadAndGather({ inventory: fleet.inventoryPath, playbooks: [PLAYBOOK], gather });
    const plan = planFleet(gathered, new Date().toISOString(), { inventory: fleet.inventoryPath, playbooks: [PLAYBOOK] });
    expect(validatePlan(plan), JSON.stringify(validatePlan.errors)).toBe(true);
    expect(plan.hosts[0]!.steps.map((s) => s.id)).toContain('sysctl:vm.overcommit_memory:set-live');
    const planPath = join(fleet.baseDir, 'plan-standalone.json');
    await writeFile(planPath, JSON.stringify(plan));
    const applied = await runKernfleet('apply', ...connection, '--yes', planPath);
    expect(applied.error).toBeUndefined();
    expect(applied.out).toMatch(/hv01: converged/);
    expect((await sshExec(fleet, 'hv01', 'sysctl -n vm.overcommit_memory')).stdout.trim()).toBe('1');
  });

  it('refuses a saved plan without playbooks when it does not name them', async () => {
    // A plan file from before plans named their playbooks.
    const planPath = join(fleet.baseDir, 'plan-bare.json');
    await writeFile(planPath, JSON.stringify({ format_version: '1.0', tool: 'kernfleet', createdAt: 'x', manifestDigest: 'sha256:x', hosts: [] }));
    const result = await runKernfleet('apply', ...connection, '--yes', planPath);
    expect((result.error as DiagnosticError).diagnostics[0]?.code).toBe('playbooks-required');
  });
});

describe('kernfleet apply --resume', () => {
  let resumeFleet: Fleet;
  beforeAll(async () => {
    resumeFleet = await startFleet({ hosts: [{ name: 'hv05', variant: 'debian12', overrides: { cpu: 'amd' } }] });
  });
  afterAll(async () => {
    await resumeFleet?.stop();
  });

  it('continues a run whose controller died after three steps, without repeating them', async () => {
    // A run did its first three steps, wrote its journal and died holding the host lock.
    const gather = { forks: 2, acceptNewHostKeys: false, connectTimeoutMs: 15_000, commandTimeoutMs: 60_000, sshConfigPath: resumeFleet.sshConfigPath, knownHostsPath: resumeFleet.knownHostsPath };
    const gathered = await loadAndGather({ inventory: resumeFleet.inventoryPath, playbooks: [PLAYBOOK], gather });
    const plan = planFleet(gathered, new Date().toISOString());
    const hostPlan = plan.hosts[0]!;
    const runId = '20261123T150000Z-dead01';
    const journalPath = journalPathOf(resumeFleet.inventoryPath, runId);
    let journal = createJournal(runId, plan, new Date().toISOString());
    const transport = await createTransportOpener(gathered.fleet.inventory, gather)('hv05');
    try {
      expect(await acquireHostLock(transport, { runId, become: true })).toEqual({ ok: true });
      const early = await executeHostPlan(transport, { ...hostPlan, steps: hostPlan.steps.slice(0, 3) }, { runId });
      expect(early.map((r) => r.status)).toEqual(['done', 'done', 'done']);
      journal = { ...journal, hosts: { hv05: { status: 'running', steps: early.map((r) => ({ id: r.stepId, status: r.status, at: 'then' })) } } };
      await saveJournal(journalPath, journal);
    } finally {
      await transport.close();
    }
    const resumed = await runKernfleet('apply', '-i', resumeFleet.inventoryPath, '--ssh-config', resumeFleet.sshConfigPath, '--known-hosts', resumeFleet.knownHostsPath, '--yes', '--resume', runId, PLAYBOOK);
    expect(resumed.error).toBeUndefined();
    expect(resumed.out).toContain('hv05: converged');
    const after = JSON.parse(await readFile(journalPath, 'utf8')) as RunJournal;
    const statuses = after.hosts['hv05']!.steps.map((s) => s.status);
    expect(statuses.slice(0, 3)).toEqual(['previously-done', 'previously-done', 'previously-done']);
    expect(new Set(statuses.slice(3))).toEqual(new Set(['done', 'reboot-pending']));
    expect(await stat(join(resumeFleet.hosts[0]!.root, 'var/lib/kernfleet/lock')).catch(() => null)).toBeNull();
  });
});
