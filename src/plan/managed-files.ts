// The files kernfleet owns on a host (one per concern) and what they will contain after this run.
// Pure: both the differs (to know what the next boot will see) and the step builder use these.
import type { Change, DesiredState, DesiredSysctl, FileEdit, FileEntry, HostProfile } from '../model/index.js';
import { managedHeader } from '../formats/managed.js';
import { isSysctlKeyMissing } from '../diff/sysctl-owners.js';
import { isModuleBuiltin, isModuleLoadable } from '../diff/module-state.js';
import { isLiveSysctlComparable, meetsSysctlWant } from '../diff/sysctl-want.js';
import { effectiveSysctl, renderSysctlFile, type SysctlAssignment } from '../formats/sysctl-d.js';
import { parseModulesLoadFile, persistedModules, renderModulesLoadFile } from '../formats/modules-load-d.js';
import { effectiveModprobe, effectiveModuleOptions, parseModprobeFile, type ModuleOptionSource, renderModprobeBlacklist, renderModprobeOptions } from '../formats/modprobe-d.js';

export const ALPINE_MODULES_FILE = '/etc/modules';

export function sysctlPath(desired: DesiredState): string {
  return `/etc/sysctl.d/${desired.sysctl.file}`;
}

export function modulesLoadPath(desired: DesiredState, profile: HostProfile): string {
  // Alpine's OpenRC reads one shared /etc/modules, not modules-load.d.
  return profile.os.family === 'alpine' ? ALPINE_MODULES_FILE : `/etc/modules-load.d/${desired.modules.persistFile}`;
}

export function modprobeOptionsPath(desired: DesiredState): string {
  return `/etc/modprobe.d/${desired.modules.optionsFile}`;
}

export function modprobeBlacklistPath(desired: DesiredState): string {
  return `/etc/modprobe.d/${desired.modules.blacklistFile}`;
}

// Names the playbook files, not the plays: play names are prose that changes more often than what they ask.
function headerFor(desired: DesiredState): string {
  return managedHeader(desiredSourceFiles(desired).join(', ') || 'kernfleet');
}

function desiredSourceFiles(desired: DesiredState): string[] {
  const { modules, sysctl } = desired;
  const refs = [
    ...Object.values(modules.load),
    ...Object.values(modules.blacklist),
    ...Object.values(modules.options).flatMap((params) => Object.values(params).map((p) => p.source)),
    ...Object.values(sysctl.values).map((v) => v.source),
  ];
  return [...new Set(refs.map((r) => r.file))].sort();
}

/** The lines that mean something (comments, blank lines, spacing and order aside). */
function meaningOf(content: string): string {
  return content
    .split('\n')
    .map((line) => line.trim().replace(/\s*=\s*/g, '=').replace(/\s+/g, ' '))
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith(';'))
    .sort()
    .join('\n');
}

function findFile(files: FileEntry[], path: string): FileEntry | undefined {
  return files.find((f) => f.path === path);
}

/** The file list as it will be once `edit` is written. */
export function applyFileEdit(files: FileEntry[], edit: FileEdit | null): FileEntry[] {
  if (edit === null) return files;
  const others = files.filter((f) => f.path !== edit.path);
  return edit.after === null ? others : [...others, { path: edit.path, content: edit.after }];
}

// A file that already says the same (another header, another order) is left alone: rewriting it would be
// churn on a converged host. Our files never repeat a key, so line order carries no meaning in them.
function toEdit(path: string, before: string | null, after: string): FileEdit | null {
  if (before !== null && meaningOf(before) === meaningOf(after)) return null;
  return { path, before, after, mode: '0644' };
}

// A value another (not kernfleet's) file already persists is left there, unless our file already
// carries it: keeps hosts that hold everything untouched, and keeps our file stable once written.
function keepInManaged(heldElsewhere: boolean, inOurs: boolean): boolean {
  return inOurs || !heldElsewhere;
}

/**
 * Whether the next boot has the wanted value without our file. A floor that no other file sets lives on
 * the boot default, which the live value shows (see diff/sysctl.ts for what that assumes).
 */
function isSysctlHeldWithoutUs(key: string, wanted: DesiredSysctl, elsewhere: Record<string, SysctlAssignment>, profile: HostProfile): boolean {
  const other = elsewhere[key];
  if (other !== undefined) return meetsSysctlWant(other.value, wanted);
  return wanted.atLeast && meetsSysctlWant(profile.sysctl.live[key] ?? null, wanted);
}

export function buildSysctlFileEdit(desired: DesiredState, profile: HostProfile): FileEdit | null {
  const path = sysctlPath(desired);
  const current = findFile(profile.sysctl.files, path);
  const ours = current ? effectiveSysctl([current]) : {};
  const elsewhere = effectiveSysctl(profile.sysctl.files.filter((f) => f.path !== path));
  const values: Record<string, string> = {};
  for (const [key, wanted] of Object.entries(desired.sysctl.values)) {
    if (isSysctlKeyMissing(key, desired, profile) || !isLiveSysctlComparable(key, wanted, profile)) continue;
    const inOurs = ours[key]?.value ?? null;
    if (!keepInManaged(isSysctlHeldWithoutUs(key, wanted, elsewhere, profile), inOurs !== null)) continue;
    // A value of ours that already meets a floor stays: rewriting it down to the floor would lower the host.
    values[key] = inOurs !== null && wanted.atLeast && meetsSysctlWant(inOurs, wanted) ? inOurs : wanted.value;
  }
  if (Object.keys(values).length === 0 && !current) return null;
  return toEdit(path, current?.content ?? null, renderSysctlFile(values, headerFor(desired)));
}

export function buildModulesLoadFileEdit(desired: DesiredState, profile: HostProfile): FileEdit | null {
  const path = modulesLoadPath(desired, profile);
  const current = findFile(profile.modules.loadFiles, path);
  const ours = new Set(current ? parseModulesLoadFile(path, current.content).map((m) => m.module) : []);
  const elsewhere = persistedModules(profile.modules.loadFiles.filter((f) => f.path !== path));
  const modules = Object.keys(desired.modules.load).filter(
    (m) => !isModuleBuiltin(m, profile) && isModuleLoadable(m, profile) && keepInManaged(elsewhere[m] !== undefined, ours.has(m)),
  );
  if (path === ALPINE_MODULES_FILE) {
    // A shared file: keep every line of it and append what is missing.
    const missing = modules.filter((m) => !ours.has(m));
    if (missing.length === 0) return null;
    const before = current?.content ?? '';
    const base = before === '' || before.endsWith('\n') ? before : `${before}\n`;
    return toEdit(path, current?.content ?? null, `${base}${missing.join('\n')}\n`);
  }
  if (modules.length === 0 && !current) return null;
  return toEdit(path, current?.content ?? null, renderModulesLoadFile(modules, headerFor(desired)));
}

export function buildModprobeOptionsFileEdit(desired: DesiredState, profile: HostProfile): FileEdit | null {
  const path = modprobeOptionsPath(desired);
  const current = findFile(profile.modules.modprobeFiles, path);
  const ours = current ? parseModprobeFile(path, current.content) : [];
  const elsewhere = persistedModuleOptions(profile.modules.modprobeFiles.filter((f) => f.path !== path));
  const options: Record<string, Record<string, string>> = {};
  for (const [module, params] of Object.entries(desired.modules.options)) {
    for (const [param, wanted] of Object.entries(params)) {
      const inOurs = ours.some((d) => d.kind === 'options' && d.module === module && param in d.params);
      const held = sameModuleParam(elsewhere[`${module}.${param}`]?.value ?? null, wanted.value);
      if (!keepInManaged(held, inOurs)) continue;
      options[module] = { ...options[module], [param]: wanted.value };
    }
  }
  if (Object.keys(options).length === 0 && !current) return null;
  return toEdit(path, current?.content ?? null, renderModprobeOptions(options, headerFor(desired)));
}

export function buildModprobeBlacklistFileEdit(desired: DesiredState, profile: HostProfile): FileEdit | null {
  const path = modprobeBlacklistPath(desired);
  const current = findFile(profile.modules.modprobeFiles, path);
  const ours = new Set(current ? parseModprobeFile(path, current.content).filter((d) => d.kind === 'blacklist').map((d) => d.module) : []);
  const elsewhere = profile.modules.modprobeFiles.filter((f) => f.path !== path);
  const modules = Object.keys(desired.modules.blacklist).filter(
    (m) => !isModuleBuiltin(m, profile) && keepInManaged(isModuleBlacklisted(m, elsewhere), ours.has(m)),
  );
  if (modules.length === 0 && !current) return null;
  return toEdit(path, current?.content ?? null, renderModprobeBlacklist(modules, headerFor(desired)));
}

/** Blacklisted for real: `blacklist` alone still lets a dependency or an explicit modprobe pull the module in. */
export function isModuleBlacklisted(module: string, files: FileEntry[]): boolean {
  const directives = effectiveModprobe(files);
  const listed = directives.some((d) => d.kind === 'blacklist' && d.module === module);
  const disabled = directives.some((d) => d.kind === 'install' && d.module === module && /^\/(usr\/)?bin\/(false|true)\b/.test(d.command.trim()));
  return listed && disabled;
}

/** 'module.param' → the value modprobe passes at load, and the file:line it comes from. */
export function persistedModuleOptions(files: FileEntry[]): Record<string, ModuleOptionSource> {
  const result: Record<string, ModuleOptionSource> = {};
  for (const [module, params] of Object.entries(effectiveModuleOptions(effectiveModprobe(files)))) {
    for (const [param, source] of Object.entries(params)) result[`${module}.${param}`] = source;
  }
  return result;
}

const BOOLEAN_SPELLINGS: Record<string, string> = { y: 'Y', n: 'N', '1': 'Y', '0': 'N' };

/** Module parameters compare as the kernel prints them: booleans read back as Y/N whatever was written. */
export function sameModuleParam(have: string | null, want: string): boolean {
  if (have === null) return false;
  if (have === want) return true;
  const isBool = (v: string) => /^[yn]$/i.test(v);
  if (!isBool(have) && !isBool(want)) return false;
  const spelled = BOOLEAN_SPELLINGS[have.toLowerCase()];
  return spelled !== undefined && spelled === BOOLEAN_SPELLINGS[want.toLowerCase()];
}

export interface ManagedFile {
  area: 'sysctl' | 'module';
  path: string;
  /** null: the file already has the content this run wants. */
  edit: FileEdit | null;
  /** The changes writing this file closes. */
  owns: (change: Change) => boolean;
}

export function listManagedFiles(desired: DesiredState, profile: HostProfile): ManagedFile[] {
  const isPersist = (c: Change, area: Change['area']) => c.area === area && c.action === 'persist';
  const file = (area: ManagedFile['area'], path: string, edit: FileEdit | null, owns: (c: Change) => boolean): ManagedFile => ({
    area,
    path,
    edit,
    owns: (c) => (c.action === 'write-file' && c.subject === path) || owns(c),
  });
  return [
    file('module', modprobeOptionsPath(desired), buildModprobeOptionsFileEdit(desired, profile), (c) => isPersist(c, 'module') && c.subject.includes('.')),
    file('module', modprobeBlacklistPath(desired), buildModprobeBlacklistFileEdit(desired, profile), (c) => isPersist(c, 'module') && c.subject in desired.modules.blacklist),
    file('module', modulesLoadPath(desired, profile), buildModulesLoadFileEdit(desired, profile), (c) => isPersist(c, 'module') && c.subject in desired.modules.load),
    file('sysctl', sysctlPath(desired), buildSysctlFileEdit(desired, profile), (c) => isPersist(c, 'sysctl')),
  ];
}
