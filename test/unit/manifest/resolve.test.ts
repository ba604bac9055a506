import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveDesired } from '../../../src/manifest/index.js';
import type { HostFacts } from '../../../src/model/index.js';
import { diagnosticLines } from '../../manifest/render-diagnostics.js';
import { aFleet, LAB_INVENTORY } from './fleet-builder.js';

const BASE = 'test/fixtures/manifest/good/base.yml';
const base = { [BASE]: readFileSync(BASE, 'utf8') };
const intel: HostFacts = { 'cpu.vendor': 'intel', 'os.family': 'debian', 'os.id': 'debian', 'boot.loader': 'grub' };
const amd: HostFacts = { ...intel, 'cpu.vendor': 'amd' };

describe('resolveDesired', () => {
  it('merges the plays of an Intel host into one normalised desired state', async () => {
    // hv01 is an Intel hypervisor with its own hugepages count; base.yml has a baseline, an intel and an amd play.
    const fleet = await aFleet(LAB_INVENTORY, base);
    const { desired, diagnostics } = resolveDesired(fleet, 'hv01', intel);
    expect(diagnostics).toEqual([]);
    expect(desired.plays).toEqual(['baseline', 'intel']);
    expect(desired.kernel.minimum?.value).toBe('5.10');
    expect(Object.fromEntries(Object.entries(desired.kernel.config).map(([k, v]) => [k, [v.want, v.level]]))).toEqual({
      CONFIG_KVM: ['ym', 'required'],
      CONFIG_HZ: ['1000', 'recommended'],
      CONFIG_VFIO: ['m', 'required'],
      CONFIG_DEBUG_INFO: ['n', 'recommended'],
    });
    expect(Object.keys(desired.modules.load)).toEqual(['vfio_pci', 'br_netfilter']);
    expect(desired.modules.persistFile).toBe('hypervisor.conf');
    expect(desired.modules.optionsFile).toBe('kernfleet-options.conf');
    expect(desired.modules.blacklistFile).toBe('kernfleet-blacklist.conf');
    expect(desired.sysctl.file).toBe('99-kernfleet.conf');
    const options = Object.fromEntries(Object.entries(desired.modules.options).map(([m, ps]) => [m, Object.fromEntries(Object.entries(ps).map(([k, v]) => [k, v.value]))]));
    expect(options).toEqual({ vfio_pci: { disable_vga: 'Y', ids: '10de:1b80' }, kvm_intel: { nested: '1', ept: 'y' } });
    expect(Object.fromEntries(Object.entries(desired.sysctl.values).map(([k, v]) => [k, v.value]))).toEqual({
      'vm.swappiness': '10',
      'net.ipv4.ip_forward': '1',
      'kernel.printk': '4 4 1 7',
    });
    expect(Object.fromEntries(Object.entries(desired.cmdline.set).map(([k, v]) => [k, [v.value, v.target]]))).toEqual({
      hugepages: ['8', 'GRUB_CMDLINE_LINUX'],
      iommu: ['pt', 'GRUB_CMDLINE_LINUX'],
      quiet: [null, 'GRUB_CMDLINE_LINUX'],
      intel_iommu: ['on', 'GRUB_CMDLINE_LINUX_DEFAULT'],
    });
    expect(Object.keys(desired.cmdline.remove)).toEqual(['splash']);
  });

  it('remembers where each value was declared', async () => {
    // The swappiness of hv01 comes from a template in the baseline play, the nested option from the intel play.
    const fleet = await aFleet(LAB_INVENTORY, base);
    const { desired } = resolveDesired(fleet, 'hv01', intel);
    expect(desired.sysctl.values['vm.swappiness']?.source).toEqual({ file: BASE, line: 27, col: 22 });
    expect(desired.modules.options.kvm_intel?.nested?.source).toEqual({ file: BASE, line: 44, col: 17 });
    expect(desired.modules.load.vfio_pci).toEqual({ file: BASE, line: 19, col: 12 });
  });

  it('uses play vars where the host has none', async () => {
    // hv02 sets no hugepages variable, so the play's default of 16 applies.
    const fleet = await aFleet(LAB_INVENTORY, base);
    expect(resolveDesired(fleet, 'hv02', amd).desired.cmdline.set.hugepages?.value).toBe('16');
  });

  it('without facts includes every play, and exclusive `when`s do not conflict', async () => {
    // Validation resolves hv01 with no facts: the intel and amd plays both apply, with different intel_iommu values.
    const fleet = await aFleet(LAB_INVENTORY, base);
    const { desired, diagnostics } = resolveDesired(fleet, 'hv01', null);
    expect(diagnostics).toEqual([]);
    expect(desired.plays).toEqual(['baseline', 'intel', 'amd']);
    expect(Object.keys(desired.modules.options)).toEqual(['vfio_pci', 'kvm_intel', 'kvm_amd']);
  });

  it('leaves out a play whose pattern excludes the host', async () => {
    // old01 is an AMD host in the legacy group, which the amd play excludes with hypervisors:!legacy.
    const fleet = await aFleet(LAB_INVENTORY, base);
    expect(resolveDesired(fleet, 'old01', amd).desired.plays).toEqual(['baseline']);
  });

  it('names both places when two plays disagree, and accepts agreement', async () => {
    // a.yml and b.yml both target hv01: they agree on ip_forward, disagree on swappiness, and one
    // loads nouveau and sets quiet while the other blacklists nouveau and removes quiet.
    const files = ['a', 'b'].map((n) => `test/fixtures/manifest/conflict/${n}.yml`);
    const fleet = await aFleet(LAB_INVENTORY, Object.fromEntries(files.map((f) => [f, readFileSync(f, 'utf8')])));
    const { desired, diagnostics } = resolveDesired(fleet, 'hv01', intel);
    expect(diagnosticLines(diagnostics)).toEqual([
      `${files[1]}:5:22: error: sysctl vm.swappiness is 10 at ${files[0]}:5:22 but 60 at ${files[1]}:5:22 for host hv01`,
      `${files[1]}:8:17: error: module nouveau is loaded at ${files[0]}:8:12 but blacklisted at ${files[1]}:8:17 for host hv01`,
      `${files[1]}:10:14: error: kernel parameter quiet is set at ${files[0]}:11:14 but removed at ${files[1]}:10:14 for host hv01`,
    ]);
    expect(diagnostics.every((d) => d.host === 'hv01' && d.code === 'conflict')).toBe(true);
    expect(desired.sysctl.values['net.ipv4.ip_forward']?.value).toBe('1');
  });

  it('treats file names, GRUB targets and CONFIG_-less symbols as claims that can conflict', async () => {
    // Two plays name different modules-load.d files and put iommu=pt in different GRUB variables;
    // the first also asks for KVM and CONFIG_KVM, which are one symbol.
    const a = '- name: a\n  hosts: all\n  kernel: { config: { required: { KVM: y, CONFIG_KVM: m } } }\n  modules: { persist: a }\n  cmdline: { set: { iommu: pt } }\n';
    const b = '- name: b\n  hosts: all\n  modules: { persist: b.conf }\n  cmdline: { target: GRUB_CMDLINE_LINUX_DEFAULT, set: { iommu: pt } }\n';
    const fleet = await aFleet(LAB_INVENTORY, { 'a.yml': a, 'b.yml': b });
    expect(diagnosticLines(resolveDesired(fleet, 'hv02', null).diagnostics)).toEqual([
      'a.yml:3:55: error: required kernel config CONFIG_KVM is y at a.yml:3:40 but m at a.yml:3:55 for host hv02',
      'b.yml:3:23: error: modules-load.d file is a.conf at a.yml:4:23 but b.conf at b.yml:3:23 for host hv02',
      'b.yml:4:64: error: kernel parameter iommu is pt in GRUB_CMDLINE_LINUX at a.yml:5:28 but pt in GRUB_CMDLINE_LINUX_DEFAULT at b.yml:4:64 for host hv02',
    ]);
  });

  it('reports undefined variables and unsafe substitutions at the template', async () => {
    // A play misspells a variable, substitutes a value with a semicolon and loads a module from a missing variable.
    const file = 'test/fixtures/manifest/conflict/templates.yml';
    const fleet = await aFleet(LAB_INVENTORY.replace('hv01: { hugepages: 8 }', 'hv01: { swappiness: 5 }'), { [file]: readFileSync(file, 'utf8') });
    expect(diagnosticLines(resolveDesired(fleet, 'hv01', null).diagnostics)).toEqual([
      `${file}:7:22: error: undefined variable "swapiness" in "{{ swapiness }}" for host hv01 (did you mean "swappiness"?)`,
      `${file}:8:23: error: "{{ bad }}" becomes "a;b", which is not a safe value (letters, digits, spaces and . , : / + - _ = @ % only) for host hv01`,
      `${file}:10:12: error: undefined variable "vfio_module" in "{{ vfio_module }}" for host hv01`,
    ]);
  });

  it('offers the host\'s inventory name as inventory_hostname', async () => {
    // A play names a module option after the host it is applied to.
    const play = `- name: per host\n  hosts: all\n  modules:\n    options:\n      bonding:\n        label: "kf-{{ inventory_hostname }}"\n`;
    const fleet = await aFleet(LAB_INVENTORY, { 'p.yml': play });
    expect(resolveDesired(fleet, 'hv02', null).desired.modules.options.bonding?.label?.value).toBe('kf-hv02');
  });

  it('reports a host that is not in the inventory', async () => {
    // A caller asks for hv1, a typo of hv01.
    const fleet = await aFleet(LAB_INVENTORY, base);
    expect(diagnosticLines(resolveDesired(fleet, 'hv1', null).diagnostics)).toEqual(['error: host "hv1" is not in the inventory (did you mean "hv01"?)']);
  });
});
