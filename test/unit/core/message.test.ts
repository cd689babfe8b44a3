import { describe, expect, it } from 'vitest';
import { NLMSG_DONE } from '../../../src/core/constants.js';
import { IFINFOMSG_SIZE, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE } from '../../../src/families/route/constants.js';
import { NetlinkDecodeError } from '../../../src/core/errors.js';
import { MessageView, parseMessages, readHeader, writeHeader } from '../../../src/core/message.js';
import { ACK_EINVAL_UNALIGNED_ECHO_REQUEST } from '../../vectors/ack.js';
import { ADDR_DUMP, ADDR_DUMP_DONE } from '../../vectors/addr.js';
import { CTRL_FAMILY_DUMP } from '../../vectors/genl.js';
import { fromHex, toHex } from '../../vectors/hex.js';
import { LO_NEWLINK, VETH0_NEWLINK } from '../../vectors/link.js';
import { ROUTE_DUMP, ROUTE_DUMP_REQUEST } from '../../vectors/route.js';

/** The datagram with `extra` bytes after it, in a fresh buffer. */
function withTail(bytes: Uint8Array, extra: number[]): Uint8Array {
  const out = new Uint8Array(bytes.length + extra.length);
  out.set(bytes);
  out.set(extra, bytes.length);
  return out;
}

/** A 16-byte header whose nlmsg_len is `length`, followed by `payload` zero bytes. */
function header(length: number, payload = 0): Uint8Array {
  const out = new Uint8Array(16 + payload);
  new DataView(out.buffer).setUint32(0, length, true);
  out[4] = 0x10;
  return out;
}

function decodeError(run: () => unknown): { message: string; offset: number } {
  try {
    run();
  } catch (err) {
    if (err instanceof NetlinkDecodeError) return { message: err.message, offset: err.offset };
    throw err;
  }
  throw new Error('expected a NetlinkDecodeError');
}

// Header fields of captured messages, as strace decoded the same datagrams
// (strace prints nlmsg_pid signed: -1009141381 is 3285825915).
const CAPTURED_HEADERS = [
  { name: 'LO_NEWLINK', bytes: LO_NEWLINK, length: 1100, type: RTM_NEWLINK, flags: 0, seq: 1795302255, portId: 3285825915 },
  { name: 'VETH0_NEWLINK', bytes: VETH0_NEWLINK, length: 1128, type: RTM_NEWLINK, flags: 0, seq: 1795302255, portId: 3390866435 },
  { name: 'ADDR_DUMP_DONE', bytes: ADDR_DUMP_DONE, length: 20, type: NLMSG_DONE, flags: 0x2, seq: 1795302256, portId: 7241 },
] as const;

describe('readHeader', () => {
  it.each(CAPTURED_HEADERS)('reads the nlmsghdr of $name', ({ bytes, length, type, flags, seq, portId }) => {
    expect(readHeader(bytes)).toEqual({ length, type, flags, seq, portId });
  });

  it('reads a header at an offset', () => {
    expect(readHeader(ADDR_DUMP, 76)).toEqual({ length: 80, type: RTM_NEWADDR, flags: 0x2, seq: 1795302256, portId: 7241 });
  });

  it('refuses fewer than 16 bytes', () => {
    expect(decodeError(() => readHeader(LO_NEWLINK.subarray(0, 10)))).toEqual({
      message: 'need 16 bytes for a message header, have 10 (at byte 0)',
      offset: 0,
    });
    expect(decodeError(() => readHeader(ADDR_DUMP_DONE, 8))).toEqual({
      message: 'need 16 bytes for a message header, have 12 (at byte 8)',
      offset: 8,
    });
  });
});

describe('writeHeader', () => {
  it('writes nlmsghdr fields in host order at an offset', () => {
    const out = new Uint8Array(20);
    writeHeader(out, { length: 0x24, type: 2, flags: 0x100, seq: 0x6b02236f, portId: 7261 }, 4);
    expect(toHex(out)).toBe('00 00 00 00 24 00 00 00 02 00 00 01 6f 23 02 6b 5d 1c 00 00');
  });

  it('round-trips a captured header', () => {
    const out = new Uint8Array(16);
    writeHeader(out, readHeader(LO_NEWLINK));
    expect(toHex(out)).toBe(toHex(LO_NEWLINK.subarray(0, 16)));
  });
});

describe('MessageView', () => {
  it('exposes the header fields of a captured RTM_NEWLINK', () => {
    const msg = MessageView.from(LO_NEWLINK);
    expect({
      offset: msg.offset,
      length: msg.length,
      type: msg.type,
      flags: msg.flags,
      seq: msg.seq,
      portId: msg.portId,
      payloadOffset: msg.payloadOffset,
      payloadLength: msg.payloadLength,
      group: msg.group,
      nsid: msg.nsid,
      senderPort: msg.senderPort,
    }).toEqual({
      offset: 0,
      length: 1100,
      type: RTM_NEWLINK,
      flags: 0,
      seq: 1795302255,
      portId: 3285825915,
      payloadOffset: 16,
      payloadLength: 1084,
      group: 0,
      nsid: undefined,
      senderPort: 0,
    });
  });

  it('gives views that share memory with the received bytes (zero copy)', () => {
    const received = LO_NEWLINK.slice();
    const msg = MessageView.from(received);
    const { payload, bytes } = msg;
    expect([payload.buffer === received.buffer, payload.byteOffset, payload.length]).toEqual([true, 16, 1084]);
    expect([bytes.buffer === received.buffer, bytes.byteOffset, bytes.length]).toEqual([true, 0, 1100]);
    received[16 + 4] = 0x7f; // ifi_index, low byte
    expect([payload[4], bytes[20]]).toEqual([0x7f, 0x7f]);
  });

  it('reads its header fields from the bytes each time they are asked for', () => {
    const received = ADDR_DUMP_DONE.slice();
    const msg = MessageView.from(received);
    received[8] = 0x2a; // nlmsg_seq, low byte
    expect(msg.seq).toBe((1795302256 & ~0xff) | 0x2a);
  });

  it('keeps the sender port, group and nsid it is given', () => {
    const msg = new MessageView(ADDR_DUMP_DONE, 0, undefined, 7241, 5, 3);
    expect([msg.senderPort, msg.group, msg.nsid, msg.type]).toEqual([7241, 5, 3, NLMSG_DONE]);
  });

  it('resets a reader it is given instead of making one', () => {
    const reader = MessageView.from(LO_NEWLINK).attributes(IFINFOMSG_SIZE);
    const msg = MessageView.from(VETH0_NEWLINK);
    const again = msg.attributes(IFINFOMSG_SIZE, 'RTM_NEWLINK', reader);
    expect([again === reader, again.buffer === VETH0_NEWLINK, again.start, again.end, again.context]).toEqual([true, true, 32, 1128, 'RTM_NEWLINK']);
  });

  it('works on a message that sits in the middle of a larger buffer', () => {
    const slab = new Uint8Array(4096);
    slab.set(VETH0_NEWLINK, 1000);
    const datagram = slab.subarray(1000, 1000 + VETH0_NEWLINK.length);
    const [msg] = parseMessages(datagram);
    expect([msg!.offset, msg!.length, msg!.seq, msg!.payload.byteOffset]).toEqual([0, 1128, 1795302255, 1016]);
  });

  it('reads the ifinfomsg fixed header through the payload view', () => {
    const msg = MessageView.from(LO_NEWLINK);
    const dv = new DataView(msg.payload.buffer, msg.payload.byteOffset, IFINFOMSG_SIZE);
    // ifi_family 0, ifi_type ARPHRD_LOOPBACK (772), ifi_index 1, ifi_flags UP|LOOPBACK|RUNNING|LOWER_UP
    expect([dv.getUint8(0), dv.getUint16(2, true), dv.getInt32(4, true), dv.getUint32(8, true)]).toEqual([0, 772, 1, 0x10049]);
  });

  it('refuses an attribute run that would start inside the fixed header', () => {
    const msg = MessageView.from(ADDR_DUMP_DONE);
    expect(decodeError(() => msg.attributes(IFINFOMSG_SIZE, 'RTM_NEWLINK'))).toEqual({
      message: 'RTM_NEWLINK: message of 20 bytes is too short for a 16-byte fixed header (at byte 0)',
      offset: 0,
    });
  });

  it('gives no attributes when a message ends right after an unpadded odd-sized fixed header', () => {
    // The real 17-byte RTM_GETLINK request: a 1-byte rtgenmsg and nothing else.
    const msg = MessageView.from(ACK_EINVAL_UNALIGNED_ECHO_REQUEST);
    const attrs = msg.attributes(1);
    expect([msg.length, attrs.start, attrs.end, attrs.next()]).toEqual([17, 17, 17, false]);
  });

  it('refuses a negative or fractional fixed header length', () => {
    const msg = MessageView.from(LO_NEWLINK);
    expect(() => msg.attributes(-4)).toThrow(new RangeError('fixed header length -4 is not a non-negative integer'));
    expect(() => msg.attributes(1.5)).toThrow(new RangeError('fixed header length 1.5 is not a non-negative integer'));
  });

  it('refuses a buffer with no message in it', () => {
    expect(decodeError(() => MessageView.from(new Uint8Array(3)))).toEqual({ message: 'no message in buffer (at byte 0)', offset: 0 });
  });
});

// Captured datagrams holding several messages: their lengths in order.
const MULTI_MESSAGE_DATAGRAMS = [
  { name: 'the RTM_GETADDR dump', bytes: ADDR_DUMP, type: RTM_NEWADDR, lengths: [76, 80, 80, 80, 72, 80] },
  { name: 'the IPv4 + IPv6 RTM_GETROUTE dump', bytes: ROUTE_DUMP, type: RTM_NEWROUTE, lengths: [60, 68, 60, 60, 60, 60, 60, 116, 116, 116, 116, 116, 116, 116] },
  { name: 'the nlctrl family dump ending in NLMSG_DONE', bytes: CTRL_FAMILY_DUMP, type: 0x10, lengths: [136, 284, 1096, 112, 360, 148, 244, 112, 20] },
] as const;

describe('parseMessages', () => {
  it.each(MULTI_MESSAGE_DATAGRAMS)('splits $name at the aligned nlmsg_len of each message', ({ bytes, type, lengths }) => {
    const messages = parseMessages(bytes);
    let offset = 0;
    const expected = lengths.map((length) => {
      const at = offset;
      offset += (length + 3) & ~3;
      return { offset: at, length };
    });
    expect(messages.map((m) => ({ offset: m.offset, length: m.length }))).toEqual(expected);
    expect(messages[0]!.type).toBe(type);
    expect(offset).toBe(bytes.length);
  });

  it('ends the nlctrl dump with an NLMSG_DONE that has the same sequence number', () => {
    const messages = parseMessages(CTRL_FAMILY_DUMP);
    expect(messages.map((m) => [m.type, m.flags, m.seq])).toEqual([...new Array(8).fill([0x10, 0x2, 1795302255]), [NLMSG_DONE, 0x2, 1795302255]]);
  });

  it('accepts a last message whose nlmsg_len is not a multiple of 4, padded or not', () => {
    const request = ACK_EINVAL_UNALIGNED_ECHO_REQUEST; // 17 bytes
    expect(parseMessages(request).map((m) => m.length)).toEqual([17]);
    expect(parseMessages(withTail(request, [0, 0, 0])).map((m) => m.length)).toEqual([17]);
  });

  it('accepts up to 3 trailing bytes after the last message, as padding', () => {
    for (const tail of [[0], [0, 0], [0xff, 0xff, 0xff]]) expect(parseMessages(withTail(ADDR_DUMP_DONE, tail))).toHaveLength(1);
  });

  it('gives no messages for an empty range', () => {
    expect(parseMessages(new Uint8Array(0))).toEqual([]);
  });

  it('parses a range of the buffer and appends to the array it is given', () => {
    const out = parseMessages(ADDR_DUMP, 0, 76);
    parseMessages(ADDR_DUMP, 156, 236, undefined, out);
    expect(out.map((m) => [m.offset, m.length])).toEqual([
      [0, 76],
      [156, 80],
    ]);
  });

  // Corruptions of a captured datagram and the error each one must give.
  const MALFORMED = [
    {
      name: 'nlmsg_len 0',
      bytes: header(0, 4),
      message: 'message length 0 is shorter than the 16-byte header (at byte 0)',
      offset: 0,
    },
    {
      name: 'nlmsg_len 3',
      bytes: header(3, 4),
      message: 'message length 3 is shorter than the 16-byte header (at byte 0)',
      offset: 0,
    },
    {
      name: 'nlmsg_len 15',
      bytes: header(15),
      message: 'message length 15 is shorter than the 16-byte header (at byte 0)',
      offset: 0,
    },
    {
      name: 'a message cut short by the end of the datagram',
      bytes: LO_NEWLINK.subarray(0, 1000),
      message: 'message length 1100 runs past the end of the datagram (1000 bytes left) (at byte 0)',
      offset: 0,
    },
    {
      name: 'nlmsg_len 0xffffffff',
      bytes: header(0xffffffff, 16),
      message: 'message length 4294967295 runs past the end of the datagram (32 bytes left) (at byte 0)',
      offset: 0,
    },
    {
      name: 'the third message of a dump cut short',
      bytes: ADDR_DUMP.subarray(0, 200),
      message: 'message length 80 runs past the end of the datagram (44 bytes left) (at byte 156)',
      offset: 156,
    },
    {
      name: '4 trailing bytes after the last message',
      bytes: withTail(ADDR_DUMP_DONE, [0, 0, 0, 0]),
      message: '4 trailing bytes after the last message (at byte 20)',
      offset: 20,
    },
    {
      name: '15 trailing bytes after the last message',
      bytes: withTail(ADDR_DUMP_DONE, new Array<number>(15).fill(0)),
      message: '15 trailing bytes after the last message (at byte 20)',
      offset: 20,
    },
    {
      // The kernel stops silently at nlmsg_len 0 in a request (netlink_rcv_skb);
      // received datagrams are held to the stricter rule.
      name: 'the zeros iproute2 sends after its 28-byte dump request',
      bytes: ROUTE_DUMP_REQUEST,
      message: 'message length 0 is shorter than the 16-byte header (at byte 28)',
      offset: 28,
    },
  ] as const;

  it.each(MALFORMED)('rejects $name', ({ bytes, message, offset }) => {
    expect(decodeError(() => parseMessages(bytes))).toEqual({ message, offset });
  });

  it('refuses a range outside the buffer', () => {
    expect(() => parseMessages(ADDR_DUMP_DONE, 0, 24)).toThrow(new RangeError('message range [0, 24) is outside a buffer of 20 bytes'));
    expect(() => parseMessages(ADDR_DUMP_DONE, -4)).toThrow(new RangeError('message range [-4, 20) is outside a buffer of 20 bytes'));
    expect(() => parseMessages(ADDR_DUMP_DONE, 12, 8)).toThrow(new RangeError('message range [12, 8) is outside a buffer of 20 bytes'));
  });

  it('treats a hand-written two-message datagram like the kernel would', () => {
    const datagram = fromHex(
      '14 00 00 00 10 00 02 00 01 00 00 00 00 00 00 00', // 20-byte message, flags NLM_F_MULTI
      'aa bb cc dd',
      '10 00 00 00 03 00 02 00 01 00 00 00 00 00 00 00', // 16-byte NLMSG_DONE without error code
    );
    expect(parseMessages(datagram).map((m) => [m.offset, m.length, m.type, toHex(m.payload)])).toEqual([
      [0, 20, 0x10, 'aa bb cc dd'],
      [20, 16, NLMSG_DONE, ''],
    ]);
  });
});
