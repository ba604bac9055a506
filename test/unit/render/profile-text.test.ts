import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderProfilesText } from '../../../src/render/index.js';
import { aProfile } from '../../fixtures/render/builders.js';

describe('renderProfilesText', () => {
  it('gives one aligned row per host with release, os, loader, config source, modules, cpu, environment and sudo', () => {
    // A Debian 12 hypervisor and an AlmaLinux host with BLS on AMD, gathered together.
    const debian = aProfile('hv01');
    const alma = aProfile('alma-hypervisor-02', {
      os: { id: 'almalinux', family: 'rhel', version: '9.4' },
      kernel: { release: '5.14.0-427.el9.x86_64', configSource: '/boot/config-5.14.0-427.el9.x86_64' },
      boot: { loader: 'grub-bls' },
      hardware: { cpuVendor: 'amd' },
      modules: { loaded: ['kvm', 'kvm_amd', 'vfio', 'vfio_pci', 'vfio_iommu_type1'] },
      env: { root: false, user: 'ops', sudo: 'nopasswd' },
    });
    const lines = renderProfilesText([debian, alma], { color: false }).trimEnd().split('\n');
    expect(lines).toEqual([
      'HOST                KERNEL                 OS             LOADER    CONFIG                              MODULES   CPU    ENV  SUDO',
      'hv01                6.1.0-18-amd64         debian 12      grub      /boot/config-6.1.0-18-amd64         3 loaded  intel  -    root',
      'alma-hypervisor-02  5.14.0-427.el9.x86_64  almalinux 9.4  grub-bls  /boot/config-5.14.0-427.el9.x86_64  5 loaded  amd    -    nopasswd',
      '2 hosts gathered',
    ]);
  });

  it('says when the kernel config is unreadable, the host is a container and sudo is unavailable', () => {
    // A Docker container without /boot/config or /proc/config.gz and without sudo.
    const container = aProfile('ct01', {
      env: { container: true, containerKind: 'docker', sudo: 'none', root: false, user: 'app' },
      kernel: { configSource: null, modulesSupported: false },
      boot: { loader: 'none' },
    });
    const text = renderProfilesText([container], { color: false });
    expect(text).toContain('none (unknown)');
    expect(text).toContain('unsupported');
    expect(text).toContain('container (docker)');
    expect(text.split('\n')[1]?.trimEnd().endsWith('none')).toBe(true);
  });

  it('marks a WSL host and highlights it in yellow when colour is on', () => {
    // A WSL2 machine whose kernel belongs to Windows.
    const wsl = aProfile('laptop', { env: { wsl: true } });
    const coloured = renderProfilesText([wsl], { color: true });
    expect(coloured).toContain('\u001b[33mwsl');
    expect(stripVTControlCharacters(coloured)).toBe(renderProfilesText([wsl], { color: false }));
  });
});
