#!/bin/sh
# What `npm run bench` needs beyond the fleet's own set-up (scripts/setup-system.sh): GNU time (CPU and
# peak RSS of each measured run), nftables (bytes and TCP connections to the fleet's sshd port) and
# Debian's ansible package (the peer; ships ansible.posix and community.general).
set -eu
missing=""
command -v /usr/bin/time >/dev/null 2>&1 || missing="$missing time"
command -v nft >/dev/null 2>&1 || missing="$missing nftables"
command -v ansible-playbook >/dev/null 2>&1 || missing="$missing ansible"
if [ -n "$missing" ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
