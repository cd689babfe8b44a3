#!/usr/bin/env python3
"""Sends the hand-built netlink requests whose replies capture.sh records.

iproute2 cannot produce these: an error ack that echoes the whole request
without ext-ack TLVs, missing-attribute reports (NLMSGERR_ATTR_MISS_TYPE /
MISS_NEST), a policy violation from a generic netlink family, and an NLMSG_DONE
that carries an error. Usage: requests.py CASE (see CASES below).
"""
import socket
import struct
import sys

SOL_NETLINK = 270
NETLINK_ROUTE, NETLINK_GENERIC = 0, 16
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NETLINK_GET_STRICT_CHK = 12
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 0x10, 3, 1, 2
RTM_GETROUTE, RTM_GETLINK, AF_INET = 26, 18, 2


def nla(kind, data):
    length = 4 + len(data)
    return struct.pack('=HH', length, kind) + data + b'\0' * (-length % 4)


def msg(kind, flags, seq, payload):
    return struct.pack('=IHHII', 16 + len(payload), kind, flags, seq, 0) + payload


def open_socket(proto, ext_ack=True, cap_ack=False, strict=False):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto)
    s.bind((0, 0))
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, int(ext_ack))
    s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, int(cap_ack))
    s.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, int(strict))
    return s


def talk(s, data):
    s.send(data)
    replies = []
    while True:
        d = s.recv(65536)
        replies.append(d)
        kind = struct.unpack_from('=H', d, 4)[0]
        if kind in (2, 3) or not struct.unpack_from('=H', d, 6)[0] & 0x2:
            return replies


def family_id(name):
    s = open_socket(NETLINK_GENERIC)
    reply = talk(s, msg(GENL_ID_CTRL, NLM_F_REQUEST, 1,
                        struct.pack('=BBH', CTRL_CMD_GETFAMILY, 1, 0) + nla(CTRL_ATTR_FAMILY_NAME, name + b'\0')))[0]
    s.close()
    pos = 20
    while pos + 4 <= len(reply):
        length, kind = struct.unpack_from('=HH', reply, pos)
        if kind == CTRL_ATTR_FAMILY_ID:
            return struct.unpack_from('=H', reply, pos + 4)[0]
        pos += (length + 3) & ~3
    raise SystemExit('no family id')


def dev_get_missing_ifindex():
    """netdev dev-get (cmd 1) without NETDEV_A_DEV_IFINDEX: EINVAL, MISS_TYPE 1, whole request echoed."""
    fid = family_id(b'netdev')
    s = open_socket(NETLINK_GENERIC, ext_ack=True, cap_ack=False)
    talk(s, msg(fid, NLM_F_REQUEST | NLM_F_ACK, 2, struct.pack('=BBH', 1, 1, 0)))


def tsinfo_missing_provider_index():
    """ethtool tsinfo-get (cmd 25) for lo with an empty hwtstamp-provider nest: MISS_NEST + MISS_TYPE."""
    fid = family_id(b'ethtool')
    s = open_socket(NETLINK_GENERIC, ext_ack=True, cap_ack=True)
    header = nla(1 | NLA_F_NESTED, nla(2, b'lo\0'))
    provider = nla(7 | NLA_F_NESTED, b'')
    talk(s, msg(fid, NLM_F_REQUEST | NLM_F_ACK, 3, struct.pack('=BBH', 25, 1, 0) + header + provider))


def ctrl_name_too_long():
    """nlctrl getfamily with a 20-byte name: policy violation (nul-string, max length), capped."""
    s = open_socket(NETLINK_GENERIC, ext_ack=True, cap_ack=True)
    talk(s, msg(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, 4,
                struct.pack('=BBH', CTRL_CMD_GETFAMILY, 1, 0) + nla(CTRL_ATTR_FAMILY_NAME, b'x' * 19 + b'\0')))


def route_dump_bad_header():
    """Strict RTM_GETROUTE dump with rtm_dst_len 8: the error comes back inside NLMSG_DONE."""
    s = open_socket(NETLINK_ROUTE, ext_ack=True, strict=True)
    rtmsg = struct.pack('=BBBBBBBBI', AF_INET, 8, 0, 0, 0, 0, 0, 0, 0)
    talk(s, msg(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 5, rtmsg))


def setlink_gso_max_segs_out_of_range():
    """RTM_NEWLINK on lo with IFLA_GSO_MAX_SEGS 70000 (policy max 65535): message, offset and policy."""
    s = open_socket(NETLINK_ROUTE, ext_ack=True, cap_ack=True)
    ifinfomsg = struct.pack('=BBHiII', 0, 0, 0, 1, 0, 0)
    talk(s, msg(16, NLM_F_REQUEST | NLM_F_ACK, 7, ifinfomsg + nla(40, struct.pack('=I', 70000))))


def getlink_unaligned_request():
    """A 17-byte RTM_GETLINK (rtgenmsg only, no padding) that fails: the echo is 17 bytes long."""
    s = open_socket(NETLINK_ROUTE, ext_ack=False)
    talk(s, msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 8, struct.pack('=B', 0)))


def getlink_no_ext_ack():
    """RTM_GETLINK for a missing ifindex on a plain socket: ENODEV, whole request echoed, no TLVs."""
    s = open_socket(NETLINK_ROUTE, ext_ack=False)
    ifinfomsg = struct.pack('=BBHiII', 0, 0, 0, 999, 0, 0)
    talk(s, msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 6, ifinfomsg + nla(3, b'nope\0')))


CASES = {
    'dev-get-missing-ifindex': dev_get_missing_ifindex,
    'tsinfo-missing-index': tsinfo_missing_provider_index,
    'ctrl-name-too-long': ctrl_name_too_long,
    'route-dump-bad-header': route_dump_bad_header,
    'getlink-no-ext-ack': getlink_no_ext_ack,
    'getlink-unaligned': getlink_unaligned_request,
    'setlink-gso-max-segs': setlink_gso_max_segs_out_of_range,
}

if __name__ == '__main__':
    CASES[sys.argv[1]]()
