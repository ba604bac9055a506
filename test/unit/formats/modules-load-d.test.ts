import { describe, expect, it } from 'vitest';
import { parseModulesLoadFile, persistedModules, renderModulesLoadFile } from '../../../src/formats/modules-load-d.js';

describe('modules-load.d', () => {
  it('reads one module per line, skipping # and ; comments and normalising dashes', () => {
    // A typical hypervisor file with comments and a dashed name.
    const content = '# VFIO\nvfio\n; legacy comment\n  vfio-pci  \n\nvfio_iommu_type1\n';
    expect(parseModulesLoadFile('/etc/modules-load.d/vfio.conf', content)).toEqual([
      { module: 'vfio', line: 2 },
      { module: 'vfio_pci', line: 4 },
      { module: 'vfio_iommu_type1', line: 6 },
    ]);
  });

  it('applies shadowing, counts /etc/modules, and keeps the first file that loads a module', () => {
    // Debian: /etc/modules with a parameter; a packaged file masked by an empty /etc file of the same name.
    const persisted = persistedModules([
      { path: '/usr/lib/modules-load.d/fuse.conf', content: 'fuse\n' },
      { path: '/etc/modules-load.d/fuse.conf', content: '' },
      { path: '/usr/lib/modules-load.d/10-br.conf', content: 'br_netfilter\n' },
      { path: '/etc/modules-load.d/20-kvm.conf', content: 'kvm-intel\nbr-netfilter\n' },
      { path: '/etc/modules', content: '# /etc/modules\nloop max_loop=64\nkvm_intel\n' },
      { path: '/etc/modules-load.d/notes.txt', content: 'nbd\n' },
    ]);
    expect(persisted).toEqual({
      br_netfilter: { path: '/usr/lib/modules-load.d/10-br.conf', line: 1 },
      kvm_intel: { path: '/etc/modules-load.d/20-kvm.conf', line: 1 },
      loop: { path: '/etc/modules', line: 2 },
    });
  });

  it('renders the managed file in the given order without duplicates', () => {
    // vfio-pci and vfio_pci are one module.
    expect(renderModulesLoadFile(['vfio', 'vfio-pci', 'vfio_pci', 'kvm'], '# h\n')).toBe('# h\nvfio\nvfio_pci\nkvm\n');
  });
});
