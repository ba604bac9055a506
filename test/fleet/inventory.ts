// The files a fleet hands to its users: an Ansible YAML inventory, a known_hosts file and an ssh config
// usable with `ssh -F`.
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { FleetHost } from './fleet.js';

export function renderInventory(hosts: FleetHost[], keyPath: string): string {
  const entry = (h: FleetHost) => ({
    ansible_host: h.address,
    ansible_port: h.port,
    ansible_user: h.user,
    ansible_ssh_private_key_file: keyPath,
    ...(h.user === 'root' ? {} : { ansible_become: true }),
  });
  const byVariant: Record<string, { hosts: Record<string, null> }> = {};
  for (const h of hosts) (byVariant[h.variant] ??= { hosts: {} }).hosts[h.name] = null;
  const all = Object.fromEntries(hosts.map((h) => [h.name, null]));
  return stringify({
    all: {
      hosts: Object.fromEntries(hosts.map((h) => [h.name, entry(h)])),
      // The flagship playbook targets `hypervisors`: every simulated host is one.
      children: { hypervisors: { hosts: all }, ...byVariant },
    },
  });
}

export function renderKnownHosts(hosts: FleetHost[], hostPublicKey: string): string {
  const [type, key] = hostPublicKey.split(' ');
  return hosts.map((h) => `${h.port === 22 ? h.address : `[${h.address}]:${h.port}`} ${type} ${key}\n`).join('');
}

export function renderSshConfig(hosts: FleetHost[], keyPath: string, knownHostsPath: string): string {
  return hosts
    .map((h) =>
      [
        `Host ${h.name}`,
        `  HostName ${h.address}`,
        `  Port ${h.port}`,
        `  User ${h.user}`,
        `  IdentityFile ${keyPath}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHostsPath}`,
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '  LogLevel ERROR',
        '',
      ].join('\n'),
    )
    .join('\n');
}

export async function writeFleetFiles(
  paths: { inventory: string; knownHosts: string; sshConfig: string },
  hosts: FleetHost[],
  keys: { clientKey: string; hostPublicKey: string },
): Promise<void> {
  await Promise.all([
    writeFile(paths.inventory, renderInventory(hosts, keys.clientKey)),
    writeFile(paths.knownHosts, renderKnownHosts(hosts, keys.hostPublicKey)),
    writeFile(paths.sshConfig, renderSshConfig(hosts, keys.clientKey, paths.knownHosts)),
  ]);
}
