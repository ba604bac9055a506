// What a probe must ask a host: derived from the desired state so the probe sends back only what
// the playbook is about (the wanted CONFIG_ lines, not the whole config).
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
  throw new Error('not implemented: probeRequestFor');
}
