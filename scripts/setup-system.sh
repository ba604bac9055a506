#!/bin/sh
# Installs what the simulated fleet (test/fleet) needs: OpenSSH's sshd and sftp-server, a static busybox for
# the host roots (dash, their /bin/sh, is essential on Debian), and the unprivileged login user of the
# no-sudo variant. Idempotent; safe to run before every test.
set -eu

FLEET_USER=kfleet
missing=""
[ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
[ -x /usr/lib/openssh/sftp-server ] || missing="$missing openssh-sftp-server"
[ -x /bin/busybox ] && busybox --list >/dev/null 2>&1 && [ -z "$(ldd /bin/busybox 2>/dev/null | grep '=>' || true)" ] \
  || missing="$missing busybox-static"
# systemd-analyze verifies the shipped systemd units (examples/systemd) in the drift tests.
command -v systemd-analyze >/dev/null 2>&1 || missing="$missing systemd"
for tool in ssh ssh-keygen; do
  command -v "$tool" >/dev/null 2>&1 || { missing="$missing openssh-client"; break; }
done

if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup-system: installing$missing" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "setup-system: the simulated fleet needs root on Debian and these packages:$missing (apt-get install -y$missing)" >&2
    exit 1
  fi
fi

if ! getent passwd "$FLEET_USER" >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-system: the simulated fleet needs root to create its login user $FLEET_USER" >&2
    exit 1
  fi
  # '*' rather than a locked '!' password: sshd without PAM refuses locked accounts even for key logins.
  useradd --create-home --shell /bin/sh --password '*' "$FLEET_USER"
fi
