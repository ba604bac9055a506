#!/bin/sh
# Installs what the real-kernel VM suite (test/vm) needs to build its Debian 12 image and boot it under
# qemu: qemu (system emulator and qemu-img), debootstrap, e2fsprogs (mkfs.ext4 -d), sfdisk, setpriv (so
# qemu dies with the test process) and the OpenSSH client. Idempotent; safe to run before every test.
set -eu

missing=""
need() { # need COMMAND PACKAGE: queue PACKAGE when COMMAND is not on PATH (sbin included for non-root)
  PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1 || case " $missing " in
    *" $2 "*) ;;
    *) missing="$missing $2" ;;
  esac
}
need qemu-system-x86_64 qemu-system-x86
need qemu-img qemu-utils
need debootstrap debootstrap
need mkfs.ext4 e2fsprogs
need sfdisk fdisk
need setpriv util-linux
need ssh openssh-client
need ssh-keygen openssh-client
# debootstrap verifies the Release file with the archive keyring.
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing="$missing debian-archive-keyring"

if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup-vm: installing$missing" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "setup-vm: the VM suite needs root on Debian and these packages:$missing (apt-get install -y$missing)" >&2
    exit 1
  fi
fi
