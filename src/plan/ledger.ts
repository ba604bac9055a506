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

function parseDocument(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const doc: unknown = JSON.parse(text);
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function sameParams(a: unknown, b: LedgerParams): boolean {
  if (!isParams(a)) return false;
  const keys = Object.keys(b);
  return Object.keys(a).length === keys.length && keys.every((k) => k in a && a[k] === b[k]);
}

/**
 * The ledger's new text: kernfleet's parameters replaced, every key this module does not own (apply's
 * last_apply record) kept as it is. An unreadable document is replaced (plan already warned about it).
 */
export function renderLedger(params: LedgerParams, currentText: string | null = null): string {
  const doc = parseDocument(currentText) ?? {};
  const cmdline = typeof doc['cmdline'] === 'object' && doc['cmdline'] !== null ? doc['cmdline'] : {};
  return `${JSON.stringify({ format_version: '1.0', ...doc, cmdline: { ...cmdline, added: params } }, null, 2)}\n`;
}

export function buildLedgerEdit(profile: HostProfile, params: LedgerParams): FileEdit | null {
  const before = profile.kernfleet.ledger?.content ?? null;
  const path = profile.kernfleet.ledger?.path ?? LEDGER_PATH;
  const doc = parseDocument(before);
  // Compared as data: the same parameters in another layout (or beside a last_apply record) need no write.
  if (doc !== null && sameParams((doc['cmdline'] as { added?: unknown } | undefined)?.added ?? {}, params)) return null;
  if (before === null && Object.keys(params).length === 0) return null;
  return { path, before, after: renderLedger(params, before), mode: '0644' };
}
