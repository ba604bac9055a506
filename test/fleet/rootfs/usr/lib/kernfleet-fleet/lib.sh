# Shared by the command shims of a simulated host: where its kernel keeps state and how config
# directories layer. Sourced, never run. POSIX sh (busybox ash).

KF_LIB=/usr/lib/kernfleet-fleet
SYSCTL_DIRS="/etc/sysctl.d /run/sysctl.d /usr/local/lib/sysctl.d /usr/lib/sysctl.d /lib/sysctl.d"
MODPROBE_DIRS="/etc/modprobe.d /run/modprobe.d /usr/local/lib/modprobe.d /usr/lib/modprobe.d /lib/modprobe.d"
MODULES_LOAD_DIRS="/etc/modules-load.d /run/modules-load.d /usr/local/lib/modules-load.d /usr/lib/modules-load.d /lib/modules-load.d"

kf_release() { cat /proc/sys/kernel/osrelease; }

kf_is_root() { [ "$(id -u)" = 0 ]; }

# Replaces FILE with stdin by rename: state files may be hard links shared between hosts' templates,
# and a reader must never see half a file.
kf_write() { cat > "$1.kf$$" && mv -f "$1.kf$$" "$1"; }


kf_key_path() { printf '/proc/sys/%s\n' "$(printf '%s' "$1" | tr . /)"; }

# *.conf files of layered config directories as systemd and kmod read them: a file shadows same-named
# files in later directories, the survivors are read in file-name order.
kf_conf_files() {
  for d in "$@"; do
    [ -d "$d" ] || continue
    for f in "$d"/*.conf; do [ -f "$f" ] && printf '%s %s\n' "${f##*/}" "$f"; done
  done | awk '!seen[$1]++' | sort -k1,1 | cut -d' ' -f2-
}

# modprobe.d directives, comments dropped, continuation lines joined.
kf_modprobe_conf() {
  files=$(kf_conf_files $MODPROBE_DIRS)
  [ -n "$files" ] || return 0
  # shellcheck disable=SC2086
  cat $files | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | sed 's/#.*//' | awk 'NF'
}

# The command line the boot loader will hand the kernel on the next boot.
kf_next_cmdline() {
  if [ -f /boot/loader/entries/default.conf ] || ls /boot/loader/entries/*.conf >/dev/null 2>&1; then
    entry=$(kf_bls_default_entry)
    image=$(awk '$1=="linux"{print $2; exit}' "$entry")
    opts=$(awk '$1=="options"{$1=""; sub(/^ /,""); print; exit}' "$entry")
    printf 'BOOT_IMAGE=(hd0,gpt2)%s %s\n' "$image" "$opts"
  elif [ -f /boot/grub/grub.cfg ] || [ -f /boot/grub2/grub.cfg ]; then
    cfg=/boot/grub/grub.cfg; [ -f "$cfg" ] || cfg=/boot/grub2/grub.cfg
    awk '$1=="linux"{img=$2; $1=""; $2=""; sub(/^  */,""); print "BOOT_IMAGE=" img " " $0; exit}' "$cfg"
  elif [ -f /boot/extlinux.conf ]; then
    awk 'toupper($1)=="LINUX"{img=$2} toupper($1)=="APPEND"{$1=""; sub(/^ /,""); print "BOOT_IMAGE=" img " " $0; exit}' /boot/extlinux.conf
  else
    cat /proc/cmdline
  fi
}

# grubby's default: the entry of the newest kernel (there is one kernel per simulated host).
kf_bls_default_entry() { ls /boot/loader/entries/*.conf | sort | tail -n 1; }

kf_cpu_vendor() { awk -F': ' '/^vendor_id/ {print $2; exit}' /proc/cpuinfo; }

# Creates /sys/module/M/parameters from the parameter table with its defaults, then applies
# the given param=value words (modprobe.d options, name.param= of the kernel command line, argv).
# Parameters the table does not know are ignored; bools print Y/N whatever was written, as the kernel does.
kf_init_module_params() { # module words...
  local m=$1 p v
  shift
  mkdir -p "/sys/module/$m/parameters"
  awk -v m="$m" -v opts="$*" '
    $1 == m && $2 != "-" { type[$2] = $3; val[$2] = ($4 == "-" ? "" : $4); mode[$2] = $5; order[++n] = $2 }
    END {
      k = split(opts, o, " ")
      for (i = 1; i <= k; i++) {
        p = o[i]; v = "1"; e = index(p, "=")
        if (e) { v = substr(p, e + 1); p = substr(p, 1, e - 1) }
        gsub(/-/, "_", p)
        if (p in type) val[p] = v
      }
      for (i = 1; i <= n; i++) {
        p = order[i]; v = val[p]
        if (type[p] == "bool") v = (v ~ /^(1|y|Y|on|true)$/) ? "Y" : "N"
        if (type[p] == "charp" && v == "") v = "(null)"
        print p, mode[p], v
      }
    }' "$KF_LIB/module-params" | while read -r p mode v; do
      printf '%s\n' "$v" > "/sys/module/$m/parameters/$p"
      chmod "$mode" "/sys/module/$m/parameters/$p"
    done
}

# name.param=value words of the kernel command line that belong to module M.
kf_cmdline_module_options() {
  local word m
  for word in $(cat /proc/cmdline 2>/dev/null); do
    case $word in
      *.*=*) m=$(printf '%s' "${word%%.*}" | tr - _); [ "$m" = "$1" ] && printf '%s\n' "${word#*.}" ;;
    esac
  done
  return 0
}

# A stand-in initramfs: records what an initramfs would have baked in (modprobe.d and the module lists),
# so a test can tell whether it was rebuilt after a blacklist.
kf_build_initramfs() { # image
  {
    echo "# simulated initramfs for $(kf_release), built $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    kf_modprobe_conf
    cat /etc/initramfs-tools/modules /etc/modules 2>/dev/null | sed 's/#.*//' | awk 'NF'
  } | kf_write "$1"
}
