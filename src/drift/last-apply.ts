// What kernfleet's last apply left on a host, recorded in the ledger (/var/lib/kernfleet/ledger.json,
// key `last_apply`) so drift can tell "changed after kernfleet applied it" from "never applied".
// apply builds the record from its re-gathered profile (buildLastApply) and writes it merged into the
// ledger (renderLedgerWithLastApply); drift reads it back (readLastApply). Pure.
import { createHash } from 'node:crypto';
import type { DesiredState, Diagnostic, HostProfile } from '../model/index.js';
import { cmdlineValue, parseCmdline } from '../formats/cmdline.js';
import { readConfiguredCmdline } from '../plan/boot-config.js';

/** The state apply left, limited to the items the playbooks asked about. */
export interface LastApplyState {
  /** Sysctl key → live value after the apply. */
  sysctl: Record<string, string>;
  /** Wanted modules that were loaded (or built in) after the apply. */
  modules: string[];
  /** Wanted kernel parameters on the configured command line after the apply (null: bare flag). */
  cmdline: Record<string, string | null>;
  /** 'module.param' → live value after the apply. */
  moduleParams: Record<string, string>;
  /** Blacklisted modules that were not loaded after the apply. */
  blacklist: string[];
  /** The kernel it applied to: release and the asked CONFIG_ symbols (null: absent); null when the config was unreadable. */
  kernel: { release: string; config: Record<string, string | null> } | null;
  /** boot_id when apply finished: a different one now means the host rebooted since. */
  bootId: string;
}

export interface LastApply {
  run: string;
  /** ISO 8601 time the apply finished. */
  at: string;
  /** digestDesiredState() of what was applied. */
  desiredDigest: string;
  state: LastApplyState;
}

export const LAST_APPLY_KEY = 'last_apply';

/**
 * A digest of the wanted values only: where they were declared (file:line) does not change what a host
 * should have, so moving a play inside a playbook does not make every host look "never applied".
 */
export function digestDesiredState(desired: DesiredState): string {
  const { host: _host, plays: _plays, ...wanted } = desired;
  const canonical = JSON.stringify(wanted, (key, value: unknown) => {
    if (key === 'source') return undefined;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

function configuredParams(profile: HostProfile): ReturnType<typeof parseCmdline> {
  const configured = readConfiguredCmdline(profile);
  // Where the configuration cannot be read (WSL, no known loader) the running command line is all there is.
  return parseCmdline(configured.blocked === undefined ? configured.text : profile.boot.procCmdline);
}

/** The record apply writes after its re-gather: `after` is the profile gathered once every step ran. */
export function buildLastApply(run: { run: string; at: string }, desired: DesiredState, after: HostProfile): LastApply {
  const sysctl: Record<string, string> = {};
  for (const key of Object.keys(desired.sysctl.values)) {
    const live = after.sysctl.live[key] ?? null;
    if (live !== null) sysctl[key] = live;
  }
  const present = new Set([...after.modules.loaded, ...after.modules.builtin]);
  const params = configuredParams(after);
  const cmdline: Record<string, string | null> = {};
  for (const key of Object.keys(desired.cmdline.set)) {
    const value = cmdlineValue(params, key);
    if (value !== undefined) cmdline[key] = value;
  }
  const moduleParams: Record<string, string> = {};
  for (const [module, options] of Object.entries(desired.modules.options)) {
    for (const param of Object.keys(options)) {
      const live = after.modules.params[`${module}.${param}`] ?? null;
      if (live !== null) moduleParams[`${module}.${param}`] = live;
    }
  }
  const kernel = after.kernel.configSource === null
    ? null
    : { release: after.kernel.release, config: Object.fromEntries(Object.keys(desired.kernel.config).map((s) => [s, after.kernel.config[s] ?? null])) };
  return {
    run: run.run,
    at: run.at,
    desiredDigest: digestDesiredState(desired),
    state: {
      sysctl,
      modules: Object.keys(desired.modules.load).filter((m) => present.has(m)),
      cmdline,
      moduleParams,
      blacklist: Object.keys(desired.modules.blacklist).filter((m) => !after.modules.loaded.includes(m)),
      kernel,
      bootId: after.boot.bootId,
    },
  };
}

/** The ledger's new text: every other key (the command-line ledger) kept as it is, last_apply replaced. */
export function renderLedgerWithLastApply(ledgerText: string | null, lastApply: LastApply): string {
  let doc: Record<string, unknown> = { format_version: '1.0' };
  try {
    const parsed: unknown = ledgerText === null ? null : JSON.parse(ledgerText);
    if (isRecord(parsed)) doc = parsed;
  } catch {
    // An unreadable ledger is replaced: plan reports it (ledger-unreadable) and would not trust it either.
  }
  return `${JSON.stringify({ ...doc, [LAST_APPLY_KEY]: lastApply }, null, 2)}\n`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown, nullable: boolean): boolean {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string' || (nullable && v === null));
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isKernel(value: unknown): boolean {
  return value === null || (isRecord(value) && typeof value.release === 'string' && isStringMap(value.config, true));
}

function isLastApply(value: unknown): value is LastApply {
  if (!isRecord(value) || typeof value.run !== 'string' || typeof value.at !== 'string' || typeof value.desiredDigest !== 'string') return false;
  const state = value.state;
  return (
    isRecord(state) && isStringMap(state.sysctl, false) && isStringList(state.modules) && isStringMap(state.cmdline, true) &&
    isStringMap(state.moduleParams, false) && isStringList(state.blacklist) && isKernel(state.kernel) && typeof state.bootId === 'string'
  );
}

/** null when no apply is recorded; a record of the wrong shape is reported and treated as none. */
export function readLastApply(profile: HostProfile): { lastApply: LastApply | null; diagnostics: Diagnostic[] } {
  const file = profile.kernfleet.ledger;
  if (!file) return { lastApply: null, diagnostics: [] };
  let record: unknown;
  try {
    const doc: unknown = JSON.parse(file.content);
    record = isRecord(doc) ? doc[LAST_APPLY_KEY] : undefined;
  } catch {
    // The command-line ledger reader already reports an unparsable file (ledger-unreadable).
    return { lastApply: null, diagnostics: [] };
  }
  if (record === undefined) return { lastApply: null, diagnostics: [] };
  if (isLastApply(record)) return { lastApply: record, diagnostics: [] };
  return {
    lastApply: null,
    diagnostics: [
      { severity: 'warning', code: 'last-apply-unreadable', host: profile.host, message: `${file.path}: ${LAST_APPLY_KEY} is not a kernfleet apply record: every difference is reported as never applied`, hint: 'the next kernfleet apply rewrites it' },
    ],
  };
}
