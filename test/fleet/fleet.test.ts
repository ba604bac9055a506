// The harness's promise: a mixed fleet on real sshd, each host with its own kernel state that the
// ssh client and ssh2 both see, and commands that change exactly the host they run on.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { connectSsh2, ssh2Exec, sshExec } from './clients.js';
import { startFleet, VARIANTS, type Fleet, type FleetHost } from './fleet.js';
import { getVariantSpec } from './variants.js';

const PROBE = 'uname -r; echo ---; cat /proc/cmdline; echo ---; cat /proc/modules 2>/dev/null; echo ---; uname -n';

async function expectedProbe(host: FleetHost): Promise<string> {
  const read = (path: string) => readFile(join(host.root, path), 'utf8').catch(() => '');
  return [
    `${getVariantSpec(host.variant).release}\n`,
    await read('proc/cmdline'),
    await read('proc/modules'),
    `${host.name}\n`,
  ].join('---\n');
}

function hostOf(fleet: Fleet, name: string): FleetHost {
  const host = fleet.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`no host ${name}`);
  return host;
}

describe('a fleet of 20 hosts of every variant', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    // Two hosts of each variant, the second of each with an AMD CPU.
    fleet = await startFleet({
      hosts: VARIANTS.flatMap((variant) => [
        // A reboot window long enough to observe on a loaded machine.
        { name: `${variant.replaceAll('_', '-')}-1`, variant, overrides: { rebootSeconds: 5 } },
        { name: `${variant.replaceAll('_', '-')}-2`, variant, overrides: { cpu: 'amd' as const } },
      ]),
    });
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('writes an Ansible inventory with one loopback address per host', async () => {
    // The inventory is what kernfleet will be pointed at.
    const inventory = parse(await readFile(fleet.inventoryPath, 'utf8'));
    const hosts = inventory.all.hosts as Record<string, Record<string, unknown>>;
    expect(Object.keys(hosts)).toHaveLength(20);
    expect(new Set(Object.values(hosts).map((h) => h.ansible_host)).size).toBe(20);
    expect(hosts['debian12-1']).toMatchObject({ ansible_host: '127.0.10.1', ansible_user: 'root', ansible_ssh_private_key_file: fleet.keyPath });
    expect(hosts['no-sudo-1']).toMatchObject({ ansible_user: 'kfleet', ansible_become: true });
    expect(Object.keys(inventory.all.children.rhel9.hosts)).toEqual(['rhel9-1', 'rhel9-2']);
  });

  it('shows each host its own release, command line and modules through the ssh client', async () => {
    // Every host answers the same probe over OpenSSH with what its own root holds.
    await Promise.all(
      fleet.hosts.map(async (host) => {
        const result = await sshExec(fleet, host.name, PROBE);
        expect(result.code, `${host.name}: ${result.stderr}`).toBe(0);
        expect(result.stdout).toBe(await expectedProbe(host));
      }),
    );
    const cmdlines = await Promise.all(fleet.hosts.map((h) => readFile(join(h.root, 'proc/cmdline'), 'utf8')));
    expect(new Set(cmdlines).size).toBeGreaterThan(5);
  });

  it('shows each host its own state through ssh2', async () => {
    // The same probe through the library kernfleet's transport is built on.
    await Promise.all(
      fleet.hosts.map(async (host) => {
        const client = await connectSsh2(fleet, host);
        try {
          const result = await ssh2Exec(client, PROBE);
          expect(result.code, `${host.name}: ${result.stderr}`).toBe(0);
          expect(result.stdout).toBe(await expectedProbe(host));
        } finally {
          client.end();
        }
      }),
    );
  });

  it('accepts files over SFTP into the host root', async () => {
    // ssh2's SFTP lands in the root of the host connected to, for root and for the no-sudo user.
    for (const name of ['rhel9-1', 'no-sudo-1']) {
      const host = hostOf(fleet, name);
      const client = await connectSsh2(fleet, host);
      try {
        const target = host.user === 'root' ? '/etc/sysctl.d/50-sftp.conf' : '/home/kfleet/note';
        await new Promise<void>((resolve, reject) =>
          client.sftp((error, sftp) => (error ? reject(error) : sftp.writeFile(target, `written to ${name}\n`, (e) => (e ? reject(e) : resolve())))),
        );
        expect(await readFile(join(host.root, target), 'utf8')).toBe(`written to ${name}\n`);
      } finally {
        client.end();
      }
    }
  });

  it('loads a module on one host only', async () => {
    // vfio_pci and its dependencies appear in debian12-1's /proc/modules, not in its twin's.
    const before = await sshExec(fleet, 'debian12-2', 'cat /proc/modules');
    const load = await sshExec(fleet, 'debian12-1', 'modprobe vfio-pci && lsmod');
    expect(load.code).toBe(0);
    expect(load.stdout).toMatch(/^vfio_pci\s+\d+\s+0$/m);
    expect(load.stdout).toMatch(/^vfio\s+\d+\s+1 vfio_pci_core$/m);
    expect((await sshExec(fleet, 'debian12-2', 'cat /proc/modules')).stdout).toBe(before.stdout);
  });

  it('sets a live sysctl on one host only', async () => {
    // sysctl -w changes debian12-1's /proc/sys, not debian12-2's.
    const write = await sshExec(fleet, 'debian12-1', 'sysctl -w vm.swappiness=10');
    expect(write).toMatchObject({ code: 0, stdout: 'vm.swappiness = 10\n' });
    expect((await sshExec(fleet, 'debian12-1', 'sysctl -n vm.swappiness')).stdout).toBe('10\n');
    expect((await sshExec(fleet, 'debian12-2', 'sysctl -n vm.swappiness')).stdout).toBe('60\n');
  });

  it('regenerates grub.cfg from /etc/default/grub on one host, effective after its reboot', async () => {
    // A parameter added to GRUB_CMDLINE_LINUX reaches grub.cfg at update-grub and /proc/cmdline at reboot,
    // together with the persisted sysctls and modules-load.d entries; the live-only sysctl is gone.
    const host = 'debian12-1';
    const setup = await sshExec(
      fleet,
      host,
      [
        `sed -i 's/^GRUB_CMDLINE_LINUX=""/GRUB_CMDLINE_LINUX="iommu=pt"/' /etc/default/grub`,
        'update-grub 2>/dev/null',
        'echo br_netfilter > /etc/modules-load.d/debvisor.conf',
        'echo "net.ipv4.ip_forward = 1" > /etc/sysctl.d/99-debvisor.conf',
        'cat /proc/sys/kernel/random/boot_id',
      ].join(' && '),
    );
    expect(setup.code, setup.stderr).toBe(0);
    const grub = await readFile(join(hostOf(fleet, host).root, 'boot/grub/grub.cfg'), 'utf8');
    expect(grub).toMatch(/^\tlinux\t\/boot\/vmlinuz-6\.1\.0-50-amd64 root=\S+ ro iommu=pt quiet$/m);
    expect((await sshExec(fleet, host, 'cat /proc/cmdline')).stdout).not.toContain('iommu=pt');
    const twinGrub = await readFile(join(hostOf(fleet, 'debian12-2').root, 'boot/grub/grub.cfg'), 'utf8');
    expect(twinGrub).not.toContain('iommu=pt');

    const reboot = await sshExec(fleet, host, 'reboot');
    expect(reboot.code).toBe(0);
    // While the host is down, sessions are dropped.
    const during = await sshExec(fleet, host, 'true');
    expect(during.code).not.toBe(0);
    let after = during;
    for (let i = 0; i < 50 && after.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await sshExec(fleet, host, 'cat /proc/sys/kernel/random/boot_id; cat /proc/cmdline; sysctl -n vm.swappiness net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables; lsmod');
    }
    expect(after.code, after.stderr).toBe(0);
    const [bootId, cmdline, swappiness, forward, bridge] = after.stdout.split('\n');
    expect(bootId).not.toBe(setup.stdout.trim());
    expect(cmdline).toMatch(/ ro iommu=pt quiet$/);
    expect([swappiness, forward, bridge]).toEqual(['60', '1', '1']);
    expect(after.stdout).toMatch(/^br_netfilter\s/m);
    expect(after.stdout).not.toMatch(/^vfio_pci\s/m);
  });
});
