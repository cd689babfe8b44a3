import { describe, expect, it } from 'vitest';
import { formatAddress, formatIPv4, formatMac } from '../../../src/core/address.js';
import { AttributeReader, MAX_NEST_DEPTH } from '../../../src/core/attributes.js';
import { GENL_HDRLEN } from '../../../src/core/constants.js';
import {
  IFA_ADDRESS,
  IFA_FLAGS,
  IFA_LABEL,
  IFADDRMSG_SIZE,
  IFINFOMSG_SIZE,
  IFLA_ADDRESS,
  IFLA_AF_SPEC,
  IFLA_IFNAME,
  IFLA_INFO_DATA,
  IFLA_INFO_KIND,
  IFLA_INFO_SLAVE_DATA,
  IFLA_INFO_SLAVE_KIND,
  IFLA_LINK,
  IFLA_LINKINFO,
  IFLA_MASTER,
  IFLA_MTU,
  IFLA_OPERSTATE,
  IFLA_QDISC,
  IFLA_TSO_MAX_SIZE,
  IFLA_TXQLEN,
  RTA_DST,
  RTA_GATEWAY,
  RTA_OIF,
  RTA_PRIORITY,
  RTA_TABLE,
  RTMSG_SIZE,
} from '../../../src/families/route/constants.js';
import {
  CTRL_ATTR_FAMILY_ID,
  CTRL_ATTR_FAMILY_NAME,
  CTRL_ATTR_HDRSIZE,
  CTRL_ATTR_MAXATTR,
  CTRL_ATTR_MCAST_GROUPS,
  CTRL_ATTR_MCAST_GRP_ID,
  CTRL_ATTR_MCAST_GRP_NAME,
  CTRL_ATTR_OPS,
  CTRL_ATTR_OP_FLAGS,
  CTRL_ATTR_OP_ID,
  CTRL_ATTR_VERSION,
} from '../../../src/families/genl/constants.js';
import { NetlinkDecodeError } from '../../../src/core/errors.js';
import { MessageView, parseMessages } from '../../../src/core/message.js';
import { ADDR_DUMP } from '../../vectors/addr.js';
import { CTRL_NEWFAMILY_NLCTRL } from '../../vectors/genl.js';
import { fromHex, toHex } from '../../vectors/hex.js';
import { BR0_NEWLINK, LO_NEWLINK, VETH0_NEWLINK, VETH1_NEWLINK } from '../../vectors/link.js';
import { ROUTE_DUMP } from '../../vectors/route.js';

/** One attribute as the kernel lays it out: nla_len, nla_type, data, zero padding. */
function nla(rawType: number, data: Uint8Array | string = ''): Uint8Array {
  const bytes = typeof data === 'string' ? fromHex(data) : data;
  const out = new Uint8Array((4 + bytes.length + 3) & ~3);
  new DataView(out.buffer).setUint16(0, 4 + bytes.length, true);
  new DataView(out.buffer).setUint16(2, rawType, true);
  out.set(bytes, 4);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The reader positioned on the first (only) attribute of `bytes`. */
function first(bytes: Uint8Array): AttributeReader {
  const r = new AttributeReader(bytes);
  expect(r.next()).toBe(true);
  return r;
}

function decodeError(run: () => unknown): { message: string; offset: number; context: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof NetlinkDecodeError) return { message: err.message, offset: err.offset, context: err.context };
    throw err;
  }
  throw new Error('expected a NetlinkDecodeError');
}

/** Every attribute of a run as [type, dataLength]. */
function listing(r: AttributeReader): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  while (r.next()) out.push([r.type, r.dataLength]);
  return out;
}

/** The first attribute of a type in a run, as a reader positioned on it. */
function at(r: AttributeReader, type: number): AttributeReader {
  expect(r.find(type)).toBe(true);
  return r;
}

describe('AttributeReader on captured messages', () => {
  it('walks every top-level attribute of the RTM_NEWLINK for lo, in kernel order', () => {
    const r = MessageView.from(LO_NEWLINK).attributes(IFINFOMSG_SIZE);
    expect(listing(r).map(([type]) => type)).toEqual([
      3, 13, 16, 17, 67, 4, 50, 51, 27, 30, 61, 31, 40, 41, 58, 63, 64, 59, 60, 66, 32, 33, 35, 47, 48, 68, 69, 39, 1, 2, 23, 7, 43, 6, 26, 14, 62, 65,
    ]);
  });

  it('reads the values ip -d link show lo printed', () => {
    const r = MessageView.from(LO_NEWLINK).attributes(IFINFOMSG_SIZE);
    expect({
      ifname: at(r, IFLA_IFNAME).string(),
      mtu: at(r, IFLA_MTU).u32(),
      txqlen: at(r, IFLA_TXQLEN).u32(),
      operstate: at(r, IFLA_OPERSTATE).u8(),
      tsoMaxSize: at(r, IFLA_TSO_MAX_SIZE).u32(),
      qdisc: at(r, IFLA_QDISC).string(),
      address: formatMac(at(r, IFLA_ADDRESS).binary()),
    }).toEqual({ ifname: 'lo', mtu: 65536, txqlen: 1000, operstate: 0, tsoMaxSize: 524280, qdisc: 'noqueue', address: '00:00:00:00:00:00' });
  });

  it('reports the NLA_F_NESTED flag of the empty nests at the end of the lo message', () => {
    const r = MessageView.from(LO_NEWLINK).attributes(IFINFOMSG_SIZE);
    const tail = [];
    while (r.next()) if (r.type >= 62 && r.isNested) tail.push({ type: r.type, rawType: r.rawType, offset: r.offset, length: r.dataLength, inner: listing(r.nested()) });
    expect(tail).toEqual([
      { type: 62, rawType: 0x803e, offset: 1092, length: 0, inner: [] },
      { type: 65, rawType: 0x8041, offset: 1096, length: 0, inner: [] },
    ]);
  });

  it('reads the veth kind from the nested IFLA_LINKINFO of veth0', () => {
    const r = MessageView.from(VETH0_NEWLINK).attributes(IFINFOMSG_SIZE, 'RTM_NEWLINK');
    const info = at(r, IFLA_LINKINFO).nested('linkinfo');
    expect({
      ifname: at(r, IFLA_IFNAME).string(),
      mtu: at(r, IFLA_MTU).u32(),
      link: at(r, IFLA_LINK).u32(),
      address: formatMac(at(r, IFLA_ADDRESS).binary()),
      linkinfo: listing(info),
      kind: at(info.rewind(), IFLA_INFO_KIND).string(),
      context: info.context,
      depth: info.depth,
    }).toEqual({
      ifname: 'veth0',
      mtu: 1400,
      link: 2,
      address: '7e:78:f4:c7:c2:37',
      linkinfo: [[IFLA_INFO_KIND, 5]],
      kind: 'veth',
      context: 'RTM_NEWLINK.linkinfo',
      depth: 1,
    });
  });

  it('lists the address families of IFLA_AF_SPEC (AF_INET, AF_INET6)', () => {
    const r = MessageView.from(VETH0_NEWLINK).attributes(IFINFOMSG_SIZE);
    expect(listing(at(r, IFLA_AF_SPEC).nested())).toEqual([
      [2, 136],
      [10, 300],
    ]);
  });

  it('reads the bridge options three levels down (linkinfo > data > IFLA_BR_*)', () => {
    const r = MessageView.from(BR0_NEWLINK).attributes(IFINFOMSG_SIZE);
    const info = at(r, IFLA_LINKINFO).nested('linkinfo');
    const kind = at(info, IFLA_INFO_KIND).string();
    const data = at(info, IFLA_INFO_DATA).nested('data(bridge)');
    expect({
      ifname: at(r, IFLA_IFNAME).string(),
      kind,
      forwardDelay: at(data, 1).u32(), // IFLA_BR_FORWARD_DELAY
      helloTime: at(data, 2).u32(),
      maxAge: at(data, 3).u32(),
      ageingTime: at(data, 4).u32(),
      priority: at(data, 6).u16(), // IFLA_BR_PRIORITY
      rootId: toHex(at(data, 11).binary()), // struct ifla_bridge_id
      groupAddress: formatMac(at(data, 20).binary()), // IFLA_BR_GROUP_ADDR
      helloTimer: at(data, 16).u64(), // IFLA_BR_HELLO_TIMER
      lastMemberInterval: at(data, 30).u64(),
      membershipInterval: at(data, 31).u64(),
      queryInterval: at(data, 33).u64(),
      startupQueryInterval: at(data, 35).u64(),
      hashMax: at(data, 27).u32(),
      context: data.context,
      depth: data.depth,
    }).toEqual({
      ifname: 'br0',
      kind: 'bridge',
      forwardDelay: 1500,
      helloTime: 200,
      maxAge: 2000,
      ageingTime: 30000,
      priority: 32768,
      rootId: '80 00 12 7f 1f b2 52 1d',
      groupAddress: '01:80:c2:00:00:00',
      helloTimer: 0n,
      lastMemberInterval: 100n,
      membershipInterval: 26000n,
      queryInterval: 12500n,
      startupQueryInterval: 3124n,
      hashMax: 4096,
      context: 'linkinfo.data(bridge)',
      depth: 2,
    });
  });

  it('reads the bridge port data of veth1 (IFLA_INFO_SLAVE_KIND / SLAVE_DATA)', () => {
    const r = MessageView.from(VETH1_NEWLINK).attributes(IFINFOMSG_SIZE);
    const info = at(r, IFLA_LINKINFO).nested();
    const kind = at(info, IFLA_INFO_KIND).string();
    const slaveKind = at(info, IFLA_INFO_SLAVE_KIND).string();
    const port = at(info, IFLA_INFO_SLAVE_DATA).nested();
    expect({
      master: at(r, IFLA_MASTER).u32(),
      kind,
      slaveKind,
      priority: at(port, 2).u16(), // IFLA_BRPORT_PRIORITY
      cost: at(port, 3).u32(), // IFLA_BRPORT_COST
      rootId: toHex(at(port, 13).binary()), // IFLA_BRPORT_ROOT_ID
    }).toEqual({ master: 4, kind: 'veth', slaveKind: 'bridge', priority: 32, cost: 2, rootId: '80 00 12 7f 1f b2 52 1d' });
  });

  it('reads every address of the RTM_GETADDR dump as ip addr show printed it', () => {
    const rows = parseMessages(ADDR_DUMP).map((msg) => {
      const ifa = msg.payload;
      const r = msg.attributes(IFADDRMSG_SIZE);
      const label = r.find(IFA_LABEL) ? r.string() : undefined;
      return {
        index: new DataView(ifa.buffer, ifa.byteOffset + 4, 4).getUint32(0, true),
        address: `${formatAddress(at(r, IFA_ADDRESS).binary())}/${ifa[1]}`,
        scope: ifa[3],
        flags: at(r, IFA_FLAGS).u32(),
        label,
      };
    });
    expect(rows).toEqual([
      { index: 1, address: '127.0.0.1/8', scope: 254, flags: 0x80, label: 'lo' },
      { index: 3, address: '192.0.2.1/24', scope: 0, flags: 0x80, label: 'veth0' },
      { index: 1, address: '::1/128', scope: 254, flags: 0x80, label: undefined },
      { index: 2, address: 'fe80::107f:1fff:feb2:521d/64', scope: 253, flags: 0xc0, label: undefined },
      { index: 3, address: '2001:db8::1/64', scope: 0, flags: 0x82, label: undefined },
      { index: 3, address: 'fe80::7c78:f4ff:fec7:c237/64', scope: 253, flags: 0xc0, label: undefined },
    ]);
  });

  it('reads the static route 198.51.100.0/24 via 192.0.2.254 metric 7 from the route dump', () => {
    const msg = parseMessages(ROUTE_DUMP)[1]!;
    const rtm = msg.payload;
    const r = msg.attributes(RTMSG_SIZE);
    expect({
      family: rtm[0],
      dstLen: rtm[1],
      table: rtm[4],
      protocol: rtm[5],
      type: rtm[7],
      attributes: listing(r).map(([type]) => type),
      tableAttr: at(r, RTA_TABLE).u32(),
      dst: formatIPv4(at(r, RTA_DST).binary()),
      gateway: formatIPv4(at(r, RTA_GATEWAY).binary()),
      priority: at(r, RTA_PRIORITY).u32(),
      oif: at(r, RTA_OIF).u32(),
    }).toEqual({
      family: 2,
      dstLen: 24,
      table: 254,
      protocol: 3,
      type: 1,
      attributes: [RTA_TABLE, RTA_DST, RTA_PRIORITY, RTA_GATEWAY, RTA_OIF],
      tableAttr: 254,
      dst: '198.51.100.0',
      gateway: '192.0.2.254',
      priority: 7,
      oif: 3,
    });
  });

  it('reads the nlctrl family reply, ops and multicast groups included', () => {
    const r = MessageView.from(CTRL_NEWFAMILY_NLCTRL).attributes(GENL_HDRLEN, 'CTRL_CMD_NEWFAMILY');
    const array = (nest: AttributeReader, read: (entry: AttributeReader) => object): object[] => {
      const out = [];
      while (nest.next()) out.push({ index: nest.type, ...read(nest.nested(`[${nest.type}]`)) });
      return out;
    };
    expect({
      name: at(r, CTRL_ATTR_FAMILY_NAME).string(),
      id: at(r, CTRL_ATTR_FAMILY_ID).u16(),
      version: at(r, CTRL_ATTR_VERSION).u32(),
      hdrsize: at(r, CTRL_ATTR_HDRSIZE).u32(),
      maxattr: at(r, CTRL_ATTR_MAXATTR).u32(),
      ops: array(at(r, CTRL_ATTR_OPS).nested('ops'), (op) => ({ id: at(op, CTRL_ATTR_OP_ID).u32(), flags: at(op, CTRL_ATTR_OP_FLAGS).u32() })),
      groups: array(at(r, CTRL_ATTR_MCAST_GROUPS).nested('mcast-groups'), (g) => ({
        name: at(g, CTRL_ATTR_MCAST_GRP_NAME).string(),
        id: at(g, CTRL_ATTR_MCAST_GRP_ID).u32(),
        context: g.context,
      })),
    }).toEqual({
      name: 'nlctrl',
      id: 0x10,
      version: 2,
      hdrsize: 0,
      maxattr: 0,
      ops: [
        { index: 1, id: 3, flags: 14 },
        { index: 2, id: 10, flags: 12 },
      ],
      groups: [{ index: 1, name: 'notify', id: 0x10, context: 'CTRL_CMD_NEWFAMILY.mcast-groups.[1]' }],
    });
  });

  it('gives binary values as views into the received bytes', () => {
    const received = VETH0_NEWLINK.slice();
    const mac = at(MessageView.from(received).attributes(IFINFOMSG_SIZE), IFLA_ADDRESS).binary();
    expect([mac.buffer === received.buffer, mac.byteOffset, mac.length]).toEqual([true, 264, 6]);
  });
});

// Every getter on data it can read: [getter, data bytes, value].
const GETTERS = [
  { getter: 'u8', data: 'fe', value: 0xfe },
  { getter: 's8', data: 'fe', value: -2 },
  { getter: 'u16', data: '34 12', value: 0x1234 },
  { getter: 's16', data: 'fe ff', value: -2 },
  { getter: 'u16be', data: '12 34', value: 0x1234 },
  { getter: 's16be', data: 'ff fe', value: -2 },
  { getter: 'u32', data: '78 56 34 12', value: 0x12345678 },
  { getter: 'u32', data: 'ff ff ff ff', value: 0xffffffff },
  { getter: 's32', data: 'fe ff ff ff', value: -2 },
  { getter: 'u32be', data: 'c0 00 02 01', value: 0xc0000201 },
  { getter: 's32be', data: 'ff ff ff fe', value: -2 },
  { getter: 'u64', data: 'ff ff ff ff ff ff ff ff', value: 0xffffffffffffffffn },
  { getter: 's64', data: 'fe ff ff ff ff ff ff ff', value: -2n },
  { getter: 'u64be', data: '00 00 00 00 00 00 01 00', value: 256n },
  { getter: 's64be', data: 'ff ff ff ff ff ff ff fe', value: -2n },
  { getter: 'u32', data: '01 00 00 00 ff', value: 1 }, // longer data: the leading bytes, like nla_get_u32
  { getter: 'string', data: '76 65 74 68 30 00', value: 'veth0' },
  { getter: 'string', data: '61 62', value: 'ab' }, // NLA_STRING without NUL
  { getter: 'string', data: '61 00 62 00', value: 'a' },
  { getter: 'flag', data: '', value: true },
] as const;

// Variable-width integers (NLA_UINT / NLA_SINT): width by the attribute length.
const VARIABLE_WIDTHS = [
  { getter: 'uint', data: '80', bigEndian: false, value: 0x80 },
  { getter: 'uint', data: '01 02', bigEndian: false, value: 0x0201 },
  { getter: 'uint', data: '01 02', bigEndian: true, value: 0x0102 },
  { getter: 'uint', data: 'ff ff ff ff', bigEndian: false, value: 0xffffffff },
  { getter: 'uint', data: '00 00 00 01', bigEndian: true, value: 1 },
  { getter: 'uint', data: '00 00 00 00 01 00 00 00', bigEndian: false, value: 0x100000000n },
  { getter: 'uint', data: '00 00 00 01 00 00 00 00', bigEndian: true, value: 0x100000000n },
  { getter: 'sint', data: '80', bigEndian: false, value: -128 },
  { getter: 'sint', data: 'ff 7f', bigEndian: false, value: 0x7fff },
  { getter: 'sint', data: 'ff fe', bigEndian: true, value: -2 },
  { getter: 'sint', data: 'fe ff ff ff', bigEndian: false, value: -2 },
  { getter: 'sint', data: 'ff ff ff fe', bigEndian: true, value: -2 },
  { getter: 'sint', data: 'fe ff ff ff ff ff ff ff', bigEndian: false, value: -2n },
  { getter: 'sint', data: '80 00 00 00 00 00 00 00', bigEndian: true, value: -0x8000000000000000n },
] as const;

// Getters given too few bytes: the error names the attribute type and width.
const SHORT_VALUES = [
  { getter: 'u8', data: '', message: 'attribute type 7 has 0 bytes, too short for u8 (at byte 0)' },
  { getter: 's8', data: '', message: 'attribute type 7 has 0 bytes, too short for s8 (at byte 0)' },
  { getter: 'u16', data: '01', message: 'attribute type 7 has 1 bytes, too short for u16 (at byte 0)' },
  { getter: 's16be', data: '01', message: 'attribute type 7 has 1 bytes, too short for s16 (at byte 0)' },
  { getter: 'u32', data: '01 02', message: 'attribute type 7 has 2 bytes, too short for u32 (at byte 0)' },
  { getter: 's32', data: '01 02 03', message: 'attribute type 7 has 3 bytes, too short for s32 (at byte 0)' },
  { getter: 'u32be', data: '', message: 'attribute type 7 has 0 bytes, too short for u32 (at byte 0)' },
  { getter: 'u64', data: '01 02 03 04', message: 'attribute type 7 has 4 bytes, too short for u64 (at byte 0)' },
  { getter: 's64', data: '01 02 03 04 05 06 07', message: 'attribute type 7 has 7 bytes, too short for s64 (at byte 0)' },
  { getter: 'u64be', data: '01', message: 'attribute type 7 has 1 bytes, too short for u64 (at byte 0)' },
  { getter: 'uint', data: '', message: 'attribute type 7 has 0 bytes, not a valid uint width (at byte 0)' },
  { getter: 'uint', data: '01 02 03', message: 'attribute type 7 has 3 bytes, not a valid uint width (at byte 0)' },
  { getter: 'sint', data: '01 02 03 04 05', message: 'attribute type 7 has 5 bytes, not a valid sint width (at byte 0)' },
  { getter: 'uint', data: '01 02 03 04 05 06 07 08 09', message: 'attribute type 7 has 9 bytes, not a valid uint width (at byte 0)' },
] as const;

type Getter = (typeof GETTERS)[number]['getter'] | (typeof SHORT_VALUES)[number]['getter'];
const call = (r: AttributeReader, getter: Getter, bigEndian?: boolean): unknown => (getter === 'uint' || getter === 'sint' ? r[getter](bigEndian) : r[getter]());

describe('AttributeReader getters', () => {
  it.each(GETTERS)('$getter reads [$data] as $value', ({ getter, data, value }) => {
    expect(call(first(nla(7, data)), getter)).toBe(value);
  });

  it.each(VARIABLE_WIDTHS)('$getter reads [$data] (big-endian: $bigEndian) as $value', ({ getter, data, bigEndian, value }) => {
    expect(call(first(nla(7, data)), getter, bigEndian)).toBe(value);
  });

  it.each(SHORT_VALUES)('$getter refuses [$data]', ({ getter, data, message }) => {
    expect(decodeError(() => call(first(nla(7, data)), getter))).toEqual({ message, offset: 0, context: '' });
  });

  it('reads a zero-length attribute as an empty string, an empty view, a present flag and an empty nest', () => {
    const r = first(nla(7));
    expect([r.dataLength, r.string(), r.binary().length, r.flag(), r.nested().next()]).toEqual([0, '', 0, true, false]);
  });

  it('gives a binary view, not a copy', () => {
    const bytes = nla(7, 'aa bb cc');
    const value = first(bytes).binary();
    bytes[5] = 0x11;
    expect([value.buffer === bytes.buffer, value.byteOffset, toHex(value)]).toEqual([true, 4, 'aa 11 cc']);
  });

  it('refuses to read before next() and after the run ends', () => {
    const r = new AttributeReader(nla(7, '01 00 00 00'));
    expect(() => r.u32()).toThrow(new Error('AttributeReader: call next() before reading a value'));
    expect([r.next(), r.u32(), r.next()]).toEqual([true, 1, false]);
    expect(() => r.u32()).toThrow(new Error('AttributeReader: call next() before reading a value'));
    expect([r.type, r.offset]).toEqual([-1, -1]);
  });
});

// nla_type flag bits: the type is masked, the flags stay readable.
const TYPE_FLAGS = [
  { rawType: 0x0003, type: 3, nested: false, netByteOrder: false },
  { rawType: 0x8003, type: 3, nested: true, netByteOrder: false },
  { rawType: 0x4003, type: 3, nested: false, netByteOrder: true },
  { rawType: 0xc003, type: 3, nested: true, netByteOrder: true },
  { rawType: 0x3fff, type: 0x3fff, nested: false, netByteOrder: false },
  { rawType: 0xffff, type: 0x3fff, nested: true, netByteOrder: true },
] as const;

describe('AttributeReader types', () => {
  it.each(TYPE_FLAGS)('reads raw type $rawType as type $type (nested $nested, net byte order $netByteOrder)', ({ rawType, type, nested, netByteOrder }) => {
    const r = first(nla(rawType, '00 00 00 00'));
    expect({ rawType: r.rawType, type: r.type, nested: r.isNested, netByteOrder: r.isNetByteOrder }).toEqual({ rawType, type, nested, netByteOrder });
  });
});

describe('AttributeReader walking', () => {
  it('gives offset, data offset and data length of each attribute, including unpadded ones', () => {
    const r = new AttributeReader(concat(nla(1, '61 00'), nla(2), nla(3, '01 02 03 04 05')));
    const seen = [];
    while (r.next()) seen.push([r.type, r.offset, r.dataOffset, r.dataLength]);
    expect(seen).toEqual([
      [1, 0, 4, 2],
      [2, 8, 12, 0],
      [3, 12, 16, 5],
    ]);
  });

  it('stops at a last attribute whose padding was cut off', () => {
    const r = new AttributeReader(nla(3, '01 02 03 04 05').subarray(0, 9));
    expect([r.next(), r.dataLength, r.next()]).toEqual([true, 5, false]);
  });

  it('treats 1 to 3 bytes after the last attribute as padding', () => {
    for (const tail of ['00', '00 00', 'ff ff ff']) {
      expect(listing(new AttributeReader(concat(nla(1, '01 00 00 00'), fromHex(tail))))).toEqual([[1, 4]]);
    }
  });

  it('walks only its own range of the buffer', () => {
    const bytes = concat(nla(1, '01 00 00 00'), nla(2, '02 00 00 00'), nla(3, '03 00 00 00'));
    expect(listing(new AttributeReader(bytes, 8, 16))).toEqual([[2, 4]]);
  });

  it('finds an attribute from the start, however far the walk went', () => {
    const r = new AttributeReader(concat(nla(1, '01 00 00 00'), nla(2, '02 00 00 00'), nla(1, '03 00 00 00')));
    while (r.next());
    expect([r.find(2), r.u32(), r.find(1), r.u32()]).toEqual([true, 2, true, 1]);
  });

  it('leaves no current attribute when find() fails', () => {
    const r = new AttributeReader(nla(1, '01 00 00 00'));
    expect([r.find(9), r.type, r.offset]).toEqual([false, -1, -1]);
    expect(() => r.u32()).toThrow(new Error('AttributeReader: call next() before reading a value'));
  });

  it('rewinds to walk the run again', () => {
    const r = new AttributeReader(concat(nla(1, '01'), nla(2, '02')));
    const once = listing(r);
    expect(r.rewind()).toBe(r);
    expect(listing(r)).toEqual(once);
  });

  it('is pointed at another run by reset(), forgetting where it was', () => {
    const a = concat(nla(1, '01 00 00 00'), nla(2, '02 00 00 00'));
    const b = concat(nla(7, '07 00 00 00'));
    const r = new AttributeReader(a, 0, a.length, 'first', 0);
    r.next();
    expect(r.reset(b, 0, b.length, new DataView(b.buffer), 'second', 3)).toBe(r);
    expect([r.type, r.offset, r.context, r.depth, r.start, r.end]).toEqual([-1, -1, 'second', 3, 0, 8]);
    expect(() => r.u32()).toThrow(new Error('AttributeReader: call next() before reading a value'));
    expect(listing(r)).toEqual([[7, 4]]);
    expect(() => r.reset(b, 4, 12, new DataView(b.buffer))).toThrow(new RangeError('attribute range [4, 12) is outside a buffer of 8 bytes'));
  });

  it('refuses a range outside its buffer', () => {
    expect(() => new AttributeReader(new Uint8Array(8), 0, 10)).toThrow(new RangeError('attribute range [0, 10) is outside a buffer of 8 bytes'));
    expect(() => new AttributeReader(new Uint8Array(8), 6, 4)).toThrow(new RangeError('attribute range [6, 4) is outside a buffer of 8 bytes'));
    expect(() => new AttributeReader(new Uint8Array(8), -1)).toThrow(new RangeError('attribute range [-1, 8) is outside a buffer of 8 bytes'));
  });
});

// Malformed runs: the error, its byte offset (from the buffer start) and context.
const MALFORMED_RUNS = [
  { name: 'nla_len 0', bytes: () => fromHex('00 00 01 00'), message: 'attribute length 0 is shorter than its 4-byte header (at byte 0)', offset: 0 },
  { name: 'nla_len 1', bytes: () => fromHex('01 00 01 00'), message: 'attribute length 1 is shorter than its 4-byte header (at byte 0)', offset: 0 },
  { name: 'nla_len 3', bytes: () => fromHex('03 00 01 00 00 00 00 00'), message: 'attribute length 3 is shorter than its 4-byte header (at byte 0)', offset: 0 },
  {
    name: 'nla_len past the end of the run',
    bytes: () => fromHex('0c 00 01 00 00 00 00 00'),
    message: 'attribute length 12 runs past its parent (8 bytes left) (at byte 0)',
    offset: 0,
  },
  {
    name: 'a second attribute with nla_len 0',
    bytes: () => concat(nla(1, '01 00 00 00'), fromHex('00 00 02 00')),
    message: 'attribute length 0 is shorter than its 4-byte header (at byte 8)',
    offset: 8,
  },
  {
    name: 'nla_len 0xffff',
    bytes: () => concat(fromHex('ff ff 01 00'), new Uint8Array(60)),
    message: 'attribute length 65535 runs past its parent (64 bytes left) (at byte 0)',
    offset: 0,
  },
] as const;

describe('AttributeReader errors', () => {
  it.each(MALFORMED_RUNS)('rejects $name', ({ bytes, message, offset }) => {
    expect(decodeError(() => listing(new AttributeReader(bytes())))).toEqual({ message, offset, context: '' });
  });

  it('rejects a nested attribute longer than its parent, at the absolute offset, with the nest path', () => {
    // IFLA_LINKINFO of veth0, with IFLA_INFO_KIND grown from 9 to 13 bytes.
    const bytes = VETH0_NEWLINK.slice();
    bytes[604] = 13;
    const r = MessageView.from(bytes).attributes(IFINFOMSG_SIZE, 'RTM_NEWLINK');
    const info = at(r, IFLA_LINKINFO).nested('linkinfo');
    expect(decodeError(() => info.next())).toEqual({
      message: 'RTM_NEWLINK.linkinfo: attribute length 13 runs past its parent (12 bytes left) (at byte 604)',
      offset: 604,
      context: 'RTM_NEWLINK.linkinfo',
    });
  });

  it('names the nest path in a getter error too', () => {
    const r = MessageView.from(BR0_NEWLINK).attributes(IFINFOMSG_SIZE, 'RTM_NEWLINK');
    const data = at(at(r, IFLA_LINKINFO).nested('linkinfo'), IFLA_INFO_DATA).nested('data');
    expect(decodeError(() => at(data, 6).u32())).toEqual({
      message: 'RTM_NEWLINK.linkinfo.data: attribute type 6 has 2 bytes, too short for u32 (at byte 704)',
      offset: 704,
      context: 'RTM_NEWLINK.linkinfo.data',
    });
  });

  it('keeps the parent context for a nest opened without a name', () => {
    const r = MessageView.from(VETH0_NEWLINK).attributes(IFINFOMSG_SIZE, 'RTM_NEWLINK');
    expect(at(r, IFLA_LINKINFO).nested().context).toBe('RTM_NEWLINK');
    expect(at(new AttributeReader(nla(1, nla(2))), 1).nested('outer').context).toBe('outer');
  });

  it(`follows ${MAX_NEST_DEPTH} levels of nesting and refuses the next one`, () => {
    let bytes = nla(1, '2a 00 00 00');
    for (let i = 0; i < MAX_NEST_DEPTH + 1; i++) bytes = nla(0x8001, bytes);
    let r = first(bytes);
    for (let level = 1; level <= MAX_NEST_DEPTH; level++) {
      r = r.nested(`n${level}`);
      expect(r.next()).toBe(true);
    }
    expect(r.depth).toBe(MAX_NEST_DEPTH);
    expect(decodeError(() => r.nested())).toEqual({
      message: `${r.context}: attributes nested deeper than ${MAX_NEST_DEPTH} levels (at byte ${4 * MAX_NEST_DEPTH})`,
      offset: 4 * MAX_NEST_DEPTH,
      context: r.context,
    });
  });

  it('reads a value at the deepest level it allows', () => {
    let bytes = nla(1, '2a 00 00 00');
    for (let i = 0; i < MAX_NEST_DEPTH; i++) bytes = nla(0x8001, bytes);
    let r = first(bytes);
    for (let level = 1; level <= MAX_NEST_DEPTH; level++) {
      r = r.nested();
      r.next();
    }
    expect([r.depth, r.u32()]).toEqual([MAX_NEST_DEPTH, 42]);
  });
});
