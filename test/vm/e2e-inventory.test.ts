// The host variables the end-to-end suite gives the VM's inventory, checked without booting anything.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import { renderInventory } from './vm.js';

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function loadRendered(hostVars: Record<string, unknown>): Promise<Awaited<ReturnType<typeof loadInventory>>['inventory']> {
  const dir = await mkdtemp(join(tmpdir(), 'kernfleet-vm-hostvars-'));
  dirs.push(dir);
  const path = join(dir, 'inventory.yml');
  await writeFile(path, renderInventory({ host: '127.0.0.1', port: 40022, user: 'root', keyPath: '/cache/id_ed25519', knownHostsPath: join(dir, 'known_hosts') }, hostVars));
  return (await loadInventory(path)).inventory;
}

describe('inventory host vars', () => {
  it('carries hugepages_1g to kernfleet as a variable of host debvm', async () => {
    // The flagship playbook's 16 x 1 GiB pages do not fit the 2 GiB VM: the suite lowers them per host.
    const inventory = await loadRendered({ hugepages_1g: 1 });
    const host = inventory.hosts.find((h) => h.name === 'debvm');
    expect(host?.vars).toMatchObject({ hugepages_1g: 1 });
  });

  it('never lets a host var redirect the connection away from the VM', async () => {
    // A stray ansible_port in the options must not send kernfleet to another machine's SSH port.
    const inventory = await loadRendered({ ansible_port: 22, ansible_host: '10.0.0.1' });
    const host = inventory.hosts.find((h) => h.name === 'debvm');
    expect(host?.connection).toMatchObject({ address: '127.0.0.1', port: 40022 });
  });
});
