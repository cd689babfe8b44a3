#!/usr/bin/python3
# Produces genl-vectors.json: for each generic netlink spec without a family in
# this test kernel, the bytes the kernel's own ynl library (tools/net/ynl,
# Linux 7.3, installed by scripts/ynl-reference.sh) encodes for one request,
# and one reply message built with ynl's attribute encoder together with what
# ynl's decoder makes of it. No kernel is asked: the family id is fixed at
# FAMILY_ID instead of being resolved through nlctrl.
#
#   /usr/bin/python3 test/unit/families/ynl-vectors.py "$(bash scripts/ynl-reference.sh)" > test/unit/families/genl-vectors.json
#
# Values written {"$hex": "..."} are bytes (JSON has none).
import json
import os
import struct
import sys

cli = sys.argv[1]
sys.path.insert(0, os.path.dirname(cli))
from lib import ynl as Y  # noqa: E402

SPECS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'shared', 'ynl-specs', 'specs')
FAMILY_ID = 0x1A2B
SEQ = 1
NLM_F_DUMP = 0x300


class FixedIdGenl(Y.GenlProtocol):
    """GenlProtocol with a fixed family id instead of an nlctrl lookup."""

    def __init__(self, family_name):  # pylint: disable=super-init-not-called
        Y.NetlinkProtocol.__init__(self, family_name, Y.Netlink.NETLINK_GENERIC)
        self.genl_family = {'id': FAMILY_ID, 'mcast': {}}
        self.family_id = FAMILY_ID


Y.GenlProtocol = FixedIdGenl

MAC = '02:00:00:00:00:01'

# family spec file, request op, mode, request value, reply op, reply value
CASES = [
    ('devlink', 'port-get', 'do',
     {'bus-name': 'netdevsim', 'dev-name': 'netdevsim1', 'port-index': 3},
     'port-get',
     {'bus-name': 'netdevsim', 'dev-name': 'netdevsim1', 'port-index': 3, 'port-type': 'eth',
      'port-netdev-ifindex': 7, 'port-netdev-name': 'eni1np1', 'port-flavour': 'physical', 'port-number': 1}),
    ('dpll', 'device-id-get', 'do',
     {'module-name': 'ice', 'clock-id': 0x0011223344556677, 'type': 'eec'},
     'device-get',
     {'id': 2, 'module-name': 'ice', 'mode': 'automatic', 'mode-supported': ['automatic', 'manual'],
      'lock-status': 'locked-ho-acq', 'temp': -1500, 'clock-id': 0x0011223344556677, 'type': 'pps'}),
    ('nl80211', 'get-interface', 'do',
     {'ifname': 'wlan0'},
     'get-interface',
     {'ifname': 'wlan0', 'iftype': 2, 'ifindex': 5, 'wiphy': 0, 'wdev': 1, 'mac': MAC, 'generation': 9}),
    ('ovs_datapath', 'get', 'do',
     {'dp-ifindex': 0, 'name': 'ovs-system'},
     'get',
     {'dp-ifindex': 4, 'name': 'ovs-system', 'upcall-pid': 1234,
      'stats': {'n-hit': 10, 'n-missed': 2, 'n-lost': 0, 'n-flows': 3},
      'user-features': ['unaligned', 'vport-pids'], 'masks-cache-size': 256}),
    ('ovs_flow', 'get', 'do',
     {'dp-ifindex': 4, 'key': {'priority': 0, 'in-port': 1, 'ethertype': 0x0800}, 'ufid-flags': ['omit-key']},
     'get',
     {'dp-ifindex': 4, 'key': {'in-port': 1, 'ethertype': 0x0800},
      'stats': {'n-packets': 5, 'n-bytes': 420}, 'actions': {'output': 2}}),
    ('ovs_packet', 'execute', 'do',
     {'dp-ifindex': 4, 'packet': {'$hex': '0011223344550266778899aa0800'}, # key and actions are nested attributes the spec leaves binary:
     # OVS_KEY_ATTR_IN_PORT (3) = 1, OVS_ACTION_ATTR_OUTPUT (1) = 2.
     'key': {'$hex': '0800030001000000'}, 'actions': {'$hex': '0800010002000000'}, 'probe': True},
     'execute',
     {'dp-ifindex': 4, 'mru': 1500, 'hash': 0x1234567890}),
    ('ovs_vport', 'new', 'do',
     {'dp-ifindex': 4, 'name': 'vx0', 'type': 'vxlan', 'upcall-pid': [1234, 5678], 'options': {'dst-port': 4789}},
     'get',
     {'dp-ifindex': 4, 'port-no': 2, 'type': 'internal', 'name': 'br0', 'upcall-pid': [1234],
      'stats': {'rx-packets': 1, 'tx-packets': 2, 'rx-bytes': 3, 'tx-bytes': 4, 'rx-errors': 0, 'tx-errors': 0, 'rx-dropped': 0, 'tx-dropped': 0},
      'ifindex': 9}),
    ('wireguard', 'get-device', 'dump',
     {'ifname': 'wg0'},
     'get-device',
     {'ifindex': 6, 'ifname': 'wg0', 'public-key': {'$hex': '11' * 32}, 'listen-port': 51820, 'fwmark': 0,
      'peers': [{'public-key': {'$hex': '22' * 32}, 'endpoint': {'$hex': '02000fa00a000001' + '00' * 8},
                 'persistent-keepalive-interval': 25, 'allowedips': [{'family': 2, 'ipaddr': {'$hex': '0a000000'}, 'cidr-mask': 24}]}]}),
    ('team', 'options-get', 'do',
     {'team-ifindex': 8},
     'port-list-get',
     {'team-ifindex': 8, 'list-port': {'port': {'ifindex': 9, 'linkup': True, 'speed': 1000, 'duplex': 1}}}),
    ('fou', 'add', 'do',
     {'port': 5555, 'af': 2, 'ipproto': 17, 'type': 1, 'local-v4': 0x0a000001, 'peer-v4': 0x0a000002, 'peer-port': 5556, 'ifindex': 3},
     'get',
     {'port': 5555, 'af': 2, 'ipproto': 47, 'type': 2, 'remcsum-nopartial': True, 'local-v6': {'$hex': 'fe80' + '00' * 13 + '01'}}),
    ('handshake', 'accept', 'do',
     {'handler-class': 'tlshd'},
     'accept',
     {'sockfd': 12, 'message-type': 'clienthello', 'timeout': 5000, 'auth-mode': 'x509', 'peer-identity': [3, 4],
      'certificate': [{'cert': 20, 'privkey': 21}], 'peername': 'server.example', 'keyring': 7}),
    ('nfsd', 'threads-set', 'do',
     {'threads': [8, 4], 'gracetime': 90, 'leasetime': 90, 'scope': 'host1'},
     'rpc-status-get',
     {'xid': 0x12345678, 'flags': 1, 'prog': 100003, 'version': 4, 'proc': 1, 'service-time': 1000000,
      'saddr4': 0x0a000001, 'daddr4': 0x0a000002, 'sport': 700, 'dport': 2049, 'compound-ops': [3, 22, 9]}),
    ('psp', 'dev-set', 'do',
     {'id': 1, 'psp-versions-ena': ['hdr0-aes-gcm-128', 'hdr0-aes-gmac-128']},
     'dev-get',
     {'id': 1, 'ifindex': 4, 'psp-versions-cap': ['hdr0-aes-gcm-128', 'hdr0-aes-gcm-256'], 'psp-versions-ena': ['hdr0-aes-gcm-128']}),
    ('ovpn', 'peer-new', 'do',
     {'ifindex': 10, 'peer': {'id': 1, 'remote-ipv4': '198.51.100.7', 'remote-port': 1194, 'socket': 5, 'vpn-ipv4': '10.8.0.2', 'keepalive-interval': 10, 'keepalive-timeout': 60}},
     'peer-get',
     {'peer': {'id': 1, 'remote-ipv4': '198.51.100.7', 'remote-port': 1194, 'vpn-ipv4': '10.8.0.2', 'vpn-rx-bytes': 1 << 33, 'link-tx-packets': 12}}),
    ('net_shaper', 'set', 'do',
     {'ifindex': 3, 'handle': {'scope': 'queue', 'id': 2}, 'metric': 'bps', 'bw-max': 1 << 33, 'priority': 1, 'weight': 10},
     'get',
     {'ifindex': 3, 'parent': {'scope': 'netdev'}, 'handle': {'scope': 'queue', 'id': 2}, 'metric': 'bps', 'bw-min': 1000, 'bw-max': 1 << 33, 'burst': 0}),
    ('lockd', 'server-set', 'do',
     {'gracetime': 90, 'tcp-port': 4045, 'udp-port': 4046},
     'server-get',
     {'gracetime': 45, 'tcp-port': 4045, 'udp-port': 0}),
    ('binder', None, None, None,
     'report',
     {'error': 29189, 'context': 'binder', 'from-pid': 100, 'from-tid': 101, 'to-pid': 200, 'to-tid': 201, 'is-reply': True, 'flags': 1, 'code': 2, 'data-size': 64}),
    ('sunrpc_cache', 'cache-flush', 'do',
     {'mask': ['ip_map', 'unix_gid']},
     'ip-map-get-reqs',
     {'requests': [{'seqno': 7, 'class': 'nfs', 'domain': 'example', 'addr': '::ffff:10.0.0.1', 'expiry': 1700000000}, {'seqno': 8, 'class': 'nfs', 'addr': '10.0.0.2', 'negative': True}]}),
    ('drm_ras', 'get-error-counter', 'do',
     {'node-id': 1, 'error-id': 4},
     'get-error-counter',
     {'error-id': 4, 'error-name': 'correctable-ecc', 'error-value': 17}),
    ('dev-energymodel', 'get-perf-domains', 'do',
     {'perf-domain-id': 0},
     'get-perf-table',
     {'perf-domain-id': 0, 'perf-state': [{'performance': 100, 'frequency': 800000, 'power': 50000, 'cost': 62, 'flags': 0},
                                          {'performance': 1024, 'frequency': 2400000, 'power': 900000, 'cost': 878, 'flags': 1}]}),
]


def to_bytes(v):
    """{"$hex": ..} markers to bytes, recursively."""
    if isinstance(v, dict):
        if set(v) == {'$hex'}:
            return bytes.fromhex(v['$hex'])
        return {k: to_bytes(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_bytes(x) for x in v]
    return v


def to_json(v):
    """Decoded values as JSON: bytes as {"$hex"}, sets as sorted lists."""
    if isinstance(v, (bytes, bytearray)):
        return {'$hex': bytes(v).hex()}
    if isinstance(v, set):
        return sorted(v)
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_json(x) for x in v]
    return v


def reply_message(ynl, op, vals):
    """A reply (or event) message with ynl's encoders: flags 0, the op's reply id."""
    vals = dict(vals)
    cmd = op.rsp_value if op.rsp_value is not None else op.req_value
    msg = ynl.nlproto.message(0, cmd, 1, SEQ)
    if op.fixed_header:
        msg += ynl._encode_struct(op.fixed_header, vals)  # pylint: disable=protected-access
    search = Y.SpaceAttrs(op.attr_set, vals)
    for name, value in vals.items():
        msg += ynl._add_attr(op.attr_set.name, name, value, search)  # pylint: disable=protected-access
    return Y._genl_msg_finalize(msg)  # pylint: disable=protected-access


def decode_reply(ynl, op, raw):
    nl = Y.NlMsg(raw, 0)
    gm = ynl.nlproto.decode(ynl, nl, op)
    out = ynl._decode(gm.raw_attrs, op.attr_set.name)  # pylint: disable=protected-access
    if op.fixed_header:
        out.update(ynl._decode_struct(gm.raw, op.fixed_header))  # pylint: disable=protected-access
    return out


vectors = []
for spec, req_op, mode, req, rsp_op, rsp in CASES:
  try:
        ynl = Y.YnlFamily(os.path.join(SPECS, f'{spec}.yaml'))
        entry = {'spec': spec, 'family': ynl.yaml['name'], 'familyId': FAMILY_ID, 'seq': SEQ}
        if req_op is not None:
            flags = [NLM_F_DUMP] if mode == 'dump' else []
            raw = ynl._encode_message(ynl.ops[req_op], to_bytes(req), flags, SEQ)  # pylint: disable=protected-access
            nl_flags = struct.unpack_from('H', raw, 6)[0]
            entry['request'] = {'op': req_op, 'mode': mode, 'value': req, 'flags': nl_flags, 'hex': raw.hex()}
        op = ynl.msgs[rsp_op] if rsp_op in ynl.msgs else ynl.ops[rsp_op]
        raw = reply_message(ynl, op, to_bytes(rsp))
        entry['reply'] = {'op': rsp_op, 'value': rsp, 'hex': raw.hex(), 'decoded': to_json(decode_reply(ynl, op, raw))}
        vectors.append(entry)
        ynl.close()
  except Exception as e:
    sys.stderr.write(f'{spec}: {e!r}\n')
    raise

json.dump(vectors, sys.stdout, indent=1)
sys.stdout.write('\n')
