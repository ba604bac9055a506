// Bad input through the real CLI entry point: every case exits 1 with a located, readable error and
// never a stack trace, and no host is contacted.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';

let dir: string;
let stderr: string;
let stdout: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kf-bad-'));
  stderr = '';
  stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
});

afterEach(() => vi.restoreAllMocks());

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const INVENTORY = 'all:\n  children:\n    hypervisors:\n      hosts:\n        hv01: { ansible_host: 127.0.0.1 }\n';

async function run(...args: string[]): Promise<number> {
  return main(['node', 'kernfleet', ...args]);
}

function expectNoStackTrace(): void {
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(stderr).not.toContain('internal error');
}

describe('bad input', () => {
  it('reports malformed YAML with its line and column', async () => {
    // An unclosed flow mapping on line 3.
    const playbook = file('broken.yml', '- name: x\n  hosts: all\n  sysctl: { values: { vm.swappiness: 1 }\n');
    expect(await run('validate', playbook)).toBe(1);
    expect(stderr).toMatch(new RegExp(`${playbook.replace(/[.]/g, '\\.')}:\\d+:\\d+: error:`));
    expectNoStackTrace();
  });

  it('reports an unknown key with a did-you-mean hint', async () => {
    // `sysctls` instead of `sysctl`.
    const playbook = file('typo.yml', '- name: x\n  hosts: all\n  sysctls: { values: { vm.swappiness: 1 } }\n');
    expect(await run('validate', playbook)).toBe(1);
    expect(stderr).toContain(`${playbook}:3:3: error: unknown key "sysctls"`);
    expect(stderr).toContain('did you mean "sysctl"?');
    expectNoStackTrace();
  });

  it('reports a wrong type and a value that could reach a shell', async () => {
    // modules.load must be a list of names; a name with `;` is refused.
    const playbook = file('types.yml', '- name: x\n  hosts: all\n  modules: { load: ["vfio;reboot"] }\n  sysctl: { values: "vm.swappiness=1" }\n');
    expect(await run('validate', playbook)).toBe(1);
    expect(stderr).toMatch(/types\.yml:3:\d+: error: .*vfio;reboot/);
    expect(stderr).toMatch(/types\.yml:4:\d+: error:/);
    expectNoStackTrace();
  });

  it('reports a host pattern that matches nothing in the inventory', async () => {
    // The play targets a group the inventory does not have.
    const playbook = file('pattern.yml', '- name: x\n  hosts: hypervisor\n  sysctl: { values: { vm.swappiness: 1 } }\n');
    expect(await run('plan', '-i', file('inv.yml', INVENTORY), playbook)).toBe(1);
    expect(stderr).toMatch(/pattern\.yml:2:\d+: error: .*hypervisor/);
    expect(stderr).toContain('"hypervisors"');
    expectNoStackTrace();
  });

  it('reports a missing inventory file by name', async () => {
    // A typo in -i.
    const playbook = file('ok.yml', '- name: x\n  hosts: all\n  sysctl: { values: { vm.swappiness: 1 } }\n');
    expect(await run('plan', '-i', join(dir, 'nope.yml'), playbook)).toBe(1);
    expect(stderr).toContain(join(dir, 'nope.yml'));
    expectNoStackTrace();
  });

  it('refuses a nonsensical flag value', async () => {
    // --forks must be a positive whole number.
    const playbook = file('ok.yml', '- name: x\n  hosts: all\n  sysctl: { values: { vm.swappiness: 1 } }\n');
    expect(await run('plan', '-i', file('inv.yml', INVENTORY), '--forks', 'many', playbook)).toBe(1);
    expect(stderr).toContain('--forks must be a whole number above 0, got "many"');
    expectNoStackTrace();
  });

  it('accepts the shipped playbooks', async () => {
    // The flagship and the Xen playbook against the example lab inventory.
    expect(await run('validate', '-i', 'inventories/lab.yml', 'playbooks/debvisor.yml', 'playbooks/debvisor-xen.yml')).toBe(0);
    expect(stdout).toMatch(/^ok: 5 plays, 4 hosts$/m);
  });
});
