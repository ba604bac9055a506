// kernfleet end to end on a real Debian 12 kernel: plan, apply, reboot, drift and rollback with the built
// CLI as a child process, exactly as an operator runs it, against one VM booted once for the whole file.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/model/index.js';
import { startVm, type Vm } from './vm.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin', 'kernfleet.js');
const PLAYBOOK = join(ROOT, 'playbooks', 'debvisor.yml');
const WANTED_MODULES = ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'vhost_net', 'br_netfilter', 'overlay'];
const EXACT_SYSCTLS: Record<string, string> = {
  'net.ipv4.ip_forward': '1',
  'net.ipv6.conf.all.forwarding': '1',
  'net.bridge.bridge-nf-call-iptables': '1',
  'net.bridge.bridge-nf-call-ip6tables': '1',
  'vm.overcommit_memory': '1',
};
const FLOOR_SYSCTLS: Record<string, bigint> = {
  'fs.file-max': 2097152n,
  'fs.inotify.max_user_watches': 524288n,
  'fs.inotify.max_user_instances': 8192n,
  'net.core.somaxconn': 32768n,
  'net.ipv4.tcp_max_syn_backlog': 32768n,
};
const CMDLINE_SET = ['iommu=pt', 'default_hugepagesz=1G', 'hugepagesz=1G', 'hugepages=1', 'kvm.ignore_msrs=1', 'kvm.report_ignored_msrs=0'];
const MANAGED_FILES = ['/etc/sysctl.d/99-debvisor.conf', '/etc/modules-load.d/debvisor.conf', '/etc/modprobe.d/debvisor-kvm.conf'];

const execFileAsync = promisify(execFile);
// A reboot under TCG on a loaded 2-core box can take 4+ minutes, plus a probe before and after it.
const REBOOT_TEST_TIMEOUT_MS = 1_200_000;
let vm: Vm;
let originalGrub = '';
let kvmModule = '';
const phaseStarted = Date.now();
let phaseMark = phaseStarted;

interface CliResult { code: number; stdout: string; stderr: string }

beforeAll(async () => {
  // The build and the boot are independent: overlap them to save a minute.
  const [, started] = await Promise.all([
    execFileAsync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT }),
    startVm({ hostVars: { hugepages_1g: 1 } }),
  ]);
  vm = started;
  logPhase(`build + boot (power-on to SSH ${vm.timings.bootMs} ms)`);
});

afterAll(async () => {
  await vm?.stop();
  console.log(`e2e: total ${Date.now() - phaseStarted} ms`);
});

function logPhase(name: string): void {
  const now = Date.now();
  console.log(`e2e phase: ${name}: ${now - phaseMark} ms`);
  phaseMark = now;
}

async function kernfleet(...args: string[]): Promise<CliResult> {
  const connection = ['-i', vm.inventoryPath, '--known-hosts', vm.knownHostsPath];
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, ...connection], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function sh(command: string): Promise<string> {
  const result = await vm.ssh(command);
  expect(result, `${command}: ${result.stderr}`).toMatchObject({ code: 0 });
  return result.stdout.trim();
}

async function readLoadedModules(): Promise<string[]> {
  return (await sh('cut -d" " -f1 /proc/modules')).split('\n');
}

/** Live value of a sysctl, null when the key does not exist (yet). */
async function readSysctl(key: string): Promise<string | null> {
  const result = await vm.ssh(`cat /proc/sys/${key.replace(/\./g, '/')}`);
  return result.code === 0 ? result.stdout.trim() : null;
}

async function planJson(): Promise<Plan['hosts'][number]> {
  const result = await kernfleet('plan', PLAYBOOK, '--format', 'json');
  expect(result.code, result.stderr).toBe(0);
  const plan = JSON.parse(result.stdout) as Plan;
  expect(plan.hosts.map((h) => h.host)).toEqual(['debvm']);
  return plan.hosts[0]!;
}

async function readBootId(): Promise<string> {
  return sh('cat /proc/sys/kernel/random/boot_id');
}

describe.sequential('kernfleet on a Debian 12 VM', () => {
  it('plans exactly what the real kernel lacks', async () => {
    // A fresh bookworm install: Debian's config has every required option; some modules, sysctls and the
    // whole command line are missing, and the playbook's CPU play follows the emulated CPU's vendor.
    originalGrub = await sh('base64 -w0 /etc/default/grub');
    const loaded = await readLoadedModules();
    const vendor = await sh("awk -F': ' '/^vendor_id/ { print $2; exit }' /proc/cpuinfo");
    kvmModule = vendor === 'AuthenticAMD' ? 'kvm_amd' : 'kvm_intel';
    const expectedLoads = WANTED_MODULES.filter((m) => !loaded.includes(m));
    const expectedLive: string[] = [];
    for (const [key, value] of Object.entries(EXACT_SYSCTLS)) if ((await readSysctl(key)) !== value) expectedLive.push(key);
    for (const [key, floor] of Object.entries(FLOOR_SYSCTLS)) if (BigInt((await readSysctl(key)) ?? '0') < floor) expectedLive.push(key);

    const host = await planJson();
    expect(host.status).toBe('ok');
    expect(host.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(host.changes.filter((c) => c.area === 'kconfig' || c.area === 'kernel')).toEqual([]);
    expect(host.changes.filter((c) => c.blocked !== undefined)).toEqual([]);
    const subjectsOf = (action: string, area: string): string[] =>
      host.changes.filter((c) => c.action === action && c.area === area).map((c) => c.subject).sort();
    expect(subjectsOf('load', 'module')).toEqual([...expectedLoads].sort());
    expect(subjectsOf('set-live', 'sysctl')).toEqual([...expectedLive].sort());

    const files = host.steps.flatMap((s) => s.files);
    const fileAt = (path: string): string => files.find((f) => f.path === path)?.after ?? '';
    expect(fileAt('/etc/modprobe.d/debvisor-kvm.conf')).toMatch(new RegExp(`^options ${kvmModule} nested=1$`, 'm'));
    expect(fileAt('/etc/modules-load.d/debvisor.conf').split('\n')).toEqual(expect.arrayContaining(WANTED_MODULES));
    const grubAfter = fileAt('/etc/default/grub');
    const linux = /^GRUB_CMDLINE_LINUX="(.*)"$/m.exec(grubAfter)?.[1]?.split(' ') ?? [];
    const linuxDefault = /^GRUB_CMDLINE_LINUX_DEFAULT="(.*)"$/m.exec(grubAfter)?.[1]?.split(' ') ?? [];
    // The image's own arguments (serial console, no_timer_check) stay first and untouched.
    expect(linux).toEqual([...vm.image.cmdline, 'iommu=pt', 'default_hugepagesz=1G', 'hugepagesz=1G', 'hugepages=1']);
    expect(linuxDefault).toEqual(['quiet', 'kvm.ignore_msrs=1', 'kvm.report_ignored_msrs=0']);
    expect(host.steps.some((s) => s.commands.some((argv) => argv.includes('update-grub')))).toBe(true);
    expect(host.steps.map((s) => s.id).filter((id) => id === 'reboot')).toEqual(['reboot']);
    expect(host.steps.at(-1)).toMatchObject({ id: 'reboot', restart: 'system' });
    logPhase('plan');
  });

  it('applies everything but the reboot, and a second plan has only the reboot left', async () => {
    // apply --yes without --reboot: the live state and every file change now, the command line waits.
    const applied = await kernfleet('apply', PLAYBOOK, '--yes');
    expect([0, 2], `${applied.stdout}\n${applied.stderr}`).toContain(applied.code);

    expect(await readLoadedModules()).toEqual(expect.arrayContaining(WANTED_MODULES));
    expect(await readSysctl('net.bridge.bridge-nf-call-iptables')).toBe('1');
    expect(await readSysctl('net.bridge.bridge-nf-call-ip6tables')).toBe('1');
    expect(await readSysctl('vm.overcommit_memory')).toBe('1');
    for (const path of MANAGED_FILES) expect(await sh(`head -n1 ${path}`), path).toMatch(/^# Managed by kernfleet/);
    // The default entry gets GRUB_CMDLINE_LINUX and _DEFAULT; recovery entries only GRUB_CMDLINE_LINUX.
    const linuxLines = (await sh("grep -E '^[[:space:]]*linux[[:space:]]' /boot/grub/grub.cfg")).split('\n');
    expect(linuxLines[0]!.split(/\s+/)).toEqual(expect.arrayContaining(CMDLINE_SET));
    for (const line of linuxLines) expect(line.split(/\s+/)).toEqual(expect.arrayContaining(CMDLINE_SET.filter((p) => !p.startsWith('kvm.'))));
    expect(await sh('cat /proc/cmdline')).not.toMatch(/iommu=pt/);

    const again = await planJson();
    expect(again.steps).toEqual([expect.objectContaining({ id: 'reboot', restart: 'system', files: [] })]);
    logPhase('apply');
  });

  it('reboots through apply --reboot into the new command line, with modules and sysctls persisted', async () => {
    // The only step left is the reboot: apply --reboot sends it and waits for a new boot id.
    const bootBefore = await readBootId();
    const rebooted = await kernfleet('apply', PLAYBOOK, '--yes', '--reboot');
    expect(rebooted.code, `${rebooted.stdout}\n${rebooted.stderr}`).toBe(0);
    expect(await readBootId()).not.toBe(bootBefore);

    const cmdline = (await sh('cat /proc/cmdline')).split(' ');
    expect(cmdline).toEqual(expect.arrayContaining(CMDLINE_SET));
    expect(await readLoadedModules()).toEqual(expect.arrayContaining(WANTED_MODULES));
    for (const [key, value] of Object.entries(EXACT_SYSCTLS)) expect(await readSysctl(key), key).toBe(value);
    expect(await sh(`cat /sys/module/${kvmModule}/parameters/nested`)).toMatch(/^(1|Y)$/);

    const converged = await kernfleet('plan', PLAYBOOK, '--detailed-exitcode');
    expect(converged.code, converged.stdout).toBe(0);
    logPhase('apply --reboot + verify');
  }, REBOOT_TEST_TIMEOUT_MS);

  it('reports exactly the two hand changes as drift', async () => {
    // An operator unloads a module and lowers a sysctl by hand: drift names those two and nothing else.
    const inUse = Number(await sh("awk '$1 == \"overlay\" { print $3 }' /proc/modules"));
    const module = inUse === 0 ? 'overlay' : 'vhost_net';
    await sh(`modprobe -r ${module}`);
    await sh('sysctl -w vm.overcommit_memory=0');

    const drift = await kernfleet('drift', PLAYBOOK, '--format', 'json');
    expect(drift.code, drift.stderr).toBe(2);
    const report = JSON.parse(drift.stdout) as { hosts: { host: string; status: string; findings: { area: string; subject: string; layer: string; expected: string | null; actual: string | null; cause: string }[] }[] };
    expect(report.hosts.map((h) => h.host)).toEqual(['debvm']);
    const host = report.hosts[0]!;
    expect(host.status).toBe('drifted');
    const findings = [...host.findings].sort((a, b) => a.area.localeCompare(b.area));
    expect(findings).toEqual([
      expect.objectContaining({ area: 'module', subject: module, layer: 'live', cause: 'module-unloaded' }),
      expect.objectContaining({ area: 'sysctl', subject: 'vm.overcommit_memory', layer: 'live', expected: '1', actual: '0', cause: 'changed-since-apply' }),
    ]);
    logPhase('drift');
  });

  it('rolls the first run back: /etc/default/grub byte for byte, and the next boot without iommu=pt', async () => {
    // The first apply's journal names its run; rollback restores that run's backups and deletes its files.
    const runsDir = join(dirname(vm.inventoryPath), '.kernfleet', 'runs');
    const runs = (await readdir(runsDir)).filter((f) => f.endsWith('.json')).sort();
    expect(runs).toHaveLength(2);
    const firstRun = JSON.parse(await readFile(join(runsDir, runs[0]!), 'utf8')) as { runId: string; hosts: Record<string, { steps: { id: string }[] }> };
    expect(firstRun.hosts.debvm?.steps.length).toBeGreaterThan(1);

    const rollback = await kernfleet('rollback', '--run', firstRun.runId);
    expect(rollback.code, `${rollback.stdout}\n${rollback.stderr}`).toBe(0);
    expect(await sh('base64 -w0 /etc/default/grub')).toBe(originalGrub);
    for (const path of MANAGED_FILES) expect(await sh(`test -e ${path} && echo kept || echo gone`), path).toBe('gone');
    // rollback only prints the commands that make restored files take effect: the operator runs them.
    expect(rollback.stdout).toMatch(/update-grub/);
    await sh('update-grub 2>&1');
    expect(await sh("grep -cE '^[[:space:]]*linux[[:space:]].*iommu=pt' /boot/grub/grub.cfg || true")).toBe('0');

    // The machine was last rebooted by kernfleet itself: vm.reboot() must still wait for a boot after this one.
    const bootBefore = await readBootId();
    await vm.reboot();
    expect(await readBootId()).not.toBe(bootBefore);
    const cmdline = (await sh('cat /proc/cmdline')).split(' ');
    expect(cmdline).not.toContain('iommu=pt');
    expect(cmdline).not.toContain('hugepages=1');
    expect(cmdline).toEqual(expect.arrayContaining(vm.image.cmdline));
    logPhase(`rollback + reboot (${vm.timings.rebootMs.at(-1)} ms to SSH)`);
  }, REBOOT_TEST_TIMEOUT_MS);
});
