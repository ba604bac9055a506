// Modules to load now and at every boot. Built in = nothing to do; not available = blocked, naming what
// would provide it; without CONFIG_MODULES nothing can load at all. Options and blacklists have their own files.
import type { DesiredState, HostProfile, SourceRef } from '../model/index.js';
import { persistedModules } from '../formats/modules-load-d.js';
import { modulesLoadPath } from '../plan/managed-files.js';
import { buildChange, changeId, emptyDomainDiff, type DomainDiff } from './change.js';
import { isConfigSatisfied } from './kconfig.js';
import { findModuleProvider } from '../formats/module-providers.js';
import { diffModuleOptions } from './module-options.js';
import { diffModuleBlacklist } from './module-blacklist.js';
import { isModuleBuiltin, NO_MODULES_REASON } from './module-state.js';

export { NO_MODULES_REASON };


export function moduleLoadId(module: string): string {
  return changeId('module', module, 'load');
}

function describeUnavailable(module: string, desired: DesiredState, profile: HostProfile): { blocked: string; dependsOn: string[] } {
  const release = profile.kernel.release;
  const provider = findModuleProvider(module);
  if (provider?.kind === 'dkms') {
    return { blocked: `module ${module} is not available for ${release}: install the DKMS package ${provider.package}`, dependsOn: [] };
  }
  if (provider?.kind === 'config') {
    const option = desired.kernel.config[provider.symbol];
    const have = profile.kernel.config[provider.symbol] ?? null;
    // The rebuild that would build the module is already in this plan: say so and hang on it.
    const rebuilding = option?.level === 'required' && profile.kernel.configSource !== null && !isConfigSatisfied(option.want, have);
    return {
      blocked: `module ${module} is not available for ${release}: it needs ${provider.symbol}=m (or y) and ${profile.env.wsl ? 'a custom WSL kernel (kernel= in .wslconfig)' : 'a kernel rebuild'}`,
      dependsOn: rebuilding ? [changeId('kconfig', provider.symbol, 'rebuild-kernel')] : [],
    };
  }
  return { blocked: `module ${module} is not available for ${release}: no module of that name for this kernel (DKMS package or kernel rebuild needed)`, dependsOn: [] };
}

function diffModuleLoad(module: string, source: SourceRef, desired: DesiredState, profile: HostProfile, result: DomainDiff): void {
  const { loaded, available } = profile.modules;
  if (isModuleBuiltin(module, profile)) {
    result.satisfied += 1;
    return;
  }
  const base = { area: 'module' as const, subject: module, source };
  if (!profile.kernel.modulesSupported) {
    result.changes.push(
      buildChange({ ...base, action: 'load', layer: 'live', from: null, to: 'loaded', reason: `module ${module} is wanted`, rollback: 'nothing was changed', blocked: NO_MODULES_REASON }),
    );
    return;
  }
  const isLoaded = loaded.includes(module);
  if (!isLoaded && available[module] !== true) {
    const { blocked, dependsOn } = describeUnavailable(module, desired, profile);
    result.changes.push(
      buildChange({ ...base, action: 'load', layer: 'live', from: null, to: 'loaded', reason: `module ${module} is wanted`, rollback: 'nothing was changed', blocked, dependsOn }),
    );
    return;
  }
  const persisted = persistedModules(profile.modules.loadFiles)[module];
  if (!isLoaded) {
    result.changes.push(
      buildChange({
        ...base,
        action: 'load',
        layer: 'live',
        from: null,
        to: 'loaded',
        reason: `module ${module} is not loaded`,
        rollback: `modprobe -r ${module}`,
        // modprobe reads modprobe.d when it loads: the wanted options must be on disk first.
        dependsOn: Object.keys(desired.modules.options[module] ?? {}).map((p) => changeId('module', `${module}.${p}`, 'persist')),
      }),
    );
  }
  if (!persisted) {
    const path = modulesLoadPath(desired, profile);
    result.changes.push(
      buildChange({
        ...base,
        action: 'persist',
        layer: 'persisted',
        from: null,
        to: path,
        reason: `module ${module} is not loaded at boot by any modules-load.d file`,
        rollback: `remove ${module} from ${path} (delete the file if kernfleet created it)`,
      }),
    );
  }
  if (isLoaded && persisted) result.satisfied += 1;
}

export function diffModules(desired: DesiredState, profile: HostProfile): DomainDiff {
  const result = emptyDomainDiff();
  for (const [module, source] of Object.entries(desired.modules.load)) {
    diffModuleLoad(module, source, desired, profile, result);
  }
  const options = diffModuleOptions(desired, profile);
  const blacklist = diffModuleBlacklist(desired, profile);
  return {
    changes: [...result.changes, ...options.changes, ...blacklist.changes],
    diagnostics: [...result.diagnostics, ...options.diagnostics, ...blacklist.diagnostics],
    satisfied: result.satisfied + options.satisfied + blacklist.satisfied,
  };
}
