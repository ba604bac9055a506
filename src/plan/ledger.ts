// The command-line ledger: which parameters kernfleet itself added, so that dropping one from a playbook
// removes exactly what kernfleet put there and never a parameter an operator set by hand.
import type { DesiredState, Diagnostic, FileEdit, HostProfile } from '../model/index.js';
import { cmdlineValue, parseCmdline } from '../formats/cmdline.js';

export const LEDGER_PATH = '/var/lib/kernfleet/ledger.json';

export type LedgerParams = Record<string, string | null>;

export interface Ledger {
  added: LedgerParams;
  diagnostics: Diagnostic[];
}

function isParams(value: unknown): value is LedgerParams {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) &&
    Object.values(value).every((v) => v === null || typeof v === 'string')
  );
}

export function readLedger(profile: HostProfile): Ledger {
  const file = profile.kernfleet.ledger;
  if (!file) return { added: {}, diagnostics: [] };
  try {
    const doc = JSON.parse(file.content) as { cmdline?: { added?: unknown } };
    const added = doc.cmdline?.added ?? {};
    if (isParams(added)) return { added, diagnostics: [] };
  } catch {
    // Falls through to the same diagnostic as a document of the wrong shape.
  }
  return {
    added: {},
    diagnostics: [
      { severity: 'warning', code: 'ledger-unreadable', host: profile.host, message: `${file.path} is not a kernfleet ledger: no parameter will be removed as kernfleet's own`, hint: 'fix or delete the file' },
    ],
  };
}

/** Parameters kernfleet added and no play sets any more: they come off the command line. */
export function findStaleLedgerParams(desired: DesiredState, ledger: Ledger): string[] {
  return Object.keys(ledger.added).filter((k) => !(k in desired.cmdline.set));
}

/**
 * The ledger after this run: kernfleet's parameters that are still wanted, plus the wanted parameters the
 * configured command line does not have yet (kernfleet adds them now); `blocked` keys are left as they are.
 */
export function buildLedgerParams(desired: DesiredState, ledger: Ledger, configuredText: string, blocked: string[]): LedgerParams {
  const configured = parseCmdline(configuredText);
  const result: LedgerParams = {};
  for (const [key, previous] of Object.entries(ledger.added)) {
    if (blocked.includes(key)) result[key] = previous;
  }
  for (const [key, wanted] of Object.entries(desired.cmdline.set)) {
    if (blocked.includes(key)) continue;
    if (key in ledger.added || cmdlineValue(configured, key) === undefined) result[key] = wanted.value;
  }
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => a.localeCompare(b)));
}

export function renderLedger(params: LedgerParams): string {
  return `${JSON.stringify({ format_version: '1.0', cmdline: { added: params } }, null, 2)}\n`;
}

export function buildLedgerEdit(profile: HostProfile, params: LedgerParams): FileEdit | null {
  const before = profile.kernfleet.ledger?.content ?? null;
  const path = profile.kernfleet.ledger?.path ?? LEDGER_PATH;
  const after = renderLedger(params);
  if (before === after) return null;
  if (before === null && Object.keys(params).length === 0) return null;
  return { path, before, after, mode: '0644' };
}
