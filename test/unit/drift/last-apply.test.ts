import { describe, expect, it } from 'vitest';
import { buildLastApply, digestDesiredState, readLastApply, renderLedgerWithLastApply } from '../../../src/drift/last-apply.js';
import { readLedger } from '../../../src/plan/ledger.js';
import { aProfile, at, deepMerge } from '../../builders.js';
import { aHypervisorDesired, anAppliedProfile, APPLIED_AT, RUN } from './drift-builders.js';

describe('buildLastApply', () => {
  it('records what the apply left for the asked items only, with the kernel and boot id', () => {
    // The re-gather after applying the hypervisor playbook to a Debian host.
    const desired = aHypervisorDesired();
    const after = anAppliedProfile(desired);
    const record = buildLastApply({ run: 'r2', at: '2026-11-21T08:00:00Z' }, desired, after);
    expect(record.state.sysctl).toEqual({ 'vm.swappiness': '10', 'net.ipv4.ip_forward': '1', 'net.bridge.bridge-nf-call-iptables': '1' });
    expect(record.state.modules).toEqual(['vfio_pci', 'br_netfilter']);
    expect(record.state.cmdline).toEqual({ intel_iommu: 'on', iommu: 'pt' });
    expect(record.state.kernel).toEqual({ release: after.kernel.release, config: { CONFIG_VFIO_PCI: 'm' } });
    expect(record.state.bootId).toBe(after.boot.bootId);
    expect(record.desiredDigest).toBe(digestDesiredState(desired));
  });

  it('leaves out what the apply could not set', () => {
    // The apply ran but vfio_pci did not load and swappiness stayed at 60.
    const desired = aHypervisorDesired();
    const after = aProfile();
    const record = buildLastApply({ run: 'r3', at: APPLIED_AT }, desired, after);
    expect(record.state.modules).toEqual([]);
    expect(record.state.sysctl['vm.swappiness']).toBe('60');
    expect(record.state.cmdline).toEqual({});
  });
});

describe('renderLedgerWithLastApply / readLastApply', () => {
  it('keeps the command-line ledger next to the record and reads the record back', () => {
    // apply added intel_iommu (cmdline ledger) and then wrote its last_apply record.
    const desired = aHypervisorDesired();
    const profile = anAppliedProfile(desired);
    expect(readLedger(profile).added).toEqual({ intel_iommu: 'on', iommu: 'pt' });
    expect(readLastApply(profile)).toMatchObject({ lastApply: { run: RUN, at: APPLIED_AT }, diagnostics: [] });
  });

  it('starts a fresh ledger when there is none, and replaces an older record', () => {
    // First apply on a host without ledger, then a second apply.
    const desired = aHypervisorDesired();
    const first = renderLedgerWithLastApply(null, buildLastApply({ run: 'r1', at: APPLIED_AT }, desired, aProfile()));
    const second = renderLedgerWithLastApply(first, buildLastApply({ run: 'r2', at: APPLIED_AT }, desired, aProfile()));
    const doc = JSON.parse(second) as { format_version: string; last_apply: { run: string } };
    expect(doc.format_version).toBe('1.0');
    expect(doc.last_apply.run).toBe('r2');
  });

  it('reads a ledger without a record, or no ledger at all, as never applied', () => {
    // Hosts from before drift existed have only the command-line ledger.
    const withOldLedger = deepMerge(aProfile(), { kernfleet: { ledger: { path: '/var/lib/kernfleet/ledger.json', content: '{"format_version":"1.0","cmdline":{"added":{}}}' } } });
    expect(readLastApply(withOldLedger)).toEqual({ lastApply: null, diagnostics: [] });
    expect(readLastApply(aProfile())).toEqual({ lastApply: null, diagnostics: [] });
  });
});

describe('digestDesiredState', () => {
  it('ignores where values were declared and in which order, but not the values', () => {
    // The same playbook with its lines moved, and one with a different value.
    const desired = aHypervisorDesired();
    const moved = deepMerge(desired, { sysctl: { values: { 'vm.swappiness': { source: at(99) } } } });
    const reordered = { ...desired, sysctl: { ...desired.sysctl, values: Object.fromEntries(Object.entries(desired.sysctl.values).reverse()) } };
    const changed = deepMerge(desired, { sysctl: { values: { 'vm.swappiness': { value: '1' } } } });
    expect(digestDesiredState(moved)).toBe(digestDesiredState(desired));
    expect(digestDesiredState(reordered)).toBe(digestDesiredState(desired));
    expect(digestDesiredState(changed)).not.toBe(digestDesiredState(desired));
  });
});
