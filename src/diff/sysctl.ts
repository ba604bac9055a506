// Sysctls: live (/proc/sys) and next boot (the files in systemd-sysctl order, with our managed file as it
// will be written). Keys that exist only once a module is loaded hang on that module's load.
//
// A floor (`{ min: N }`) holds wherever the value is >= N, and a host above it is never lowered. When no
// file sets the key and the live value holds, the live value is taken for the boot default and nothing is
// persisted: the default comes back at every boot (systemd raises fs.file-max, the kernel sizes
// inotify watches by RAM). A value raised by hand with `sysctl -w` and no file looks the same and would
// be lost at reboot; kernfleet cannot tell the two apart from one gather and does not try.
import type { DesiredState, DesiredSysctl, HostProfile } from '../model/index.js';
import { effectiveSysctl, type SysctlAssignment } from '../formats/sysctl-d.js';
import { applyFileEdit, buildSysctlFileEdit, sysctlPath } from '../plan/managed-files.js';
import { buildChange, buildDiagnostic, emptyDomainDiff, type DomainDiff } from './change.js';
import { moduleLoadId } from './modules.js';
import { findSysctlOwner, isSysctlKeyMissing } from './sysctl-owners.js';
import { isLiveSysctlComparable, meetsSysctlWant } from './sysctl-want.js';

const BELOW_FLOOR = 'below the floor';

function diffLive(key: string, wanted: DesiredSysctl, desired: DesiredState, profile: HostProfile, result: DomainDiff): boolean {
  const live = profile.sysctl.live[key] ?? null;
  if (meetsSysctlWant(live, wanted)) return true;
  const base = { area: 'sysctl' as const, subject: key, action: 'set-live' as const, layer: 'live' as const, from: live, to: wanted.value, source: wanted.source };
  if (live !== null) {
    const reason = wanted.atLeast ? `${key} is ${live}, ${BELOW_FLOOR} ${wanted.value}` : `${key} is ${live}`;
    result.changes.push(buildChange({ ...base, reason, rollback: `sysctl -w ${key}=${live}` }));
    return false;
  }
  const owner = findSysctlOwner(key);
  if (owner === undefined || isSysctlKeyMissing(key, desired, profile)) {
    const hint = owner ? `load module ${owner} (add it to modules.load)` : 'check the key name for this kernel';
    result.diagnostics.push(buildDiagnostic('error', 'sysctl-key-missing', `sysctl ${key} does not exist on ${profile.kernel.release}`, profile.host, wanted.source, hint));
    return false;
  }
  result.changes.push(
    buildChange({
      ...base,
      reason: `${key} appears once module ${owner} is loaded`,
      rollback: `modprobe -r ${owner} (the key did not exist before ${owner} was loaded)`,
      dependsOn: [moduleLoadId(owner)],
    }),
  );
  return false;
}

/** Why the next boot would not have the wanted value (no file, or the file that decides it). */
function describePersisted(key: string, wanted: DesiredSysctl, persisted: SysctlAssignment | undefined, live: string | null): string {
  if (persisted) {
    const where = `the next boot sets ${key} = ${persisted.value} (${persisted.path}:${persisted.line})`;
    return wanted.atLeast ? `${where}, ${BELOW_FLOOR} ${wanted.value}` : where;
  }
  if (wanted.atLeast && live !== null) return `no sysctl file sets ${key} and the boot default ${live} is ${BELOW_FLOOR} ${wanted.value}`;
  return `no sysctl file sets ${key}`;
}

export function diffSysctl(desired: DesiredState, profile: HostProfile): DomainDiff {
  const result = emptyDomainDiff();
  const path = sysctlPath(desired);
  const now = effectiveSysctl(profile.sysctl.files);
  const next = effectiveSysctl(applyFileEdit(profile.sysctl.files, buildSysctlFileEdit(desired, profile)));
  for (const [key, wanted] of Object.entries(desired.sysctl.values)) {
    const live = profile.sysctl.live[key] ?? null;
    if (!isLiveSysctlComparable(key, wanted, profile)) {
      const message = `${key} is ${JSON.stringify(live)}, not one integer: the floor ${wanted.value} cannot be compared with it`;
      result.diagnostics.push(buildDiagnostic('error', 'sysctl-not-integer', message, profile.host, wanted.source, 'ask for an exact value instead of { min }'));
      continue;
    }
    const holds = diffLive(key, wanted, desired, profile, result);
    // A key this kernel does not have would only make systemd-sysctl fail at boot: diffLive said why.
    if (isSysctlKeyMissing(key, desired, profile)) continue;
    const persisted = now[key];
    // A floor with no file setting the key lives on the boot default, which the live value shows.
    const persistedHolds = persisted ? meetsSysctlWant(persisted.value, wanted) : wanted.atLeast && holds;
    if (persistedHolds) {
      if (holds) result.satisfied += 1;
      continue;
    }
    const winner = next[key];
    if (winner && winner.path !== path && !meetsSysctlWant(winner.value, wanted)) {
      const ours = wanted.atLeast ? `${key} >= ${wanted.value}` : `${key} = ${wanted.value}`;
      result.diagnostics.push(
        buildDiagnostic('error', 'sysctl-overridden', `${ours} in ${path} is overridden by ${winner.path}:${winner.line} (${key} = ${winner.value}): the next boot would not have it`, profile.host, wanted.source, `remove or change the line in ${winner.path}`),
      );
      continue;
    }
    result.changes.push(
      buildChange({
        area: 'sysctl',
        subject: key,
        action: 'persist',
        layer: 'persisted',
        from: persisted?.value ?? null,
        to: wanted.value,
        reason: describePersisted(key, wanted, persisted, live),
        rollback: `restore the backup of ${path} (delete it if kernfleet created it)`,
        source: wanted.source,
      }),
    );
  }
  return result;
}
