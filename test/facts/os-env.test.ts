import { describe, expect, it } from 'vitest';
import { parseEnvSection } from '../../src/facts/env.js';
import { parseHardwareSection } from '../../src/facts/hardware.js';
import { osFamily, parseOsRelease, parseOsSection } from '../../src/facts/os.js';
import { file, none, probeSections } from './probe-text.js';

describe('os-release', () => {
  it.each([
    ['Ubuntu 24.04', 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n', { id: 'ubuntu', family: 'debian', version: '24.04', prettyName: 'Ubuntu 24.04.1 LTS' }],
    ['Rocky 9', 'NAME="Rocky Linux"\nVERSION_ID="9.4"\nID="rocky"\nID_LIKE="rhel centos fedora"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n', { id: 'rocky', family: 'rhel', version: '9.4', prettyName: 'Rocky Linux 9.4 (Blue Onyx)' }],
    ['Alpine 3.20', 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n', { id: 'alpine', family: 'alpine', version: '3.20.3', prettyName: 'Alpine Linux v3.20' }],
    ['openSUSE Leap', 'NAME="openSUSE Leap"\nVERSION_ID="15.6"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nPRETTY_NAME="openSUSE Leap 15.6"\n', { id: 'opensuse-leap', family: 'suse', version: '15.6', prettyName: 'openSUSE Leap 15.6' }],
    ['Arch', 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n', { id: 'arch', family: 'arch', version: '', prettyName: 'Arch Linux' }],
    ['an unknown distro', "NAME='Some OS'\nID=someos\nPRETTY_NAME='Some \"OS\"'\n", { id: 'someos', family: 'unknown', version: '', prettyName: 'Some "OS"' }],
  ])('reads %s', (_name, content, os) => {
    // The os-release file as that distribution ships it.
    expect(parseOsSection(probeSections({ os: file('os-release', content) }))).toEqual(os);
  });

  it('falls back to linux when os-release is missing', () => {
    // A minimal image without /etc/os-release or /usr/lib/os-release.
    expect(parseOsSection(probeSections({ os: none('os-release') }))).toEqual({ id: 'linux', family: 'unknown', version: '', prettyName: 'Linux' });
  });

  it('unescapes double-quoted values and decides the family by ID_LIKE order', () => {
    // A derivative whose own ID is unknown but which is like Ubuntu.
    expect(parseOsRelease('PRETTY_NAME="A \\"quoted\\" \\$name"\n')['PRETTY_NAME']).toBe('A "quoted" $name');
    expect(osFamily('pop-derivative', 'ubuntu debian')).toBe('debian');
  });
});

describe('parseEnvSection', () => {
  it.each<[string, string[], string, object]>([
    ['root on a plain host', ['uid 0', 'user root', 'detect-virt none'], '6.1.0-18-amd64', { container: false, containerKind: null, wsl: false, root: true, sudo: 'root', user: 'root' }],
    ['a user with passwordless sudo', ['uid 1000', 'user deploy', 'sudo ok'], '6.1.0', { root: false, sudo: 'nopasswd', user: 'deploy' }],
    ['a user whose sudo wants a password', ['uid 1000', 'user deploy', 'sudo fail sudo: a password is required'], '6.1.0', { sudo: 'password' }],
    ['a user sudo refuses', ['uid 1000', 'user guest', 'sudo fail sudo: user guest is not in the sudoers file'], '6.1.0', { sudo: 'none' }],
    ['a user on a host without sudo', ['uid 1000', 'user guest', 'sudo missing'], '6.1.0', { sudo: 'none' }],
    ['a docker container known by its marker on an overlay root', ['uid 0', 'user root', 'marker docker', 'detect-virt docker', 'root-fs overlay'], '6.1.0', { container: true, containerKind: 'docker' }],
    ['a docker marker where the root file system is unknown', ['uid 0', 'user root', 'marker docker'], '6.1.0', { container: true, containerKind: 'docker' }],
    ['a VM booted from a docker image (leftover /.dockerenv, ext4 root)', ['uid 0', 'user root', 'marker docker', 'detect-virt docker', 'root-fs ext4'], '6.18.44-fc-v782', { container: false, containerKind: null }],
    ['a rootless podman container by its cgroup', ['uid 0', 'user root', 'cgroup libpod', 'root-fs fuse.fuse-overlayfs'], '6.1.0', { container: true, containerKind: 'podman' }],
    ['WSL, which systemd calls a container', ['uid 0', 'user root', 'detect-virt wsl', 'root-fs ext4'], '5.15.167.4-microsoft-standard-WSL2', { container: false, wsl: true }],
    ['an LXC container by container=', ['uid 0', 'user root', 'environ lxc', 'cgroup lxc'], '6.1.0', { container: true, containerKind: 'lxc' }],
    ['a Kubernetes pod by its cgroup', ['uid 0', 'user root', 'cgroup kubepods'], '6.1.0', { container: true, containerKind: 'containerd' }],
    ['podman as systemd sees it', ['uid 0', 'user root', 'detect-virt podman', 'marker podman'], '6.1.0', { container: true, containerKind: 'podman' }],
    ['WSL2 by its kernel release', ['uid 1000', 'user me', 'sudo ok'], '5.15.167.4-microsoft-standard-WSL2', { wsl: true, container: false }],
    ['WSL by its interop file', ['uid 0', 'user root', 'wsl-interop'], '6.6.36', { wsl: true }],
  ])('%s', (_name, lines, release, expected) => {
    // The env section such a host prints.
    expect(parseEnvSection(probeSections({ env: lines }), release)).toMatchObject(expected);
  });

  it('rejects a section without a numeric uid', () => {
    // `id -u` failed.
    expect(() => parseEnvSection(probeSections({ env: ['user x'] }), '6.1.0')).toThrow(/section env/);
  });
});

describe('parseHardwareSection', () => {
  it.each([
    [['vendor AuthenticAMD', 'iommu-groups 42', 'numa-nodes 2'], { cpuVendor: 'amd', iommuGroups: 42, numaNodes: 2 }],
    [['vendor GenuineIntel', 'iommu-groups 0', 'numa-nodes 1'], { cpuVendor: 'intel', iommuGroups: 0, numaNodes: 1 }],
    [['iommu-groups       3', 'numa-nodes 0'], { cpuVendor: 'other', iommuGroups: 3, numaNodes: 0 }],
  ])('reads %j', (lines, hardware) => {
    // An AMD host with IOMMU on, an Intel host without, an ARM host (no vendor_id, wc padding spaces).
    expect(parseHardwareSection(probeSections({ hardware: lines }))).toEqual(hardware);
  });

  it('rejects a count that is not a number', () => {
    // wc printed nothing.
    expect(() => parseHardwareSection(probeSections({ hardware: ['iommu-groups ', 'numa-nodes 1'] }))).toThrow(/section hardware/);
  });
});
