// NLMSG_ERROR and NLMSG_DONE payloads: the error code, the echoed request
// header, and the extended-ack TLVs (<linux/netlink.h>, struct nlmsgerr and
// enum nlmsgerr_attrs).
import { NLMSG_HDRLEN, nlmsgAlign } from './align.js';
import { AttributeReader } from './attributes.js';
import {
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLMSGERR_ATTR_POLICY,
  NL_ATTR_TYPE_NAMES,
  NL_POLICY_TYPE_ATTR_BITFIELD32_MASK,
  NL_POLICY_TYPE_ATTR_MASK,
  NL_POLICY_TYPE_ATTR_MAX_LENGTH,
  NL_POLICY_TYPE_ATTR_MAX_VALUE_S,
  NL_POLICY_TYPE_ATTR_MAX_VALUE_U,
  NL_POLICY_TYPE_ATTR_MIN_LENGTH,
  NL_POLICY_TYPE_ATTR_MIN_VALUE_S,
  NL_POLICY_TYPE_ATTR_MIN_VALUE_U,
  NL_POLICY_TYPE_ATTR_POLICY_IDX,
  NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE,
  NL_POLICY_TYPE_ATTR_TYPE,
} from './constants.js';
import { NetlinkDecodeError, type ExtAck, type ExtAckPolicy } from './errors.js';
import { HOST_LITTLE_ENDIAN } from './bytes.js';
import { type MessageHeader, type MessageView } from './message.js';

const LE = HOST_LITTLE_ENDIAN;

/** What an NLMSG_ERROR (or NLMSG_DONE) message says. */
export interface Acknowledgement {
  /** 0 for success, else the positive errno. */
  errno: number;
  /** Header of the request being answered (NLMSG_ERROR only). */
  request: MessageHeader | undefined;
  /** Extended ack attributes, when the kernel sent any. */
  extAck: ExtAck | undefined;
}

/**
 * Decodes the NL_POLICY_TYPE_ATTR_* attributes that describe how the kernel
 * validates one attribute: in an extended ack (NLMSGERR_ATTR_POLICY) and in
 * generic netlink policy dumps (CTRL_ATTR_POLICY) alike.
 */
export function readPolicyAttributes(r: AttributeReader): ExtAckPolicy {
  const policy: ExtAckPolicy = {};
  while (r.next()) {
    switch (r.type) {
      case NL_POLICY_TYPE_ATTR_TYPE: {
        const t = r.u32();
        policy.type = NL_ATTR_TYPE_NAMES[t] ?? `type-${t}`;
        break;
      }
      case NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
        policy.minValue = r.s64();
        break;
      case NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
        policy.maxValue = r.s64();
        break;
      case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
        policy.minValue = r.u64();
        break;
      case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
        policy.maxValue = r.u64();
        break;
      case NL_POLICY_TYPE_ATTR_MIN_LENGTH:
        policy.minLength = r.u32();
        break;
      case NL_POLICY_TYPE_ATTR_MAX_LENGTH:
        policy.maxLength = r.u32();
        break;
      case NL_POLICY_TYPE_ATTR_POLICY_IDX:
        policy.policyIndex = r.u32();
        break;
      case NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE:
        policy.maxType = r.u32();
        break;
      case NL_POLICY_TYPE_ATTR_BITFIELD32_MASK:
        policy.bitfield32Mask = r.u32();
        break;
      case NL_POLICY_TYPE_ATTR_MASK:
        policy.mask = r.u64();
        break;
      default:
        break; // newer kernels may add fields: keep what we know
    }
  }
  return policy;
}

/** Decodes extended-ack TLVs in buffer[start, end). Returns undefined when there are none. */
export function parseExtAck(buffer: Uint8Array, start: number, end: number, dv?: DataView): ExtAck | undefined {
  if (end - start <= 0) return undefined;
  const r = new AttributeReader(buffer, start, end, 'extack', 0, dv);
  const ack: ExtAck = {};
  let any = false;
  while (r.next()) {
    any = true;
    switch (r.type) {
      case NLMSGERR_ATTR_MSG:
        ack.message = r.string();
        break;
      case NLMSGERR_ATTR_OFFS:
        ack.offset = r.u32();
        break;
      case NLMSGERR_ATTR_COOKIE:
        ack.cookie = r.binary();
        break;
      case NLMSGERR_ATTR_POLICY:
        ack.policy = readPolicyAttributes(r.nested('policy'));
        break;
      case NLMSGERR_ATTR_MISS_TYPE:
        ack.missingType = r.u32();
        break;
      case NLMSGERR_ATTR_MISS_NEST:
        ack.missingNest = r.u32();
        break;
      default:
        break;
    }
  }
  return any ? ack : undefined;
}

/**
 * Reads an NLMSG_ERROR message: struct nlmsgerr { int error; struct nlmsghdr msg; }
 * followed by the request's payload unless NLM_F_CAPPED, then ext-ack TLVs if NLM_F_ACK_TLVS.
 */
export function parseErrorMessage(msg: MessageView): Acknowledgement {
  const { buffer, dv } = msg;
  const base = msg.offset + NLMSG_HDRLEN;
  const end = msg.offset + msg.length;
  if (end - base < 4) throw new NetlinkDecodeError(`NLMSG_ERROR payload of ${end - base} bytes has no error code`, msg.offset);
  const error = dv.getInt32(base, LE);
  let request: MessageHeader | undefined;
  let tlvStart = end;
  if (end - base >= 4 + NLMSG_HDRLEN) {
    const h = base + 4;
    request = {
      length: dv.getUint32(h, LE),
      type: dv.getUint16(h + 4, LE),
      flags: dv.getUint16(h + 6, LE),
      seq: dv.getUint32(h + 8, LE),
      portId: dv.getUint32(h + 12, LE),
    };
    const echoed = msg.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : request.length;
    if (echoed < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError(`NLMSG_ERROR echoes a request of ${request.length} bytes, shorter than its ${NLMSG_HDRLEN}-byte header`, h);
    }
    if (h + echoed > end) {
      throw new NetlinkDecodeError(`NLMSG_ERROR echoes a request of ${request.length} bytes, more than it carries`, h);
    }
    // The TLVs start after the echo's padding. Kernels before 4.12 (and user
    // space peers) end an unpadded echo at nlmsg_len, without that padding.
    tlvStart = Math.min(h + nlmsgAlign(echoed), end);
  }
  const extAck = msg.flags & NLM_F_ACK_TLVS ? parseExtAck(buffer, tlvStart, end, dv) : undefined;
  // -error would turn a success (0) into -0, which is not Object.is-equal to 0.
  return { errno: error < 0 ? -error : error, request, extAck };
}

/** Reads an NLMSG_DONE message: an optional int error, then ext-ack TLVs if NLM_F_ACK_TLVS. */
export function parseDoneMessage(msg: MessageView): Acknowledgement {
  const base = msg.offset + NLMSG_HDRLEN;
  const end = msg.offset + msg.length;
  if (end - base < 4) return { errno: 0, request: undefined, extAck: undefined };
  const error = msg.dv.getInt32(base, LE);
  const extAck = msg.flags & NLM_F_ACK_TLVS ? parseExtAck(msg.buffer, base + 4, end, msg.dv) : undefined;
  return { errno: error < 0 ? -error : 0, request: undefined, extAck };
}
