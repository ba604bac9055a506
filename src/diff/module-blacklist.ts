// Blacklisting means the module really cannot load: `blacklist M` plus `install M /bin/false` in a managed
// modprobe.d file, an unload if it is loaded, an initramfs rebuild if the initramfs carries it, and an error
// when it is built in (nothing can stop a built-in driver but a rebuild or a command-line parameter).
import type { DesiredState, HostProfile } from '../model/index.js';
import { isModuleBlacklisted, modprobeBlacklistPath } from '../plan/managed-files.js';
import { buildChange, buildDiagnostic, changeId, emptyDomainDiff, type DomainDiff } from './change.js';
import { isModuleBuiltin } from './module-state.js';

export function diffModuleBlacklist(desired: DesiredState, profile: HostProfile): DomainDiff {
  const result = emptyDomainDiff();
  const path = modprobeBlacklistPath(desired);
  for (const [module, source] of Object.entries(desired.modules.blacklist)) {
    if (module in desired.modules.load) {
      result.diagnostics.push(buildDiagnostic('error', 'module-load-and-blacklist', `module ${module} is both to be loaded and blacklisted`, profile.host, source));
      continue;
    }
    if (isModuleBuiltin(module, profile)) {
      result.diagnostics.push(
        buildDiagnostic('error', 'blacklist-builtin', `cannot blacklist built-in module ${module}: it is part of ${profile.kernel.release}`, profile.host, source, `disable it with a kernel parameter (e.g. ${module}.enable=0 or initcall_blacklist=) or rebuild the kernel with it as a module`),
      );
      continue;
    }
    const base = { area: 'module' as const, subject: module, source };
    const persistId = changeId('module', module, 'persist');
    let holds = true;
    if (!isModuleBlacklisted(module, profile.modules.modprobeFiles)) {
      holds = false;
      result.changes.push(
        buildChange({ ...base, action: 'persist', layer: 'persisted', from: null, to: 'blacklisted', reason: `no modprobe.d file both blacklists ${module} and disables its install`, rollback: `restore the backup of ${path} (delete it if kernfleet created it)` }),
      );
    }
    const dependsOn = holds ? [] : [persistId];
    const alreadyBlacklisted = holds;
    if (profile.modules.loaded.includes(module)) {
      holds = false;
      result.changes.push(
        buildChange({ ...base, action: 'unload', layer: 'live', from: 'loaded', to: null, reason: `blacklisted module ${module} is loaded (unloading fails while it is in use)`, rollback: `modprobe ${module} after removing it from ${path}`, dependsOn }),
      );
    }
    // The rebuild goes with the write of the blacklist: once both are done the initramfs carries it.
    if (!alreadyBlacklisted && profile.modules.initramfs.includes(module)) {
      result.changes.push(
        buildChange({ ...base, action: 'rebuild-initramfs', layer: 'next-boot', from: 'in initramfs', to: 'blacklisted in initramfs', restart: 'system', reason: `the initramfs configuration includes ${module}: it loads before the root file system unless the initramfs carries the blacklist`, rollback: `restore the backup of ${path} and rebuild the initramfs again; at boot, pick the previous kernel's entry if the new initramfs fails`, dependsOn }),
      );
    }
    if (holds) result.satisfied += 1;
  }
  return result;
}
