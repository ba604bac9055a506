import { describe, expect, it } from 'vitest';
import { compareKernelVersions, parseKconfig } from '../../../src/formats/kconfig.js';
import { readFixture } from './fixture.js';

describe('parseKconfig', () => {
  it('reads the Ubuntu 24.04 generic config: VFIO_PCI is a module, KVM too, HZ a number', () => {
    // The full 6.8 config of Ubuntu Noble.
    const config = parseKconfig(readFixture('kconfig-ubuntu-24.04-generic-6.8.1-x86_64.config'));
    expect(config.CONFIG_VFIO_PCI).toBe('m');
    expect(config.CONFIG_KVM_INTEL).toBe('m');
    expect(config.CONFIG_MODULES).toBe('y');
    expect(config.CONFIG_HZ).toBe('1000');
    expect(config.CONFIG_LOCALVERSION_AUTO).toBe('n');
    expect(config.CONFIG_LOCALVERSION).toBe('');
    expect(config.CONFIG_DEFAULT_HOSTNAME).toBe('(none)');
    expect(config.CONFIG_CC_VERSION_TEXT).toBe('x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0');
    expect(config.CONFIG_NOT_A_SYMBOL).toBeUndefined();
  });

  it('leaves VFIO_PCI absent in the minimised Alpine 3.18 virt config, where absent is not n', () => {
    // Alpine 3.18 virt (linux-lts 6.1.58) is a minimised savedefconfig file: a symbol left at its default has no line.
    const config = parseKconfig(readFixture('kconfig-alpine-3.18-virt-6.1.58-x86_64.config'));
    expect(config.CONFIG_KVM).toBe('m');
    expect('CONFIG_VFIO_PCI' in config).toBe(false);
    expect(config.CONFIG_LOCALVERSION_AUTO).toBe('n');
  });

  it('unescapes string values and ignores other comments', () => {
    // A string with an escaped quote, and a section comment that looks almost like "is not set".
    const config = parseKconfig('# General setup\nCONFIG_CMDLINE="a \\"b\\" c"\n# CONFIG_FOO is not set at all\n');
    expect(config).toEqual({ CONFIG_CMDLINE: 'a "b" c' });
  });
});

describe('compareKernelVersions', () => {
  it('orders by numeric components and ignores the distro suffix', () => {
    // The cases the playbook minimums run into.
    expect(compareKernelVersions('6.1.0-18-amd64', '5.15')).toBe(1);
    expect(compareKernelVersions('5.15.0', '5.15')).toBe(0);
    expect(compareKernelVersions('6.10', '6.9')).toBe(1);
    expect(compareKernelVersions('6.9', '6.10')).toBe(-1);
    expect(compareKernelVersions('6.8.0-31-generic', '6.8.0-45-generic')).toBe(0);
    expect(compareKernelVersions('4.18.0-553.el8_10.x86_64', '4.18.1')).toBe(-1);
  });
});
