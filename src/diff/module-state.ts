// What the profile says about one module, shared by the load, options and blacklist differs.
import type { HostProfile } from '../model/index.js';
import { findModuleProvider } from '../formats/module-providers.js';

export const NO_MODULES_REASON = 'kernel built without CONFIG_MODULES: nothing can be loaded';

/** Built in: listed in modules.builtin, or (without /lib/modules, as on kernels with CONFIG_MODULES unset) its CONFIG_ symbol is y. */
export function isModuleBuiltin(module: string, profile: HostProfile): boolean {
  if (profile.modules.builtin.includes(module)) return true;
  const provider = findModuleProvider(module);
  return provider?.kind === 'config' && profile.kernel.config[provider.symbol] === 'y';
}

/** Can be loaded now or is loaded: modprobe would find it. */
export function isModuleLoadable(module: string, profile: HostProfile): boolean {
  return profile.kernel.modulesSupported && (profile.modules.loaded.includes(module) || profile.modules.available[module] === true);
}

/** Why options cannot be persisted for this module on this host, or undefined when they can. */
export function moduleOptionsBlocked(module: string, params: Record<string, { value: string }>, profile: HostProfile): string | undefined {
  if (isModuleBuiltin(module, profile)) {
    const onCmdline = Object.entries(params).map(([p, v]) => `${module}.${p}=${v.value}`).join(' ');
    return `${module} is built into ${profile.kernel.release}: modprobe.d options never reach it; set ${onCmdline} on the kernel command line instead`;
  }
  if (!profile.kernel.modulesSupported) return NO_MODULES_REASON;
  if (!isModuleLoadable(module, profile)) return `module ${module} is not available for ${profile.kernel.release}: its options would never be read`;
  return undefined;
}
