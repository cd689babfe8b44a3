// nlmsghdr and the read-only view of one received (or built) message.
import { NLMSG_HDRLEN, nlmsgAlign } from './align.js';
import { HOST_LITTLE_ENDIAN, dataViewOf } from './bytes.js';
import { AttributeReader } from './attributes.js';
import { NetlinkDecodeError } from './errors.js';

const LE = HOST_LITTLE_ENDIAN;

/** The fields of struct nlmsghdr. */
export interface MessageHeader {
  /** nlmsg_len: length of the message including this header, in bytes. */
  length: number;
  /** nlmsg_type: the message type (NLMSG_* or a protocol's own). */
  type: number;
  /** nlmsg_flags: NLM_F_* bits. */
  flags: number;
  /** nlmsg_seq: sequence number that ties replies to their request. */
  seq: number;
  /** nlmsg_pid: port id of the sending socket (0 for the kernel). */
  portId: number;
}

/** Reads the nlmsghdr at `offset` (no validation beyond the 16 bytes being there). */
export function readHeader(bytes: Uint8Array, offset = 0): MessageHeader {
  if (offset < 0 || offset + NLMSG_HDRLEN > bytes.length) {
    throw new NetlinkDecodeError(`need ${NLMSG_HDRLEN} bytes for a message header, have ${Math.max(0, bytes.length - offset)}`, offset);
  }
  const dv = dataViewOf(bytes);
  return {
    length: dv.getUint32(offset, LE),
    type: dv.getUint16(offset + 4, LE),
    flags: dv.getUint16(offset + 6, LE),
    seq: dv.getUint32(offset + 8, LE),
    portId: dv.getUint32(offset + 12, LE),
  };
}

/** Writes an nlmsghdr at `offset`. */
export function writeHeader(bytes: Uint8Array, header: MessageHeader, offset = 0): void {
  const dv = dataViewOf(bytes);
  dv.setUint32(offset, header.length, LE);
  dv.setUint16(offset + 4, header.type, LE);
  dv.setUint16(offset + 6, header.flags, LE);
  dv.setUint32(offset + 8, header.seq >>> 0, LE);
  dv.setUint32(offset + 12, header.portId >>> 0, LE);
}

/**
 * One netlink message: the header fields, and views into the bytes it came in.
 * Nothing is copied: `bytes` and `payload` point into the receive buffer and stay
 * valid for as long as the view (or anything taken from it) is kept.
 */
export class MessageView {
  /** Multicast group the datagram was delivered to (0 for unicast). */
  group: number;
  /** Namespace id of the sender, when the socket listens to all namespaces. */
  nsid: number | undefined;
  /** Port id of the socket that sent the datagram (0 for the kernel). */
  senderPort: number;

  // Header fields are read from the bytes when asked for: a dump makes one
  // view per message, and a small object that dies young costs the least.
  /**
   * @param buffer bytes holding the message (often a whole receive buffer)
   * @param offset where the nlmsghdr starts in `buffer`
   * @param dv a DataView over exactly `buffer` (pass it to avoid creating one per message)
   */
  constructor(
    readonly buffer: Uint8Array,
    readonly offset: number,
    readonly dv: DataView = dataViewOf(buffer),
    senderPort = 0,
    group = 0,
    nsid?: number,
  ) {
    this.senderPort = senderPort;
    this.group = group;
    this.nsid = nsid;
  }

  /** nlmsg_len: header plus payload, without trailing padding. */
  get length(): number {
    return this.dv.getUint32(this.offset, LE);
  }
  /** nlmsg_type */
  get type(): number {
    return this.dv.getUint16(this.offset + 4, LE);
  }
  /** nlmsg_flags */
  get flags(): number {
    return this.dv.getUint16(this.offset + 6, LE);
  }
  /** nlmsg_seq */
  get seq(): number {
    return this.dv.getUint32(this.offset + 8, LE);
  }
  /** nlmsg_pid: the port id written in the header. */
  get portId(): number {
    return this.dv.getUint32(this.offset + 12, LE);
  }

  /** Parses a single message from the start of `bytes`, with the checks of {@link parseMessages}. */
  static from(bytes: Uint8Array): MessageView {
    const all = parseMessages(bytes);
    const first = all[0];
    if (!first) throw new NetlinkDecodeError('no message in buffer', 0);
    return first;
  }

  /** The whole message, header included (a view). */
  get bytes(): Uint8Array {
    return this.buffer.subarray(this.offset, this.offset + this.length);
  }

  /** Everything after the nlmsghdr (a view). */
  get payload(): Uint8Array {
    return this.buffer.subarray(this.offset + NLMSG_HDRLEN, this.offset + this.length);
  }

  /** Offset of the payload in `buffer`. */
  get payloadOffset(): number {
    return this.offset + NLMSG_HDRLEN;
  }

  /** Length of the payload in bytes. */
  get payloadLength(): number {
    return this.length - NLMSG_HDRLEN;
  }

  /**
   * A cursor over the attributes that follow a fixed header of `fixedHeaderLength`
   * bytes (e.g. 16 for ifinfomsg, 4 for genlmsghdr). Pass `reuse` to reset an
   * existing reader instead of allocating one (one reader for a whole dump).
   */
  attributes(fixedHeaderLength = 0, context = '', reuse?: AttributeReader): AttributeReader {
    if (!Number.isInteger(fixedHeaderLength) || fixedHeaderLength < 0) {
      throw new RangeError(`fixed header length ${String(fixedHeaderLength)} is not a non-negative integer`);
    }
    const end = this.offset + this.length;
    if (this.offset + NLMSG_HDRLEN + fixedHeaderLength > end) {
      throw new NetlinkDecodeError(`message of ${this.length} bytes is too short for a ${fixedHeaderLength}-byte fixed header`, this.offset, context);
    }
    // A message may end right after an odd-sized fixed header without the
    // padding (a 17-byte rtgenmsg request): then there are no attributes.
    const start = Math.min(this.offset + NLMSG_HDRLEN + nlmsgAlign(fixedHeaderLength), end);
    if (reuse) return reuse.reset(this.buffer, start, end, this.dv, context, 0);
    return new AttributeReader(this.buffer, start, end, context, 0, this.dv);
  }
}

/**
 * Splits bytes[start, end) into messages. Each nlmsg_len must cover at least a
 * header and stay inside the buffer; otherwise a NetlinkDecodeError says where.
 * Views are appended to `out` (returned).
 */
export function parseMessages(bytes: Uint8Array, start = 0, end = bytes.length, dv: DataView = dataViewOf(bytes), out: MessageView[] = []): MessageView[] {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > bytes.length || start > end) {
    throw new RangeError(`message range [${start}, ${end}) is outside a buffer of ${bytes.length} bytes`);
  }
  let pos = start;
  while (end - pos >= NLMSG_HDRLEN) {
    const length = dv.getUint32(pos, LE);
    if (length < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError(`message length ${length} is shorter than the ${NLMSG_HDRLEN}-byte header`, pos);
    }
    if (length > end - pos) {
      throw new NetlinkDecodeError(`message length ${length} runs past the end of the datagram (${end - pos} bytes left)`, pos);
    }
    out.push(new MessageView(bytes, pos, dv));
    pos += nlmsgAlign(length);
  }
  if (pos < end && end - pos >= 4) {
    throw new NetlinkDecodeError(`${end - pos} trailing bytes after the last message`, pos);
  }
  return out;
}
