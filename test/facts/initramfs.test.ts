import { describe, expect, it } from 'vitest';
import { dracutDrivers, initramfsToolsModules, mkinitfsFeatures, mkinitfsModules, parseInitramfsSections } from '../../src/facts/initramfs.js';
import { file, none, probeSections } from './probe-text.js';

describe('initramfs configuration', () => {
  it('reads initramfs-tools modules with comments and arguments', () => {
    // Debian's /etc/initramfs-tools/modules with the stock comment block and two entries.
    const content = '# List of modules that you want to include in your initramfs.\n#\n# Syntax:  module_name [args ...]\nvfio-pci ids=10de:1b80\n\n  vfio # passthrough\n';
    expect(initramfsToolsModules(content)).toEqual(['vfio_pci', 'vfio']);
  });

  it('reads dracut add_drivers and force_drivers, appended or not', () => {
    // A RHEL dracut.conf.d drop-in for VFIO passthrough.
    const content = 'add_drivers+=" vfio vfio_iommu_type1 vfio-pci "\n# add_drivers+=" nouveau "\nforce_drivers=\'kvm_intel\'\nhostonly="yes"\n';
    expect(dracutDrivers(content)).toEqual(['vfio', 'vfio_iommu_type1', 'vfio_pci', 'kvm_intel']);
  });

  it('reads Alpine mkinitfs features and the module files they list', () => {
    // Alpine's mkinitfs.conf and a features.d list mixing module files and directories.
    expect(mkinitfsFeatures('features="ata base ide scsi usb virtio ext4"\n')).toEqual(['ata', 'base', 'ide', 'scsi', 'usb', 'virtio', 'ext4']);
    expect(mkinitfsModules('kernel/drivers/virtio\nkernel/drivers/block/virtio_blk.ko*\nkernel/drivers/net/virtio_net.ko.gz\n')).toEqual(['virtio_blk', 'virtio_net']);
  });

  it('keeps only asked modules that some generator includes, and dkms lines', () => {
    // A host with initramfs-tools listing vfio_pci, dracut absent, Alpine files absent, one DKMS module installed.
    const sections = probeSections({
      initramfs: [...file('/etc/initramfs-tools/modules', 'vfio_pci\nnvme\n'), ...none('/etc/dracut.conf'), ...none('/etc/mkinitfs/mkinitfs.conf')],
      dkms: ['nvidia/550.120, 6.1.0-18-amd64, x86_64: installed'],
    });
    expect(parseInitramfsSections(sections, ['kvm', 'vfio_pci'])).toEqual({ initramfs: ['vfio_pci'], dkms: ['nvidia/550.120, 6.1.0-18-amd64, x86_64: installed'] });
  });

  it('follows mkinitfs features to their module lists', () => {
    // An Alpine host whose enabled `vfio` feature lists vfio-pci; a disabled feature lists kvm.
    const sections = probeSections({
      initramfs: [
        ...file('/etc/mkinitfs/mkinitfs.conf', 'features="base vfio"\n'),
        ...file('/etc/mkinitfs/features.d/vfio.modules', 'kernel/drivers/vfio/pci/vfio-pci.ko*\n', '-rw-r--r-- 0 0'),
        ...file('/etc/mkinitfs/features.d/kvm.modules', 'kernel/arch/x86/kvm/kvm.ko*\n', '-rw-r--r-- 0 0'),
      ],
    });
    expect(parseInitramfsSections(sections, ['kvm', 'vfio_pci']).initramfs).toEqual(['vfio_pci']);
  });
});
