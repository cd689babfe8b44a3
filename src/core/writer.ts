// Builds netlink messages in one growable buffer, libmnl style: begin a
// message, reserve its fixed header, put attributes, open and close nests
// (lengths patched afterwards), end the message. Several messages in one
// buffer form a batch. Padding is always zeroed.
import { bigIntegerError, integerError } from './check.js';
import { NLA_HDRLEN, NLMSG_HDRLEN, nlaAlign } from './align.js';
import { HOST_LITTLE_ENDIAN, encodeString, encodeStringInto, maxUtf8Length } from './bytes.js';
import { NLA_F_NESTED, NLA_TYPE_MASK, NLM_F_REQUEST } from './constants.js';

const LE = HOST_LITTLE_ENDIAN;
const MAX_ATTR_LENGTH = 0xffff;

// TypedArray.fill / set are calls into the runtime; for the few bytes of a
// header or a padding a plain loop is several times faster.
function zero(buf: Uint8Array, from: number, to: number): void {
  if (to - from > 32) buf.fill(0, from, to);
  else for (let i = from; i < to; i++) buf[i] = 0;
}

function copyInto(buf: Uint8Array, src: Uint8Array, at: number): void {
  const n = src.length;
  if (n > 32) buf.set(src, at);
  else for (let i = 0; i < n; i++) buf[at + i] = src[i]!;
}

/** Token for an open nest, returned by nestStart(). */
export type NestToken = number;

function checkType(type: number): void {
  if (!Number.isInteger(type) || type < 0 || type > NLA_TYPE_MASK) {
    throw new RangeError(`attribute type ${String(type)} is not an integer in 0..${NLA_TYPE_MASK}`);
  }
}

// The checks run inline (no string is built unless a value is refused); the
// errors read as every other refused value does (core/check.ts).
function checkInt(type: number, value: number, min: number, max: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw integerError(value, `attribute ${type} (${what})`, min, max);
}

function checkHeaderField(value: number, max: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw integerError(value, what, 0, max);
}

function toBigInt(type: number, value: bigint | number, min: bigint, max: bigint, what: string): bigint {
  if (typeof value === 'bigint') {
    if (value >= min && value <= max) return value;
  } else if (Number.isSafeInteger(value)) {
    const v = BigInt(value);
    if (v >= min && v <= max) return v;
  }
  throw bigIntegerError(value, `attribute ${type} (${what})`, min, max);
}

function stringTooLong(type: number, value: string): RangeError {
  const bytes = encodeString(value).length + 1;
  return new RangeError(`attribute ${type}: string of ${bytes} bytes with its NUL exceeds the ${MAX_ATTR_LENGTH - NLA_HDRLEN}-byte attribute limit`);
}

/** A growable buffer of netlink messages. */
export class MessageWriter {
  private buf: Uint8Array;
  private dv: DataView;
  private pos = 0;
  private messageStart = -1;
  /** Offsets of the open nests, innermost last. */
  private nests: number[] = [];

  constructor(initialCapacity = 512) {
    this.buf = new Uint8Array(Math.max(64, initialCapacity));
    this.dv = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  /** The writer's DataView (valid until the buffer grows); for setting fixed header fields. */
  get view(): DataView {
    return this.dv;
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  private inMessage(what: string): void {
    if (this.messageStart < 0) throw new Error(`MessageWriter: ${what} outside a message (call beginMessage first)`);
  }

  /** Starts a message: writes an nlmsghdr whose length endMessage() fills in. */
  beginMessage(type: number, flags: number = NLM_F_REQUEST, seq = 0, portId = 0): this {
    if (this.messageStart >= 0) throw new Error('MessageWriter: beginMessage while a message is open (call endMessage first)');
    checkHeaderField(type, 0xffff, 'nlmsg_type');
    checkHeaderField(flags, 0xffff, 'nlmsg_flags');
    checkHeaderField(seq, 0xffffffff, 'nlmsg_seq');
    checkHeaderField(portId, 0xffffffff, 'nlmsg_pid');
    this.ensure(NLMSG_HDRLEN);
    const at = this.pos;
    zero(this.buf, at, at + NLMSG_HDRLEN);
    this.dv.setUint16(at + 4, type, LE);
    this.dv.setUint16(at + 6, flags, LE);
    this.dv.setUint32(at + 8, seq, LE);
    this.dv.setUint32(at + 12, portId, LE);
    this.messageStart = at;
    this.pos += NLMSG_HDRLEN;
    return this;
  }

  /**
   * Reserves `size` zeroed bytes (padded to 4) for a fixed header or struct and
   * returns their offset; fill them with the set* methods.
   */
  reserve(size: number): number {
    this.inMessage('reserve');
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`reserve size ${size} is not a non-negative integer`);
    const padded = nlaAlign(size);
    this.ensure(padded);
    const at = this.pos;
    zero(this.buf, at, at + padded);
    this.pos += padded;
    return at;
  }

  /** Appends raw bytes (a prebuilt fixed header), padded to 4. */
  putRaw(bytes: Uint8Array): this {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('putRaw: bytes must be a Uint8Array');
    const at = this.reserve(bytes.length);
    this.buf.set(bytes, at);
    return this;
  }

  // The set* methods fill bytes already written (a reserved fixed header, a
  // patched field). A Uint8Array ignores writes past its end and a DataView
  // throws a bare RangeError, so the offset is checked against what was
  // written; values wrap like C stores into the field (the caller names it).
  private field(offset: number, size: number): number {
    if (!Number.isInteger(offset) || offset < 0 || offset + size > this.pos) {
      throw new RangeError(`MessageWriter: a ${size}-byte field at offset ${offset} is outside the ${this.pos} bytes written`);
    }
    return offset;
  }

  /** Overwrites one byte already written at `offset` (e.g. a fixed header field). */
  setU8(offset: number, value: number): this {
    this.buf[this.field(offset, 1)] = value;
    return this;
  }
  /** Overwrites a u16 already written at `offset`, in host byte order unless `bigEndian`. */
  setU16(offset: number, value: number, bigEndian = false): this {
    this.dv.setUint16(this.field(offset, 2), value, bigEndian ? false : LE);
    return this;
  }
  /** Overwrites a u32 already written at `offset`, in host byte order unless `bigEndian`. */
  setU32(offset: number, value: number, bigEndian = false): this {
    this.dv.setUint32(this.field(offset, 4), value, bigEndian ? false : LE);
    return this;
  }
  /** Overwrites an s32 already written at `offset`, in host byte order unless `bigEndian`. */
  setS32(offset: number, value: number, bigEndian = false): this {
    this.dv.setInt32(this.field(offset, 4), value, bigEndian ? false : LE);
    return this;
  }
  /** Overwrites a u64 already written at `offset`, in host byte order unless `bigEndian`. */
  setU64(offset: number, value: bigint, bigEndian = false): this {
    this.dv.setBigUint64(this.field(offset, 8), value, bigEndian ? false : LE);
    return this;
  }
  /** Overwrites an s64 already written at `offset`, in host byte order unless `bigEndian`. */
  setS64(offset: number, value: bigint, bigEndian = false): this {
    this.dv.setBigInt64(this.field(offset, 8), value, bigEndian ? false : LE);
    return this;
  }
  /** Overwrites bytes already written, starting at `offset`. */
  setBytes(offset: number, bytes: Uint8Array): this {
    this.buf.set(bytes, this.field(offset, bytes.length));
    return this;
  }

  /**
   * Writes an attribute header for `dataLength` bytes and returns the data offset; the padding is zeroed.
   * It may grow the buffer, replacing `buf` and `dv`: callers take the offset first and only then
   * touch `this.buf` / `this.dv` (in `this.dv.setX(this.attr(...))` the old DataView would be used).
   */
  private attr(type: number, dataLength: number): number {
    this.inMessage('putting an attribute');
    checkType(type);
    const len = NLA_HDRLEN + dataLength;
    if (len > MAX_ATTR_LENGTH) throw new RangeError(`attribute ${type}: ${dataLength} bytes of data exceed the ${MAX_ATTR_LENGTH - NLA_HDRLEN}-byte attribute limit`);
    const padded = nlaAlign(len);
    this.ensure(padded);
    const at = this.pos;
    this.dv.setUint16(at, len, LE);
    this.dv.setUint16(at + 2, type, LE);
    if (padded !== len) zero(this.buf, at + len, at + padded);
    this.pos += padded;
    return at + NLA_HDRLEN;
  }

  /** Appends a u8 attribute; RangeError when the value does not fit. */
  putU8(type: number, value: number): this {
    checkInt(type, value, 0, 0xff, 'u8');
    const at = this.attr(type, 1);
    this.buf[at] = value;
    return this;
  }
  /** Appends a u16 attribute, in host byte order unless `bigEndian`; RangeError when the value does not fit. */
  putU16(type: number, value: number, bigEndian = false): this {
    checkInt(type, value, 0, 0xffff, 'u16');
    const at = this.attr(type, 2);
    this.dv.setUint16(at, value, bigEndian ? false : LE);
    return this;
  }
  /** Appends a u32 attribute, in host byte order unless `bigEndian`; RangeError when the value does not fit. */
  putU32(type: number, value: number, bigEndian = false): this {
    checkInt(type, value, 0, 0xffffffff, 'u32');
    const at = this.attr(type, 4);
    this.dv.setUint32(at, value, bigEndian ? false : LE);
    return this;
  }
  /** Appends a u64 attribute, in host byte order unless `bigEndian`; RangeError when the value does not fit. */
  putU64(type: number, value: bigint | number, bigEndian = false): this {
    const v = toBigInt(type, value, 0n, 0xffffffffffffffffn, 'u64');
    const at = this.attr(type, 8);
    this.dv.setBigUint64(at, v, bigEndian ? false : LE);
    return this;
  }
  /** Appends an s8 attribute; RangeError when the value does not fit. */
  putS8(type: number, value: number): this {
    checkInt(type, value, -0x80, 0x7f, 's8');
    const at = this.attr(type, 1);
    this.dv.setInt8(at, value);
    return this;
  }
  /** Appends an s16 attribute, in host byte order unless `bigEndian`; RangeError when the value does not fit. */
  putS16(type: number, value: number, bigEndian = false): this {
    checkInt(type, value, -0x8000, 0x7fff, 's16');
    const at = this.attr(type, 2);
    this.dv.setInt16(at, value, bigEndian ? false : LE);
    return this;
  }
  /** Appends an s32 attribute, in host byte order unless `bigEndian`; RangeError when the value does not fit. */
  putS32(type: number, value: number, bigEndian = false): this {
    checkInt(type, value, -0x80000000, 0x7fffffff, 's32');
    const at = this.attr(type, 4);
    this.dv.setInt32(at, value, bigEndian ? false : LE);
    return this;
  }
  /** Appends an s64 attribute, in host byte order unless `bigEndian`; RangeError when the value does not fit. */
  putS64(type: number, value: bigint | number, bigEndian = false): this {
    const v = toBigInt(type, value, -0x8000000000000000n, 0x7fffffffffffffffn, 's64');
    const at = this.attr(type, 8);
    this.dv.setBigInt64(at, v, bigEndian ? false : LE);
    return this;
  }

  /** NLA_UINT: 4 bytes when the value fits, else 8 (as the kernel's nla_put_uint does). */
  putUint(type: number, value: bigint | number, bigEndian = false): this {
    const v = toBigInt(type, value, 0n, 0xffffffffffffffffn, 'uint');
    if (v <= 0xffffffffn) return this.putU32(type, Number(v), bigEndian);
    const at = this.attr(type, 8);
    this.dv.setBigUint64(at, v, bigEndian ? false : LE);
    return this;
  }

  /** NLA_SINT: 4 bytes when the value fits, else 8. */
  putSint(type: number, value: bigint | number, bigEndian = false): this {
    const v = toBigInt(type, value, -0x8000000000000000n, 0x7fffffffffffffffn, 'sint');
    if (v >= -0x80000000n && v <= 0x7fffffffn) return this.putS32(type, Number(v), bigEndian);
    const at = this.attr(type, 8);
    this.dv.setBigInt64(at, v, bigEndian ? false : LE);
    return this;
  }

  /** A NUL-terminated UTF-8 string. */
  putString(type: number, value: string): this {
    if (typeof value !== 'string') throw new TypeError(`attribute ${type}: string value must be a string, got ${typeof value}`);
    // Write the header once the UTF-8 length is known; reserve the worst case first.
    this.inMessage('putting an attribute');
    checkType(type);
    // Every UTF-16 unit is at least one UTF-8 byte: reject hopeless strings
    // before reserving three bytes per unit for them.
    if (value.length + 1 > MAX_ATTR_LENGTH - NLA_HDRLEN) throw stringTooLong(type, value);
    this.ensure(NLA_HDRLEN + maxUtf8Length(value) + 4);
    const at = this.pos;
    const written = encodeStringInto(value, this.buf, at + NLA_HDRLEN);
    const len = NLA_HDRLEN + written + 1;
    if (len > MAX_ATTR_LENGTH) throw stringTooLong(type, value);
    const padded = nlaAlign(len);
    this.buf.fill(0, at + len - 1, at + padded);
    this.dv.setUint16(at, len, LE);
    this.dv.setUint16(at + 2, type, LE);
    this.pos += padded;
    return this;
  }

  /** Raw bytes as the attribute's data. */
  putBinary(type: number, value: Uint8Array): this {
    if (!(value instanceof Uint8Array)) throw new TypeError(`attribute ${type}: binary value must be a Uint8Array`);
    const at = this.attr(type, value.length);
    copyInto(this.buf, value, at);
    return this;
  }

  /** A zero-length flag attribute. */
  putFlag(type: number): this {
    this.attr(type, 0);
    return this;
  }

  /**
   * Opens a nest. NLA_F_NESTED is set unless `flagged` is false (some old
   * rtnetlink parsers predate the flag; the kernel masks it everywhere).
   */
  nestStart(type: number, flagged = true): NestToken {
    const at = this.attr(type, 0) - NLA_HDRLEN;
    if (flagged) this.dv.setUint16(at + 2, type | NLA_F_NESTED, LE);
    this.nests.push(at);
    return at;
  }

  /** Closes the innermost open nest: patches its length to cover everything put since nestStart. */
  nestEnd(token: NestToken): this {
    const open = this.nests.length;
    if (open === 0 || !this.nests.includes(token)) throw new Error('MessageWriter: nestEnd without a matching nestStart');
    if (this.nests[open - 1] !== token) throw new Error(`MessageWriter: nestEnd of an outer nest while ${open - 1 - this.nests.indexOf(token)} inner nest(s) are open`);
    const len = this.pos - token;
    if (len > MAX_ATTR_LENGTH)
      throw new RangeError(`nested attribute ${this.dv.getUint16(token + 2, LE) & NLA_TYPE_MASK}: ${len} bytes exceed the ${MAX_ATTR_LENGTH}-byte attribute limit`);
    this.dv.setUint16(token, len, LE);
    this.nests.pop();
    return this;
  }

  /** Drops a nest, everything put into it, and any nests still open inside it. */
  nestCancel(token: NestToken): this {
    const index = this.nests.lastIndexOf(token);
    if (index < 0) throw new Error('MessageWriter: nestCancel without a matching nestStart');
    this.pos = token;
    this.nests.length = index;
    return this;
  }

  /** Ends the open message: writes its nlmsg_len. */
  endMessage(): this {
    this.inMessage('endMessage');
    if (this.nests.length !== 0) throw new Error(`MessageWriter: endMessage with ${this.nests.length} nest(s) still open`);
    this.dv.setUint32(this.messageStart, this.pos - this.messageStart, LE);
    this.messageStart = -1;
    return this;
  }

  /** Offset of the open message's header (for callers that patch it), or -1. */
  get currentMessageOffset(): number {
    return this.messageStart;
  }

  /** All finished messages as one view into the writer's buffer (valid until the next write). */
  finish(): Uint8Array {
    if (this.messageStart >= 0) throw new Error('MessageWriter: finish while a message is open (call endMessage first)');
    return this.buf.subarray(0, this.pos);
  }

  /** A copy of all finished messages that outlives later writes. */
  finishCopy(): Uint8Array {
    return this.finish().slice();
  }

  /** Empties the writer to build new messages in the same buffer. */
  reset(): this {
    this.pos = 0;
    this.messageStart = -1;
    if (this.nests.length !== 0) this.nests.length = 0;
    return this;
  }
}
