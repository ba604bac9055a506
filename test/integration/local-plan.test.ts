// The README's first command, in-process: the flagship playbook planned against this very machine through
// the local connection. What must hold depends on the kernel it runs on, so the test reads the facts it
// relies on straight from /proc itself and checks the plan agrees with them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAndGather, planFleet } from '../../src/cli/pipeline.js';
import type { HostPlan, Plan } from '../../src/model/index.js';

const root = join(import.meta.dirname, '..', '..');
let plan: Plan;
let local: HostPlan;

beforeAll(async () => {
  const gathered = await loadAndGather({
    inventory: join(root, 'inventories', 'local.yml'),
    playbooks: [join(root, 'playbooks', 'debvisor.yml')],
    gather: { forks: 1, acceptNewHostKeys: false, connectTimeoutMs: 10_000, commandTimeoutMs: 60_000 },
  });
  plan = planFleet(gathered, new Date().toISOString());
  local = plan.hosts[0]!;
}, 120_000);

describe('plan of the flagship playbook on this machine', () => {
  it('produces a plan document that validates against plan.schema.json', () => {
    // The JSON `--out` would save.
    const schema = JSON.parse(readFileSync(join(root, 'schemas', 'plan.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(JSON.parse(JSON.stringify(plan))), JSON.stringify(validate.errors)).toBe(true);
    expect(plan.hosts.map((h) => h.host)).toEqual(['localhost']);
    expect(local.status).not.toBe('error');
  });

  it('plans modprobe only if this kernel can load modules at all', () => {
    // /proc/modules exists exactly when the kernel was built with CONFIG_MODULES.
    const loads = local.steps.filter((s) => s.id.startsWith('module:') && s.id.endsWith(':load'));
    const blockedLoads = local.changes.filter((c) => c.action === 'load' && c.blocked);
    if (existsSync('/proc/modules')) {
      expect(blockedLoads.filter((c) => /CONFIG_MODULES/.test(c.blocked ?? ''))).toEqual([]);
    } else {
      expect(loads).toEqual([]);
      expect(blockedLoads.length).toBeGreaterThan(0);
      for (const c of blockedLoads) expect(c.blocked).toMatch(/CONFIG_MODULES|not available/);
    }
  });

  it('plans a live write for exactly the sysctls whose /proc/sys value differs or is below its floor', () => {
    // Compare with /proc/sys read here, not through kernfleet; the playbook's limits are floors (`min`), the rest exact.
    const exact: Record<string, string> = { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1', 'vm.overcommit_memory': '1' };
    const floors: Record<string, bigint> = {
      'fs.inotify.max_user_instances': 8192n, 'fs.inotify.max_user_watches': 524288n, 'net.core.somaxconn': 32768n,
      'net.ipv4.tcp_max_syn_backlog': 32768n, 'fs.file-max': 2097152n,
    };
    const liveOf = (key: string) => {
      const path = `/proc/sys/${key.replace(/\./g, '/')}`;
      return existsSync(path) ? readFileSync(path, 'utf8').trim() : null;
    };
    const differing = [
      ...Object.entries(exact).filter(([key, value]) => liveOf(key) !== null && liveOf(key) !== value),
      ...Object.entries(floors).filter(([key, min]) => liveOf(key) !== null && BigInt(liveOf(key)!) < min),
    ].map(([key]) => `sysctl:${key}:set-live`);
    const planned = local.steps.map((s) => s.id).filter((id) => id.startsWith('sysctl:') && id.endsWith(':set-live') && !id.includes('net.bridge'));
    expect(planned.sort()).toEqual(differing.sort());
  });

  it('never plans a boot loader update where there is no boot loader', () => {
    // A Firecracker-style VM boots its kernel directly: the command line is not ours to edit.
    const hasLoader = existsSync('/etc/default/grub') || existsSync('/etc/kernel/cmdline') || existsSync('/etc/update-extlinux.conf');
    if (!hasLoader) {
      expect(local.steps.map((s) => s.id)).not.toContain('bootloader:update');
      const cmdline = local.changes.filter((c) => c.area === 'cmdline');
      for (const c of cmdline) expect(c.blocked).toMatch(/bootloader|boot loader/);
    } else {
      expect(local.changes.filter((c) => c.area === 'cmdline' && !c.blocked).length + local.satisfied).toBeGreaterThan(0);
    }
  });
});
