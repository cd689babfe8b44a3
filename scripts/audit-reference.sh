#!/usr/bin/env bash
# Puts auditctl (the reference the audit tests compare with) in
# .cache/auditd/sbin without installing the auditd package: installing it
# would start the daemon on some images, and that daemon loads its own rules
# into the host's audit configuration. Only its library dependency is
# installed (libauparse0: a library, it starts nothing). Prints the path of
# auditctl. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/auditd"
auditctl="$dest/sbin/auditctl"
if [ ! -x "$auditctl" ]; then
  if ! dpkg -s libauparse0 >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libauparse0 >/dev/null
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download auditd >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get download auditd >/dev/null; })
  rm -rf "$dest"
  mkdir -p "$dest"
  dpkg-deb -x "$work"/auditd_*.deb "$work/root"
  mv "$work/root/sbin" "$dest/sbin"
fi
echo "$auditctl"
