// drift against the simulated fleet: real sshd, busybox host roots, the real pipeline, apply and playbook.
// kernfleet applies the flagship playbook (rebooting all hosts but one), recording each apply on the host; then operators
// change things by hand on some hosts and drift must report exactly those, with their causes, in every format.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { Command } from 'commander';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { executePlan } from '../../src/apply/fleet.js';
import { createReplanner, createTransportOpener } from '../../src/cli/apply-command.js';
import { registerDrift } from '../../src/cli/drift-command.js';
import { loadAndGather, planFleet } from '../../src/cli/pipeline.js';
import { buildDriftInput, buildDriftReport } from '../../src/drift/index.js';
import { ExitError } from '../../src/errors.js';
import type { GatherOptions } from '../../src/facts/gather.js';
import type { DriftReport } from '../../src/model/generated/drift.js';
import { sshExec } from '../fleet/clients.js';
import { startFleet, type Fleet } from '../fleet/fleet.js';

// The set-up applies the flagship playbook to eight hosts and waits for seven of them to reboot.
vi.setConfig({ hookTimeout: 400_000 });

const PLAYBOOK = resolve(import.meta.dirname, '../../playbooks/debvisor.yml');
const RUN = 'run-drift';
const HYPERVISORS = ['hv01', 'hv02', 'hv03', 'hv04', 'hv05', 'hv06', 'hv07', 'hv08', 'hv09'];
/** Applied but never rebooted afterwards. */
const NOT_REBOOTED = 'hv06';
/** Never applied at all. */
const UNAPPLIED = 'hv08';

const schema = JSON.parse(await readFile(new URL('../../schemas/drift.schema.json', import.meta.url), 'utf8')) as object;
const validateReport = new Ajv({ allErrors: true, strict: true }).compile<DriftReport>(schema);

let fleet: Fleet;
let gather: GatherOptions;
let outDir: string;

async function checkDrift(): Promise<DriftReport> {
  const gathered = await loadAndGather({ inventory: fleet.inventoryPath, playbooks: [PLAYBOOK], gather });
  const inputs = gathered.hosts.map((host) => buildDriftInput(gathered.fleet, host, gathered.results[host]!));
  return buildDriftReport(inputs, { tool: 'kernfleet test', checkedAt: new Date().toISOString(), manifestDigest: gathered.fleet.manifestDigest });
}

/** "id layer cause" per host, sorted: the exact shape of what drift found. */
function findingsByHost(report: DriftReport): Record<string, string[]> {
  return Object.fromEntries(report.hosts.map((h) => [h.host, h.findings.map((f) => `${f.id} ${f.layer} ${f.cause}`).sort()]));
}

async function run(host: string, command: string): Promise<string> {
  const result = await sshExec(fleet, host, command);
  if (result.code !== 0) throw new Error(`${host}: ${command} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** `kernfleet drift ... --format F --out FILE` through the real command; returns the exit code and the file. */
async function runDriftCommand(format: string): Promise<{ code: number; text: string }> {
  const program = new Command('kernfleet').exitOverride();
  registerDrift(program);
  const out = join(outDir, `drift.${format}`);
  const args = ['drift', '-i', fleet.inventoryPath, PLAYBOOK, '--format', format, '--out', out, '--ssh-config', fleet.sshConfigPath, '--known-hosts', fleet.knownHostsPath, '--forks', '10'];
  let code = 0;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof ExitError)) throw error;
    code = error.code;
  } finally {
    process.stdout.write = write;
  }
  return { code, text: await readFile(out, 'utf8') };
}

beforeAll(async () => {
  // Nine Debian 12 hypervisors (one a cloud image with a GRUB drop-in) and a container.
  fleet = await startFleet({
    hosts: [...HYPERVISORS.map((name) => ({ name, variant: name === 'hv04' ? ('debian12_cloud' as const) : ('debian12' as const) })), { name: 'ct01', variant: 'container' as const }],
  });
  gather = { forks: 10, acceptNewHostKeys: false, connectTimeoutMs: 15_000, commandTimeoutMs: 60_000, sshConfigPath: fleet.sshConfigPath, knownHostsPath: fleet.knownHostsPath };
  outDir = await mkdtemp(join(tmpdir(), 'kernfleet-drift-'));
  const gathered = await loadAndGather({ inventory: fleet.inventoryPath, playbooks: [PLAYBOOK], gather });
  const plan = planFleet(gathered, new Date().toISOString());
  // apply writes the record drift reads: after the reboot where it rebooted, before it where it did not.
  const open = createTransportOpener(gathered.fleet.inventory, gather);
  const options = { runId: RUN, forks: 10, replanHost: createReplanner(gathered, gather) };
  const rebooted = await executePlan({ ...plan, hosts: plan.hosts.filter((h) => h.host !== UNAPPLIED && h.host !== NOT_REBOOTED) }, open, { ...options, reboot: { timeoutMs: 120_000 } });
  const notRebooted = await executePlan({ ...plan, hosts: plan.hosts.filter((h) => h.host === NOT_REBOOTED) }, open, options);
  const notConverged = [...rebooted.hosts, ...notRebooted.hosts].filter((h) => h.status !== 'converged' && h.status !== 'skipped');
  if (notConverged.length > 0) throw new Error(`apply did not converge: ${JSON.stringify(notConverged.map((h) => [h.host, h.status, h.message]))}`);
});

afterAll(async () => {
  await fleet?.stop();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('drift on the simulated fleet', () => {
  it('right after apply: clean, except the reboot left pending, the host never applied and the container', async () => {
    // Nothing was touched since the apply.
    const report = await checkDrift();
    expect(Object.fromEntries(report.hosts.map((h) => [h.host, h.status]))).toEqual({
      ...Object.fromEntries(HYPERVISORS.map((h) => [h, 'clean'])),
      [NOT_REBOOTED]: 'drifted',
      [UNAPPLIED]: 'drifted',
      ct01: 'skipped',
    });
    expect(findingsByHost(report)[NOT_REBOOTED]).toEqual(['boot:cmdline:reboot live reboot-pending']);
    expect(new Set(report.hosts.find((h) => h.host === UNAPPLIED)?.findings.map((f) => f.cause))).toEqual(new Set(['never-applied']));
    expect(report.hosts.find((h) => h.host === 'hv01')?.lastApply).toMatchObject({ run: RUN, playbookChanged: false });
  });

  describe('after changes by hand', () => {
    let report: DriftReport;

    beforeAll(async () => {
      // One hand change per host, as an operator would make it.
      await run('hv01', 'modprobe -r vhost_net');
      await run('hv02', 'sysctl -w vm.overcommit_memory=0');
      await run('hv03', "printf '# local tuning\\nnet.core.somaxconn = 4096\\n' > /etc/sysctl.d/zz-local.conf");
      await run('hv04', "sed -i 's/ kvm.ignore_msrs=1 kvm.report_ignored_msrs=0//' /etc/default/grub.d/50-cloudimg-settings.cfg");
      // A new file renamed over the old one, as a package upgrade does (host roots share unchanged files).
      await run('hv05', "c=/boot/config-$(uname -r); sed 's/^CONFIG_VFIO_PCI=.*/# CONFIG_VFIO_PCI is not set/' $c > $c.new && mv $c.new $c");
      await run('hv09', "printf 'GRUB_CMDLINE_LINUX=\"console=ttyS0,115200\"\\n' > /etc/default/grub.d/99-serial.cfg");
      report = await checkDrift();
    });

    it('reports exactly the changed items, each with its cause', () => {
      // The hosts left alone stay clean; every changed host shows its change and nothing else.
      const found = findingsByHost(report);
      expect(found['hv01']).toEqual(['module:vhost_net:load live module-unloaded']);
      expect(found['hv02']).toEqual(['sysctl:vm.overcommit_memory:set-live live changed-since-apply']);
      expect(found['hv03']).toEqual(['sysctl:net.core.somaxconn:persist persisted shadowed']);
      expect(found['hv04']).toEqual([
        'cmdline:kvm.ignore_msrs:update-bootloader persisted changed-since-apply',
        'cmdline:kvm.report_ignored_msrs:update-bootloader persisted changed-since-apply',
      ]);
      expect(found['hv05']).toEqual(['kconfig:CONFIG_VFIO_PCI:rebuild-kernel running-kernel kernel-changed']);
      expect(found[NOT_REBOOTED]).toEqual(['boot:cmdline:reboot live reboot-pending']);
      expect(found['hv07']).toEqual([]);
      expect(found['hv09']).toEqual(
        ['default_hugepagesz', 'hugepages', 'hugepagesz', 'intel_iommu', 'iommu'].map((k) => `cmdline:${k}:update-bootloader persisted dropin-override`),
      );
    });

    it('points at the host file and line responsible', () => {
      // The shadowing sysctl.d file, the edited cloud drop-in and the new drop-in.
      const finding = (host: string, id: string) => report.hosts.find((h) => h.host === host)?.findings.find((f) => f.id === id);
      expect(finding('hv03', 'sysctl:net.core.somaxconn:persist')).toMatchObject({ actual: '4096', expected: '32768', source: { file: '/etc/sysctl.d/zz-local.conf', line: 2 } });
      expect(finding('hv04', 'cmdline:kvm.ignore_msrs:update-bootloader')?.source?.file).toBe('/etc/default/grub.d/50-cloudimg-settings.cfg');
      expect(finding('hv09', 'cmdline:iommu:update-bootloader')).toMatchObject({ source: { file: '/etc/default/grub.d/99-serial.cfg', line: 1 } });
      expect(finding('hv05', 'kconfig:CONFIG_VFIO_PCI:rebuild-kernel')?.detail).toContain('CONFIG_VFIO_PCI was m');
    });

    it('says the same in every format through the CLI, exiting 2 for drift', async () => {
      // json, prometheus, markdown and text, each written with --out.
      const json = await runDriftCommand('json');
      expect(json.code).toBe(2);
      const parsed = JSON.parse(json.text) as DriftReport;
      expect(validateReport(parsed), JSON.stringify(validateReport.errors)).toBe(true);
      expect(findingsByHost(parsed)).toEqual(findingsByHost(report));

      const families = parsePrometheusTextFormat((await runDriftCommand('prometheus')).text);
      const counts = families.find((f) => f.name === 'kernfleet_drift_findings')?.metrics ?? [];
      for (const host of parsed.hosts.filter((h) => h.status !== 'error')) {
        const total = counts.filter((m) => m.labels?.host === host.host).reduce((sum, m) => sum + Number(m.value), 0);
        expect(total, host.host).toBe(host.findings.length);
      }
      const pending = families.find((f) => f.name === 'kernfleet_reboot_pending')?.metrics.filter((m) => m.value === '1').map((m) => m.labels?.host);
      expect(pending).toEqual([NOT_REBOOTED]);

      const markdown = (await runDriftCommand('markdown')).text;
      const text = (await runDriftCommand('text')).text;
      for (const cause of ['module-unloaded', 'changed-since-apply', 'shadowed', 'dropin-override', 'kernel-changed', 'reboot-pending', 'never-applied']) {
        expect(markdown).toContain(`**${cause}**`);
        expect(text).toContain(`[${cause}]`);
      }
      expect(text).toContain('/etc/sysctl.d/zz-local.conf:2');
      expect(text).toMatch(/^hv07: clean$/m);
    });
  });
});
