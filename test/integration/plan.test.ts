// The read-only pipeline end to end (load → gather over real SSH → diff → plan) with the flagship playbook,
// against one simulated host of every variant. The per-host outline is a reviewed snapshot
// (expected/plan-fleet.json, rewritten with UPDATE_SNAPSHOTS=1); the facts that matter most are also
// asserted one by one below, so a snapshot refresh cannot quietly accept a wrong plan.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAndGather, planFleet } from '../../src/cli/pipeline.js';
import type { HostPlan, Plan } from '../../src/model/index.js';
import { startFleet, type Fleet } from '../fleet/fleet.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const EXPECTED = join(here, 'expected', 'plan-fleet.json');

let fleet: Fleet;
let plan: Plan;

beforeAll(async () => {
  fleet = await startFleet({
    hosts: [
      { name: 'hv-intel', variant: 'debian12' },
      { name: 'hv-amd', variant: 'debian12', overrides: { cpu: 'amd' } },
      { name: 'hv-cloud', variant: 'debian12_cloud' },
      // A later sysctl.d file (sorted after ours) that sets vm.overcommit_memory back to 0.
      { name: 'hv-shadow', variant: 'debian12', overrides: { files: { '/etc/sysctl.d/99-zz-local.conf': '# local tuning\nvm.overcommit_memory = 0\n' } } },
      { name: 'hv-rhel', variant: 'rhel9' },
      { name: 'hv-alpine', variant: 'alpine318' },
      { name: 'hv-novfio', variant: 'no_vfio' },
      { name: 'hv-monolithic', variant: 'no_modules' },
      { name: 'ct-1', variant: 'container' },
      { name: 'wsl-1', variant: 'wsl2' },
      { name: 'hv-nosudo', variant: 'no_sudo' },
      { name: 'hv-done', variant: 'converged' },
    ],
  });
  const gathered = await loadAndGather({
    inventory: fleet.inventoryPath,
    playbooks: [join(root, 'playbooks', 'debvisor.yml')],
    gather: { forks: 16, acceptNewHostKeys: false, connectTimeoutMs: 15_000, commandTimeoutMs: 60_000, knownHostsPath: fleet.knownHostsPath },
  });
  plan = planFleet(gathered, '2026-01-01T00:00:00.000Z');
}, 240_000);

afterAll(async () => {
  await fleet?.stop();
});

function host(name: string): HostPlan {
  const found = plan.hosts.find((h) => h.host === name);
  if (!found) throw new Error(`no plan for ${name}`);
  return found;
}

function stepIds(name: string): string[] {
  return host(name).steps.map((s) => s.id);
}

function fileAfter(name: string, path: string): string | null | undefined {
  return host(name).steps.flatMap((s) => s.files).find((f) => f.path === path)?.after;
}

/** What a reviewer checks per host: status, steps with risk, what cannot be done, diagnostic codes. */
function outline(h: HostPlan) {
  return {
    status: h.status,
    steps: h.steps.map((s) => `${s.risk} ${s.autoExecute ? '' : 'manual '}${s.id}`),
    blocked: h.changes.filter((c) => c.blocked).map((c) => c.id),
    diagnostics: [...new Set(h.diagnostics.map((d) => `${d.severity} ${d.code}`))],
    satisfied: h.satisfied,
  };
}

describe('plan against every fleet variant', () => {
  it('matches the reviewed outline of every host', () => {
    // One outline per host; the fingerprints differ per run and are checked separately.
    const actual = Object.fromEntries(plan.hosts.map((h) => [h.host, outline(h)]));
    if (process.env['UPDATE_SNAPSHOTS'] === '1' || !existsSync(EXPECTED)) writeFileSync(EXPECTED, JSON.stringify(actual, null, 2) + '\n');
    expect(actual).toEqual(JSON.parse(readFileSync(EXPECTED, 'utf8')));
  });

  it('plans loads, persistence, sysctls and the GRUB line for a fresh Intel host, reboot last', () => {
    // A stock Debian 12 host with GRUB: everything is doable.
    const ids = stepIds('hv-intel');
    for (const m of ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'vhost_net', 'br_netfilter', 'overlay']) expect(ids).toContain(`module:${m}:load`);
    expect(ids.at(-1)).toBe('reboot');
    expect(ids.indexOf('module:br_netfilter:load')).toBeLessThan(ids.indexOf('sysctl:net.bridge.bridge-nf-call-iptables:set-live'));
    expect(fileAfter('hv-intel', '/etc/default/grub')).toMatch(/^GRUB_CMDLINE_LINUX="iommu=pt default_hugepagesz=1G hugepagesz=1G hugepages=16 intel_iommu=on"$/m);
    expect(fileAfter('hv-intel', '/etc/modprobe.d/debvisor-kvm.conf')).toContain('options kvm_intel nested=1');
    expect(host('hv-intel').steps.find((s) => s.id === 'bootloader:update')?.commands).toEqual([['update-grub']]);
    expect(host('hv-intel').fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('uses kvm_amd and no intel_iommu on an AMD host', () => {
    // The same Debian host with AuthenticAMD in /proc/cpuinfo.
    expect(fileAfter('hv-amd', '/etc/modprobe.d/debvisor-kvm.conf')).toContain('options kvm_amd nested=1');
    expect(fileAfter('hv-amd', '/etc/default/grub')).not.toContain('intel_iommu');
  });

  it('edits the cloud drop-in that decides GRUB_CMDLINE_LINUX_DEFAULT, not the main file', () => {
    // Ubuntu-style cloud image: /etc/default/grub.d/50-cloudimg-settings.cfg overrides _DEFAULT.
    const dropin = fileAfter('hv-cloud', '/etc/default/grub.d/50-cloudimg-settings.cfg');
    expect(dropin).toMatch(/GRUB_CMDLINE_LINUX_DEFAULT="[^"]*kvm\.ignore_msrs=1 kvm\.report_ignored_msrs=0"/);
  });

  it('reports the sysctl that a later file shadows, naming file and line', () => {
    // 99-zz-local.conf sorts after 99-debvisor.conf and would win at boot.
    const d = host('hv-shadow').diagnostics.find((x) => x.code === 'sysctl-overridden');
    expect(d?.message).toContain('/etc/sysctl.d/99-zz-local.conf:2');
    expect(host('hv-shadow').status).toBe('error');
  });

  it('blocks the kernel upgrade on RHEL 9 and uses grubby with BLS', () => {
    // CentOS Stream 9's 5.14 kernel is below the 5.15 floor.
    expect(host('hv-rhel').changes.find((c) => c.id === 'kernel:release:upgrade-kernel')?.blocked).toMatch(/kernel upgrade required/);
    const boot = host('hv-rhel').steps.find((s) => s.id === 'bootloader:update');
    expect(boot?.commands.some((c) => c[0] === 'grubby')).toBe(true);
  });

  it('persists modules in /etc/modules and runs update-extlinux on Alpine', () => {
    // Alpine 3.18 with extlinux.
    expect(fileAfter('hv-alpine', '/etc/modules')).toMatch(/^vfio_pci$/m);
    expect(host('hv-alpine').steps.find((s) => s.id === 'bootloader:update')?.commands).toEqual([['update-extlinux']]);
  });

  it('plans a manual kernel rebuild where CONFIG_VFIO_PCI is unset, and blocks vfio_pci', () => {
    // The kernel lacks the option: only a rebuild helps, never automatically.
    const rebuild = host('hv-novfio').steps.find((s) => s.id === 'kernel:rebuild');
    expect(rebuild).toMatchObject({ risk: 'high', autoExecute: false });
    expect(rebuild?.runbook?.some((l) => l.includes('CONFIG_VFIO_PCI'))).toBe(true);
    expect(host('hv-novfio').changes.find((c) => c.id === 'module:vfio_pci:load')?.blocked).toMatch(/not available/);
  });

  it('plans no modprobe on a kernel without CONFIG_MODULES', () => {
    // Everything is built in: nothing to load, options can only go on the command line.
    expect(stepIds('hv-monolithic').filter((id) => id.endsWith(':load'))).toEqual([]);
    expect(host('hv-monolithic').changes.find((c) => c.subject === 'kvm_intel.nested')?.blocked).toMatch(/built into/);
  });

  it('skips the container and leaves WSL command-line changes to Windows', () => {
    // Containers share the host kernel; WSL's kernel and command line belong to Windows.
    expect(host('ct-1')).toMatchObject({ status: 'skipped', steps: [] });
    const wslCmdline = host('wsl-1').changes.filter((c) => c.area === 'cmdline');
    expect(wslCmdline.length).toBeGreaterThan(0);
    for (const c of wslCmdline) expect(c.blocked).toMatch(/wslconfig/);
    expect(host('wsl-1').diagnostics.map((d) => d.code)).toContain('kconfig-unknown');
  });

  it('gathers a non-root host without sudo and says root is needed', () => {
    // The login user has sudo only with a password and no password is in the inventory.
    const h = host('hv-nosudo');
    expect(h.fingerprint).not.toBe('');
    expect(h.status).toBe('error');
    expect(h.diagnostics.find((d) => d.code === 'root-required')?.message).toMatch(/kfleet is not root and sudo asks for a password/);
  });

  it('has nothing to do on a converged host', () => {
    // Already in the flagship state and booted with it.
    expect(host('hv-done')).toMatchObject({ status: 'ok', steps: [] });
    expect(host('hv-done').satisfied).toBeGreaterThan(100);
  });
});
