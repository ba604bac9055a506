#!/usr/bin/env bash
# Prints the Debian mirror URL this machine's apt uses for SUITE (first match; one-line sources.list and
# *.list files first, then deb822 *.sources), so the VM image comes from the same mirror as the host's
# own packages and no mirror host is ever named in the repository. Exit 1 when apt has no such source.
#
# Usage: find-apt-mirror.sh [APT_DIR (default /etc/apt)] [SUITE (default bookworm)]
set -euo pipefail

apt_dir=${1:-/etc/apt}
suite=${2:-bookworm}
list_files=()
deb822_files=()
for f in "$apt_dir/sources.list" "$apt_dir"/sources.list.d/*.list; do [ -f "$f" ] && list_files+=("$f"); done
for f in "$apt_dir"/sources.list.d/*.sources; do [ -f "$f" ] && deb822_files+=("$f"); done

mirror=$(
  {
    [ ${#list_files[@]} -eq 0 ] || awk -v want="$suite" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == want) print $i
      }' "${list_files[@]}"
    [ ${#deb822_files[@]} -eq 0 ] || awk -v want="$suite" '
      function flush() {
        if ((" " types " ") ~ / deb / && enabled != "no" && (" " suites " ") ~ (" " want " ")) {
          split(uris, u, " "); print u[1]
        }
        types = uris = suites = ""; enabled = "yes"
      }
      FNR == 1 { flush() }
      /^[[:space:]]*$/ { flush(); next }
      /^#/ { next }
      {
        field = tolower($1); sub(/:$/, "", field); $1 = ""; value = substr($0, 2)
        if (field == "types") types = value
        else if (field == "uris") uris = value
        else if (field == "suites") suites = value
        else if (field == "enabled") enabled = tolower(value)
      }
      END { flush() }' "${deb822_files[@]}"
  } | sed -n 1p   # reads all input: head could SIGPIPE awk under pipefail
)
[ -n "$mirror" ] || exit 1
echo "$mirror"
