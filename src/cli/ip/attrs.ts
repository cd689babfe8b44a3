// Attribute tables like iproute2's parse_rtattr(): tb[type] is the last
// attribute of that type in a run, read on demand. The ip printers mirror
// iproute2's, which decide what to print from which attributes are present
// and from raw bits, so they work at this level rather than on decoded
// spec objects.
import { AttributeReader } from '../../core/attributes.js';
import { HOST_LITTLE_ENDIAN, dataViewOf, decodeString } from '../../core/bytes.js';
import { formatIPv4, formatIPv6, formatMac } from '../../core/address.js';
import type { MessageView } from '../../core/message.js';

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

/** Attributes of one run by type; the last one of a type wins, as in parse_rtattr. */
export class AttrTable {
  // Types below 64 (nearly all) in an array indexed by type, the rest in a map.
  private readonly low: (Attr | undefined)[] = [];
  private high: Map<number, Attr> | undefined;

  get(type: number): Attr | undefined {
    return type < 64 ? this.low[type] : this.high?.get(type);
  }

  has(type: number): boolean {
    return this.get(type) !== undefined;
  }

  set(type: number, attr: Attr): void {
    if (type < 64) this.low[type] = attr;
    else (this.high ??= new Map()).set(type, attr);
  }
}

/** Lists the attributes in buffer[start, end). */
export function listAttrs(buffer: Uint8Array, start: number, end: number, dv: DataView = dataViewOf(buffer)): Attr[] {
  const out: Attr[] = [];
  const r = new AttributeReader(buffer, start, end, '', 0, dv);
  while (r.next()) out.push(new Attr(r.type, buffer, dv, r.dataOffset, r.dataLength, r.isNested));
  return out;
}

/** Tabulates the attributes in buffer[start, end). */
export function parseAttrs(buffer: Uint8Array, start: number, end: number, dv: DataView = dataViewOf(buffer)): AttrTable {
  const tb = new AttrTable();
  const r = new AttributeReader(buffer, start, end, '', 0, dv);
  while (r.next()) tb.set(r.type, new Attr(r.type, buffer, dv, r.dataOffset, r.dataLength, r.isNested));
  return tb;
}

// Filters and printers both tabulate the message they look at: the last table is kept for the next call.
let lastMessage: MessageView | undefined;
let lastHeaderSize = -1;
let lastTable: AttrTable | undefined;

/** The attributes of a message after its fixed header (tables are shared: do not modify one). */
export function messageAttrs(msg: MessageView, headerSize: number): AttrTable {
  if (msg === lastMessage && headerSize === lastHeaderSize) return lastTable!;
  lastMessage = msg;
  lastHeaderSize = headerSize;
  return (lastTable = tabulate(msg, headerSize));
}

function tabulate(msg: MessageView, headerSize: number): AttrTable {
  const start = msg.offset + 16 + ((headerSize + 3) & ~3);
  const end = msg.offset + msg.length;
  return start <= end ? parseAttrs(msg.buffer, start, end, msg.dv) : new AttrTable();
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

/** An address attribute as text: IPv4 / IPv6 by length (rt_addr_n2a). */
export function addrText(a: Attr, family?: number): string {
  // Read in place: a subarray per address costs more than the formatting.
  const n = a.length;
  if (family === 2 || (family === undefined && n === 4)) return n >= 4 ? formatIPv4(a.buffer, a.offset) : '???';
  if (family === 10 || (family === undefined && n === 16)) return n >= 16 ? formatIPv6(a.buffer, a.offset) : '???';
  if (n === 4) return formatIPv4(a.buffer, a.offset);
  if (n === 16) return formatIPv6(a.buffer, a.offset);
  return '???';
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
