// Pure: (DesiredState, HostProfile) → Change[]. No I/O, no clock, no randomness.
import type { Change, DesiredState, Diagnostic, HostProfile } from '../model/index.js';
import { diffCmdline } from './cmdline.js';
import { diagnoseEnvironment, gateChanges } from './environment.js';
import { diffKconfig } from './kconfig.js';
import { diffManagedFiles } from './managed.js';
import { diffModules } from './modules.js';
import { diffSysctl } from './sysctl.js';

export interface DiffResult {
  changes: Change[];
  diagnostics: Diagnostic[];
  /** Desired items that already hold. */
  satisfied: number;
}

export function diffHost(desired: DesiredState, profile: HostProfile): DiffResult {
  // Fixed domain order: the plan and its snapshots read the same on every run.
  const domains = [diffKconfig, diffModules, diffSysctl, diffCmdline].map((differ) => differ(desired, profile));
  const found = domains.flatMap((d) => d.changes);
  const all = [...found, ...diffManagedFiles(desired, profile, found)];
  // Ids are unique by construction; should two ever meet, the plan keeps the first and says so.
  const changes = all.filter((c, i) => all.findIndex((o) => o.id === c.id) === i);
  const duplicates = all.filter((c, i) => all.findIndex((o) => o.id === c.id) !== i).map(
    (c): Diagnostic => ({ severity: 'error', code: 'duplicate-change', host: profile.host, message: `two changes with id ${c.id}: only the first is planned` }),
  );
  return {
    changes: gateChanges(profile, changes),
    diagnostics: [...diagnoseEnvironment(profile), ...domains.flatMap((d) => d.diagnostics), ...duplicates],
    satisfied: domains.reduce((sum, d) => sum + d.satisfied, 0),
  };
}
