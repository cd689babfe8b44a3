#!/bin/sh
# Captures the netlink byte vectors of test/vectors/*.ts from this machine's kernel.
#
#   sudo sh test/vectors/capture/capture.sh [OUTDIR]      (default /tmp/nlkit-vectors)
#   python3 test/vectors/capture/extract.py [OUTDIR]      (writes test/vectors/*.ts)
#
# Needs root, iproute2 (ip, genl), strace and python3. Everything happens inside a
# fresh network namespace (nlkit-vec-<pid>) that is deleted on exit; the host's own
# interfaces are never touched. Each command runs under
#   strace -f -qq -e trace=sendmsg,sendto,recvmsg,recvfrom -e read=all -e write=all
# and extract.py copies the hexdumps strace prints for the datagrams. Re-running
# gives the same layouts with different sequence numbers, port ids and timestamps.
set -eu

OUT=${1:-/tmp/nlkit-vectors}
HERE=$(cd "$(dirname "$0")" && pwd)
NS=nlkit-vec-$$
mkdir -p "$OUT"
rm -f "$OUT"/*.strace

ip netns add "$NS"
trap 'ip netns del "$NS"' EXIT INT TERM

in_ns() { ip netns exec "$NS" "$@"; }

# name, then the command to trace (failures are expected for the error captures).
cap() {
  name=$1
  shift
  in_ns strace -f -qq -e trace=sendmsg,sendto,recvmsg,recvfrom -e read=all -e write=all -e signal=none \
    -o "$OUT/$name.strace" "$@" >"$OUT/$name.out" 2>&1 || true
}

# Namespace contents: lo, a veth pair with addresses, a bridge, one static route.
in_ns ip link set lo up
in_ns ip link add veth0 type veth peer name veth1
in_ns ip link set veth0 mtu 1400
in_ns ip link add br0 type bridge
in_ns ip link set veth1 master br0
in_ns ip link set veth0 up
in_ns ip link set veth1 up
in_ns ip addr add 192.0.2.1/24 dev veth0
in_ns ip addr add 2001:db8::1/64 dev veth0 nodad
in_ns ip route add 198.51.100.0/24 via 192.0.2.254 dev veth0 metric 7

cap link-show-lo       ip -d link show lo
cap link-show-veth0    ip -d link show veth0
cap link-show-br0      ip -d link show br0
cap addr-dump          ip addr show
cap route-dump         ip route show table all
cap route6-dump        ip -6 route show table all
cap genl-get-nlctrl    genl ctrl get name nlctrl
cap genl-list          genl ctrl list
cap link-set-mtu-ack   ip link set veth1 mtu 1300
cap err-unknown-kind   ip link add nlkit0 type nosuchkind
cap err-addr-exists    ip addr add 192.0.2.1/24 dev veth0
cap dev-get-missing-ifindex    python3 "$HERE/requests.py" dev-get-missing-ifindex
cap tsinfo-missing-index       python3 "$HERE/requests.py" tsinfo-missing-index
cap ctrl-name-too-long         python3 "$HERE/requests.py" ctrl-name-too-long
cap route-dump-bad-header      python3 "$HERE/requests.py" route-dump-bad-header
cap getlink-no-ext-ack         python3 "$HERE/requests.py" getlink-no-ext-ack
cap getlink-unaligned          python3 "$HERE/requests.py" getlink-unaligned
cap setlink-gso-max-segs       python3 "$HERE/requests.py" setlink-gso-max-segs
echo "captured into $OUT (namespace $NS, kernel $(uname -r), $(strace -V | head -n 1))"
