import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/diff/index.js';
import { aDesired, aProfile, at } from '../../builders.js';

const busyDesired = aDesired({
  kernel: { config: { CONFIG_VFIO_PCI: { want: 'm', level: 'required', source: at(1) } } },
  modules: { load: { vfio_pci: at(2) } },
  sysctl: { values: { 'net.ipv4.ip_forward': { value: '1', source: at(3) } } },
});

describe('environment gating', () => {
  it('blocks every change in a container and says why once', () => {
    // A Docker container that shares the host's kernel.
    const profile = aProfile({ env: { container: true, containerKind: 'docker' } });
    const result = diffHost(busyDesired, profile);
    expect(result.changes.length).toBeGreaterThan(0);
    expect(new Set(result.changes.map((c) => c.blocked))).toEqual(new Set(['kernel operations not available in containers (they share the host kernel)']));
    expect(result.diagnostics[0]).toMatchObject({ code: 'container-skipped', message: expect.stringContaining('(docker)') });
  });

  it('lets modules load on WSL but blocks a kernel rebuild', () => {
    // WSL2 with a readable config that lacks CONFIG_VFIO_PCI; vfio_pci is still listed as available.
    const profile = aProfile({ env: { wsl: true }, kernel: { release: '5.15.153.1-microsoft-standard-WSL2', config: { CONFIG_VFIO_PCI: 'n' } }, boot: { loader: 'none' } });
    const result = diffHost(busyDesired, profile);
    expect(result.changes.find((c) => c.action === 'rebuild-kernel')?.blocked).toContain('.wslconfig');
    expect(result.changes.find((c) => c.id === 'module:vfio_pci:load')?.blocked).toBeUndefined();
    expect(result.changes.find((c) => c.id === 'sysctl:net.ipv4.ip_forward:set-live')?.blocked).toBeUndefined();
  });
});
