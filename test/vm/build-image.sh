#!/usr/bin/env bash
# Builds the Debian 12 disk image the real-kernel suite boots, once: debootstrap of bookworm into a tree,
# mkfs.ext4 -d of that tree straight into the partition of a raw disk (no loop device), then one
# direct-kernel boot under qemu that runs grub-install + update-grub inside the guest, so that later
# boots go BIOS -> GRUB -> kernel and a regenerated grub.cfg really takes effect.
#
# The cache directory is keyed by a hash of this script and its helper: editing it builds a new image, running it again
# reuses the old one. The build happens in a temporary directory beside the cache entry and is renamed
# into place at the end, so an interrupted build never leaves a half image behind.
#
# Prints the image directory (and nothing else) on stdout; progress goes to stderr. The directory holds
# disk.raw, the root login key (id_ed25519), the guest's SSH host key (ssh_host_ed25519_key.pub) and
# image.json (kernel release, the GRUB_CMDLINE_LINUX it was given, mirror, build time in seconds).
#
# Environment: KERNFLEET_VM_CACHE (default /var/cache/kernfleet-vm), KERNFLEET_VM_MIRROR (default: the
# bookworm mirror this machine's apt uses).
set -euo pipefail

script=$(readlink -f "$0")
here=$(dirname "$script")
cache_root=${KERNFLEET_VM_CACHE:-/var/cache/kernfleet-vm}
key=$(cat "$script" "$here/find-apt-mirror.sh" | sha256sum | cut -c1-16)
image_dir=$cache_root/debian12-$key
suite=bookworm
disk_bytes=$((8 * 1024 * 1024 * 1024))
part_offset=$((1024 * 1024))   # 1 MiB: leaves the post-MBR gap grub-install embeds core.img into
packages=linux-image-amd64,grub-pc,openssh-server,kmod,systemd-sysv,udev,dbus,procps,iproute2,initramfs-tools,e2fsprogs
# The guest's own kernel arguments, for GRUB and the one direct-kernel boot alike. A serial console so
# boot logs reach the host; no_timer_check because an emulated CPU starved by a busy host fails the
# kernel's early IO-APIC timer check and panics ("timer doesn't work through Interrupt-remapped IO-APIC").
guest_cmdline="console=ttyS0,115200n8 no_timer_check"

log() { echo "build-image: $*" >&2; }

if [ -f "$image_dir/image.json" ]; then
  echo "$image_dir"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  log "building the VM image needs root (debootstrap, chroot); run as root or provide $image_dir"
  exit 1
fi
bash "$here/../../scripts/setup-vm.sh" >&2

mkdir -p "$cache_root"
# Two test processes starting at once must not both build: the second waits, then finds the image.
exec 9>"$cache_root/.build.lock"
flock 9
if [ -f "$image_dir/image.json" ]; then
  echo "$image_dir"
  exit 0
fi

# The image comes from the same mirror as this machine's own packages.
if ! mirror=${KERNFLEET_VM_MIRROR:-$(bash "$here/find-apt-mirror.sh" /etc/apt "$suite")}; then
  log "no apt source for $suite in /etc/apt/sources.list*; set KERNFLEET_VM_MIRROR to a Debian mirror URL"
  exit 1
fi

work=$(mktemp -d "$cache_root/.build-$key.XXXXXX")
rootfs=$work/rootfs
cleanup() {
  local m
  for m in "$rootfs/sys" "$rootfs/proc"; do mountpoint -q "$m" 2>/dev/null && umount -l "$m"; done
  rm -rf "$work"
}
trap cleanup EXIT
started=$(date +%s)

log "debootstrap $suite from $mirror (log: $work/debootstrap.log)"
mkdir -p "$cache_root/debs"   # downloaded .debs, kept across rebuilds of the image
if ! debootstrap --variant=minbase --cache-dir="$cache_root/debs" --include="$packages" "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -n 20 "$work/debootstrap.log" >&2
  [ -f "$rootfs/debootstrap/debootstrap.log" ] && tail -n 20 "$rootfs/debootstrap/debootstrap.log" >&2
  exit 1
fi

log "configuring the guest"
root_uuid=$(cat /proc/sys/kernel/random/uuid)
echo debvm >"$rootfs/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebvm\n' >"$rootfs/etc/hosts"
printf 'UUID=%s\t/\text4\terrors=remount-ro\t0\t1\n' "$root_uuid" >"$rootfs/etc/fstab"

# qemu user networking always gives the guest 10.0.2.15: a static address spares a DHCP exchange on
# every emulated boot. networkd is part of systemd, nothing more to install.
mkdir -p "$rootfs/etc/systemd/network"
printf '[Match]\nName=en* eth*\n\n[Network]\nAddress=10.0.2.15/24\nGateway=10.0.2.2\n' >"$rootfs/etc/systemd/network/20-wired.network"
chroot "$rootfs" systemctl enable systemd-networkd >/dev/null 2>&1
# Under TCG every boot-time job costs seconds: the guest has no route to a mirror (apt timers) and lives
# for minutes on a throw-away overlay (filesystem scrub and trim).
chroot "$rootfs" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer >/dev/null 2>&1

ssh-keygen -q -t ed25519 -N '' -C kernfleet-vm -f "$work/id_ed25519"
install -d -m 700 "$rootfs/root/.ssh"
install -m 600 "$work/id_ed25519.pub" "$rootfs/root/.ssh/authorized_keys"
cp "$rootfs/etc/ssh/ssh_host_ed25519_key.pub" "$work/ssh_host_ed25519_key.pub"

# GRUB on the serial console too, and no menu delay: every reboot of the suite waits on it.
sed -i -e 's/^GRUB_TIMEOUT=.*/GRUB_TIMEOUT=0/' \
  -e "s/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX=\"$guest_cmdline\"/" "$rootfs/etc/default/grub"
printf 'GRUB_TERMINAL="serial console"\nGRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"\n' >>"$rootfs/etc/default/grub"
echo 'grub-pc grub-pc/install_devices multiselect /dev/vda' | chroot "$rootfs" debconf-set-selections

# An initramfs with only what this disk needs: the kernel's own postinst built one with MODULES=most,
# and regenerating that inside the emulated guest would take minutes each time the suite asks for it.
printf 'MODULES=list\nCOMPRESS=gzip\n' >"$rootfs/etc/initramfs-tools/conf.d/kernfleet-vm.conf"
printf '%s\n' virtio_pci virtio_blk ext4 crc32c_generic >>"$rootfs/etc/initramfs-tools/modules"
mount -t proc proc "$rootfs/proc"
mount -t sysfs sysfs "$rootfs/sys"
chroot "$rootfs" update-initramfs -u -k all >"$work/initramfs.log" 2>&1 || { tail -n 20 "$work/initramfs.log" >&2; exit 1; }
umount "$rootfs/sys" "$rootfs/proc"
kernel=$(basename "$(readlink -f "$rootfs/vmlinuz")" | sed 's/^vmlinuz-//')
cp "$rootfs/boot/vmlinuz-$kernel" "$work/vmlinuz"
cp "$rootfs/boot/initrd.img-$kernel" "$work/initrd.img"

# PID 1 of the one direct-kernel boot below: GRUB must be installed from inside the guest, where
# /dev/vda is the disk. The host deletes it afterwards (deleting itself would keep / busy).
install_grub=/usr/local/sbin/kernfleet-install-grub
cat >"$rootfs$install_grub" <<'EOF'
#!/bin/sh
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
mount -t devtmpfs devtmpfs /dev 2>/dev/null
if grub-install --target=i386-pc /dev/vda && update-grub; then echo KERNFLEET_GRUB_INSTALLED; fi
# A clean unmount, or every boot of the image would start with a journal recovery.
sync
mount -o remount,ro / && echo KERNFLEET_ROOT_CLEAN
echo o >/proc/sysrq-trigger
# PID 1 must outlive the asynchronous power-off: its exit would panic the kernel instead.
while :; do sleep 1; done
EOF
chmod 755 "$rootfs$install_grub"

log "writing the disk (ext4 from the tree, no loop device)"
truncate -s "$disk_bytes" "$work/disk.raw"
printf 'label: dos\nstart=%d, type=83, bootable\n' $((part_offset / 512)) | sfdisk -q "$work/disk.raw"
mkfs.ext4 -q -F -L debvm-root -U "$root_uuid" -E offset=$part_offset -d "$rootfs" \
  "$work/disk.raw" $(((disk_bytes - part_offset) / 1024))k
rm -rf "$rootfs"

log "installing GRUB from inside the guest (one emulated boot, log: $work/grub-install.log)"
timeout 900 qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m 1536 \
  -display none -monitor none -no-reboot -nic none -serial "file:$work/grub-install.log" \
  -drive "file=$work/disk.raw,format=raw,if=virtio" \
  -kernel "$work/vmlinuz" -initrd "$work/initrd.img" \
  -append "root=/dev/vda1 rw $guest_cmdline panic=1 init=$install_grub" >&2
if ! grep -q KERNFLEET_GRUB_INSTALLED "$work/grub-install.log" || ! grep -q KERNFLEET_ROOT_CLEAN "$work/grub-install.log"; then
  log "grub-install or the clean unmount inside the guest failed:"
  tail -n 30 "$work/grub-install.log" >&2
  exit 1
fi
rm -f "$work/vmlinuz" "$work/initrd.img"
debugfs -w -R "rm $install_grub" "$work/disk.raw?offset=$part_offset" >/dev/null 2>&1

build_seconds=$(($(date +%s) - started))
printf '{\n  "suite": "%s",\n  "kernel": "%s",\n  "cmdline": "%s",\n  "mirror": "%s",\n  "rootUuid": "%s",\n  "builtAt": "%s",\n  "buildSeconds": %d\n}\n' \
  "$suite" "$kernel" "$guest_cmdline" "$mirror" "$root_uuid" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$build_seconds" >"$work/image.json"
mv "$work" "$image_dir"
trap - EXIT
# Images of earlier versions of this script can never be used again.
find "$cache_root" -mindepth 1 -maxdepth 1 -type d -name 'debian12-*' ! -path "$image_dir" -exec rm -rf {} +
log "built $image_dir (kernel $kernel) in ${build_seconds}s"
echo "$image_dir"
