// Shell text shared by the probe fragments: the prelude defining the framing helpers (see sections.ts for
// the grammar they print), and the quoting of request data into the script. POSIX sh only: the probe must
// run unchanged under bash, dash and busybox ash, with nothing beyond busybox's applets.
import { MARK } from './sections.js';

/** One single-quoted sh word: safe for any text without NUL. */
export function quoteSh(value: string): string {
  if (value.includes('\0')) throw new Error(`probe request value contains NUL: ${JSON.stringify(value)}`);
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The line that opens a section. */
export function sectionLine(name: string): string {
  return `echo '${MARK}section ${name}'`;
}

/** `kf_file LABEL PATH meta?`: one framed file, or a `none` record. */
export function fileCommand(label: string, path: string, withMeta: boolean): string {
  return `kf_file ${quoteSh(label)} ${quoteSh(path)}${withMeta ? ' meta' : ''}`;
}

/** Every regular file (or /dev/null mask) in DIR whose name ends with SUFFIX, in byte order, with meta. */
export function dirCommand(dir: string, suffix: string): string {
  return `kf_dir ${quoteSh(dir)} ${quoteSh(suffix)}`;
}

/** An ERE alternative group matching a module name with - and _ alike (the kernel treats them the same). */
export function moduleNamePattern(name: string): string {
  return name.replace(/[-_]/g, '[-_]');
}

// kf_file's meta line: perms, uid and gid of `ls -ldnL`, split by the shell (set -f: a file name is not a
// glob) rather than a sed per file — a probe reads some 25 files, and each exec is ~1 ms of host CPU.
// stderr is silenced once for the whole script: a missing file is a fact, never noise or a failure.
// LC_ALL=C gives byte-order globs and plain-ASCII tool output. The encoder is chosen once: base64
// (coreutils and busybox) or, where it is missing, od hex.
export const PROBE_PRELUDE = `exec 2>/dev/null
LC_ALL=C
export LC_ALL
${sectionLine('probe')}
echo 'version 1'
if command -v base64 >/dev/null; then
  kf_enc() { base64; }
  echo 'encoding base64'
else
  kf_enc() { od -An -v -tx1 | tr -d ' \\n'; echo; }
  echo 'encoding hex'
fi
kf_file() {
  if [ -e "$2" ] && [ ! -d "$2" ] && kf_c=$(kf_enc <"$2"); then
    printf '${MARK}file %s\\n' "$1"
    if [ -n "$3" ]; then
      kf_m=$(ls -ldnL -- "$2")
      set -f
      set -- $kf_m
      set +f
      printf '${MARK}meta %s %s %s\\n' "$1" "$3" "$4"
    fi
    if [ -n "$kf_c" ]; then printf '%s\\n' "$kf_c"; fi
    echo '${MARK}eof'
  else
    printf '${MARK}none %s\\n' "$1"
  fi
}
kf_nl='
'
kf_dir() {
  for kf_f in "$1"/*"$2"; do
    case $kf_f in *"$kf_nl"*) continue ;; esac
    if [ -e "$kf_f" ] && [ ! -d "$kf_f" ]; then kf_file "$kf_f" "$kf_f" meta; fi
  done
}`;
