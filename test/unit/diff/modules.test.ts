import { describe, expect, it } from 'vitest';
import { diffHost } from '../../../src/diff/index.js';
import { aDesired, aProfile, at } from '../../builders.js';

const ids = (r: { changes: { id: string }[] }) => r.changes.map((c) => c.id);

describe('module loads', () => {
  it('loads and persists a module that is available but neither loaded nor persisted', () => {
    // vfio_pci ships with Debian's kernel and nothing loads it yet.
    const result = diffHost(aDesired({ modules: { load: { vfio_pci: at(20) } } }), aProfile());
    expect(ids(result)).toEqual(['module:vfio_pci:load', 'module:vfio_pci:persist']);
    expect(result.changes[0]).toMatchObject({ layer: 'live', risk: 'low', autoExecute: true, rollback: 'modprobe -r vfio_pci', source: at(20) });
    expect(result.changes[1]).toMatchObject({ layer: 'persisted', to: '/etc/modules-load.d/debvisor.conf' });
    expect(result.satisfied).toBe(0);
  });

  it('counts a built-in module and a loaded, persisted one as satisfied', () => {
    // overlay is built in on this kernel; kvm_intel is loaded and listed in /etc/modules.
    const profile = aProfile({ modules: { builtin: ['overlay'], loadFiles: [{ path: '/etc/modules', content: 'kvm_intel\n' }] } });
    const result = diffHost(aDesired({ modules: { load: { overlay: at(1), kvm_intel: at(2) } } }), profile);
    expect(result.changes).toEqual([]);
    expect(result.satisfied).toBe(2);
  });

  it('blocks every load on a kernel without CONFIG_MODULES', () => {
    // A monolithic kernel: nothing can be loaded, built-in drivers still count.
    const profile = aProfile({ kernel: { modulesSupported: false }, modules: { builtin: ['kvm'] } });
    const result = diffHost(aDesired({ modules: { load: { kvm: at(1), vfio_pci: at(2) } } }), profile);
    expect(result.changes).toEqual([expect.objectContaining({ id: 'module:vfio_pci:load', blocked: 'kernel built without CONFIG_MODULES: nothing can be loaded' })]);
    expect(result.satisfied).toBe(1);
  });

  it('names the CONFIG_ symbol of a missing module and waits for the planned rebuild', () => {
    // CONFIG_VFIO_PCI is not set and the playbook requires it, so vfio_pci cannot load until the rebuild.
    const desired = aDesired({ kernel: { config: { CONFIG_VFIO_PCI: { want: 'm', level: 'required', source: at(5) } } }, modules: { load: { vfio_pci: at(20) } } });
    const profile = aProfile({ kernel: { config: { CONFIG_VFIO_PCI: 'n' } }, modules: { available: { vfio_pci: false } } });
    const load = diffHost(desired, profile).changes.find((c) => c.id === 'module:vfio_pci:load');
    expect(load?.blocked).toContain('CONFIG_VFIO_PCI=m');
    expect(load?.dependsOn).toEqual(['kconfig:CONFIG_VFIO_PCI:rebuild-kernel']);
  });

  it('points to the DKMS package for zfs', () => {
    // zfs is out of tree: only a DKMS build provides it.
    const result = diffHost(aDesired({ modules: { load: { zfs: at(3) } } }), aProfile());
    expect(result.changes).toEqual([expect.objectContaining({ id: 'module:zfs:load', blocked: expect.stringContaining('zfs-dkms') })]);
  });

  it('uses /etc/modules on Alpine', () => {
    // Alpine's OpenRC reads one shared /etc/modules file.
    const profile = aProfile({ os: { id: 'alpine', family: 'alpine', version: '3.20', prettyName: 'Alpine Linux v3.20' }, modules: { loadFiles: [] } });
    const persist = diffHost(aDesired({ modules: { load: { vhost_net: at(1) } } }), profile).changes.find((c) => c.action === 'persist');
    expect(persist?.to).toBe('/etc/modules');
  });
});

describe('module options', () => {
  it('reloads a loaded module whose read-only parameter differs, after writing the options file', () => {
    // kvm_intel is loaded with nested=N and nested is not writable at run time.
    const profile = aProfile({ modules: { params: { 'kvm_intel.nested': 'N' } } });
    const result = diffHost(aDesired({ modules: { options: { kvm_intel: { nested: { value: 'Y', source: at(30) } } } } }), profile);
    expect(ids(result)).toEqual(['module:kvm_intel.nested:persist', 'module:kvm_intel:reload']);
    expect(result.changes[1]).toMatchObject({ risk: 'medium', dependsOn: ['module:kvm_intel.nested:persist'] });
  });

  it('sets a writable parameter live and treats 1 as Y', () => {
    // kvm.ignore_msrs is writable; a modprobe.d line already says ignore_msrs=1 while the module reads N.
    const profile = aProfile({ modules: { modprobeFiles: [{ path: '/etc/modprobe.d/kvm.conf', content: 'options kvm ignore_msrs=1\n' }] } });
    const result = diffHost(aDesired({ modules: { options: { kvm: { ignore_msrs: { value: 'Y', source: at(31) } } } } }), profile);
    expect(ids(result)).toEqual(['module:kvm.ignore_msrs:set-live']);
    expect(result.changes[0]).toMatchObject({ from: 'N', to: 'Y', risk: 'low' });
  });

  it('only writes the file for a module that is not loaded, before loading it', () => {
    // vfio_pci is to be loaded with ids=...; the options must be on disk when modprobe runs.
    const desired = aDesired({ modules: { load: { vfio_pci: at(1) }, options: { vfio_pci: { ids: { value: '10de:1b80', source: at(2) } } } } });
    const result = diffHost(desired, aProfile());
    expect(ids(result)).toEqual(['module:vfio_pci:load', 'module:vfio_pci:persist', 'module:vfio_pci.ids:persist']);
    expect(result.changes[0]?.dependsOn).toEqual(['module:vfio_pci.ids:persist']);
  });
});

describe('module blacklist', () => {
  it('writes the blacklist, unloads the loaded module and rebuilds an initramfs that carries it', () => {
    // nouveau is loaded and the initramfs-tools configuration includes it.
    const profile = aProfile({ modules: { loaded: ['nouveau', 'kvm'], initramfs: ['nouveau'] } });
    const result = diffHost(aDesired({ modules: { blacklist: { nouveau: at(40) } } }), profile);
    expect(ids(result)).toEqual(['module:nouveau:persist', 'module:nouveau:unload', 'module:nouveau:rebuild-initramfs']);
    expect(result.changes.slice(1).map((c) => [c.risk, c.dependsOn])).toEqual([
      ['medium', ['module:nouveau:persist']],
      ['medium', ['module:nouveau:persist']],
    ]);
  });

  it('is satisfied by an existing blacklist plus install /bin/false', () => {
    // A hand-written file already disables nouveau completely.
    const profile = aProfile({ modules: { modprobeFiles: [{ path: '/etc/modprobe.d/nouveau.conf', content: 'blacklist nouveau\ninstall nouveau /bin/false\n' }] } });
    const result = diffHost(aDesired({ modules: { blacklist: { nouveau: at(40) } } }), profile);
    expect(result.satisfied).toBe(1);
    expect(result.changes).toEqual([]);
  });

  it('reports a built-in module as an error instead of planning a blacklist', () => {
    // A kernel that has the driver built in.
    const profile = aProfile({ modules: { builtin: ['nouveau'] } });
    const result = diffHost(aDesired({ modules: { blacklist: { nouveau: at(40) } } }), profile);
    expect(result.changes).toEqual([]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'blacklist-builtin' })]);
  });
});
