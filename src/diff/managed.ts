// A managed file can differ from what this run wants without any single item differing: a value no play
// asks for any more is still in it. Rewriting it is then a change of its own, so the plan never writes
// a file without saying why.
import type { Change, DesiredState, HostProfile } from '../model/index.js';
import { listManagedFiles } from '../plan/managed-files.js';
import { buildChange } from './change.js';

export function diffManagedFiles(desired: DesiredState, profile: HostProfile, changes: Change[]): Change[] {
  return listManagedFiles(desired, profile)
    .filter((file) => file.edit !== null && !changes.some((c) => file.owns(c)))
    .map((file) =>
      buildChange({
        area: file.area,
        subject: file.path,
        action: 'write-file',
        layer: 'persisted',
        from: file.edit?.before === null ? null : 'out of date',
        to: 'as the playbooks say',
        reason: file.edit?.before === null ? `${file.path} does not exist yet` : `${file.path} differs from what the playbooks render (a value no play sets any more, or an edit by hand)`,
        rollback: `restore the backup of ${file.path}`,
      }),
    );
}
