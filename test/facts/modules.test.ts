import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModulesProbe, parseModuleSections } from '../../src/facts/modules.js';
import { emptyProbeRequest, type ProbeRequest } from '../../src/facts/request.js';
import { readProbeOutput } from '../../src/facts/sections.js';
import { PROBE_PRELUDE, sectionLine } from '../../src/facts/shell.js';
import { file, none, probeSections } from './probe-text.js';

const SHELLS = [['bash'], ['dash'], ['busybox', 'sh']];

// A module directory of a Debian-like kernel: compressed and plain module files, names with - and _,
// a dependency that has no line of its own, built-in modules and aliases.
const MODULES_DEP = `kernel/drivers/vfio/pci/vfio-pci.ko.xz: kernel/drivers/vfio/pci/vfio-pci-core.ko.xz kernel/drivers/vfio/vfio.ko.xz
kernel/drivers/vfio/pci/vfio-pci-core.ko.xz: kernel/drivers/vfio/vfio.ko.xz
kernel/drivers/vfio/vfio.ko.xz:
kernel/arch/x86/kvm/kvm-intel.ko.zst: kernel/arch/x86/kvm/kvm.ko.zst
kernel/arch/x86/kvm/kvm.ko.zst:
kernel/net/bridge/br_netfilter.ko: kernel/net/bridge/bridge.ko
`;
const MODULES_BUILTIN = 'kernel/drivers/pci/pci-stub.ko\nkernel/drivers/block/virtio_blk.ko\n';
const MODULES_ALIAS = 'alias nf_conntrack_ipv4 nf_conntrack\nalias pci:v000010DEd*sv*sd*bc03sc*i* nouveau\n';

describe('module state lookups in the probe', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kf-modules-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'modules.dep'), MODULES_DEP);
    writeFileSync(join(dir, 'modules.builtin'), MODULES_BUILTIN);
    writeFileSync(join(dir, 'modules.alias'), MODULES_ALIAS);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const request: ProbeRequest = { ...emptyProbeRequest(), modules: ['bridge', 'br_netfilter', 'kvm_intel', 'missing_mod', 'nf_conntrack_ipv4', 'pci_stub', 'vfio', 'vfio-pci'] };

  function runFragment(shell: string[]): string {
    const fragment = buildModulesProbe(request);
    // The fragment reads /lib/modules/<release>; this test points it at the temporary module directory instead.
    const pointed = fragment.replace('kf_md="/lib/modules/$kf_rel"', `kf_md='${dir}'`);
    expect(pointed).not.toBe(fragment);
    const script = [PROBE_PRELUDE, pointed, sectionLine('end'), ''].join('\n');
    return execFileSync(shell[0] ?? 'sh', [...shell.slice(1), '-s'], { input: script, encoding: 'utf8' });
  }

  it.each(SHELLS)('resolves each asked module like modprobe would (%s)', (...shell) => {
    // The module directory above, probed for modules of every kind.
    const facts = parseModuleSections(readProbeOutput(runFragment(shell)));
    expect(facts.available).toEqual({
      bridge: false,
      br_netfilter: true,
      kvm_intel: true,
      missing_mod: false,
      nf_conntrack_ipv4: true,
      pci_stub: true,
      vfio: true,
      vfio_pci: true,
    });
    expect(facts.builtin).toEqual(['pci_stub']);
  });

  it('prints the same output under bash, dash and busybox sh', () => {
    // One fragment, three shells: the output (and so the fingerprint) must not depend on the shell.
    const [first, ...rest] = SHELLS.map(runFragment);
    for (const output of rest) expect(output).toBe(first);
  });
});

describe('parseModuleSections', () => {
  it('normalises loaded names and reads parameters with their writability', () => {
    // A host with kvm_intel loaded: nested is read-only in sysfs, halt_poll_ns writable, and one asked parameter does not exist.
    const facts = parseModuleSections(
      probeSections({
        loaded: ['kvm_intel', 'kvm', 'vfio-pci'],
        modstate: ['kvm_intel 0 1 0', 'vfio-pci 0 1 0'],
        params: [...file('kvm_intel.nested', 'Y\n', '-r--r--r-- 0 0'), ...file('kvm.halt_poll_ns', '200000\n', '-rw-r--r-- 0 0'), ...none('kvm_intel.nope')],
        modprobe: [...file('/etc/modprobe.d/kvm.conf', 'options kvm_intel nested=1\n', '-rw-r--r-- 0 0')],
        'modules-load': [...file('/etc/modules-load.d/vfio.conf', 'vfio-pci\n', '-rw-r----- 0 0'), ...none('/etc/modules')],
      }),
    );
    expect(facts.loaded).toEqual(['kvm_intel', 'kvm', 'vfio_pci']);
    expect(facts.available).toEqual({ kvm_intel: true, vfio_pci: true });
    expect(facts.params).toEqual({ 'kvm_intel.nested': 'Y', 'kvm.halt_poll_ns': '200000', 'kvm_intel.nope': null });
    expect(facts.paramsWritable).toEqual({ 'kvm_intel.nested': false, 'kvm.halt_poll_ns': true, 'kvm_intel.nope': false });
    expect(facts.modprobeFiles).toEqual([{ path: '/etc/modprobe.d/kvm.conf', content: 'options kvm_intel nested=1\n', mode: '0644', owner: '0:0' }]);
    expect(facts.loadFiles).toEqual([{ path: '/etc/modules-load.d/vfio.conf', content: 'vfio-pci\n', mode: '0640', owner: '0:0' }]);
  });

  it('rejects an unreadable module state line', () => {
    // A modstate line with a missing flag.
    expect(() => parseModuleSections(probeSections({ modstate: ['kvm 1 0'] }))).toThrow(/section modstate/);
  });
});

describe('buildModulesProbe', () => {
  it('refuses module and parameter names that could carry shell or regex text', () => {
    // Requests that would break out of the quoted words or the grep pattern.
    expect(() => buildModulesProbe({ ...emptyProbeRequest(), modules: ['kvm.*'] })).toThrow(/not a module name/);
    expect(() => buildModulesProbe({ ...emptyProbeRequest(), params: ['kvm_intel'] })).toThrow(/not a module.param/);
    expect(() => buildModulesProbe({ ...emptyProbeRequest(), params: ['kvm_intel.$(reboot)'] })).toThrow(/not a module.param/);
  });
});
