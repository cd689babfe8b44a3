#!/usr/bin/env bash
# Puts udevadm (the reference `nlkit monitor uevent` is compared with) in
# .cache/udev/bin, unpacked from Debian's udev package without installing it:
# installing udev would start udevd and upgrade the machine's systemd
# packages. It runs against the libsystemd-shared the image already has.
# Prints the path of udevadm. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/udev"
udevadm="$dest/bin/udevadm"
if [ ! -x "$udevadm" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download udev >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get download udev >/dev/null; })
  dpkg-deb -x "$work"/udev_*.deb "$work/root"
  rm -rf "$dest"
  mkdir -p "$dest/bin"
  cp "$work/root/bin/udevadm" "$dest/bin/udevadm"
fi
echo "$udevadm"
