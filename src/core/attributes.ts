// A cursor over a run of netlink attributes (struct nlattr: u16 len, u16 type,
// then len-4 bytes of data padded to 4). Bounds are checked before every read:
// a malformed length raises NetlinkDecodeError with the byte offset, never an
// out-of-range read, and a zero length can never stall the walk.
import { NLA_HDRLEN } from './align.js';
import { HOST_LITTLE_ENDIAN, dataViewOf, decodeString } from './bytes.js';
import { NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK } from './constants.js';
import { NetlinkDecodeError } from './errors.js';

const LE = HOST_LITTLE_ENDIAN;

/** Deepest nesting a reader follows; deeper input is a decode error, not a stack overflow. */
export const MAX_NEST_DEPTH = 32;

/**
 * Walks attributes in buffer[start, end). Call next() until it returns false;
 * between calls, `type`, `dataOffset`, `dataLength` and the typed getters
 * describe the current attribute.
 *
 * ```ts
 * const r = msg.attributes(IFINFOMSG_SIZE);
 * while (r.next()) if (r.type === IFLA_IFNAME) name = r.string();
 * ```
 */
export class AttributeReader {
  /** Attribute type without the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits. */
  type = -1;
  /** nla_type as received, flag bits included. */
  rawType = 0;
  /** Offset of the current attribute's header in `buffer`. */
  offset = -1;
  /** Offset of the current attribute's data in `buffer`. */
  dataOffset = 0;
  /** Length of the current attribute's data (nla_len - 4). */
  dataLength = 0;
  private pos: number;
  /** The bytes the attributes are in (often a whole receive buffer). */
  buffer: Uint8Array;
  /** DataView over exactly `buffer`. */
  dv: DataView;
  /** Offset of the first attribute in `buffer`. */
  start: number;
  /** Offset just past the last attribute in `buffer`. */
  end: number;
  /** Where in a message this run sits, for error messages (e.g. 'linkinfo.data'). */
  context: string;
  /** Nesting level of this run (0 at message level). */
  depth: number;

  constructor(buffer: Uint8Array, start = 0, end = buffer.length, context = '', depth = 0, dv?: DataView) {
    if (start < 0 || end > buffer.length || start > end) {
      throw new RangeError(`attribute range [${start}, ${end}) is outside a buffer of ${buffer.length} bytes`);
    }
    this.buffer = buffer;
    this.dv = dv ?? dataViewOf(buffer);
    this.start = start;
    this.end = end;
    this.context = context;
    this.depth = depth;
    this.pos = start;
  }

  /**
   * Points this reader at another run of attributes, so one reader can walk a
   * whole dump without an allocation per message.
   */
  reset(buffer: Uint8Array, start: number, end: number, dv: DataView, context = '', depth = 0): this {
    if (start < 0 || end > buffer.length || start > end) {
      throw new RangeError(`attribute range [${start}, ${end}) is outside a buffer of ${buffer.length} bytes`);
    }
    this.buffer = buffer;
    this.dv = dv;
    this.start = start;
    this.end = end;
    this.context = context;
    this.depth = depth;
    this.pos = start;
    this.type = -1;
    this.offset = -1;
    return this;
  }

  /** Moves to the next attribute; false at the end. Throws NetlinkDecodeError on a malformed length. */
  next(): boolean {
    const pos = this.pos;
    const left = this.end - pos;
    if (left < NLA_HDRLEN) {
      // Fewer than four bytes cannot hold a header: they are the padding that
      // may close a run (libmnl's mnl_attr_ok stops the same way).
      this.pos = this.end;
      // No current attribute any more: a getter now fails instead of
      // silently answering with the last attribute's value.
      this.type = -1;
      this.offset = -1;
      return false;
    }
    const len = this.dv.getUint16(pos, LE);
    if (len < NLA_HDRLEN) throw this.error(`attribute length ${len} is shorter than its 4-byte header`, pos);
    if (len > left) throw this.error(`attribute length ${len} runs past its parent (${left} bytes left)`, pos);
    const raw = this.dv.getUint16(pos + 2, LE);
    this.rawType = raw;
    this.type = raw & NLA_TYPE_MASK;
    this.offset = pos;
    this.dataOffset = pos + NLA_HDRLEN;
    this.dataLength = len - NLA_HDRLEN;
    this.pos = pos + ((len + 3) & ~3);
    return true;
  }

  /** Starts the walk again from the first attribute. */
  rewind(): this {
    this.pos = this.start;
    this.type = -1;
    this.offset = -1;
    return this;
  }

  /** Moves to the first attribute of this type (from the start); false when there is none. */
  find(type: number): boolean {
    this.rewind();
    while (this.next()) if (this.type === type) return true;
    return false;
  }

  /** NLA_F_NESTED was set on the current attribute. */
  get isNested(): boolean {
    return (this.rawType & NLA_F_NESTED) !== 0;
  }

  /** NLA_F_NET_BYTEORDER was set on the current attribute. */
  get isNetByteOrder(): boolean {
    return (this.rawType & NLA_F_NET_BYTEORDER) !== 0;
  }

  private need(size: number, what: string): number {
    if (this.offset < 0) throw new Error('AttributeReader: call next() before reading a value');
    if (this.dataLength < size) {
      throw this.error(`attribute type ${this.type} has ${this.dataLength} bytes, too short for ${what}`, this.offset);
    }
    return this.dataOffset;
  }

  /** The data as an unsigned 8-bit integer. */
  u8(): number {
    return this.buffer[this.need(1, 'u8')]!;
  }
  /** The data as an unsigned 16-bit integer in host byte order. */
  u16(): number {
    return this.dv.getUint16(this.need(2, 'u16'), LE);
  }
  /** The data as an unsigned 32-bit integer in host byte order. */
  u32(): number {
    return this.dv.getUint32(this.need(4, 'u32'), LE);
  }
  /** The data as an unsigned 64-bit integer in host byte order. */
  u64(): bigint {
    return this.dv.getBigUint64(this.need(8, 'u64'), LE);
  }
  /** The data as a signed 8-bit integer. */
  s8(): number {
    return this.dv.getInt8(this.need(1, 's8'));
  }
  /** The data as a signed 16-bit integer in host byte order. */
  s16(): number {
    return this.dv.getInt16(this.need(2, 's16'), LE);
  }
  /** The data as a signed 32-bit integer in host byte order. */
  s32(): number {
    return this.dv.getInt32(this.need(4, 's32'), LE);
  }
  /** The data as a signed 64-bit integer in host byte order. */
  s64(): bigint {
    return this.dv.getBigInt64(this.need(8, 's64'), LE);
  }
  /** The data as an unsigned 16-bit integer in network byte order (e.g. a port). */
  u16be(): number {
    return this.dv.getUint16(this.need(2, 'u16'), false);
  }
  /** The data as an unsigned 32-bit integer in network byte order. */
  u32be(): number {
    return this.dv.getUint32(this.need(4, 'u32'), false);
  }
  /** The data as an unsigned 64-bit integer in network byte order. */
  u64be(): bigint {
    return this.dv.getBigUint64(this.need(8, 'u64'), false);
  }
  /** The data as a signed 16-bit integer in network byte order. */
  s16be(): number {
    return this.dv.getInt16(this.need(2, 's16'), false);
  }
  /** The data as a signed 32-bit integer in network byte order. */
  s32be(): number {
    return this.dv.getInt32(this.need(4, 's32'), false);
  }
  /** The data as a signed 64-bit integer in network byte order. */
  s64be(): bigint {
    return this.dv.getBigInt64(this.need(8, 's64'), false);
  }

  /**
   * A variable-width unsigned integer (YNL `uint`, NLA_UINT): 1, 2, 4 or 8 bytes.
   * Widths up to 4 give a number, 8 bytes a bigint.
   */
  uint(bigEndian = false): number | bigint {
    switch (this.dataLength) {
      case 1:
        return this.u8();
      case 2:
        return bigEndian ? this.u16be() : this.u16();
      case 4:
        return bigEndian ? this.u32be() : this.u32();
      case 8:
        return bigEndian ? this.u64be() : this.u64();
      default:
        throw this.error(`attribute type ${this.type} has ${this.dataLength} bytes, not a valid uint width`, this.offset);
    }
  }

  /** A variable-width signed integer (YNL `sint`, NLA_SINT): 1, 2, 4 or 8 bytes. */
  sint(bigEndian = false): number | bigint {
    switch (this.dataLength) {
      case 1:
        return this.s8();
      case 2:
        return bigEndian ? this.s16be() : this.s16();
      case 4:
        return bigEndian ? this.s32be() : this.s32();
      case 8:
        return bigEndian ? this.s64be() : this.s64();
      default:
        throw this.error(`attribute type ${this.type} has ${this.dataLength} bytes, not a valid sint width`, this.offset);
    }
  }

  /** The data as UTF-8 text up to the first NUL (or the end). */
  string(): string {
    this.need(0, 'string');
    return decodeString(this.buffer, this.dataOffset, this.dataOffset + this.dataLength);
  }

  /** The data as a view (no copy) into the received bytes. */
  binary(): Uint8Array {
    this.need(0, 'binary');
    return this.buffer.subarray(this.dataOffset, this.dataOffset + this.dataLength);
  }

  /** A flag attribute is present: always true. */
  flag(): true {
    this.need(0, 'flag');
    return true;
  }

  /** A reader over the attributes nested in the current one. */
  nested(name?: string): AttributeReader {
    this.need(0, 'nest');
    if (this.depth + 1 > MAX_NEST_DEPTH) {
      throw this.error(`attributes nested deeper than ${MAX_NEST_DEPTH} levels`, this.offset);
    }
    const context = name === undefined ? this.context : this.context ? `${this.context}.${name}` : name;
    return new AttributeReader(this.buffer, this.dataOffset, this.dataOffset + this.dataLength, context, this.depth + 1, this.dv);
  }

  /** A NetlinkDecodeError at `offset` with this reader's context. */
  error(message: string, offset: number): NetlinkDecodeError {
    return new NetlinkDecodeError(message, offset, this.context);
  }
}
