// The kernel connector (NETLINK_CONNECTOR): every message is a netlink
// message of type NLMSG_DONE whose payload is a struct cn_msg, then the
// user's data (include/uapi/linux/connector.h; drivers/connector/connector.c,
// cn_netlink_send_mult() puts it with nlmsg_put(..., NLMSG_DONE, ...)).
//
//   struct cb_id  { __u32 idx; __u32 val; };
//   struct cn_msg { struct cb_id id; __u32 seq; __u32 ack; __u16 len; __u16 flags; __u8 data[]; };
import { HOST_LITTLE_ENDIAN, dataViewOf } from '../../core/bytes.js';
import { NLMSG_HDRLEN } from '../../core/align.js';
import { NLMSG_DONE, NLM_F_REQUEST } from '../../core/constants.js';
import { NetlinkDecodeError } from '../../core/errors.js';

const LE = HOST_LITTLE_ENDIAN;

/** sizeof(struct cn_msg). */
export const CN_MSG_SIZE = 20;
/** CONNECTOR_MAX_MSG_SIZE: the largest cn_msg data the kernel accepts. */
export const CONNECTOR_MAX_MSG_SIZE = 16384;

// Connector ids: the cb_id idx/val pairs of include/uapi/linux/connector.h.
/** cb_id idx of the process events connector (cn_proc). */
export const CN_IDX_PROC = 0x1;
/** cb_id val of the process events connector. */
export const CN_VAL_PROC = 0x1;
/** cb_id idx of the CIFS upcall connector. */
export const CN_IDX_CIFS = 0x2;
/** cb_id val of the CIFS upcall connector. */
export const CN_VAL_CIFS = 0x1;
/** cb_id idx of the 1-Wire (w1) bus connector. */
export const CN_W1_IDX = 0x3;
/** cb_id val of the 1-Wire (w1) bus connector. */
export const CN_W1_VAL = 0x1;
/** cb_id idx of the connector v86d talks to for uvesafb. */
export const CN_IDX_V86D = 0x4;
/** cb_id val of the uvesafb / v86d connector. */
export const CN_VAL_V86D_UVESAFB = 0x1;
/** cb_id idx reserved for the BlackBoard sampling framework (no val is defined). */
export const CN_IDX_BB = 0x5;
/** cb_id idx of the distributed storage (dst) connector. */
export const CN_DST_IDX = 0x6;
/** cb_id val of the distributed storage (dst) connector. */
export const CN_DST_VAL = 0x1;
/** cb_id idx of the device-mapper connector. */
export const CN_IDX_DM = 0x7;
/** cb_id val of device-mapper's userspace dirty log. */
export const CN_VAL_DM_USERSPACE_LOG = 0x1;
/** cb_id idx of the DRBD connector. */
export const CN_IDX_DRBD = 0x8;
/** cb_id val of the DRBD connector. */
export const CN_VAL_DRBD = 0x1;
/** cb_id idx of the Hyper-V key-value pair exchange (hv_kvp) connector. */
export const CN_KVP_IDX = 0x9;
/** cb_id val of the Hyper-V key-value pair exchange connector. */
export const CN_KVP_VAL = 0x1;
/** cb_id idx of the Hyper-V volume snapshot (hv_vss) connector. */
export const CN_VSS_IDX = 0xa;
/** cb_id val of the Hyper-V volume snapshot connector. */
export const CN_VSS_VAL = 0x1;

/** A decoded struct cn_msg and its data. */
export interface CnMsg {
  /** cb_id.idx: which connector user (CN_IDX_PROC …). */
  readonly idx: number;
  /** cb_id.val. */
  readonly val: number;
  /** cn_msg.seq: the sender's sequence number. */
  readonly seq: number;
  /** cn_msg.ack: an acknowledgement number (cn_proc answers a request with the request's ack + 1). */
  readonly ack: number;
  /** cn_msg.flags. */
  readonly flags: number;
  /** The `len` bytes after the header (a view). */
  readonly data: Uint8Array;
}

/**
 * Decodes a cn_msg from a netlink payload. `base` is the payload's offset
 * in a larger buffer, for the offsets errors report.
 */
export function decodeCnMsg(payload: Uint8Array, base = 0): CnMsg {
  if (payload.length < CN_MSG_SIZE) throw new NetlinkDecodeError(`${payload.length} bytes are too few for a cn_msg (${CN_MSG_SIZE})`, base, 'cn_msg');
  const dv = dataViewOf(payload);
  const len = dv.getUint16(16, LE);
  if (len > payload.length - CN_MSG_SIZE)
    throw new NetlinkDecodeError(`cn_msg len ${len} runs past the message (${payload.length - CN_MSG_SIZE} bytes of data)`, base + 16, 'cn_msg');
  return {
    idx: dv.getUint32(0, LE),
    val: dv.getUint32(4, LE),
    seq: dv.getUint32(8, LE),
    ack: dv.getUint32(12, LE),
    flags: dv.getUint16(18, LE),
    data: payload.subarray(CN_MSG_SIZE, CN_MSG_SIZE + len),
  };
}

/** What {@link encodeCnMessage} puts in the cn_msg header. */
export interface CnMsgHeader {
  /** cb_id.idx of the connector user addressed (CN_IDX_PROC …). */
  idx: number;
  /** cb_id.val of the connector user addressed. */
  val: number;
  /** cn_msg.seq, also used as nlmsg_seq. Default 0. */
  seq?: number;
  /** cn_msg.ack. Default 0. */
  ack?: number;
  /** cn_msg.flags (16 bits). Default 0. */
  flags?: number;
}

function checkU32(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`${field} must be a 32-bit unsigned integer, got ${String(value)}`);
  return value;
}

/**
 * A whole netlink message to the connector: nlmsghdr (type NLMSG_DONE,
 * NLM_F_REQUEST, nlmsg_seq = the cn_msg's seq, nlmsg_pid = `portId`), the
 * cn_msg header and `data`. Send it with NetlinkSocket.send(): the connector
 * answers (if at all) on its multicast group, never with a netlink ACK.
 */
export function encodeCnMessage(header: CnMsgHeader, data: Uint8Array, portId = 0): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
  if (data.length > CONNECTOR_MAX_MSG_SIZE - CN_MSG_SIZE) throw new RangeError(`data of ${data.length} bytes is larger than the connector accepts`);
  const seq = checkU32(header.seq ?? 0, 'seq');
  const flags = header.flags ?? 0;
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffff) throw new RangeError(`flags must be a 16-bit unsigned integer, got ${String(flags)}`);
  const length = NLMSG_HDRLEN + CN_MSG_SIZE + data.length;
  const out = new Uint8Array((length + 3) & ~3);
  const dv = dataViewOf(out);
  dv.setUint32(0, length, LE);
  dv.setUint16(4, NLMSG_DONE, LE);
  // The connector reads any message; NLM_F_REQUEST says what it is to others (strace, a fake kernel).
  dv.setUint16(6, NLM_F_REQUEST, LE);
  dv.setUint32(8, seq, LE);
  dv.setUint32(12, checkU32(portId, 'portId'), LE);
  dv.setUint32(16, checkU32(header.idx, 'idx'), LE);
  dv.setUint32(20, checkU32(header.val, 'val'), LE);
  dv.setUint32(24, seq, LE);
  dv.setUint32(28, checkU32(header.ack ?? 0, 'ack'), LE);
  dv.setUint16(32, data.length, LE);
  dv.setUint16(34, flags, LE);
  out.set(data, NLMSG_HDRLEN + CN_MSG_SIZE);
  return out;
}
