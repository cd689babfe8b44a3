import { describe, expect, it } from 'vitest';
import {
  AbortError,
  DumpInterruptedError,
  NetlinkDecodeError,
  NetlinkError,
  NetlinkOverrunError,
  NetlinkSocketError,
  NetlinkTimeoutError,
  NetlinkTruncatedError,
  NlkitError,
  SocketClosedError,
  type NetlinkErrorDetails,
} from '../../../src/core/errors.js';

// NetlinkError(errno, details).message for the combinations of details a
// kernel rejection can carry.
const KERNEL_REJECTIONS: ReadonlyArray<{ name: string; errno: number; details: NetlinkErrorDetails; message: string }> = [
  { name: 'no details', errno: 17, details: {}, message: 'request failed: File exists (EEXIST)' },
  { name: 'a request type only', errno: 22, details: { requestType: 16 }, message: 'request type 16 failed: Invalid argument (EINVAL)' },
  {
    name: 'a request name, which wins over the type',
    errno: 22,
    details: { requestType: 20, requestName: 'RTM_NEWADDR' },
    message: 'RTM_NEWADDR failed: Invalid argument (EINVAL)',
  },
  {
    name: 'an ext-ack message',
    errno: 95,
    details: { requestName: 'RTM_NEWLINK', extAck: { message: 'Unknown device type' } },
    message: 'RTM_NEWLINK failed: Operation not supported (EOPNOTSUPP): Unknown device type',
  },
  {
    name: 'an ext-ack offset without a known layout',
    errno: 22,
    details: { extAck: { message: 'Attribute failed policy validation', offset: 20 } },
    message: 'request failed: Invalid argument (EINVAL): Attribute failed policy validation [at offset 20]',
  },
  {
    name: 'an attribute path, which replaces the offset',
    errno: 22,
    details: { extAck: { offset: 48 }, attributePath: 'linkinfo.data(vxlan).id' },
    message: 'request failed: Invalid argument (EINVAL) [at linkinfo.data(vxlan).id]',
  },
  {
    name: 'a missing attribute type',
    errno: 22,
    details: { extAck: { missingType: 1, missingNest: 32 } },
    message: 'request failed: Invalid argument (EINVAL) [missing attribute type 1]',
  },
  {
    name: 'a missing attribute name, which replaces the type',
    errno: 22,
    details: { extAck: { missingType: 1 }, missingAttribute: 'ifindex' },
    message: 'request failed: Invalid argument (EINVAL) [missing ifindex]',
  },
  {
    name: 'everything at once',
    errno: 22,
    details: {
      requestName: 'CTRL_CMD_GETFAMILY',
      extAck: { message: 'bad', offset: 20, missingType: 2 },
      attributePath: 'family-name',
      missingAttribute: 'family-id',
    },
    message: 'CTRL_CMD_GETFAMILY failed: Invalid argument (EINVAL): bad [at family-name] [missing family-id]',
  },
  {
    name: 'an errno nlkit does not know',
    errno: 4095,
    details: {},
    message: 'request failed: Unknown error 4095 (E4095)',
  },
];

describe('NetlinkError', () => {
  it.each(KERNEL_REJECTIONS)('formats a rejection with $name', ({ errno, details, message }) => {
    expect(new NetlinkError(errno, details).message).toBe(message);
  });

  it('carries errno, code, ext-ack, sequence, request type and resolved names', () => {
    const extAck = { message: 'ipv4: Address already assigned' };
    const err = new NetlinkError(17, { extAck, seq: 9, requestType: 20, attributePath: 'local', missingAttribute: 'address' });
    expect({
      name: err.name,
      code: err.code,
      errno: err.errno,
      extAck: err.extAck,
      seq: err.seq,
      requestType: err.requestType,
      attributePath: err.attributePath,
      missingAttribute: err.missingAttribute,
    }).toEqual({
      name: 'NetlinkError',
      code: 'EEXIST',
      errno: 17,
      extAck,
      seq: 9,
      requestType: 20,
      attributePath: 'local',
      missingAttribute: 'address',
    });
    expect(err).toBeInstanceOf(NlkitError);
    expect(err).toBeInstanceOf(Error);
  });
});

// One row per error class: how it is built, and what it must say.
const ERROR_CLASSES = [
  {
    name: 'NetlinkSocketError',
    make: () => new NetlinkSocketError('bind', 98),
    message: 'bind failed: Address already in use (EADDRINUSE)',
    code: 'EADDRINUSE',
  },
  {
    name: 'NetlinkSocketError',
    make: () => new NetlinkSocketError('setsockopt', 92, 'NETLINK_EXT_ACK'),
    message: 'setsockopt failed: Protocol not available (ENOPROTOOPT): NETLINK_EXT_ACK',
    code: 'ENOPROTOOPT',
  },
  {
    name: 'NetlinkDecodeError',
    make: () => new NetlinkDecodeError('attribute length 2 is shorter than its 4-byte header', 36),
    message: 'attribute length 2 is shorter than its 4-byte header (at byte 36)',
    code: 'ERR_NETLINK_DECODE',
  },
  {
    name: 'NetlinkDecodeError',
    make: () => new NetlinkDecodeError('attribute length 9 runs past its parent (8 bytes left)', 600, 'RTM_NEWLINK.linkinfo'),
    message: 'RTM_NEWLINK.linkinfo: attribute length 9 runs past its parent (8 bytes left) (at byte 600)',
    code: 'ERR_NETLINK_DECODE',
  },
  {
    name: 'NetlinkOverrunError',
    make: () => new NetlinkOverrunError(),
    message: 'receive buffer overrun: the kernel dropped messages (ENOBUFS)',
    code: 'ENOBUFS',
  },
  {
    name: 'NetlinkTruncatedError',
    make: () => new NetlinkTruncatedError(70000),
    message: 'received datagram of 70000 bytes was truncated',
    code: 'ERR_NETLINK_TRUNCATED',
  },
  {
    name: 'NetlinkTimeoutError',
    make: () => new NetlinkTimeoutError(250),
    message: 'request timed out after 250 ms',
    code: 'ETIMEDOUT',
  },
  {
    name: 'NetlinkTimeoutError',
    make: () => new NetlinkTimeoutError(1000, 'dump'),
    message: 'dump timed out after 1000 ms',
    code: 'ETIMEDOUT',
  },
  {
    name: 'AbortError',
    make: () => new AbortError(),
    message: 'The operation was aborted',
    code: 'ABORT_ERR',
  },
  {
    name: 'SocketClosedError',
    make: () => new SocketClosedError(),
    message: 'socket is closed',
    code: 'ERR_SOCKET_CLOSED',
  },
] as const;

describe('error classes', () => {
  it.each(ERROR_CLASSES)('$name says "$message" with code $code', ({ name, make, message, code }) => {
    const err = make();
    expect({ name: err.name, message: err.message, code: err.code }).toEqual({ name, message, code });
    expect(err).toBeInstanceOf(NlkitError);
  });

  it('keeps the offset and context of a decode error', () => {
    const err = new NetlinkDecodeError('bad', 12, 'extack.policy');
    expect([err.offset, err.context]).toEqual([12, 'extack.policy']);
  });

  it('keeps the errno and syscall of a socket error', () => {
    const err = new NetlinkSocketError('recvmsg', 105);
    expect([err.errno, err.syscall]).toEqual([105, 'recvmsg']);
  });

  it('names AbortError like Node does and keeps its cause', () => {
    const cause = new Error('why');
    const err = new AbortError('stopped', { cause });
    expect([err.name, err.message, err.cause]).toEqual(['AbortError', 'stopped', cause]);
  });

  it('counts what an interrupted dump read', () => {
    const once = new DumpInterruptedError(['a', 'b'], 1);
    const thrice = new DumpInterruptedError([], 3, 40);
    expect([once.message, once.messages, once.attempts, once.code]).toEqual([
      "dump interrupted (NLM_F_DUMP_INTR): the kernel's table changed while 2 messages were read",
      ['a', 'b'],
      1,
      'ERR_DUMP_INTERRUPTED',
    ]);
    expect(thrice.message).toBe("dump interrupted (NLM_F_DUMP_INTR): the kernel's table changed while 40 messages were read, on each of 3 attempts");
  });
});
