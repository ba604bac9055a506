// What a probe must ask a host: derived from the desired state so the probe sends back only what
// the playbook is about (the wanted CONFIG_ lines, not the whole config).
import { normaliseModule } from '../formats/module-name.js';
import { providerSymbols } from '../formats/module-providers.js';
import type { DesiredState } from '../model/index.js';

export interface ProbeRequest {
  /** Full CONFIG_ symbol names; CONFIG_MODULES is always added by the probe. */
  configSymbols: string[];
  /** Normalised module names (load, options and blacklist). */
  modules: string[];
  /** 'module.param' pairs whose live value is wanted. */
  params: string[];
  /** Dotted sysctl keys. */
  sysctlKeys: string[];
}

export function probeRequestFor(desired: DesiredState): ProbeRequest {
  const options = desired.modules.options;
  const modules = [...Object.keys(desired.modules.load), ...Object.keys(options), ...Object.keys(desired.modules.blacklist)];
  const params = Object.entries(options).flatMap(([module, values]) => Object.keys(values).map((param) => `${normaliseModule(module)}.${param}`));
  const names = sortedUnique(modules.map(normaliseModule));
  return {
    // A kernel without /lib/modules (CONFIG_MODULES unset) has no modules.builtin: its config is then the
    // only witness that a module is built in.
    configSymbols: sortedUnique([...Object.keys(desired.kernel.config), ...providerSymbols(names)]),
    modules: names,
    params: sortedUnique(params),
    sysctlKeys: sortedUnique(Object.keys(desired.sysctl.values)),
  };
}

/** A request asking nothing: the probe still reports the host's environment, boot and file layers. */
export function emptyProbeRequest(): ProbeRequest {
  return { configSymbols: [], modules: [], params: [], sysctlKeys: [] };
}

function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
