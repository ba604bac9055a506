// Sysctls: live (/proc/sys) and next boot (the files in systemd-sysctl order, with our managed file as it
// will be written). Keys that exist only once a module is loaded hang on that module's load.
import type { DesiredState, HostProfile, SourceRef } from '../model/index.js';
import { effectiveSysctl, sameSysctlValue } from '../formats/sysctl-d.js';
import { applyFileEdit, buildSysctlFileEdit, sysctlPath } from '../plan/managed-files.js';
import { buildChange, buildDiagnostic, emptyDomainDiff, type DomainDiff } from './change.js';
import { moduleLoadId } from './modules.js';
import { findSysctlOwner, isSysctlKeyMissing } from './sysctl-owners.js';

function diffLive(key: string, value: string, source: SourceRef, desired: DesiredState, profile: HostProfile, result: DomainDiff): boolean {
  const live = profile.sysctl.live[key] ?? null;
  if (live !== null && sameSysctlValue(live, value)) return true;
  const base = { area: 'sysctl' as const, subject: key, action: 'set-live' as const, layer: 'live' as const, from: live, to: value, source };
  if (live !== null) {
    result.changes.push(buildChange({ ...base, reason: `${key} is ${live}`, rollback: `sysctl -w ${key}=${live}` }));
    return false;
  }
  const owner = findSysctlOwner(key);
  if (owner === undefined || isSysctlKeyMissing(key, desired, profile)) {
    const hint = owner ? `load module ${owner} (add it to modules.load)` : 'check the key name for this kernel';
    result.diagnostics.push(buildDiagnostic('error', 'sysctl-key-missing', `sysctl ${key} does not exist on ${profile.kernel.release}`, profile.host, source, hint));
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

export function diffSysctl(desired: DesiredState, profile: HostProfile): DomainDiff {
  const result = emptyDomainDiff();
  const path = sysctlPath(desired);
  const now = effectiveSysctl(profile.sysctl.files);
  const next = effectiveSysctl(applyFileEdit(profile.sysctl.files, buildSysctlFileEdit(desired, profile)));
  for (const [key, wanted] of Object.entries(desired.sysctl.values)) {
    const holds = diffLive(key, wanted.value, wanted.source, desired, profile, result);
    // A key this kernel does not have would only make systemd-sysctl fail at boot: diffLive said why.
    if (isSysctlKeyMissing(key, desired, profile)) continue;
    const persisted = now[key];
    if (persisted && sameSysctlValue(persisted.value, wanted.value)) {
      if (holds) result.satisfied += 1;
      continue;
    }
    const winner = next[key];
    if (winner && winner.path !== path && !sameSysctlValue(winner.value, wanted.value)) {
      result.diagnostics.push(
        buildDiagnostic('error', 'sysctl-overridden', `${key} = ${wanted.value} in ${path} is overridden by ${winner.path}:${winner.line} (${key} = ${winner.value}): the next boot would not have it`, profile.host, wanted.source, `remove or change the line in ${winner.path}`),
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
        reason: persisted ? `the next boot sets ${key} = ${persisted.value} (${persisted.path}:${persisted.line})` : `no sysctl file sets ${key}`,
        rollback: `restore the backup of ${path} (delete it if kernfleet created it)`,
        source: wanted.source,
      }),
    );
  }
  return result;
}
