// Module parameters: persisted in a managed modprobe.d file (read at every load), and closed live when
// the module is loaded — through sysfs when the parameter is writable, otherwise by reloading the module.
import type { DesiredState, HostProfile } from '../model/index.js';
import {
  applyFileEdit,
  buildModprobeOptionsFileEdit,
  modprobeOptionsPath,
  persistedModuleOptions,
  sameModuleParam,
} from '../plan/managed-files.js';
import { buildChange, buildDiagnostic, changeId, emptyDomainDiff, type DomainDiff } from './change.js';
import { moduleOptionsBlocked } from './module-state.js';

export function diffModuleOptions(desired: DesiredState, profile: HostProfile): DomainDiff {
  const result = emptyDomainDiff();
  const path = modprobeOptionsPath(desired);
  const persistedNow = persistedModuleOptions(profile.modules.modprobeFiles);
  const persistedNext = persistedModuleOptions(applyFileEdit(profile.modules.modprobeFiles, buildModprobeOptionsFileEdit(desired, profile)));
  for (const [module, params] of Object.entries(desired.modules.options)) {
    const blocked = moduleOptionsBlocked(module, params, profile);
    if (blocked !== undefined) {
      for (const [param, wanted] of Object.entries(params)) {
        result.changes.push(
          buildChange({ area: 'module', subject: `${module}.${param}`, source: wanted.source, action: 'persist', layer: 'persisted', from: null, to: wanted.value, reason: `${module}.${param} is wanted`, rollback: 'nothing was changed', blocked }),
        );
      }
      continue;
    }
    const loaded = profile.modules.loaded.includes(module);
    const reloadReasons: string[] = [];
    const persistIds: string[] = [];
    const overridden: string[] = [];
    for (const [param, wanted] of Object.entries(params)) {
      const key = `${module}.${param}`;
      const base = { area: 'module' as const, subject: key, source: wanted.source };
      let holds = true;
      const now = persistedNow[key];
      if (!sameModuleParam(now?.value ?? null, wanted.value)) {
        holds = false;
        const next = persistedNext[key];
        if (next && next.path !== path && !sameModuleParam(next.value, wanted.value)) {
          overridden.push(`${key}=${next.value} from ${next.path}:${next.line}`);
          result.diagnostics.push(
            buildDiagnostic('error', 'modprobe-option-overridden', `${key}=${wanted.value} in ${path} is overridden by ${next.path}:${next.line} (${key}=${next.value}): the next load would not have it`, profile.host, wanted.source, `remove the option from ${next.path}`),
          );
        } else {
          persistIds.push(changeId('module', key, 'persist'));
          result.changes.push(
            buildChange({
              ...base,
              action: 'persist',
              layer: 'persisted',
              from: now?.value ?? null,
              to: wanted.value,
              reason: now ? `modprobe.d passes ${key}=${now.value} (${now.path}:${now.line})` : `no modprobe.d file sets ${key}`,
              rollback: `restore the backup of ${path} (delete it if kernfleet created it)`,
            }),
          );
        }
      }
      const live = profile.modules.params[key] ?? null;
      if (loaded && live === null) {
        result.diagnostics.push(
          buildDiagnostic('warning', 'module-param-unknown', `module ${module} is loaded but has no parameter ${param} in /sys/module/${module}/parameters`, profile.host, wanted.source),
        );
        holds = false;
      } else if (loaded && !sameModuleParam(live, wanted.value)) {
        holds = false;
        if (profile.modules.paramsWritable[key] === true) {
          result.changes.push(
            buildChange({
              ...base,
              action: 'set-live',
              layer: 'live',
              from: live,
              to: wanted.value,
              reason: `${key} is ${live} in the loaded module`,
              rollback: `write ${live} to /sys/module/${module}/parameters/${param}`,
            }),
          );
        } else {
          reloadReasons.push(`${key} is ${live}`);
        }
      }
      if (holds) result.satisfied += 1;
    }
    if (reloadReasons.length > 0) {
      result.changes.push(
        buildChange({
          area: 'module',
          subject: module,
          action: 'reload',
          layer: 'live',
          from: reloadReasons.join(', '),
          to: Object.entries(params).map(([p, v]) => `${module}.${p}=${v.value}`).join(' '),
          reason: `${reloadReasons.join(', ')} in the loaded module and the parameter is read-only: reload (fails while the module is in use; a reboot also applies it)`,
          rollback: `modprobe -r ${module} && modprobe ${module} after restoring the backup of ${path}`,
          // The reload must read the new options file.
          dependsOn: persistIds,
          source: Object.values(params)[0]?.source,
          ...(overridden.length > 0 ? { blocked: `a reload would still read ${overridden.join(', ')}` } : {}),
        }),
      );
    }
  }
  return result;
}
