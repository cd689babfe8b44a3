// Byte vectors for what the project's overlays (overlays/rt-link.yaml,
// overlays/rt-route.yaml) add to the kernel's specs.
//
// How they were captured: `strace -e trace=sendmsg -e write=all ip -n NS ...`
// (iproute2 6.1, kernel 6.18) printed the request ip sent, for the commands
// quoted on each vector; ip sends the request whether or not this kernel has
// the kind (ipvlan and wireguard are not built here). The MPLS encap vector is
// written by hand from include/uapi/linux/mpls_iptunnel.h and lwtunnel.h,
// because this kernel has no MPLS tunnels for ip to talk to: the same route as
// `ip route add 10.40.0.0/16 encap mpls 100/200 via 10.9.0.2 dev va` with the
// layout iproute2 uses for the others (rtmsg, RTA_DST, RTA_ENCAP_TYPE,
// RTA_ENCAP, RTA_GATEWAY, RTA_OIF).
//
// Each vector decodes to the object shown; that object encodes to a message
// that decodes to it again, and the overlay's part of it (the kind data in
// IFLA_LINKINFO / IFLA_INFO_DATA, RTA_MULTIPATH, RTA_ENCAP) has exactly the
// bytes ip sent, except that nlkit sets NLA_F_NESTED on nests where iproute2
// does not (the kernel accepts both). The rest of the message may differ in
// ways that do not matter to the kernel: iproute2 writes IFLA_INFO_KIND
// without its NUL and RTA_ENCAP_TYPE after RTA_ENCAP; nlkit terminates
// strings and writes a sub-message's selector first.
import { describe, expect, it } from 'vitest';
import { MessageView } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import type { Family } from '../../../src/schema/family.js';
import { family as rtLink } from '../../../src/families/generated/rt-link.js';
import { family as rtRoute } from '../../../src/families/generated/rt-route.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!, (x) => parseInt(x, 16));

const IFINFO = { 'ifi-family': 0, 'ifi-type': 0, 'ifi-index': 0, 'ifi-flags': [], 'ifi-change': 0 };
const RTMSG = { 'rtm-family': 2, 'rtm-src-len': 0, 'rtm-tos': 0, 'rtm-protocol': 3, 'rtm-type': 'unicast', 'rtm-flags': 0 };

interface Vector {
  family: Family;
  op: string;
  how: string;
  bytes: string;
  decoded: Record<string, unknown>;
  /** Attribute types leading to the part the overlay describes (after the fixed header). */
  part?: readonly number[];
}

const IFLA_LINKINFO = 18;
const IFLA_INFO_DATA = 2;
const RTA_MULTIPATH = 9;
const RTA_ENCAP = 22;
const KIND_DATA = [IFLA_LINKINFO, IFLA_INFO_DATA];

const VECTORS: Record<string, Vector> = {
  veth: {
    family: rtLink as unknown as Family,
    op: 'newlink',
    how: 'ip link add va type veth peer name vb',
    bytes:
      '54000000100005066c2f026b000000000000000000000000000000000000000007000300766100002c0012000800010076657468200002001c000100000000000000000000000000000000000700030076620000',
    decoded: { ...IFINFO, ifname: 'va', linkinfo: { kind: 'veth', data: { peer: { ...IFINFO, ifname: 'vb' } } } },
    part: KIND_DATA,
  },
  vxlan: {
    family: rtLink as unknown as Family,
    op: 'newlink',
    how: 'ip link add vx0 type vxlan id 42 local 10.9.0.1 remote 10.9.0.2 dstport 4789 dev va ttl 64',
    bytes:
      '7400000010000506732f026b000000000000000000000000000000000000000008000300767830004c0012000900010076786c616e0000003c000200080003000b0000000500050040000000080001002a000000080004000a090001080002000a090002050007000100000006000f0012b50000',
    decoded: {
      ...IFINFO,
      ifname: 'vx0',
      linkinfo: { kind: 'vxlan', data: { link: 11, ttl: 64, id: 42, local: '10.9.0.1', group: '10.9.0.2', learning: 1, port: 4789 } },
    },
    part: KIND_DATA,
  },
  macvlan: {
    family: rtLink as unknown as Family,
    op: 'newlink',
    how: 'ip link add mv0 link va type macvlan mode bridge',
    bytes: '4c00000010000506762f026b0000000000000000000000000000000000000000080005000b000000080003006d7630001c0012000b0001006d6163766c616e000c0002000800010004000000',
    decoded: { ...IFINFO, link: 11, ifname: 'mv0', linkinfo: { kind: 'macvlan', data: { mode: 'bridge' } } },
    part: KIND_DATA,
  },
  ipvlan: {
    family: rtLink as unknown as Family,
    op: 'newlink',
    how: 'ip link add iv0 link va type ipvlan mode l3',
    bytes:
      '5400000010000506762f026b0000000000000000000000000000000000000000080005000b0000000800030069763000240012000a0001006970766c616e00001400020006000100010000000600020000000000',
    decoded: { ...IFINFO, link: 11, ifname: 'iv0', linkinfo: { kind: 'ipvlan', data: { mode: 'l3', flags: [] } } },
    part: KIND_DATA,
  },
  wireguard: {
    family: rtLink as unknown as Family,
    op: 'newlink',
    how: 'ip link add wg0 type wireguard (no kind data: keys and peers go over the wireguard genetlink family)',
    bytes: '3c00000010000506762f026b00000000000000000000000000000000000000000800030077673000140012000d000100776972656775617264000000',
    decoded: { ...IFINFO, ifname: 'wg0', linkinfo: { kind: 'wireguard' } },
  },
  ifb: {
    family: rtLink as unknown as Family,
    op: 'newlink',
    how: 'ip link add ifb0 type ifb',
    bytes: '3800000010000506762f026b00000000000000000000000000000000000000000900030069666230000000000c0012000700010069666200',
    decoded: { ...IFINFO, ifname: 'ifb0', linkinfo: { kind: 'ifb' } },
  },
  multipath: {
    family: rtRoute as unknown as Family,
    op: 'newroute',
    how: 'ip route add 10.20.0.0/16 table 100 nexthop via 10.9.0.2 dev va weight 1 nexthop via 10.9.1.2 dev vb weight 3',
    bytes: '4800000018000506732f026b00000000021000006403000100000000080001000a14000024000900100000000b000000080005000a090002100000020a000000080005000a090102',
    decoded: {
      ...RTMSG,
      'rtm-dst-len': 16,
      'rtm-table': 100,
      'rtm-scope': 0,
      dst: '10.20.0.0',
      multipath: [
        { 'rtnh-len': 16, 'rtnh-flags': [], 'rtnh-hops': 0, 'rtnh-ifindex': 11, gateway: '10.9.0.2' },
        { 'rtnh-len': 16, 'rtnh-flags': [], 'rtnh-hops': 2, 'rtnh-ifindex': 10, gateway: '10.9.1.2' },
      ],
    },
    part: [RTA_MULTIPATH],
  },
  'ip encap': {
    family: rtRoute as unknown as Family,
    op: 'newroute',
    // The three padding bytes after LWTUNNEL_IP_TTL are zeroed here: ip left stack bytes (f0 01 00) in them.
    how: 'ip route add 10.30.0.0/16 encap ip id 100 dst 10.9.0.77 ttl 10 dev vx0',
    bytes:
      '5400000018000506732f026b0000000002100000fe03fd0100000000080001000a1e0000200016800c0001000000000000000064080002000a09004d050004000a0000000600150002000100080004000c000000',
    decoded: {
      ...RTMSG,
      'rtm-dst-len': 16,
      'rtm-table': 254,
      'rtm-scope': 253,
      dst: '10.30.0.0',
      encap: { id: 100n, dst: '10.9.0.77', ttl: 10 },
      'encap-type': 'ip',
      oif: 12,
    },
    part: [RTA_ENCAP],
  },
  'seg6 encap': {
    family: rtRoute as unknown as Family,
    op: 'newroute',
    how: 'ip route add 10.42.0.0/16 encap seg6 mode encap segs fc00::1,fc00::2 dev va',
    bytes:
      '68000000180005067b2f026b0000000002100000fe03fd0100000000080001000a2a00003400168030000100010000000004040101000000fc000000000000000000000000000002fc0000000000000000000000000000010600150005000000080004000b000000',
    decoded: {
      ...RTMSG,
      'rtm-dst-len': 16,
      'rtm-table': 254,
      'rtm-scope': 253,
      dst: '10.42.0.0',
      encap: {
        srh: {
          mode: 'encap',
          nexthdr: 0,
          hdrlen: 4,
          type: 4,
          'segments-left': 1,
          'first-segment': 1,
          flags: 0,
          tag: 0,
          // The segments, last first, as the routing header carries them.
          __rest: hex('fc000000000000000000000000000002 fc000000000000000000000000000001'),
        },
      },
      'encap-type': 'seg6',
      oif: 11,
    },
    part: [RTA_ENCAP],
  },
  'mpls encap (by hand)': {
    family: rtRoute as unknown as Family,
    op: 'newroute',
    how: 'by hand: labels 100 and 200 (bottom of stack) as big-endian label << 12 | bos << 8',
    bytes:
      '4c000000 1800 0506 7b2f026b 00000000' + // nlmsghdr (NLM_F_REQUEST|ACK|EXCL|CREATE)
      '02100000 fe03fd01 00000000' + // rtmsg: inet /16 main boot link unicast
      '0800 0100 0a280000' + // RTA_DST 10.40.0.0
      '0600 1500 0100 0000' + // RTA_ENCAP_TYPE LWTUNNEL_ENCAP_MPLS
      '1000 1680 0c00 0100 00064000 000c8100' + // RTA_ENCAP { MPLS_IPTUNNEL_DST 100, 200/bos }
      '0800 0500 0a090002' + // RTA_GATEWAY
      '0800 0400 0b000000', // RTA_OIF 11
    decoded: {
      ...RTMSG,
      'rtm-dst-len': 16,
      'rtm-table': 254,
      'rtm-scope': 253,
      dst: '10.40.0.0',
      'encap-type': 'mpls',
      encap: { dst: [100 << 12, (200 << 12) | 0x100] },
      gateway: '10.9.0.2',
      oif: 11,
    },
    part: [RTA_ENCAP],
  },
};

/** Payload of the attribute reached by `path` (types, outermost first) in a message with a fixed header of `header` bytes. */
function attributePayload(bytes: Uint8Array, header: number, path: readonly number[]): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let start = 16 + header;
  let end = dv.getUint32(0, true);
  for (const type of path) {
    let p = start;
    let found = false;
    while (end - p >= 4) {
      const len = dv.getUint16(p, true);
      if ((dv.getUint16(p + 2, true) & 0x3fff) === type) {
        start = p + 4;
        end = p + len;
        found = true;
        break;
      }
      p += (len + 3) & ~3;
    }
    if (!found) throw new Error(`no attribute ${type}`);
  }
  return bytes.subarray(start, end);
}

/** Offsets where two equal-length encodings differ only in NLA_F_NESTED (the high bit of an attribute type). */
function differencesBesidesNestedFlag(a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (i % 4 === 3 && (a[i]! ^ b[i]!) === 0x80) continue;
    out.push(i);
  }
  return out;
}

describe('overlay byte vectors', () => {
  it.each(Object.entries(VECTORS))('%s decodes to its fields', (_name, v) => {
    const msg = MessageView.from(hex(v.bytes));
    const { name, msg: decoded } = v.family.decodeRequest(msg);
    expect(name).toBe(v.op);
    expect(decoded).toEqual(v.decoded);
  });

  it.each(Object.entries(VECTORS))('%s encodes to a message that decodes to the same fields', (_name, v) => {
    const msg = MessageView.from(hex(v.bytes));
    const w = new MessageWriter();
    const op = (v.family.ops as Record<string, Family['ops'][string]>)[v.op]!;
    op.encodeRequest(w, v.decoded, { flags: msg.flags, seq: msg.seq, portId: msg.portId });
    expect(v.family.decodeRequest(MessageView.from(w.finish())).msg).toEqual(v.decoded);
  });

  it.each(Object.entries(VECTORS).filter(([, v]) => v.part))('%s: the overlay part has the bytes ip sent', (_name, v) => {
    const bytes = hex(v.bytes);
    const msg = MessageView.from(bytes);
    const w = new MessageWriter();
    const op = (v.family.ops as Record<string, Family['ops'][string]>)[v.op]!;
    op.encodeRequest(w, v.decoded, { flags: msg.flags, seq: msg.seq, portId: msg.portId });
    const header = v.family === (rtLink as unknown as Family) ? 16 : 12;
    const ours = attributePayload(w.finish(), header, v.part!);
    const theirs = attributePayload(bytes, header, v.part!);
    expect(ours.length).toBe(theirs.length);
    expect(differencesBesidesNestedFlag(ours, theirs)).toEqual([]);
  });

  it('names attributes inside multipath records and the veth peer for extended acks', () => {
    const mp = hex(VECTORS.multipath!.bytes);
    // Second record starts at 16 (nlmsghdr) + 12 (rtmsg) + 8 (RTA_DST) + 4 (RTA_MULTIPATH header) + 16.
    expect(rtRoute.attributePath(mp, 56)).toBe('multipath[1].rtnh-len');
    expect(rtRoute.attributePath(mp, 63)).toBe('multipath[1].rtnh-ifindex');
    expect(rtRoute.attributePath(mp, 64)).toBe('multipath[1].gateway');
    const veth = hex(VECTORS.veth!.bytes);
    // Peer: 16 + 16 (ifinfomsg) + 8 (IFLA_IFNAME) + 4 (IFLA_LINKINFO) + 8 (KIND) + 4 (DATA) + 4 (PEER header).
    expect(rtLink.attributePath(veth, 64)).toBe('linkinfo.data(veth).peer.ifi-index');
    expect(rtLink.attributePath(veth, 76)).toBe('linkinfo.data(veth).peer.ifname');
  });

  it('rejects a multipath record whose length runs past the attribute', () => {
    const bytes = hex(VECTORS.multipath!.bytes);
    bytes[56] = 0x40; // second rtnh_len: 64 bytes, 16 left
    expect(() => rtRoute.decode(Object.assign(MessageView.from(bytes), {}))).toThrow(/record length 64 runs past its attribute \(16 bytes left\)/);
  });
});
