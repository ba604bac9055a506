// The apply record drift reads: after a host's final re-gather, what this run left there, merged into
// the host's ledger (/var/lib/kernfleet/ledger.json, key last_apply) with every other key kept. Written
// like any other file: backed up, atomically, refused if the ledger changed since the re-gather.
import { buildLastApply, renderLedgerWithLastApply } from '../drift/last-apply.js';
import type { DesiredState, FileEdit, HostProfile } from '../model/index.js';
import { LEDGER_PATH } from '../plan/ledger.js';
import type { Transport } from '../transport/index.js';
import { applyRemoteFile, type FileOpResult, type RemoteFileContext } from './remote-file.js';

/** The host as re-gathered once the run is done with it, and what the playbooks want there. */
export interface AfterApply {
  profile: HostProfile;
  desired: DesiredState;
}

/** Pure: the ledger edit that records this run; `at` is when the final re-gather saw the host. */
export function buildApplyRecordEdit(runId: string, after: AfterApply): FileEdit {
  const ledger = after.profile.kernfleet.ledger;
  const before = ledger?.content ?? null;
  const record = buildLastApply({ run: runId, at: after.profile.gatheredAt }, after.desired, after.profile);
  return { path: ledger?.path ?? LEDGER_PATH, before, after: renderLedgerWithLastApply(before, record), mode: '0644' };
}

export function writeApplyRecord(transport: Transport, after: AfterApply, ctx: RemoteFileContext): Promise<FileOpResult> {
  return applyRemoteFile(transport, buildApplyRecordEdit(ctx.runId, after), ctx);
}
