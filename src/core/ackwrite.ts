// Writing NLMSG_ERROR and NLMSG_DONE the way the kernel does, for peers that
// answer requests themselves (a user-space server on NETLINK_USERSOCK, test
// fakes). The inverse of ack.ts. Layout from <linux/netlink.h>:
//   struct nlmsgerr { int error; struct nlmsghdr msg; };
// followed by the request's payload unless NLM_F_CAPPED, then the extended-ack
// TLVs of enum nlmsgerr_attrs when NLM_F_ACK_TLVS is set (netlink_ack() in
// net/netlink/af_netlink.c). NLMSG_DONE carries an int error and, after a
// failed dump, the same TLVs (netlink_dump_done()).
import { NLMSG_HDRLEN } from './align.js';
import {
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
} from './constants.js';
import { dataViewOf, HOST_LITTLE_ENDIAN } from './bytes.js';
import type { MessageWriter } from './writer.js';

const LE = HOST_LITTLE_ENDIAN;

/** Extended-ack fields to write (the subset a user-space peer can fill in). */
export interface ExtAckFields {
  /** NLMSGERR_ATTR_MSG: text for the user. */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: offset of the offending attribute from the start of the request's nlmsghdr. */
  offset?: number;
  /** NLMSGERR_ATTR_COOKIE. */
  cookie?: Uint8Array;
  /** NLMSGERR_ATTR_MISS_TYPE: type of a missing attribute. */
  missingType?: number;
  /** NLMSGERR_ATTR_MISS_NEST: offset of the nest that misses it. */
  missingNest?: number;
}

/** Options of {@link writeErrorMessage}. */
export interface ErrorMessageOptions {
  /**
   * Echo the whole request after its header, as the kernel does for errors
   * unless the requester set NETLINK_CAP_ACK. Default false: only the header
   * is echoed and NLM_F_CAPPED is set.
   */
  echoPayload?: boolean;
  /**
   * nlmsg_pid of the answer. The kernel writes the port the request came
   * from (NETLINK_CB(skb).portid), which need not be what the request's own
   * header says. Default: the request's nlmsg_pid.
   */
  portId?: number;
}

function checkErrno(errno: number): void {
  if (!Number.isInteger(errno) || errno < 0 || errno > 4095) throw new RangeError(`errno must be 0 (success) or a positive error number up to 4095, got ${String(errno)}`);
}

function hasTlvs(ext: ExtAckFields | undefined): ext is ExtAckFields {
  return ext !== undefined && (ext.message !== undefined || ext.offset !== undefined || ext.cookie !== undefined || ext.missingType !== undefined || ext.missingNest !== undefined);
}

function putTlvs(w: MessageWriter, ext: ExtAckFields): void {
  if (ext.message !== undefined) w.putString(NLMSGERR_ATTR_MSG, ext.message);
  if (ext.offset !== undefined) w.putU32(NLMSGERR_ATTR_OFFS, ext.offset);
  if (ext.cookie !== undefined) w.putBinary(NLMSGERR_ATTR_COOKIE, ext.cookie);
  if (ext.missingType !== undefined) w.putU32(NLMSGERR_ATTR_MISS_TYPE, ext.missingType);
  if (ext.missingNest !== undefined) w.putU32(NLMSGERR_ATTR_MISS_NEST, ext.missingNest);
}

/**
 * Appends an NLMSG_ERROR answering `request` (the whole request message, at
 * least its 16-byte header): an acknowledgement when `errno` is 0, else a
 * rejection with -errno. The sequence number is the request's.
 */
export function writeErrorMessage(w: MessageWriter, request: Uint8Array, errno: number, extAck?: ExtAckFields, options: ErrorMessageOptions = {}): MessageWriter {
  checkErrno(errno);
  if (!(request instanceof Uint8Array) || request.length < NLMSG_HDRLEN) throw new RangeError('request must hold at least a netlink message header');
  const dv = dataViewOf(request);
  const requestLength = dv.getUint32(0, LE);
  if (requestLength < NLMSG_HDRLEN || requestLength > request.length) throw new RangeError(`request nlmsg_len ${requestLength} does not fit the ${request.length} bytes given`);
  const tlvs = hasTlvs(extAck);
  const echoPayload = options.echoPayload === true && errno !== 0;
  const flags = (echoPayload ? 0 : NLM_F_CAPPED) | (tlvs ? NLM_F_ACK_TLVS : 0);
  const wasEmpty = w.length === 0;
  w.beginMessage(NLMSG_ERROR, flags, dv.getUint32(8, LE), options.portId ?? dv.getUint32(12, LE));
  try {
    const at = w.reserve(4);
    w.setS32(at, errno === 0 ? 0 : -errno);
    // The echoed header keeps the request's own nlmsg_len even when capped.
    w.putRaw(request.subarray(0, echoPayload ? requestLength : NLMSG_HDRLEN));
    if (tlvs) putTlvs(w, extAck);
  } catch (err) {
    if (wasEmpty) w.reset();
    throw err;
  }
  return w.endMessage();
}

/** Header fields and outcome of an NLMSG_DONE. */
export interface DoneMessageFields {
  /** nlmsg_seq: the sequence number of the dump request being ended. */
  seq: number;
  /** nlmsg_pid: the requester's port id. */
  portId: number;
  /** 0 when the dump is complete, else the positive errno it failed with. */
  errno?: number;
  /** Extended ack to append (NLM_F_ACK_TLVS), e.g. a message explaining the failure. */
  extAck?: ExtAckFields;
}

/** Appends the NLMSG_DONE that ends a multipart answer (NLM_F_MULTI set). */
export function writeDoneMessage(w: MessageWriter, fields: DoneMessageFields): MessageWriter {
  const errno = fields.errno ?? 0;
  checkErrno(errno);
  const tlvs = hasTlvs(fields.extAck); // a complete dump may carry a warning (netlink_dump_done())
  const wasEmpty = w.length === 0;
  w.beginMessage(NLMSG_DONE, NLM_F_MULTI | (tlvs ? NLM_F_ACK_TLVS : 0), fields.seq, fields.portId);
  try {
    const at = w.reserve(4);
    w.setS32(at, errno === 0 ? 0 : -errno);
    if (tlvs) putTlvs(w, fields.extAck!);
  } catch (err) {
    if (wasEmpty) w.reset();
    throw err;
  }
  return w.endMessage();
}
