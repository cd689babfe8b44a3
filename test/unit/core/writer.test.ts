import { describe, expect, it } from 'vitest';
import { GENL_HDRLEN, GENL_ID_CTRL, NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REQUEST } from '../../../src/core/constants.js';
import {
  IFINFOMSG_SIZE,
  IFLA_EXT_MASK,
  IFLA_IFNAME,
  IFLA_INFO_KIND,
  IFLA_LINKINFO,
  IFLA_MTU,
  RTM_GETLINK,
  RTM_GETROUTE,
  RTM_NEWLINK,
  RTMSG_SIZE,
} from '../../../src/families/route/constants.js';
import { CTRL_ATTR_FAMILY_NAME, CTRL_CMD_GETFAMILY } from '../../../src/families/genl/constants.js';
import { MessageView, parseMessages } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import {
  ACK_EINVAL_MISSING_NEST_REQUEST,
  ACK_EINVAL_POLICY_REQUEST,
  ACK_EINVAL_UNALIGNED_ECHO_REQUEST,
  ACK_EOPNOTSUPP_UNKNOWN_KIND_REQUEST,
  DONE_WITH_ERROR_REQUEST,
} from '../../vectors/ack.js';
import { toHex } from '../../vectors/hex.js';
import { LO_GETLINK_REQUEST } from '../../vectors/link.js';

const RTEXT_FILTER_VF = 1;
const RTEXT_FILTER_SKIP_STATS = 8;

/** The bytes of one message with the given body, from a fresh writer. */
function oneMessage(body: (w: MessageWriter) => void, capacity?: number): string {
  const w = new MessageWriter(capacity);
  w.beginMessage(0x10, NLM_F_REQUEST, 1, 0);
  body(w);
  w.endMessage();
  return toHex(w.finish().subarray(16));
}

describe('MessageWriter on requests captured from iproute2, genl and requests.py', () => {
  it('rebuilds the RTM_GETLINK that ip -d link show lo sent, byte for byte', () => {
    const w = new MessageWriter();
    w.beginMessage(RTM_GETLINK, NLM_F_REQUEST, 1795302255);
    w.reserve(IFINFOMSG_SIZE);
    w.putU32(IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
    w.putString(IFLA_IFNAME, 'lo');
    w.endMessage();
    expect(toHex(w.finish())).toBe(toHex(LO_GETLINK_REQUEST));
  });

  it('rebuilds ip link add nlkit0 type nosuchkind, with an unflagged IFLA_LINKINFO nest', () => {
    const w = new MessageWriter();
    w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE, 1795302255);
    w.reserve(IFINFOMSG_SIZE);
    w.putString(IFLA_IFNAME, 'nlkit0');
    const info = w.nestStart(IFLA_LINKINFO, false);
    // iproute2 sends the kind without its NUL (addattr_l with strlen): nla_len 14, not 15.
    w.putBinary(IFLA_INFO_KIND, new TextEncoder().encode('nosuchkind'));
    w.nestEnd(info);
    w.endMessage();
    expect(toHex(w.finish())).toBe(toHex(ACK_EOPNOTSUPP_UNKNOWN_KIND_REQUEST));
  });

  it('rebuilds a generic netlink request with its genlmsghdr set through setU8', () => {
    const w = new MessageWriter();
    w.beginMessage(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, 4);
    const genl = w.reserve(GENL_HDRLEN);
    w.setU8(genl, CTRL_CMD_GETFAMILY).setU8(genl + 1, 1);
    w.putString(CTRL_ATTR_FAMILY_NAME, 'x'.repeat(19));
    w.endMessage();
    expect(toHex(w.finish())).toBe(toHex(ACK_EINVAL_POLICY_REQUEST));
  });

  it('rebuilds the ethtool tsinfo-get request with NLA_F_NESTED nests, one of them empty', () => {
    const w = new MessageWriter();
    w.beginMessage(0x15, NLM_F_REQUEST | NLM_F_ACK, 3); // ethtool's family id on the capture machine
    w.putRaw(Uint8Array.of(25, 1, 0, 0)); // ETHTOOL_MSG_TSINFO_GET, version 1
    const header = w.nestStart(1);
    w.putString(2, 'lo'); // ETHTOOL_A_HEADER_DEV_NAME
    w.nestEnd(header);
    w.nestEnd(w.nestStart(7)); // ETHTOOL_A_TSINFO_HWTSTAMP_PROVIDER
    w.endMessage();
    expect(toHex(w.finish())).toBe(toHex(ACK_EINVAL_MISSING_NEST_REQUEST));
  });

  it('rebuilds the strict RTM_GETROUTE dump request with an rtmsg filled in place', () => {
    const w = new MessageWriter();
    w.beginMessage(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 5);
    const rtm = w.reserve(RTMSG_SIZE);
    w.setU8(rtm, 2).setU8(rtm + 1, 8); // AF_INET, rtm_dst_len 8
    w.endMessage();
    expect(toHex(w.finish())).toBe(toHex(DONE_WITH_ERROR_REQUEST));
  });

  it('pads an odd-sized fixed header, so a 1-byte rtgenmsg gives nlmsg_len 20 where the captured request had 17', () => {
    const w = new MessageWriter();
    w.beginMessage(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 8);
    w.putRaw(Uint8Array.of(0));
    w.endMessage();
    expect(toHex(w.finish())).toBe(`14${toHex(ACK_EINVAL_UNALIGNED_ECHO_REQUEST).slice(2)} 00 00 00`);
  });
});

// Every put*: the attribute bytes it writes (nla_len, nla_type, data, padding).
const PUTS: ReadonlyArray<{ name: string; put: (w: MessageWriter) => unknown; hex: string }> = [
  { name: 'putU8', put: (w) => w.putU8(1, 0xab), hex: '05 00 01 00 ab 00 00 00' },
  { name: 'putU16', put: (w) => w.putU16(2, 0x1234), hex: '06 00 02 00 34 12 00 00' },
  { name: 'putU16 big-endian', put: (w) => w.putU16(2, 0x1234, true), hex: '06 00 02 00 12 34 00 00' },
  { name: 'putU32', put: (w) => w.putU32(3, 0x12345678), hex: '08 00 03 00 78 56 34 12' },
  { name: 'putU32 big-endian', put: (w) => w.putU32(3, 0xc0000201, true), hex: '08 00 03 00 c0 00 02 01' },
  { name: 'putU64 from a bigint', put: (w) => w.putU64(4, 0x0102030405060708n), hex: '0c 00 04 00 08 07 06 05 04 03 02 01' },
  { name: 'putU64 from a safe integer', put: (w) => w.putU64(4, 2 ** 40), hex: '0c 00 04 00 00 00 00 00 00 01 00 00' },
  { name: 'putU64 big-endian', put: (w) => w.putU64(4, 1n, true), hex: '0c 00 04 00 00 00 00 00 00 00 00 01' },
  { name: 'putS8', put: (w) => w.putS8(5, -2), hex: '05 00 05 00 fe 00 00 00' },
  { name: 'putS16', put: (w) => w.putS16(6, -2), hex: '06 00 06 00 fe ff 00 00' },
  { name: 'putS16 big-endian', put: (w) => w.putS16(6, -2, true), hex: '06 00 06 00 ff fe 00 00' },
  { name: 'putS32', put: (w) => w.putS32(7, -2), hex: '08 00 07 00 fe ff ff ff' },
  { name: 'putS32 big-endian', put: (w) => w.putS32(7, -0x80000000, true), hex: '08 00 07 00 80 00 00 00' },
  { name: 'putS64', put: (w) => w.putS64(8, -2n), hex: '0c 00 08 00 fe ff ff ff ff ff ff ff' },
  { name: 'putS64 big-endian', put: (w) => w.putS64(8, -2, true), hex: '0c 00 08 00 ff ff ff ff ff ff ff fe' },
  { name: 'putUint in 4 bytes when it fits', put: (w) => w.putUint(9, 0xffffffff), hex: '08 00 09 00 ff ff ff ff' },
  { name: 'putUint in 8 bytes above u32', put: (w) => w.putUint(9, 0x100000000n), hex: '0c 00 09 00 00 00 00 00 01 00 00 00' },
  { name: 'putUint big-endian', put: (w) => w.putUint(9, 0x100000000n, true), hex: '0c 00 09 00 00 00 00 01 00 00 00 00' },
  { name: 'putSint in 4 bytes when it fits', put: (w) => w.putSint(10, -0x80000000), hex: '08 00 0a 00 00 00 00 80' },
  { name: 'putSint in 8 bytes below s32', put: (w) => w.putSint(10, -0x80000001n), hex: '0c 00 0a 00 ff ff ff 7f ff ff ff ff' },
  { name: 'putString', put: (w) => w.putString(3, 'veth0'), hex: '0a 00 03 00 76 65 74 68 30 00 00 00' },
  { name: 'putString of an empty string', put: (w) => w.putString(3, ''), hex: '05 00 03 00 00 00 00 00' },
  { name: 'putString of 3 bytes (NUL fills the word)', put: (w) => w.putString(3, 'abc'), hex: '08 00 03 00 61 62 63 00' },
  { name: 'putString of UTF-8 text', put: (w) => w.putString(3, 'été€'), hex: '0d 00 03 00 c3 a9 74 c3 a9 e2 82 ac 00 00 00 00' },
  { name: 'putBinary', put: (w) => w.putBinary(1, Uint8Array.of(0x7e, 0x78, 0xf4, 0xc7, 0xc2, 0x37)), hex: '0a 00 01 00 7e 78 f4 c7 c2 37 00 00' },
  { name: 'putBinary of nothing', put: (w) => w.putBinary(1, new Uint8Array(0)), hex: '04 00 01 00' },
  { name: 'putFlag', put: (w) => w.putFlag(11), hex: '04 00 0b 00' },
  { name: 'putRaw', put: (w) => w.putRaw(Uint8Array.of(1, 2, 3, 4, 5)), hex: '01 02 03 04 05 00 00 00' },
  { name: 'the largest attribute type', put: (w) => w.putFlag(0x3fff), hex: '04 00 ff 3f' },
];

describe('MessageWriter put*', () => {
  it.each(PUTS)('$name writes [$hex]', ({ put, hex }) => {
    expect(oneMessage(put)).toBe(hex);
  });

  it.each(PUTS)('$name writes the same bytes when it makes the buffer grow', ({ put, hex }) => {
    const w = new MessageWriter(64);
    w.beginMessage(0x10).reserve(48); // the 64-byte buffer is now full
    put(w);
    w.endMessage();
    expect(toHex(w.finish().subarray(64))).toBe(hex);
  });

  it('zeroes padding and the NUL even when the buffer holds older bytes', () => {
    const w = new MessageWriter(64);
    w.beginMessage(1).putBinary(1, new Uint8Array(40).fill(0xff)).endMessage();
    w.reset();
    w.beginMessage(1).putString(3, 'a').putU8(4, 1).reserve(1);
    w.endMessage();
    expect(toHex(w.finish().subarray(16))).toBe('06 00 03 00 61 00 00 00 05 00 04 00 01 00 00 00 00 00 00 00');
  });

  it('writes the nlmsghdr fields it is given', () => {
    const w = new MessageWriter();
    w.beginMessage(0xffff, 0xffff, 0xffffffff, 0xfffffffe).endMessage();
    expect(toHex(w.finish())).toBe('10 00 00 00 ff ff ff ff ff ff ff ff fe ff ff ff');
  });

  it('defaults to NLM_F_REQUEST, sequence 0 and port 0', () => {
    const w = new MessageWriter();
    w.beginMessage(RTM_GETLINK).endMessage();
    expect(toHex(w.finish())).toBe('10 00 00 00 12 00 01 00 00 00 00 00 00 00 00 00');
  });

  it('sets fixed header fields in either byte order', () => {
    const bytes = oneMessage((w) => {
      const at = w.reserve(28);
      w.setU16(at, 0x0102)
        .setU16(at + 2, 0x0102, true)
        .setU32(at + 4, 0x01020304)
        .setU32(at + 8, 0x01020304, true);
      w.setS32(at + 12, -2)
        .setU64(at + 16, 1n, true)
        .setBytes(at + 24, Uint8Array.of(9, 8));
    });
    expect(bytes).toBe('02 01 01 02 04 03 02 01 01 02 03 04 fe ff ff ff 00 00 00 00 00 00 00 01 09 08 00 00');
    expect(oneMessage((w) => w.setS64(w.reserve(8), -2n, true))).toBe('ff ff ff ff ff ff ff fe');
  });
});

// set* calls outside the bytes written so far: a Uint8Array would drop the
// write silently and a DataView would throw without saying which field.
const FIELDS_OUTSIDE = [
  { name: 'setU8 just past the reserved header', set: (w: MessageWriter) => w.setU8(32, 1), message: 'MessageWriter: a 1-byte field at offset 32 is outside the 32 bytes written' },
  { name: 'setU8 past the buffer', set: (w: MessageWriter) => w.setU8(4096, 1), message: 'MessageWriter: a 1-byte field at offset 4096 is outside the 32 bytes written' },
  { name: 'setU16 straddling the end', set: (w: MessageWriter) => w.setU16(31, 1), message: 'MessageWriter: a 2-byte field at offset 31 is outside the 32 bytes written' },
  { name: 'setU32 at a negative offset', set: (w: MessageWriter) => w.setU32(-4, 1), message: 'MessageWriter: a 4-byte field at offset -4 is outside the 32 bytes written' },
  { name: 'setS32 at a fractional offset', set: (w: MessageWriter) => w.setS32(1.5, 1), message: 'MessageWriter: a 4-byte field at offset 1.5 is outside the 32 bytes written' },
  { name: 'setU64 straddling the end', set: (w: MessageWriter) => w.setU64(28, 1n), message: 'MessageWriter: a 8-byte field at offset 28 is outside the 32 bytes written' },
  { name: 'setS64 past the end', set: (w: MessageWriter) => w.setS64(32, 1n), message: 'MessageWriter: a 8-byte field at offset 32 is outside the 32 bytes written' },
  {
    name: 'setBytes running past the end',
    set: (w: MessageWriter) => w.setBytes(30, Uint8Array.of(1, 2, 3)),
    message: 'MessageWriter: a 3-byte field at offset 30 is outside the 32 bytes written',
  },
] as const;

describe('MessageWriter set*', () => {
  it.each(FIELDS_OUTSIDE)('refuses $name', ({ set, message }) => {
    const w = new MessageWriter().beginMessage(1);
    w.reserve(16);
    expect(() => set(w)).toThrow(new RangeError(message));
  });

  it('fills the last byte written', () => {
    const w = new MessageWriter().beginMessage(1);
    w.setU8(w.reserve(16) + 15, 0xaa).endMessage();
    expect(w.finish()[31]).toBe(0xaa);
  });
});

describe('MessageWriter nests', () => {
  it('patches the length of a nest and flags it NLA_F_NESTED', () => {
    expect(
      oneMessage((w) => {
        const n = w.nestStart(IFLA_LINKINFO);
        w.putString(IFLA_INFO_KIND, 'veth');
        w.nestEnd(n);
      }),
    ).toBe('10 00 12 80 09 00 01 00 76 65 74 68 00 00 00 00');
  });

  it('nests nests', () => {
    expect(
      oneMessage((w) => {
        const outer = w.nestStart(1);
        w.putU8(2, 7);
        const inner = w.nestStart(3);
        w.putFlag(4);
        w.nestEnd(inner);
        w.nestEnd(outer);
      }),
    ).toBe('14 00 01 80 05 00 02 00 07 00 00 00 08 00 03 80 04 00 04 00');
  });

  it('drops a cancelled nest and everything put into it', () => {
    expect(
      oneMessage((w) => {
        w.putU8(1, 1);
        const n = w.nestStart(2);
        w.putU32(3, 3);
        w.nestCancel(n);
        w.putU8(4, 4);
      }),
    ).toBe('05 00 01 00 01 00 00 00 05 00 04 00 04 00 00 00');
  });

  it('drops the inner nests still open in a cancelled outer nest, and the message can still end', () => {
    expect(
      oneMessage((w) => {
        const outer = w.nestStart(1);
        w.nestStart(2);
        w.putU8(3, 3);
        w.nestCancel(outer);
        w.putFlag(5);
      }),
    ).toBe('04 00 05 00');
  });

  it('cancels an inner nest and keeps the outer one', () => {
    expect(
      oneMessage((w) => {
        const outer = w.nestStart(1);
        w.putFlag(2);
        w.nestCancel(w.nestStart(3));
        w.nestEnd(outer);
      }),
    ).toBe('08 00 01 80 04 00 02 00');
  });

  it('refuses to close an outer nest while an inner one is open', () => {
    const w = new MessageWriter().beginMessage(1);
    const outer = w.nestStart(1);
    w.nestStart(2);
    expect(() => w.nestEnd(outer)).toThrow(new Error('MessageWriter: nestEnd of an outer nest while 1 inner nest(s) are open'));
  });

  it('refuses a nest token it did not give out, or gave out and closed', () => {
    const w = new MessageWriter().beginMessage(1);
    expect(() => w.nestEnd(16)).toThrow(new Error('MessageWriter: nestEnd without a matching nestStart'));
    const n = w.nestStart(1);
    w.nestEnd(n);
    expect(() => w.nestEnd(n)).toThrow(new Error('MessageWriter: nestEnd without a matching nestStart'));
    expect(() => w.nestCancel(n)).toThrow(new Error('MessageWriter: nestCancel without a matching nestStart'));
  });

  it('refuses a nest longer than 65535 bytes, naming it', () => {
    const w = new MessageWriter().beginMessage(1);
    const n = w.nestStart(6);
    w.putBinary(1, new Uint8Array(65000));
    w.putBinary(1, new Uint8Array(528));
    expect(() => w.nestEnd(n)).toThrow(new RangeError('nested attribute 6: 65540 bytes exceed the 65535-byte attribute limit'));
  });
});

describe('MessageWriter batches and growth', () => {
  it('puts several messages in one buffer, each aligned, for a batch', () => {
    const w = new MessageWriter();
    w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 1).reserve(IFINFOMSG_SIZE);
    w.putU32(IFLA_MTU, 1400).endMessage();
    w.beginMessage(RTM_GETLINK, NLM_F_REQUEST, 2).putRaw(Uint8Array.of(0)).endMessage();
    w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 3).reserve(IFINFOMSG_SIZE);
    w.putString(IFLA_IFNAME, 'veth1').endMessage();
    const messages = parseMessages(w.finish());
    expect(messages.map((m) => [m.offset, m.length, m.type, m.seq])).toEqual([
      [0, 40, RTM_NEWLINK, 1],
      [40, 20, RTM_GETLINK, 2],
      [60, 44, RTM_NEWLINK, 3],
    ]);
    expect(messages[2]!.attributes(IFINFOMSG_SIZE).find(IFLA_IFNAME)).toBe(true);
  });

  it('tracks the open message offset and the length written', () => {
    const w = new MessageWriter();
    expect([w.currentMessageOffset, w.length]).toEqual([-1, 0]);
    w.beginMessage(1).endMessage().beginMessage(2);
    expect([w.currentMessageOffset, w.length]).toEqual([16, 32]);
  });

  it('grows across several reallocations and writes the same bytes as a roomy writer', () => {
    const build = (capacity: number): { bytes: string; views: number } => {
      const w = new MessageWriter(capacity);
      const views = new Set<ArrayBufferLike>();
      w.beginMessage(RTM_NEWLINK, NLM_F_REQUEST, 77).reserve(IFINFOMSG_SIZE);
      const outer = w.nestStart(IFLA_LINKINFO);
      for (let i = 0; i < 300; i++) {
        views.add(w.view.buffer);
        w.putU32(1 + (i % 50), i)
          .putString(2, `name-${i}`)
          .putU64(3, BigInt(i) << 32n);
      }
      w.nestEnd(outer);
      w.endMessage();
      return { bytes: toHex(w.finish()), views: views.size };
    };
    const small = build(64);
    const roomy = build(1 << 16);
    expect(small.bytes).toBe(roomy.bytes);
    expect([small.views > 5, roomy.views]).toEqual([true, 1]);
    const msg = MessageView.from(Uint8Array.from(small.bytes.split(' '), (h) => parseInt(h, 16)));
    const info = msg.attributes(IFINFOMSG_SIZE);
    expect([msg.length, info.find(IFLA_LINKINFO), info.dataLength]).toEqual([msg.length, true, msg.length - 36]);
  });

  it('gives a view from finish() and a lasting copy from finishCopy()', () => {
    const w = new MessageWriter();
    w.beginMessage(1).putU8(1, 1).endMessage();
    const view = w.finish();
    const copy = w.finishCopy();
    w.reset().beginMessage(2).putU8(1, 9).endMessage();
    expect([view[4], view[20], copy[4], copy[20]]).toEqual([2, 9, 1, 1]);
  });
});

// Values a put* refuses, and the exact error naming the attribute.
const BAD_VALUES: ReadonlyArray<{ name: string; put: (w: MessageWriter) => unknown; error: Error }> = [
  { name: 'a u8 above 255', put: (w) => w.putU8(5, 256), error: new RangeError('attribute 5 (u8): 256 is out of range 0..255') },
  { name: 'a negative u16', put: (w) => w.putU16(5, -1), error: new RangeError('attribute 5 (u16): -1 is out of range 0..65535') },
  { name: 'a u32 above 2^32 - 1', put: (w) => w.putU32(4, 2 ** 32), error: new RangeError('attribute 4 (u32): 4294967296 is out of range 0..4294967295') },
  { name: 'a fractional u32', put: (w) => w.putU32(4, 1.5), error: new TypeError('attribute 4 (u32): expected an integer, got 1.5') },
  { name: 'NaN as a u32', put: (w) => w.putU32(4, NaN), error: new TypeError('attribute 4 (u32): expected an integer, got NaN') },
  { name: 'a string as a u32', put: (w) => w.putU32(4, '1400' as unknown as number), error: new TypeError("attribute 4 (u32): expected an integer, got '1400'") },
  { name: 'an s8 of 128', put: (w) => w.putS8(5, 128), error: new RangeError('attribute 5 (s8): 128 is out of range -128..127') },
  { name: 'an s16 of -32769', put: (w) => w.putS16(5, -32769), error: new RangeError('attribute 5 (s16): -32769 is out of range -32768..32767') },
  { name: 'an s32 of 2^31', put: (w) => w.putS32(5, 2 ** 31), error: new RangeError('attribute 5 (s32): 2147483648 is out of range -2147483648..2147483647') },
  { name: 'a negative u64', put: (w) => w.putU64(5, -1n), error: new RangeError('attribute 5 (u64): -1 is out of range 0..18446744073709551615') },
  { name: 'a u64 of 2^64', put: (w) => w.putU64(5, 2n ** 64n), error: new RangeError('attribute 5 (u64): 18446744073709551616 is out of range 0..18446744073709551615') },
  { name: 'an unsafe number as a u64', put: (w) => w.putU64(5, 2 ** 53), error: new TypeError('attribute 5 (u64): expected a bigint or a safe integer, got 9007199254740992') },
  { name: 'a fractional u64', put: (w) => w.putU64(5, 0.5), error: new TypeError('attribute 5 (u64): expected a bigint or a safe integer, got 0.5') },
  {
    name: 'an s64 of 2^63',
    put: (w) => w.putS64(5, 2n ** 63n),
    error: new RangeError('attribute 5 (s64): 9223372036854775808 is out of range -9223372036854775808..9223372036854775807'),
  },
  { name: 'a negative uint', put: (w) => w.putUint(5, -1), error: new RangeError('attribute 5 (uint): -1 is out of range 0..18446744073709551615') },
  {
    name: 'a sint below s64',
    put: (w) => w.putSint(5, -(2n ** 63n) - 1n),
    error: new RangeError('attribute 5 (sint): -9223372036854775809 is out of range -9223372036854775808..9223372036854775807'),
  },
  { name: 'a number as a string', put: (w) => w.putString(3, 42 as unknown as string), error: new TypeError('attribute 3: string value must be a string, got number') },
  { name: 'an array as binary', put: (w) => w.putBinary(1, [1, 2] as unknown as Uint8Array), error: new TypeError('attribute 1: binary value must be a Uint8Array') },
  { name: 'a string as raw bytes', put: (w) => w.putRaw('abc' as unknown as Uint8Array), error: new TypeError('putRaw: bytes must be a Uint8Array') },
  { name: 'attribute type 0x4000', put: (w) => w.putU8(0x4000, 1), error: new RangeError('attribute type 16384 is not an integer in 0..16383') },
  { name: 'attribute type -1', put: (w) => w.putFlag(-1), error: new RangeError('attribute type -1 is not an integer in 0..16383') },
  { name: 'attribute type 1.5', put: (w) => w.nestStart(1.5), error: new RangeError('attribute type 1.5 is not an integer in 0..16383') },
  {
    name: 'binary data of 65532 bytes',
    put: (w) => w.putBinary(1, new Uint8Array(65532)),
    error: new RangeError('attribute 1: 65532 bytes of data exceed the 65531-byte attribute limit'),
  },
  {
    name: 'a string of 65531 ASCII characters',
    put: (w) => w.putString(3, 'a'.repeat(65531)),
    error: new RangeError('attribute 3: string of 65532 bytes with its NUL exceeds the 65531-byte attribute limit'),
  },
  {
    name: 'a string of 32766 two-byte characters',
    put: (w) => w.putString(3, 'é'.repeat(32766)),
    error: new RangeError('attribute 3: string of 65533 bytes with its NUL exceeds the 65531-byte attribute limit'),
  },
  { name: 'a reserve of -1 bytes', put: (w) => w.reserve(-1), error: new RangeError('reserve size -1 is not a non-negative integer') },
];

describe('MessageWriter argument errors', () => {
  it.each(BAD_VALUES)('refuses $name', ({ put, error }) => {
    const w = new MessageWriter().beginMessage(1);
    expect(() => put(w)).toThrow(error);
    expect(() => put(w)).toThrow(error.constructor as new () => Error);
  });

  it('accepts the largest attribute and string that fit', () => {
    const w = new MessageWriter().beginMessage(1);
    w.putBinary(1, new Uint8Array(65531)).putString(3, 'a'.repeat(65530)).endMessage();
    const r = MessageView.from(w.finish()).attributes();
    expect([r.next(), r.dataLength, r.next(), r.dataLength, r.string().length]).toEqual([true, 65531, true, 65531, 65530]);
  });

  it('leaves the message usable after refusing a value', () => {
    const w = new MessageWriter().beginMessage(1);
    expect(() => w.putString(3, 'a'.repeat(70000))).toThrow(RangeError);
    w.putU8(1, 1).endMessage();
    expect(toHex(w.finish())).toBe('18 00 00 00 01 00 01 00 00 00 00 00 00 00 00 00 05 00 01 00 01 00 00 00');
  });

  const BAD_HEADERS = [
    { name: 'nlmsg_type 70000', begin: (w: MessageWriter) => w.beginMessage(70000), error: new RangeError('nlmsg_type: 70000 is out of range 0..65535') },
    { name: 'nlmsg_flags -1', begin: (w: MessageWriter) => w.beginMessage(1, -1), error: new RangeError('nlmsg_flags: -1 is out of range 0..65535') },
    { name: 'nlmsg_seq 2^32', begin: (w: MessageWriter) => w.beginMessage(1, 1, 2 ** 32), error: new RangeError('nlmsg_seq: 4294967296 is out of range 0..4294967295') },
    { name: 'nlmsg_seq -1', begin: (w: MessageWriter) => w.beginMessage(1, 1, -1), error: new RangeError('nlmsg_seq: -1 is out of range 0..4294967295') },
    { name: 'nlmsg_pid 1.5', begin: (w: MessageWriter) => w.beginMessage(1, 1, 0, 1.5), error: new TypeError('nlmsg_pid: expected an integer, got 1.5') },
    { name: 'a string type', begin: (w: MessageWriter) => w.beginMessage('16' as unknown as number), error: new TypeError("nlmsg_type: expected an integer, got '16'") },
  ] as const;

  it.each(BAD_HEADERS)('refuses a header with $name', ({ begin, error }) => {
    const w = new MessageWriter();
    expect(() => begin(w)).toThrow(error);
    expect(w.length).toBe(0);
  });
});

// Calls out of order, and what they must say.
const MISUSE: ReadonlyArray<{ name: string; run: (w: MessageWriter) => unknown; message: string }> = [
  { name: 'put an attribute before beginMessage', run: (w) => w.putU32(4, 1), message: 'MessageWriter: putting an attribute outside a message (call beginMessage first)' },
  { name: 'put a string before beginMessage', run: (w) => w.putString(3, 'lo'), message: 'MessageWriter: putting an attribute outside a message (call beginMessage first)' },
  { name: 'open a nest before beginMessage', run: (w) => w.nestStart(1), message: 'MessageWriter: putting an attribute outside a message (call beginMessage first)' },
  { name: 'reserve before beginMessage', run: (w) => w.reserve(16), message: 'MessageWriter: reserve outside a message (call beginMessage first)' },
  { name: 'end a message that was never begun', run: (w) => w.endMessage(), message: 'MessageWriter: endMessage outside a message (call beginMessage first)' },
  {
    name: 'put after endMessage',
    run: (w) => w.beginMessage(1).endMessage().putFlag(1),
    message: 'MessageWriter: putting an attribute outside a message (call beginMessage first)',
  },
  {
    name: 'begin a message inside a message',
    run: (w) => w.beginMessage(1).beginMessage(2),
    message: 'MessageWriter: beginMessage while a message is open (call endMessage first)',
  },
  {
    name: 'end a message with a nest open',
    run: (w) => {
      w.beginMessage(1).nestStart(1);
      w.endMessage();
    },
    message: 'MessageWriter: endMessage with 1 nest(s) still open',
  },
  {
    name: 'end a message with two nests open',
    run: (w) => {
      w.beginMessage(1).nestStart(1);
      w.nestStart(2);
      w.endMessage();
    },
    message: 'MessageWriter: endMessage with 2 nest(s) still open',
  },
  { name: 'finish with a message open', run: (w) => w.beginMessage(1).finish(), message: 'MessageWriter: finish while a message is open (call endMessage first)' },
  { name: 'close a nest that was never opened', run: (w) => w.beginMessage(1).nestEnd(16), message: 'MessageWriter: nestEnd without a matching nestStart' },
  { name: 'cancel a nest that was never opened', run: (w) => w.beginMessage(1).nestCancel(16), message: 'MessageWriter: nestCancel without a matching nestStart' },
];

describe('MessageWriter misuse', () => {
  it.each(MISUSE)('refuses to $name', ({ run, message }) => {
    expect(() => run(new MessageWriter())).toThrow(new Error(message));
  });

  it('forgets open nests and the open message on reset', () => {
    const w = new MessageWriter().beginMessage(1);
    w.nestStart(1);
    w.reset();
    w.beginMessage(2).endMessage();
    expect(toHex(w.finish())).toBe('10 00 00 00 02 00 01 00 00 00 00 00 00 00 00 00');
  });
});
