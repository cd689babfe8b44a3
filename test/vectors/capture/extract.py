#!/usr/bin/env python3
"""Turns the strace logs of capture.sh into test/vectors/*.ts.

  python3 test/vectors/capture/extract.py [OUTDIR]          writes the vector files
  python3 test/vectors/capture/extract.py [OUTDIR] --list   lists every captured datagram

Each log holds, per sendmsg/sendto/recvmsg/recvfrom, the syscall line and the
hexdump strace printed for it (-e read=all -e write=all). Datagrams are numbered
per capture in the order they appear; SELECTIONS picks the ones the tests use.
"""
import datetime
import os
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.dirname(HERE)
CALL = re.compile(r'^\d+\s+(sendmsg|sendto|recvmsg|recvfrom)\(')
DUMP = re.compile(r'^ \| [0-9a-f]{5}  ((?:[0-9a-f]{2} {1,2}){1,16})')


def datagrams(path):
    """[(direction, bytes)] in order, from one strace log."""
    out = []
    current = None
    with open(path) as f:
        for line in f:
            m = CALL.match(line)
            if m:
                if current is not None and current[1]:
                    out.append((current[0], bytes(current[1])))
                current = ('send' if m.group(1).startswith('send') else 'recv', bytearray())
                continue
            d = DUMP.match(line)
            if d and current is not None:
                current[1].extend(bytes.fromhex(d.group(1).replace(' ', '')))
    if current is not None and current[1]:
        out.append((current[0], bytes(current[1])))
    return out


def summary(data):
    parts = []
    pos = 0
    while pos + 16 <= len(data):
        length, kind, flags = struct.unpack_from('=IHH', data, pos)
        parts.append(f'{kind}/{flags:#x}/{length}')
        if length < 16:
            break
        pos += (length + 3) & ~3
    return ' '.join(parts)


# name -> (capture, datagram index, what it is). Indices come from --list.
SELECTIONS = {
    'link': [
        ('LO_GETLINK_REQUEST', 'link-show-lo', 2,
         'RTM_GETLINK request for lo that `ip -d link show lo` sends (ifinfomsg, IFLA_EXT_MASK, IFLA_IFNAME "lo").'),
        ('LO_NEWLINK', 'link-show-lo', 3,
         "The kernel's RTM_NEWLINK reply for lo (IFLA_EXT_MASK = RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS)."),
        ('VETH0_NEWLINK', 'link-show-veth0', 3,
         'RTM_NEWLINK reply for veth0 (mtu 1400, up): IFLA_LINKINFO with IFLA_INFO_KIND "veth", IFLA_LINK to its peer.'),
        ('BR0_NEWLINK', 'link-show-br0', 5,
         'RTM_NEWLINK reply for bridge br0 (AF_PACKET request): IFLA_LINKINFO > IFLA_INFO_DATA with IFLA_BR_* (u64 timers, structs).'),
        ('VETH1_NEWLINK', 'link-set-mtu-ack', 3,
         'RTM_NEWLINK reply for veth1 (bridge port): IFLA_MASTER, IFLA_LINKINFO with IFLA_INFO_SLAVE_KIND "bridge".'),
    ],
    'addr': [
        ('ADDR_DUMP_LINKS', 'addr-dump', 1,
         'First datagram of the RTM_GETLINK dump `ip addr show` starts with: several RTM_NEWLINK (NLM_F_MULTI) in one datagram.'),
        ('ADDR_DUMP', 'addr-dump', 5,
         'The RTM_GETADDR dump reply of `ip addr show`: every RTM_NEWADDR (lo, veth0, veth1; IPv4 and IPv6) in one datagram.'),
        ('ADDR_DUMP_DONE', 'addr-dump', 6,
         'The NLMSG_DONE that ends that dump (NLM_F_MULTI, error 0).'),
    ],
    'route': [
        ('ROUTE_DUMP_REQUEST', 'route-dump', 0,
         'The RTM_GETROUTE dump request of `ip route show table all`: 28 bytes of message, then the unused rest of iproute2\'s request buffer (zeros) in the same datagram.'),
        ('ROUTE_DUMP', 'route-dump', 1,
         'RTM_NEWROUTE messages of `ip route show table all` (IPv4, NLM_F_MULTI | NLM_F_DUMP_FILTERED).'),
        ('ROUTE6_DUMP', 'route6-dump', 1,
         'RTM_NEWROUTE messages of `ip -6 route show table all` (RTA_CACHEINFO, RTA_PREF, RTA_TABLE).'),
    ],
    'genl': [
        ('CTRL_GETFAMILY_REQUEST', 'genl-get-nlctrl', 0,
         'CTRL_CMD_GETFAMILY for "nlctrl" that `genl ctrl get name nlctrl` sends.'),
        ('CTRL_NEWFAMILY_NLCTRL', 'genl-get-nlctrl', 1,
         'The reply: CTRL_CMD_NEWFAMILY with family id 0x10, ops and the "notify" multicast group (nested arrays).'),
        ('CTRL_FAMILY_DUMP', 'genl-list', 1,
         'First datagram of the `genl ctrl list` dump: several CTRL_CMD_NEWFAMILY messages (NLM_F_MULTI).'),
        ('CTRL_NEWFAMILY_NETDEV', 'dev-get-missing-ifindex', 1,
         'CTRL_CMD_NEWFAMILY for "netdev", the family lookup that requests.py dev-get-missing-ifindex starts with.'),
    ],
    'ack': [
        ('ACK_SUCCESS', 'link-set-mtu-ack', 5,
         'Success ack for `ip link set veth1 mtu 1300`: NLMSG_ERROR, error 0, NLM_F_CAPPED (request header only).'),
        ('ACK_ENODEV_FULL_ECHO', 'getlink-no-ext-ack', 1,
         'ENODEV for RTM_GETLINK ifindex 999 on a socket without NETLINK_EXT_ACK / CAP_ACK: the whole request echoed, no TLVs.'),
        ('ACK_EINVAL_UNALIGNED_ECHO', 'getlink-unaligned', 1,
         'EINVAL for a 17-byte RTM_GETLINK (rtgenmsg only): the 17-byte echo is padded to 20, nlmsg_len 40.'),
        ('ACK_EOPNOTSUPP_UNKNOWN_KIND', 'err-unknown-kind', 3,
         '`ip link add nlkit0 type nosuchkind`: EOPNOTSUPP, whole request echoed, NLMSGERR_ATTR_MSG "Unknown device type".'),
        ('ACK_EEXIST_ADDRESS', 'err-addr-exists', 3,
         '`ip addr add 192.0.2.1/24 dev veth0` a second time: EEXIST, "ipv4: Address already assigned".'),
        ('ACK_EINVAL_POLICY', 'ctrl-name-too-long', 1,
         'nlctrl getfamily with a 20-byte name: EINVAL, capped, MSG + OFFS 20 + POLICY {type nul-string, max-length 15}.'),
        ('ACK_EINVAL_MISSING_TYPE', 'dev-get-missing-ifindex', 3,
         'netdev dev-get without ifindex: EINVAL, whole 20-byte request echoed, MISS_TYPE 1.'),
        ('ACK_EINVAL_MISSING_NEST', 'tsinfo-missing-index', 3,
         'ethtool tsinfo-get for lo with an empty hwtstamp-provider nest: EINVAL, capped, MISS_TYPE 1, MISS_NEST 32.'),
        ('ACK_EINVAL_MESSAGE_ONLY', 'setlink-gso-max-segs', 1,
         'RTM_NEWLINK lo IFLA_GSO_MAX_SEGS 70000: EINVAL, capped, MSG "too big gso_max_segs".'),
        ('DONE_WITH_ERROR', 'route-dump-bad-header', 1,
         'Strict RTM_GETROUTE dump with rtm_dst_len 8: NLMSG_DONE carrying -EINVAL and NLMSGERR_ATTR_MSG (NLM_F_ACK_TLVS).'),
        ('ACK_ENODEV_FULL_ECHO_REQUEST', 'getlink-no-ext-ack', 0, 'The request ACK_ENODEV_FULL_ECHO answers.'),
        ('ACK_EINVAL_UNALIGNED_ECHO_REQUEST', 'getlink-unaligned', 0, 'The 17-byte request ACK_EINVAL_UNALIGNED_ECHO answers.'),
        ('ACK_EOPNOTSUPP_UNKNOWN_KIND_REQUEST', 'err-unknown-kind', 2, 'The request ACK_EOPNOTSUPP_UNKNOWN_KIND answers.'),
        ('ACK_EINVAL_POLICY_REQUEST', 'ctrl-name-too-long', 0, 'The request ACK_EINVAL_POLICY answers.'),
        ('ACK_EINVAL_MISSING_NEST_REQUEST', 'tsinfo-missing-index', 2, 'The request ACK_EINVAL_MISSING_NEST answers.'),
        ('DONE_WITH_ERROR_REQUEST', 'route-dump-bad-header', 0, 'The request DONE_WITH_ERROR answers.'),
    ],
}

COMMANDS = {}


def load_commands():
    with open(os.path.join(HERE, 'capture.sh')) as f:
        for line in f:
            m = re.match(r'^cap (\S+)\s+(.*)$', line)
            if m:
                COMMANDS[m.group(1)] = m.group(2).replace('"$HERE/', 'test/vectors/capture/').replace('"', '')


def hex_lines(data, indent='  '):
    rows = []
    for i in range(0, len(data), 16):
        chunk = data[i:i + 16]
        rows.append(indent + "'" + ' '.join(f'{b:02x}' for b in chunk) + "',")
    return '\n'.join(rows)


def write_module(group, entries, logs, stamp):
    lines = [
        f'// Netlink bytes captured from a real kernel for the {group} tests: see capture/capture.sh.',
        '// Written by `python3 test/vectors/capture/extract.py` from the strace hexdumps',
        f'// of one capture run ({stamp}). Each constant says which command',
        '// produced it; the bytes are copied verbatim (seq, port ids and timestamps are',
        '// whatever that run had).',
        "import { fromHex } from './hex.js';",
        '',
    ]
    for name, capture, index, what in entries:
        direction, data = logs[capture][index]
        lines.append('/**')
        lines.append(f' * {what}')
        lines.append(f' * Capture `{capture}`: `{COMMANDS[capture]}`, datagram #{index} ({direction}, {len(data)} bytes).')
        lines.append(' */')
        lines.append(f'export const {name} = fromHex(')
        lines.append(hex_lines(data))
        lines.append(');')
        lines.append('')
    with open(os.path.join(VECTORS, f'{group}.ts'), 'w') as f:
        f.write('\n'.join(lines))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    out = args[0] if args else '/tmp/nlkit-vectors'
    logs = {}
    for name in sorted(os.listdir(out)):
        if name.endswith('.strace'):
            logs[name[:-7]] = datagrams(os.path.join(out, name))
    if '--list' in sys.argv:
        for capture, grams in logs.items():
            for i, (direction, data) in enumerate(grams):
                print(f'{capture:28} #{i:<2} {direction} {len(data):5}  {summary(data)}')
        return
    load_commands()
    kernel = subprocess.run(['uname', '-r'], capture_output=True, text=True).stdout.strip()
    stamp = f'kernel {kernel}, {datetime.date.today().isoformat()}'
    for group, entries in SELECTIONS.items():
        write_module(group, entries, logs, stamp)


if __name__ == '__main__':
    main()
