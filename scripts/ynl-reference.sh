#!/usr/bin/env bash
# Installs the kernel's own ynl tool (tools/net/ynl from Debian's
# linux-source-7.3 in trixie-backports) into .cache/ynl-ref, for tests that
# compare `nlkit ynl` with it. The system's apt sources are not touched: a
# private sources list, state and cache live under .cache/ynl-ref/apt.
# Prints the path of cli.py. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/ynl-ref"
cli="$dest/tools/net/ynl/pyynl/cli.py"
py=/usr/bin/python3

if ! "$py" -c 'import yaml, jsonschema' >/dev/null 2>&1; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-yaml python3-jsonschema >/dev/null
fi

if [ ! -f "$cli" ]; then
  apt_dir="$dest/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$dest/deb"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main" >"$apt_dir/sources.list"
  opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "Debug::NoLocking=1")
  apt-get "${opts[@]}" update -qq >/dev/null
  if ! ls "$dest"/deb/linux-source-7.3_*.deb >/dev/null 2>&1; then
    (cd "$dest/deb" && apt-get "${opts[@]}" download linux-source-7.3 >/dev/null 2>&1)
  fi
  deb=$(ls "$dest"/deb/linux-source-7.3_*.deb | head -n 1)
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && ar x "$deb" && tar -xf data.tar.* ./usr/src/)
  tarball=$(ls "$work"/usr/src/linux-source-7.3.tar.* | head -n 1)
  top=linux-source-7.3
  tar -xf "$tarball" -C "$work" "$top/tools/net/ynl" "$top/Documentation/netlink"
  mkdir -p "$dest/tools/net" "$dest/Documentation"
  rm -rf "$dest/tools/net/ynl" "$dest/Documentation/netlink"
  mv "$work/$top/tools/net/ynl" "$dest/tools/net/ynl"
  mv "$work/$top/Documentation/netlink" "$dest/Documentation/netlink"
  rm -rf "$dest/deb"
fi
echo "$cli"
