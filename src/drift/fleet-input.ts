// The drift pipeline's pure middle: one gathered host (profile or gather failure) → its DriftInput.
// Like planHost, but it stops after the diff: drift never builds steps.
import { diffHost } from '../diff/index.js';
import type { GatherResult } from '../facts/gather.js';
import { hostFactsOf } from '../facts/when-facts.js';
import { resolveDesired } from '../manifest/index.js';
import type { Fleet } from '../model/index.js';
import type { DriftInput } from './report.js';

export function buildDriftInput(fleet: Fleet, host: string, result: GatherResult): DriftInput {
  if (!result.ok) return { host, gathered: false, diagnostic: result.diagnostic };
  const resolved = resolveDesired(fleet, host, hostFactsOf(result.profile));
  return { host, gathered: true, profile: result.profile, desired: resolved.desired, diff: diffHost(resolved.desired, result.profile), diagnostics: resolved.diagnostics };
}
