// Kernel command line, three values per parameter: configured (bootloader config files), next boot (the
// generated boot entries) and live (/proc/cmdline). A bootloader update closes the first two; a reboot the last.
import type { Change, DesiredState, HostProfile, SourceRef } from '../model/index.js';
import { cmdlineValue, formatCmdlineParam, parseCmdline, type CmdlineParam } from '../formats/cmdline.js';
import { buildBootEdit, readConfiguredCmdline, type CmdlineEdit } from '../plan/boot-config.js';
import { findStaleLedgerParams, readLedger } from '../plan/ledger.js';
import { buildChange, changeId, emptyDomainDiff, type DomainDiff } from './change.js';

export interface CmdlineItem {
  key: string;
  /** undefined: the parameter must be absent. */
  want: string | null | undefined;
  source?: SourceRef;
  why: string;
}

function describeParam(key: string, value: string | null | undefined): string | null {
  return value === undefined ? null : formatCmdlineParam(key, value);
}

function holdsIn(params: CmdlineParam[], item: CmdlineItem): boolean {
  return cmdlineValue(params, item.key) === item.want;
}

function listItems(desired: DesiredState, staleLedger: string[]): CmdlineItem[] {
  // Order: wanted, removed, then stale ledger entries; each key once.
  const items: CmdlineItem[] = Object.entries(desired.cmdline.set).map(([key, p]) => ({ key, want: p.value, source: p.source, why: 'wanted' }));
  for (const [key, source] of Object.entries(desired.cmdline.remove)) {
    items.push({ key, want: undefined, source, why: 'to be removed' });
  }
  for (const key of staleLedger) {
    if (!(key in desired.cmdline.remove)) items.push({ key, want: undefined, why: 'added by kernfleet (ledger) and no play sets it any more' });
  }
  return items;
}

function listCmdlineEdit(items: CmdlineItem[], desired: DesiredState): CmdlineEdit {
  const set: CmdlineEdit['set'] = {};
  const targets: CmdlineEdit['targets'] = {};
  const remove: string[] = [];
  for (const item of items) {
    if (item.want === undefined) {
      remove.push(item.key);
    } else {
      set[item.key] = item.want;
      targets[item.key] = desired.cmdline.set[item.key]?.target ?? 'GRUB_CMDLINE_LINUX';
    }
  }
  return { set, targets, remove };
}

/** Every parameter this run has an opinion on: set, removed, or left over from kernfleet's ledger. */
export function listCmdlineItems(desired: DesiredState, profile: HostProfile): CmdlineItem[] {
  return listItems(desired, findStaleLedgerParams(desired, readLedger(profile)));
}

/** Parameters whose configured or next-boot value differs: what the bootloader step must close. */
export function findCmdlineEdit(desired: DesiredState, profile: HostProfile): { items: CmdlineItem[]; edit: CmdlineEdit } {
  const configured = parseCmdline(readConfiguredCmdline(profile).text);
  const nextBoot = parseCmdline(profile.boot.nextBootCmdlines[0] ?? readConfiguredCmdline(profile).text);
  const items = listCmdlineItems(desired, profile).filter(
    (item) => !holdsIn(configured, item) || !holdsIn(nextBoot, item),
  );
  return { items, edit: listCmdlineEdit(items, desired) };
}

export function diffCmdline(desired: DesiredState, profile: HostProfile): DomainDiff {
  const result = emptyDomainDiff();
  const ledger = readLedger(profile);
  result.diagnostics.push(...ledger.diagnostics);
  const configuredText = readConfiguredCmdline(profile);
  const configured = parseCmdline(configuredText.text);
  const nextBoot = parseCmdline(profile.boot.nextBootCmdlines[0] ?? configuredText.text);
  const live = parseCmdline(profile.boot.procCmdline);
  const items = listCmdlineItems(desired, profile);
  const { edit } = findCmdlineEdit(desired, profile);
  const bootEdit = buildBootEdit(profile, edit);
  const updates: Change[] = [];
  const pending: CmdlineItem[] = [];
  for (const item of items) {
    const inConfig = configuredText.blocked === undefined && holdsIn(configured, item);
    const inNext = configuredText.blocked === undefined && holdsIn(nextBoot, item);
    const inLive = holdsIn(live, item);
    // Where kernfleet cannot edit the configuration, only the running command line tells.
    if (inLive && (configuredText.blocked !== undefined || (inConfig && inNext))) {
      if (item.source) result.satisfied += 1;
      continue;
    }
    const blocked = bootEdit.blocked[item.key];
    const needsEdit = !inConfig || !inNext;
    if (needsEdit) {
      const have = configuredText.blocked === undefined ? cmdlineValue(inConfig ? nextBoot : configured, item.key) : cmdlineValue(live, item.key);
      const change = buildChange({
        area: 'cmdline',
        subject: item.key,
        action: 'update-bootloader',
        layer: inConfig ? 'next-boot' : 'persisted',
        from: describeParam(item.key, have),
        to: describeParam(item.key, item.want),
        restart: 'system',
        reason: inConfig
          ? `the bootloader configuration has ${describeParam(item.key, item.want) ?? `no ${item.key}`} but the generated boot entry does not: regenerate it`
          : `${item.key} is ${item.why}; the configured command line has ${describeParam(item.key, have) ?? 'no such parameter'}`,
        rollback: bootEdit.rollback,
        source: item.source,
        blocked,
      });
      result.changes.push(change);
      if (blocked === undefined) updates.push(change);
    }
    if (!inLive && blocked === undefined) pending.push(item);
  }
  if (pending.length > 0) result.changes.push(buildRebootChange(pending, live, updates));
  return result;
}

function buildRebootChange(pending: CmdlineItem[], live: CmdlineParam[], updates: Change[]): Change {
  // Only what /proc/cmdline really has; the parameters it lacks are named once, not as "no x no y".
  const present = pending.flatMap((i) => describeParam(i.key, cmdlineValue(live, i.key)) ?? []);
  const missing = pending.filter((i) => cmdlineValue(live, i.key) === undefined).map((i) => i.key);
  const from = [...present, ...(missing.length > 0 ? [`without ${missing.join(', ')}`] : [])].join(' ');
  const running = [present.length > 0 ? `has ${present.join(' ')}` : '', missing.length > 0 ? `lacks ${missing.join(', ')}` : ''].filter(Boolean).join(' and ');
  const to = pending.map((i) => describeParam(i.key, i.want) ?? `no ${i.key}`).join(' ');
  return buildChange({
    area: 'boot',
    subject: 'cmdline',
    action: 'reboot',
    layer: 'live',
    from,
    to,
    restart: 'system',
    reason: updates.length > 0 ? `/proc/cmdline ${running}: a reboot after the bootloader update gives ${to}` : `reboot pending: the next boot has ${to} but /proc/cmdline ${running}`,
    rollback: 'at the boot menu press e and edit the command line for one boot, or choose the previous entry; then revert the bootloader change',
    dependsOn: updates.map((c) => c.id),
  });
}

export const CMDLINE_REBOOT_ID = changeId('boot', 'cmdline', 'reboot');
