// Attribute tables like iproute2's parse_rtattr(): tb[type] is the last
// attribute of that type in a run, read on demand. The ip printers mirror
// iproute2's, which decide what to print from which attributes are present
// and from raw bits, so they work at this level rather than on decoded
// spec objects.
import { AttributeReader } from '../../core/attributes.js';
import { NLA_HDRLEN } from '../../core/align.js';
import { NLA_F_NESTED, NLA_TYPE_MASK } from '../../core/constants.js';
import { HOST_LITTLE_ENDIAN, dataViewOf, decodeString } from '../../core/bytes.js';
import { formatIPv4, formatIPv6, formatMac } from '../../core/address.js';
import type { MessageView } from '../../core/message.js';
import type { ByteText } from './json.js';

// struct nlattr { __u16 nla_len; __u16 nla_type; } (include/uapi/linux/netlink.h).
const NLA_TYPE_OFFSET = 2;
const LE = HOST_LITTLE_ENDIAN;

/** One attribute's data: a view of its bytes with typed getters. */
export class Attr {
  constructor(
    readonly type: number,
    readonly buffer: Uint8Array,
    readonly dv: DataView,
    readonly offset: number,
    readonly length: number,
    readonly nested: boolean,
  ) {}
  get bytes(): Uint8Array {
    return this.buffer.subarray(this.offset, this.offset + this.length);
  }
  u8(): number {
    return this.length >= 1 ? this.dv.getUint8(this.offset) : 0;
  }
  u16(): number {
    return this.length >= 2 ? this.dv.getUint16(this.offset, LE) : 0;
  }
  be16(): number {
    return this.length >= 2 ? this.dv.getUint16(this.offset, false) : 0;
  }
  u32(): number {
    return this.length >= 4 ? this.dv.getUint32(this.offset, LE) : 0;
  }
  s32(): number {
    return this.length >= 4 ? this.dv.getInt32(this.offset, LE) : 0;
  }
  be32(): number {
    return this.length >= 4 ? this.dv.getUint32(this.offset, false) : 0;
  }
  u64(): bigint {
    return this.length >= 8 ? this.dv.getBigUint64(this.offset, LE) : 0n;
  }
  /** u64 field at a byte offset inside the data (for structs like rtnl_link_stats64). */
  u64At(at: number): bigint {
    return at + 8 <= this.length ? this.dv.getBigUint64(this.offset + at, LE) : 0n;
  }
  u32At(at: number): number {
    return at + 4 <= this.length ? this.dv.getUint32(this.offset + at, LE) : 0;
  }
  u16At(at: number): number {
    return at + 2 <= this.length ? this.dv.getUint16(this.offset + at, LE) : 0;
  }
  u8At(at: number): number {
    return at + 1 <= this.length ? this.dv.getUint8(this.offset + at) : 0;
  }
  /** A NUL-terminated string (rta_getattr_str). */
  str(): string {
    let end = this.offset;
    const stop = this.offset + this.length;
    while (end < stop && this.buffer[end] !== 0) end++;
    return decodeString(this.buffer, this.offset, end);
  }
  /** The attributes nested in this one, as a table. */
  nest(): AttrTable {
    return parseAttrs(this.buffer, this.offset, this.offset + this.length, this.dv);
  }
  /** The nested attributes in order (for lists such as IFLA_PROP_LIST). */
  list(): Attr[] {
    return listAttrs(this.buffer, this.offset, this.offset + this.length, this.dv);
  }
}

/**
 * Attributes of one run by type; the last one of a type wins, as in
 * parse_rtattr. Types below 64 (nearly all) are kept as offsets and lengths
 * indexed by type, with presence bits, so tabulating a message allocates
 * nothing per attribute: read them with the typed getters (absent or short
 * attributes read as 0, like Attr's), or get() an Attr view for code that
 * passes an attribute around. Attr views stay valid when the table is
 * filled again; a table filled again answers for its new run.
 */
export class AttrTable {
  /** The bytes the attributes are in. */
  buffer: Uint8Array = EMPTY;
  /** DataView over exactly `buffer`. */
  dv: DataView = EMPTY_DV;
  // Presence and NLA_F_NESTED bits of types 0-31 and 32-63; data offset and length by type.
  private present0 = 0;
  private present1 = 0;
  private nested0 = 0;
  private nested1 = 0;
  // Grown as types arrive (most runs use a few low types): a table costs little to make.
  private readonly at: number[] = [];
  private readonly len: number[] = [];
  private high: Map<number, Attr> | undefined;

  /** Tabulates the attributes in buffer[start, end), forgetting the previous run. */
  fill(buffer: Uint8Array, start: number, end: number, dv: DataView = dataViewOf(buffer)): this {
    this.buffer = buffer;
    this.dv = dv;
    this.present0 = this.present1 = this.nested0 = this.nested1 = 0;
    this.high = undefined;
    // The walk of AttributeReader.next(), inlined: this runs once per message of a dump.
    if (start < 0 || end > buffer.length || start > end) reader.reset(buffer, start, end, dv); // throws its RangeError
    let pos = start;
    while (end - pos >= NLA_HDRLEN) {
      const len = dv.getUint16(pos, LE);
      // A malformed length: the reader walks the run again and throws its NetlinkDecodeError.
      if (len < NLA_HDRLEN || len > end - pos) {
        for (const r = reader.reset(buffer, start, end, dv); r.next(););
        break;
      }
      const raw = dv.getUint16(pos + NLA_TYPE_OFFSET, LE);
      const type = raw & NLA_TYPE_MASK;
      const data = pos + NLA_HDRLEN;
      pos += (len + 3) & ~3;
      const nested = (raw & NLA_F_NESTED) !== 0;
      if (type < 64) {
        this.at[type] = data;
        this.len[type] = len - NLA_HDRLEN;
        const bit = 1 << (type & 31);
        if (type < 32) {
          this.present0 |= bit;
          this.nested0 = nested ? this.nested0 | bit : this.nested0 & ~bit;
        } else {
          this.present1 |= bit;
          this.nested1 = nested ? this.nested1 | bit : this.nested1 & ~bit;
        }
      } else (this.high ??= new Map()).set(type, new Attr(type, buffer, dv, data, len - NLA_HDRLEN, nested));
    }
    return this;
  }

  /** Tabulates the attributes of a message after its fixed header of `headerSize` bytes. */
  fillMessage(msg: MessageView, headerSize: number): this {
    const start = msg.offset + 16 + ((headerSize + 3) & ~3);
    const end = msg.offset + msg.length;
    return start <= end ? this.fill(msg.buffer, start, end, msg.dv) : this.fill(EMPTY, 0, 0, EMPTY_DV);
  }

  /** Whether an attribute of this type is in the run. */
  has(type: number): boolean {
    if (type < 32) return type >= 0 && ((this.present0 >>> type) & 1) === 1;
    if (type < 64) return ((this.present1 >>> (type - 32)) & 1) === 1;
    return this.high?.has(type) ?? false;
  }

  /** A view of the attribute of this type (a new object: in hot loops prefer the typed getters). */
  get(type: number): Attr | undefined {
    if (type >= 64) return this.high?.get(type);
    if (!this.has(type)) return undefined;
    const nested = ((type < 32 ? this.nested0 >>> type : this.nested1 >>> (type - 32)) & 1) === 1;
    return new Attr(type, this.buffer, this.dv, this.at[type]!, this.len[type]!, nested);
  }

  /** Offset of the attribute's data in `buffer` (-1 when absent). */
  offset(type: number): number {
    if (type >= 64) return this.high?.get(type)?.offset ?? -1;
    return this.has(type) ? this.at[type]! : -1;
  }

  /** Length of the attribute's data (0 when absent). */
  length(type: number): number {
    if (type >= 64) return this.high?.get(type)?.length ?? 0;
    return this.has(type) ? this.len[type]! : 0;
  }

  /** The attribute as a u8 (0 when absent or short). */
  u8(type: number): number {
    return this.length(type) >= 1 ? this.dv.getUint8(this.offset(type)) : 0;
  }

  /** The attribute as a host-order u16 (0 when absent or short). */
  u16(type: number): number {
    return this.length(type) >= 2 ? this.dv.getUint16(this.offset(type), LE) : 0;
  }

  /** The attribute as a host-order u32 (0 when absent or short). */
  u32(type: number): number {
    return this.length(type) >= 4 ? this.dv.getUint32(this.offset(type), LE) : 0;
  }
}

const EMPTY = new Uint8Array(0);
const EMPTY_DV = new DataView(EMPTY.buffer);
// One reader walks every table's run (a walk never calls out before it ends).
const reader = new AttributeReader(EMPTY);

/** Lists the attributes in buffer[start, end). */
export function listAttrs(buffer: Uint8Array, start: number, end: number, dv: DataView = dataViewOf(buffer)): Attr[] {
  const out: Attr[] = [];
  const r = new AttributeReader(buffer, start, end, '', 0, dv);
  while (r.next()) out.push(new Attr(r.type, buffer, dv, r.dataOffset, r.dataLength, r.isNested));
  return out;
}

/** Tabulates the attributes in buffer[start, end). */
export function parseAttrs(buffer: Uint8Array, start: number, end: number, dv: DataView = dataViewOf(buffer)): AttrTable {
  return new AttrTable().fill(buffer, start, end, dv);
}

// Filters and printers both tabulate the message they look at: the last table is kept for the next call.
let lastMessage: MessageView | undefined;
let lastBuffer: Uint8Array | undefined;
let lastOffset = -1;
let lastHeaderSize = -1;
let lastTable: AttrTable | undefined;

/** The attributes of a message after its fixed header (tables are shared: do not modify one). */
export function messageAttrs(msg: MessageView, headerSize: number): AttrTable {
  if (msg === lastMessage && msg.buffer === lastBuffer && msg.offset === lastOffset && headerSize === lastHeaderSize) return lastTable!;
  lastMessage = msg;
  lastBuffer = msg.buffer;
  lastOffset = msg.offset;
  lastHeaderSize = headerSize;
  return (lastTable = new AttrTable().fillMessage(msg, headerSize));
}

/** Reads fields of a message's fixed header. */
export class Header {
  readonly at: number;
  constructor(readonly msg: MessageView) {
    this.at = msg.offset + 16;
  }
  u8(o: number): number {
    return this.msg.dv.getUint8(this.at + o);
  }
  u16(o: number): number {
    return this.msg.dv.getUint16(this.at + o, LE);
  }
  u32(o: number): number {
    return this.msg.dv.getUint32(this.at + o, LE);
  }
  s32(o: number): number {
    return this.msg.dv.getInt32(this.at + o, LE);
  }
}

/** How rt_addr_n2a prints `length` address bytes of a family (undefined: by length): 4 (IPv4), 6 (IPv6) or 0 (`???`). */
function addrKind(length: number, family: number | undefined): 4 | 6 | 0 {
  if (family === 2 || (family === undefined && length === 4)) return length >= 4 ? 4 : 0;
  if (family === 10 || (family === undefined && length === 16)) return length >= 16 ? 6 : 0;
  return length === 4 ? 4 : length === 16 ? 6 : 0;
}

/** An address attribute as text: IPv4 / IPv6 by length (rt_addr_n2a). */
export function addrText(a: Attr, family?: number): string {
  return addrTextAt(a.buffer, a.offset, a.length, family);
}

/** The address in bytes[offset, offset + length) as text (rt_addr_n2a). */
export function addrTextAt(bytes: Uint8Array, offset: number, length: number, family?: number): string {
  // Read in place: a subarray per address costs more than the formatting.
  const kind = addrKind(length, family);
  return kind === 4 ? formatIPv4(bytes, offset) : kind === 6 ? formatIPv6(bytes, offset) : '???';
}

/** Writes the address in bytes[offset, offset + length) as addrText() prints it (IPv4 without a string). */
export function writeAddr(out: ByteText, bytes: Uint8Array, offset: number, length: number, family?: number): void {
  const kind = addrKind(length, family);
  if (kind === 4) out.ipv4(bytes, offset);
  else out.text(kind === 6 ? formatIPv6(bytes, offset) : '???');
}

/**
 * A link-layer address as ll_addr_n2a prints it: IPv4 text for the IPv4
 * tunnel types, IPv6 text for IPv6 tunnels, else colon-separated hex.
 */
export function llAddrText(b: Uint8Array, linkType: number): string {
  // ARPHRD_TUNNEL, ARPHRD_SIT, ARPHRD_IPGRE
  if (b.length === 4 && (linkType === 768 || linkType === 776 || linkType === 778)) return formatIPv4(b);
  // ARPHRD_TUNNEL6, ARPHRD_IP6GRE
  if (b.length === 16 && (linkType === 769 || linkType === 823)) return formatIPv6(b);
  if (b.length === 0) return '';
  return formatMac(b);
}
