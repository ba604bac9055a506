// `kernfleet rollback --run RUN`: puts back every file a run changed on a host, from the run's backup
// directory (backups/RUN/<path>, mode and owner kept), each atomically, and deletes the files the run
// created. Commands that made the files take effect (update-grub, sysctl --system) are the steps'
// rollback instructions, which the CLI prints: a restored file is not yet a restored kernel.
// A file the run created and then changed again (the ledger: the boot step creates it, the apply record
// rewrites it) has a backup of the run's own first version: it is deleted, not restored first.
import type { Transport } from '../transport/index.js';
import { backupDirOf, CREATED_LIST, DEFAULT_STATE_DIR, SWEEP_TEMPS } from './remote-file.js';

export interface RestoreContext {
  runId: string;
  become: boolean;
  stateDir?: string;
}

export type RestoreResult =
  | { ok: true; restored: string[]; deleted: string[] }
  | { ok: false; restored: string[]; deleted: string[]; message: string };

const EXIT_NO_BACKUPS = 3;

const RESTORE_SCRIPT = `
set -u
${SWEEP_TEMPS}
backups=$1 created=$2
[ -d "$backups" ] || exit ${EXIT_NO_BACKUPS}
cd "$backups" || exit 1
find . -type f ! -name "$created" ! -name '*.kf-part' | while IFS= read -r rel; do
  path=\${rel#.}
  [ -f "$created" ] && grep -qxF -- "$path" "$created" && continue
  dir=\${path%/*}
  [ -n "$dir" ] || dir=/
  mkdir -p -- "$dir" || exit 1
  sweep_temps "$path" || { printf 'kernfleet: cannot remove a leftover temporary file of %s\\n' "$path" >&2; exit 1; }
  tmp=$(mktemp "$dir/.\${path##*/}.kf-XXXXXX") || exit 1
  if cp -p -- "$rel" "$tmp" && { sync -- "$tmp" 2>/dev/null || sync; } && mv -f -- "$tmp" "$path"; then
    printf 'restored %s\\n' "$path"
  else
    rm -f -- "$tmp"
    printf 'kernfleet: cannot restore %s\\n' "$path" >&2
    exit 1
  fi
done || exit 1
if [ -f "$created" ]; then
  while IFS= read -r path; do
    [ -e "$path" ] || [ -L "$path" ] || continue
    rm -f -- "$path" || { printf 'kernfleet: cannot delete %s\\n' "$path" >&2; exit 1; }
    printf 'deleted %s\\n' "$path"
  done < "$created"
fi
`;

function collect(stdout: string, verb: 'restored' | 'deleted'): string[] {
  return stdout.split('\n').filter((l) => l.startsWith(`${verb} `)).map((l) => l.slice(verb.length + 1));
}

export async function restoreRunFiles(transport: Transport, ctx: RestoreContext): Promise<RestoreResult> {
  if (!/^[A-Za-z0-9._-]+$/.test(ctx.runId)) return { ok: false, restored: [], deleted: [], message: `not a run id: ${JSON.stringify(ctx.runId)}` };
  const backups = backupDirOf(ctx.runId, ctx.stateDir ?? DEFAULT_STATE_DIR);
  const result = await transport.exec({ argv: ['sh', '-c', RESTORE_SCRIPT, 'kernfleet-rollback', backups, CREATED_LIST] }, { become: ctx.become, stdin: '' });
  const done = { restored: collect(result.stdout, 'restored'), deleted: collect(result.stdout, 'deleted') };
  if (result.code === 0) return { ok: true, ...done };
  if (result.code === EXIT_NO_BACKUPS) return { ok: false, ...done, message: `${transport.host} has no backups for run ${ctx.runId} (${backups})` };
  return { ok: false, ...done, message: result.stderr.trim().replace(/^kernfleet: /, '') || `exit ${String(result.code)}` };
}
