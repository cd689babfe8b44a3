import { describe, expect, it } from 'vitest';
import { parseDoneMessage, parseErrorMessage, parseExtAck, type Acknowledgement } from '../../../src/core/ack.js';
import {
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLMSGERR_ATTR_POLICY,
} from '../../../src/core/constants.js';
import { RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK } from '../../../src/families/route/constants.js';
import { NetlinkDecodeError, NetlinkError } from '../../../src/core/errors.js';
import { MessageView } from '../../../src/core/message.js';
import { MessageWriter } from '../../../src/core/writer.js';
import {
  ACK_EEXIST_ADDRESS,
  ACK_EINVAL_MESSAGE_ONLY,
  ACK_EINVAL_MISSING_NEST,
  ACK_EINVAL_MISSING_NEST_REQUEST,
  ACK_EINVAL_MISSING_TYPE,
  ACK_EINVAL_POLICY,
  ACK_EINVAL_POLICY_REQUEST,
  ACK_EINVAL_UNALIGNED_ECHO,
  ACK_ENODEV_FULL_ECHO,
  ACK_ENODEV_FULL_ECHO_REQUEST,
  ACK_EOPNOTSUPP_UNKNOWN_KIND,
  ACK_EOPNOTSUPP_UNKNOWN_KIND_REQUEST,
  ACK_SUCCESS,
  DONE_WITH_ERROR,
} from '../../vectors/ack.js';
import { ADDR_DUMP_DONE } from '../../vectors/addr.js';
import { toHex } from '../../vectors/hex.js';

const GENL_ETHTOOL = 0x15; // ethtool's family id on the capture machine
const GENL_NETDEV = 0x14; // netdev's

function decodeError(run: () => unknown): { message: string; offset: number; context: string } {
  try {
    run();
  } catch (err) {
    if (err instanceof NetlinkDecodeError) return { message: err.message, offset: err.offset, context: err.context };
    throw err;
  }
  throw new Error('expected a NetlinkDecodeError');
}

// What parseErrorMessage reads from each captured NLMSG_ERROR.
const CAPTURED_ERRORS: ReadonlyArray<{ name: string; bytes: Uint8Array; flags: number; ack: Acknowledgement }> = [
  {
    name: 'the success ack of ip link set veth1 mtu 1300 (capped)',
    bytes: ACK_SUCCESS,
    flags: NLM_F_CAPPED,
    ack: { errno: 0, request: { length: 40, type: RTM_NEWLINK, flags: 0x5, seq: 1795302255, portId: 0 }, extAck: undefined },
  },
  {
    name: 'ENODEV with the whole request echoed and no TLVs',
    bytes: ACK_ENODEV_FULL_ECHO,
    flags: 0,
    ack: { errno: 19, request: { length: 44, type: RTM_GETLINK, flags: 0x5, seq: 6, portId: 0 }, extAck: undefined },
  },
  {
    name: 'EINVAL echoing a 17-byte request padded to 20',
    bytes: ACK_EINVAL_UNALIGNED_ECHO,
    flags: 0,
    ack: { errno: 22, request: { length: 17, type: RTM_GETLINK, flags: 0x5, seq: 8, portId: 0 }, extAck: undefined },
  },
  {
    name: 'EOPNOTSUPP for an unknown link kind, echo then message TLV',
    bytes: ACK_EOPNOTSUPP_UNKNOWN_KIND,
    flags: NLM_F_ACK_TLVS,
    ack: {
      errno: 95,
      request: { length: 64, type: RTM_NEWLINK, flags: 0x605, seq: 1795302255, portId: 0 },
      extAck: { message: 'Unknown device type' },
    },
  },
  {
    name: 'EEXIST for an address added twice',
    bytes: ACK_EEXIST_ADDRESS,
    flags: NLM_F_ACK_TLVS,
    ack: {
      errno: 17,
      request: { length: 40, type: RTM_NEWADDR, flags: 0x605, seq: 1795302255, portId: 0 },
      extAck: { message: 'ipv4: Address already assigned' },
    },
  },
  {
    name: 'EINVAL with message, offset and policy (capped)',
    bytes: ACK_EINVAL_POLICY,
    flags: NLM_F_CAPPED | NLM_F_ACK_TLVS,
    ack: {
      errno: 22,
      request: { length: 44, type: 0x10, flags: 0x5, seq: 4, portId: 0 },
      extAck: { message: 'Attribute failed policy validation', offset: 20, policy: { type: 'nul-string', maxLength: 15 } },
    },
  },
  {
    name: 'EINVAL with a missing attribute type, whole request echoed',
    bytes: ACK_EINVAL_MISSING_TYPE,
    flags: NLM_F_ACK_TLVS,
    ack: { errno: 22, request: { length: 20, type: GENL_NETDEV, flags: 0x5, seq: 2, portId: 0 }, extAck: { missingType: 1 } },
  },
  {
    name: 'EINVAL with a missing attribute inside a nest (capped)',
    bytes: ACK_EINVAL_MISSING_NEST,
    flags: NLM_F_CAPPED | NLM_F_ACK_TLVS,
    ack: {
      errno: 22,
      request: { length: 36, type: GENL_ETHTOOL, flags: 0x5, seq: 3, portId: 0 },
      extAck: { missingType: 1, missingNest: 32 },
    },
  },
  {
    name: 'EINVAL with a message only (capped)',
    bytes: ACK_EINVAL_MESSAGE_ONLY,
    flags: NLM_F_CAPPED | NLM_F_ACK_TLVS,
    ack: { errno: 22, request: { length: 40, type: RTM_NEWLINK, flags: 0x5, seq: 7, portId: 0 }, extAck: { message: 'too big gso_max_segs' } },
  },
];

describe('parseErrorMessage on captured acks', () => {
  it.each(CAPTURED_ERRORS)('reads $name', ({ bytes, flags, ack }) => {
    const msg = MessageView.from(bytes);
    expect([msg.type, msg.flags]).toEqual([NLMSG_ERROR, flags]);
    expect(parseErrorMessage(msg)).toEqual(ack);
  });

  it('echoes, without NLM_F_CAPPED, exactly the bytes of the request', () => {
    const echoes = [
      [ACK_ENODEV_FULL_ECHO, ACK_ENODEV_FULL_ECHO_REQUEST],
      [ACK_EOPNOTSUPP_UNKNOWN_KIND, ACK_EOPNOTSUPP_UNKNOWN_KIND_REQUEST],
    ] as const;
    for (const [ack, request] of echoes) {
      const payload = MessageView.from(ack).payload;
      expect(toHex(payload.subarray(4, 4 + request.length))).toBe(toHex(request));
    }
  });

  it('gives ext-ack offsets that point into the request, from its nlmsghdr', () => {
    const policy = parseErrorMessage(MessageView.from(ACK_EINVAL_POLICY)).extAck!;
    const nest = parseErrorMessage(MessageView.from(ACK_EINVAL_MISSING_NEST)).extAck!;
    // CTRL_ATTR_FAMILY_NAME (nla_len 24) and the empty hwtstamp-provider nest (type 7 | NLA_F_NESTED).
    expect(toHex(ACK_EINVAL_POLICY_REQUEST.subarray(policy.offset!, policy.offset! + 4))).toBe('18 00 02 00');
    expect(toHex(ACK_EINVAL_MISSING_NEST_REQUEST.subarray(nest.missingNest!, nest.missingNest! + 4))).toBe('04 00 07 80');
  });

  it("reads an old kernel's echo that ends without padding (nlmsg_len 37 for a 17-byte request)", () => {
    const old = ACK_EINVAL_UNALIGNED_ECHO.slice(0, 37);
    old[0] = 37;
    expect(parseErrorMessage(MessageView.from(old))).toEqual({
      errno: 22,
      request: { length: 17, type: RTM_GETLINK, flags: 0x5, seq: 8, portId: 0 },
      extAck: undefined,
    });
  });

  it('finds no TLVs after an unpadded echo even when NLM_F_ACK_TLVS is set', () => {
    const old = ACK_EINVAL_UNALIGNED_ECHO.slice(0, 37);
    old[0] = 37;
    old[7] = NLM_F_ACK_TLVS >> 8;
    expect(parseErrorMessage(MessageView.from(old)).extAck).toBeUndefined();
  });

  it('turns a captured rejection into a NetlinkError message', () => {
    const ack = parseErrorMessage(MessageView.from(ACK_EINVAL_POLICY));
    expect(new NetlinkError(ack.errno, { extAck: ack.extAck, requestName: 'CTRL_CMD_GETFAMILY' }).message).toBe(
      'CTRL_CMD_GETFAMILY failed: Invalid argument (EINVAL): Attribute failed policy validation [at offset 20]',
    );
  });
});

describe('parseDoneMessage', () => {
  it('reads the end of a dump as success', () => {
    expect(parseDoneMessage(MessageView.from(ADDR_DUMP_DONE))).toEqual({ errno: 0, request: undefined, extAck: undefined });
  });

  it('reads a dump that failed inside NLMSG_DONE, with its ext-ack message', () => {
    const msg = MessageView.from(DONE_WITH_ERROR);
    expect([msg.type, msg.flags]).toEqual([NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS]);
    expect(parseDoneMessage(msg)).toEqual({
      errno: 22,
      request: undefined,
      extAck: { message: 'Invalid values in header for FIB dump request' },
    });
  });

  it('reads an NLMSG_DONE without an error code as success', () => {
    const w = new MessageWriter().beginMessage(NLMSG_DONE, NLM_F_MULTI).endMessage();
    expect(parseDoneMessage(MessageView.from(w.finish()))).toEqual({ errno: 0, request: undefined, extAck: undefined });
  });

  it('ignores a positive value where the error code goes', () => {
    const w = new MessageWriter().beginMessage(NLMSG_DONE, NLM_F_MULTI);
    w.setS32(w.reserve(4), 5);
    expect(parseDoneMessage(MessageView.from(w.endMessage().finish())).errno).toBe(0);
  });

  it('ignores TLVs unless NLM_F_ACK_TLVS is set', () => {
    const bytes = DONE_WITH_ERROR.slice();
    bytes[7] = 0;
    expect(parseDoneMessage(MessageView.from(bytes)).extAck).toBeUndefined();
  });
});

/** An NLMSG_ERROR with `error`, a capped echo of a 20-byte request, and the TLVs `put` writes. */
function cappedError(error: number, put: (w: MessageWriter) => void, flags = NLM_F_CAPPED | NLM_F_ACK_TLVS): MessageView {
  const w = new MessageWriter().beginMessage(NLMSG_ERROR, flags, 9, 4242);
  const at = w.reserve(20);
  w.setS32(at, error)
    .setU32(at + 4, 20)
    .setU16(at + 8, RTM_NEWLINK)
    .setU16(at + 10, 0x5)
    .setU32(at + 12, 9);
  put(w);
  return MessageView.from(w.endMessage().finishCopy());
}

describe('parseExtAck', () => {
  it('reads a cookie as a view into the received bytes', () => {
    const msg = cappedError(0, (w) => w.putBinary(NLMSGERR_ATTR_COOKIE, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)));
    const { extAck } = parseErrorMessage(msg);
    expect([toHex(extAck!.cookie!), extAck!.cookie!.buffer === msg.buffer.buffer, extAck!.cookie!.byteOffset]).toEqual(['01 02 03 04 05 06 07 08', true, 40]);
  });

  it('reads every field of a policy, and skips policy and TLV types it does not know', () => {
    const msg = cappedError(-34, (w) => {
      w.putString(NLMSGERR_ATTR_MSG, 'integer out of range');
      w.putU32(NLMSGERR_ATTR_OFFS, 36);
      const p = w.nestStart(NLMSGERR_ATTR_POLICY);
      w.putU32(1, 17); // NL_POLICY_TYPE_ATTR_TYPE: uint
      w.putS64(2, -5n); // MIN_VALUE_S
      w.putS64(3, 100n); // MAX_VALUE_S
      w.putU32(6, 4); // MIN_LENGTH
      w.putU32(7, 16); // MAX_LENGTH
      w.putU32(8, 3); // POLICY_IDX
      w.putU32(9, 12); // POLICY_MAXTYPE
      w.putU32(10, 0xff); // BITFIELD32_MASK
      w.putU64(12, 0xf0n); // MASK
      w.putU32(99, 1); // a field from a newer kernel
      w.nestEnd(p);
      w.putU32(42, 7); // a TLV from a newer kernel
    });
    expect(parseErrorMessage(msg)).toEqual({
      errno: 34,
      request: { length: 20, type: RTM_NEWLINK, flags: 0x5, seq: 9, portId: 0 },
      extAck: {
        message: 'integer out of range',
        offset: 36,
        policy: { type: 'uint', minValue: -5n, maxValue: 100n, minLength: 4, maxLength: 16, policyIndex: 3, maxType: 12, bitfield32Mask: 0xff, mask: 0xf0n },
      },
    });
  });

  it('reads unsigned policy bounds as unsigned', () => {
    const msg = cappedError(-34, (w) => {
      const p = w.nestStart(NLMSGERR_ATTR_POLICY);
      w.putU64(4, 0n); // MIN_VALUE_U
      w.putU64(5, 0xffffffffffffffffn); // MAX_VALUE_U
      w.putU32(1, 200); // a policy type this table has no name for
      w.nestEnd(p);
    });
    expect(parseErrorMessage(msg).extAck!.policy).toEqual({ minValue: 0n, maxValue: 0xffffffffffffffffn, type: 'type-200' });
  });

  it('gives undefined for an empty TLV area and an empty object for TLVs it does not know', () => {
    const msg = cappedError(0, (w) => w.putU32(42, 7));
    expect([parseExtAck(msg.buffer, 36, 36), parseExtAck(msg.buffer, 36, 44)]).toEqual([undefined, {}]);
  });
});

// Malformed acks: the NetlinkDecodeError each gives.
const MALFORMED_ACKS: ReadonlyArray<{ name: string; make: () => MessageView; message: string; offset: number; context: string }> = [
  {
    name: 'an NLMSG_ERROR too short for its error code',
    make: () => {
      const w = new MessageWriter().beginMessage(NLMSG_ERROR, 0);
      w.reserve(2);
      const bytes = w.endMessage().finishCopy();
      bytes[0] = 18;
      return MessageView.from(bytes.subarray(0, 18));
    },
    message: 'NLMSG_ERROR payload of 2 bytes has no error code (at byte 0)',
    offset: 0,
    context: '',
  },
  {
    name: 'an echoed request longer than the message',
    make: () => {
      const bytes = ACK_ENODEV_FULL_ECHO.slice();
      bytes[20] = 48; // echoed nlmsg_len 44 -> 48
      return MessageView.from(bytes);
    },
    message: 'NLMSG_ERROR echoes a request of 48 bytes, more than it carries (at byte 20)',
    offset: 20,
    context: '',
  },
  {
    name: 'an echoed nlmsg_len of 0xffffffff',
    make: () => {
      const bytes = ACK_ENODEV_FULL_ECHO.slice();
      bytes.fill(0xff, 20, 24);
      return MessageView.from(bytes);
    },
    message: 'NLMSG_ERROR echoes a request of 4294967295 bytes, more than it carries (at byte 20)',
    offset: 20,
    context: '',
  },
  {
    name: 'an echoed nlmsg_len shorter than a header',
    make: () => {
      const bytes = ACK_ENODEV_FULL_ECHO.slice();
      bytes[20] = 8;
      return MessageView.from(bytes);
    },
    message: 'NLMSG_ERROR echoes a request of 8 bytes, shorter than its 16-byte header (at byte 20)',
    offset: 20,
    context: '',
  },
  {
    name: 'an ext-ack TLV running past the message',
    make: () => {
      const bytes = ACK_EEXIST_ADDRESS.slice();
      bytes[60] = 40; // NLMSGERR_ATTR_MSG nla_len 35 -> 40, 36 bytes left
      return MessageView.from(bytes);
    },
    message: 'extack: attribute length 40 runs past its parent (36 bytes left) (at byte 60)',
    offset: 60,
    context: 'extack',
  },
  {
    name: 'an offset TLV too short for a u32',
    make: () => cappedError(-22, (w) => w.putU16(NLMSGERR_ATTR_OFFS, 20)),
    message: 'extack: attribute type 2 has 2 bytes, too short for u32 (at byte 36)',
    offset: 36,
    context: 'extack',
  },
  {
    name: 'a malformed policy nest',
    make: () => {
      const bytes = ACK_EINVAL_POLICY.slice();
      bytes[88] = 2; // first attribute inside NLMSGERR_ATTR_POLICY: nla_len 8 -> 2
      return MessageView.from(bytes);
    },
    message: 'extack.policy: attribute length 2 is shorter than its 4-byte header (at byte 88)',
    offset: 88,
    context: 'extack.policy',
  },
];

describe('malformed acks', () => {
  it.each(MALFORMED_ACKS)('reject $name', ({ make, message, offset, context }) => {
    expect(decodeError(() => parseErrorMessage(make()))).toEqual({ message, offset, context });
  });

  it('read an NLMSG_ERROR with an error code but no room for an echo as having no request', () => {
    const w = new MessageWriter().beginMessage(NLMSG_ERROR, 0);
    w.setS32(w.reserve(12), -1);
    expect(parseErrorMessage(MessageView.from(w.endMessage().finish()))).toEqual({ errno: 1, request: undefined, extAck: undefined });
  });
});
