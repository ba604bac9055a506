// The files a fleet writes for its users, rendered from host lists without starting anything.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { FleetHost } from './fleet.js';
import { renderInventory, renderKnownHosts, renderSshConfig } from './inventory.js';

const hosts: FleetHost[] = [
  { name: 'hv1', variant: 'debian12', address: '127.0.10.1', port: 22, user: 'root', root: '/x/hv1' },
  { name: 'hv2', variant: 'no_sudo', address: '127.0.10.2', port: 22, user: 'kfleet', root: '/x/hv2' },
  { name: 'hv3', variant: 'debian12', address: '127.0.10.3', port: 2222, user: 'root', root: '/x/hv3' },
];

describe('fleet files', () => {
  it('writes an Ansible inventory with a group per variant and all hosts as hypervisors', () => {
    // Two variants, one host needing become.
    const inventory = parse(renderInventory(hosts, '/k/id_ed25519'));
    expect(inventory.all.hosts.hv2).toEqual({
      ansible_host: '127.0.10.2',
      ansible_port: 22,
      ansible_user: 'kfleet',
      ansible_ssh_private_key_file: '/k/id_ed25519',
      ansible_become: true,
    });
    expect(inventory.all.hosts.hv1.ansible_become).toBeUndefined();
    expect(Object.keys(inventory.all.children.debian12.hosts)).toEqual(['hv1', 'hv3']);
    expect(Object.keys(inventory.all.children.hypervisors.hosts)).toEqual(['hv1', 'hv2', 'hv3']);
  });

  it('brackets known_hosts entries only for ports other than 22', () => {
    // OpenSSH looks up [addr]:port for non-standard ports.
    expect(renderKnownHosts(hosts, 'ssh-ed25519 AAAAkey comment')).toBe(
      '127.0.10.1 ssh-ed25519 AAAAkey\n127.0.10.2 ssh-ed25519 AAAAkey\n[127.0.10.3]:2222 ssh-ed25519 AAAAkey\n',
    );
  });

  it('writes an ssh config with strict host key checking per host', () => {
    // ssh -F this file must reach hv3 on its port with the fleet key.
    const config = renderSshConfig(hosts, '/k/id', '/k/known_hosts');
    expect(config).toContain('Host hv3\n  HostName 127.0.10.3\n  Port 2222\n  User root\n  IdentityFile /k/id\n');
    expect(config.match(/StrictHostKeyChecking yes/g)).toHaveLength(3);
  });
});
