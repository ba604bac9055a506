// On-host file changes: backup first, then an atomic replace (temp file in the same directory, fsync,
// rename) or a delete. Each operation is ONE fixed POSIX sh script (busybox ash compatible) run as
// `sh -c SCRIPT kernfleet-file ARGS...`: paths and digests travel as positional arguments quoted by the
// transport, the content travels on stdin, so no value is ever interpolated into shell text.
//
// A cut connection ends `cat` with an early EOF, which it treats as success; the script therefore
// checks the size and sha256 of what arrived before renaming, so a partial file never replaces the old
// one. The old file is only ever replaced by rename(2), which is atomic on one filesystem.
import { createHash } from 'node:crypto';
import type { FileEdit } from '../model/index.js';
import type { ExecResult, Transport } from '../transport/index.js';

/** Where kernfleet keeps its state on a host: backups/RUN/<path>, the lock. */
export const DEFAULT_STATE_DIR = '/var/lib/kernfleet';

/** Name of the list, inside a run's backup directory, of files the run created (a rollback deletes them). */
export const CREATED_LIST = '.kernfleet-created';

/** What a file operation did; `unchanged` when the host already had the wanted state. */
export type FileOutcome = 'written' | 'deleted' | 'unchanged';

export type FileOpResult =
  | { path: string; ok: true; outcome: FileOutcome }
  | { path: string; ok: false; reason: 'conflict' | 'transfer' | 'failed'; message: string };

export interface RemoteFileContext {
  runId: string;
  /** Run the script through sudo (the step's become). */
  become: boolean;
  /** Default /var/lib/kernfleet. */
  stateDir?: string;
  /**
   * Refuse when the file on the host is neither the plan's `before` nor its `after` (someone changed it
   * since the plan was made). Default true.
   */
  guardBefore?: boolean;
  timeoutMs?: number;
}

/** Exit codes of the scripts, beyond 0 (done) and 1 (failed). */
const EXIT_CONFLICT = 3;
const EXIT_TRANSFER = 4;

/**
 * Shell function `sweep_temps PATH`: removes the temp files (`.NAME.kf-XXXXXX`, mktemp's pattern) that a
 * write or rollback of PATH killed before its clean-up left (SIGKILL, a crash, power loss). Safe because
 * both run under the host lock: no other kernfleet write of the path can be under way.
 */
export const SWEEP_TEMPS = `
sweep_temps() {
  for stale in "\${1%/*}/.\${1##*/}.kf-"??????; do
    if [ -f "$stale" ]; then rm -f -- "$stale" || return 1; fi
  done
}
`;

// Shared by both scripts: argument checks, digests and the backup that precedes every change.
const PRELUDE = `
set -u
${SWEEP_TEMPS}
path=$1 backups=$2 expect=$3
die() { code=$1; shift; printf 'kernfleet: %s\\n' "$*" >&2; exit "$code"; }
digest() { sha256sum < "$1" | cut -d ' ' -f 1; }
case $path in /*) ;; *) die 1 "not an absolute path: $path" ;; esac
# A symlinked file (Debian's /etc/sysctl.d/99-sysctl.conf) is changed at its target, so the link stays.
if [ -L "$path" ]; then path=$(readlink -f -- "$path") || die 1 "cannot resolve the symlink $path"; fi
dir=\${path%/*}
[ -n "$dir" ] || dir=/
if [ -e "$path" ]; then now=$(digest "$path") || die 1 "cannot read $path"; else now=absent; fi
check_expected() {
  [ -z "$expect" ] || [ "$now" = "$expect" ] || die ${EXIT_CONFLICT} "$path changed on the host since the plan was made"
}
# The first backup in a run is the original; a resumed run must not overwrite it with its own output.
backup() {
  bk=$backups$path
  if [ "$now" = absent ]; then
    mkdir -p -- "$backups" || die 1 "cannot create $backups"
    grep -qxF -- "$path" "$backups/${CREATED_LIST}" 2>/dev/null || printf '%s\\n' "$path" >> "$backups/${CREATED_LIST}" || die 1 "cannot record $path in $backups"
  elif [ ! -e "$bk" ]; then
    mkdir -p -- "\${bk%/*}" && cp -p -- "$path" "$bk.kf-part" && mv -f -- "$bk.kf-part" "$bk" || die 1 "cannot back up $path to $bk"
  fi
}
flush() { sync -- "$1" 2>/dev/null || sync; }
`;

const WRITE_SCRIPT = `${PRELUDE}
mode=$4 want_size=$5 want_sum=$6
if [ "$now" = "$want_sum" ]; then echo unchanged; exit 0; fi
check_expected
mkdir -p -- "$dir" || die 1 "cannot create $dir"
backup
sweep_temps "$path" || die 1 "cannot remove a leftover temporary file of $path"
tmp=$(mktemp "$dir/.\${path##*/}.kf-XXXXXX") || die 1 "cannot create a temporary file in $dir"
trap 'rm -f -- "$tmp"' EXIT
# A cut connection also closes stderr: die's message then raises SIGPIPE, whose default action would end
# the script without the EXIT trap and leave the temp file behind.
trap 'exit 129' HUP
trap 'exit 141' PIPE
trap 'exit 130' INT
trap 'exit 143' TERM
# Copying the old file first gives the temp file its mode and owner; cat then replaces the bytes only.
if [ "$now" != absent ]; then cp -p -- "$path" "$tmp" || die 1 "cannot copy the mode and owner of $path"; else chmod "$mode" "$tmp" || die 1 "cannot chmod $tmp"; fi
cat > "$tmp" || die 1 "cannot write $tmp"
got_size=$(wc -c < "$tmp" | tr -d ' ')
[ "$got_size" = "$want_size" ] || die ${EXIT_TRANSFER} "incomplete transfer for $path: $got_size of $want_size bytes arrived; the file was left as it was"
[ "$(digest "$tmp")" = "$want_sum" ] || die ${EXIT_TRANSFER} "corrupt transfer for $path; the file was left as it was"
flush "$tmp"
mv -f -- "$tmp" "$path" || die 1 "cannot rename $tmp to $path"
flush "$dir"
echo written
`;

const DELETE_SCRIPT = `${PRELUDE}
if [ "$now" = absent ]; then echo unchanged; exit 0; fi
check_expected
backup
rm -f -- "$path" || die 1 "cannot delete $path"
flush "$dir"
echo deleted
`;

export function hashContent(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** The run's backup directory on the host (files keep their absolute path below it). */
export function backupDirOf(runId: string, stateDir = DEFAULT_STATE_DIR): string {
  return `${stateDir}/backups/${runId}`;
}

function expectedBefore(edit: FileEdit, ctx: RemoteFileContext): string {
  if (ctx.guardBefore === false) return '';
  return edit.before === null ? 'absent' : hashContent(edit.before);
}

function checkEdit(edit: FileEdit, runId: string): string | null {
  if (!edit.path.startsWith('/')) return `not an absolute path: ${edit.path}`;
  if (/[\n\0]/.test(edit.path)) return `a path cannot hold a newline or NUL: ${JSON.stringify(edit.path)}`;
  if (!/^[A-Za-z0-9._-]+$/.test(runId)) return `a run id is letters, digits, ".", "_" and "-": ${JSON.stringify(runId)}`;
  return null;
}

/** Applies one FileEdit on the host: write (after = content) or delete (after = null), backup first. */
export async function applyRemoteFile(transport: Transport, edit: FileEdit, ctx: RemoteFileContext): Promise<FileOpResult> {
  const invalid = checkEdit(edit, ctx.runId);
  if (invalid !== null) return { path: edit.path, ok: false, reason: 'failed', message: invalid };
  const backups = backupDirOf(ctx.runId, ctx.stateDir);
  const common = [edit.path, backups, expectedBefore(edit, ctx)];
  const command =
    edit.after === null
      ? { argv: ['sh', '-c', DELETE_SCRIPT, 'kernfleet-delete', ...common] }
      : {
          argv: [
            'sh', '-c', WRITE_SCRIPT, 'kernfleet-write', ...common,
            edit.mode ?? '0644', String(Buffer.byteLength(edit.after)), hashContent(edit.after),
          ],
        };
  let result: ExecResult;
  try {
    result = await transport.exec(command, {
      become: ctx.become,
      // Always send stdin (empty for a delete) so sudo and sh never wait on a terminal.
      stdin: edit.after ?? '',
      ...(ctx.timeoutMs !== undefined ? { timeoutMs: ctx.timeoutMs } : {}),
    });
  } catch (error) {
    // The script decides nothing until all bytes arrived and checked out, so a cut leaves the old file.
    const message = error instanceof Error ? error.message : String(error);
    return { path: edit.path, ok: false, reason: 'transfer', message: `${message}; ${edit.path} holds its old or its new content, never a part` };
  }
  const said = result.stdout.trim();
  if (result.code === 0 && (said === 'written' || said === 'deleted' || said === 'unchanged')) {
    return { path: edit.path, ok: true, outcome: said };
  }
  const message = result.stderr.trim().replace(/^kernfleet: /, '') || `exit ${String(result.code)}`;
  const reason = result.code === EXIT_CONFLICT ? 'conflict' : result.code === EXIT_TRANSFER || result.code === null ? 'transfer' : 'failed';
  return { path: edit.path, ok: false, reason, message };
}
