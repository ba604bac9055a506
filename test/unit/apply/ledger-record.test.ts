import { describe, expect, it } from 'vitest';
import { buildApplyRecordEdit } from '../../../src/apply/apply-record.js';
import { readLastApply } from '../../../src/drift/last-apply.js';
import { buildLedgerEdit, readLedger, renderLedger } from '../../../src/plan/ledger.js';
import { aDesired, aProfile } from '../../builders.js';

const LEDGER = '/var/lib/kernfleet/ledger.json';

describe('ledger and apply record share one file', () => {
  it('rewrites the command-line ledger without losing the apply record beside it', () => {
    // The host's ledger holds kernfleet's parameters and the last apply; a new parameter is added.
    const desired = aDesired();
    const recorded = buildApplyRecordEdit('run-1', { profile: aProfile({ kernfleet: { ledger: { path: LEDGER, content: renderLedger({ iommu: 'pt' }) } } }), desired }).after!;
    const next = renderLedger({ iommu: 'pt', intel_iommu: 'on' }, recorded);
    const profile = aProfile({ kernfleet: { ledger: { path: LEDGER, content: next } } });
    expect(readLedger(profile).added).toEqual({ iommu: 'pt', intel_iommu: 'on' });
    expect(readLastApply(profile).lastApply?.run).toBe('run-1');
  });

  it('needs no ledger write when only the apply record sits beside unchanged parameters', () => {
    // After an apply, the plan must be empty: the record alone is no reason to rewrite the ledger.
    const withRecord = buildApplyRecordEdit('run-1', { profile: aProfile({ kernfleet: { ledger: { path: LEDGER, content: renderLedger({ iommu: 'pt' }) } } }), desired: aDesired() }).after!;
    expect(buildLedgerEdit(aProfile({ kernfleet: { ledger: { path: LEDGER, content: withRecord } } }), { iommu: 'pt' })).toBeNull();
    const recordOnly = buildApplyRecordEdit('run-1', { profile: aProfile(), desired: aDesired() }).after!;
    expect(buildLedgerEdit(aProfile({ kernfleet: { ledger: { path: LEDGER, content: recordOnly } } }), {})).toBeNull();
    const edit = buildLedgerEdit(aProfile({ kernfleet: { ledger: { path: LEDGER, content: recordOnly } } }), { iommu: 'pt' });
    expect(JSON.parse(edit!.after!)).toMatchObject({ cmdline: { added: { iommu: 'pt' } }, last_apply: { run: 'run-1' } });
  });

  it('builds the record as a guarded edit of the ledger the re-gather saw, or a new file', () => {
    // One host without a ledger yet, one with kernfleet's parameters.
    const fresh = buildApplyRecordEdit('run-2', { profile: aProfile(), desired: aDesired() });
    expect(fresh).toMatchObject({ path: LEDGER, before: null, mode: '0644' });
    expect(JSON.parse(fresh.after!)).toMatchObject({ format_version: '1.0', last_apply: { run: 'run-2', at: aProfile().gatheredAt } });
    const current = renderLedger({ hugepages: '16' });
    expect(buildApplyRecordEdit('run-2', { profile: aProfile({ kernfleet: { ledger: { path: LEDGER, content: current } } }), desired: aDesired() }).before).toBe(current);
  });
});
