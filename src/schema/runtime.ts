// Helpers the generated codecs call: value formatting by display hint, enum
// and flag names, checked integer conversion for encoding, and the errors.
// The generated code (compiled at run time or written to
// src/families/generated/) does the attribute walking itself; these are the
// pieces that are the same for every family.
import { NetlinkDecodeError } from '../core/errors.js';
import { HOST_LITTLE_ENDIAN, decodeString } from '../core/bytes.js';
import { formatIPv4, formatIPv6, parseIP, parseIPv4, parseIPv6 } from '../core/address.js';
import { MAX_NEST_DEPTH } from '../core/attributes.js';
import { describe } from '../core/check.js';
import type { MessageWriter } from '../core/writer.js';

/** A decoded or to-be-encoded attribute set, fixed header or struct. */
export type Obj = Record<string, unknown>;

/** Enclosing attribute sets' values, searched for sub-message selectors. */
export interface Scope {
  readonly o: Obj;
  readonly up: Scope | undefined;
}

/** An attribute the spec does not describe, kept as received. */
export interface UnknownAttribute {
  /** nla_type without the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits. */
  type: number;
  /** The attribute's data (a view into the received bytes). */
  data: Uint8Array;
}

/** Decodes the attributes in b[s, e) into an object of one attribute set. */
export type SetDecoder = (b: Uint8Array, dv: DataView, s: number, e: number, dep: number, sc: Scope | undefined) => Obj;
/** Writes the attributes of `v` (an object of one attribute set) into an open message. */
export type SetEncoder = (w: MessageWriter, v: Obj, path: string, sc: Scope | undefined) => void;
/** Decodes a struct of `l` bytes at b[s]. */
export type StructDecoder = (b: Uint8Array, dv: DataView, s: number, l: number) => Obj;
/** Encodes a struct into fresh bytes. */
export type StructEncoder = (v: Obj, path: string) => Uint8Array;
/** Decodes a message body: fixed header (if any) at b[s], then attributes up to e. */
export type BodyDecoder = (b: Uint8Array, dv: DataView, s: number, e: number) => Obj;
/** Writes a message body (fixed header, if any, then attributes) into an open message. */
export type BodyEncoder = (w: MessageWriter, v: Obj) => void;

/** What a compiled or generated family codec provides. */
export interface FamilyCodecs {
  /** [attribute set, decoder, encoder] for every attribute set. */
  readonly sets: ReadonlyArray<readonly [string, SetDecoder, SetEncoder]>;
  /** [struct, decoder, encoder] for every struct definition. */
  readonly structs: ReadonlyArray<readonly [string, StructDecoder, StructEncoder]>;
  /** [attribute set, fixed header or '', decoder, encoder] for every message layout the operations use. */
  readonly bodies: ReadonlyArray<readonly [string, string, BodyDecoder, BodyEncoder]>;
}

export const LE = HOST_LITTLE_ENDIAN;
export const MAX_DEPTH = MAX_NEST_DEPTH;
export { decodeString };

// ---- decoding ---------------------------------------------------------------

/** An attribute header whose length is impossible. */
export function badLength(len: number, left: number, at: number, ctx: string): NetlinkDecodeError {
  return new NetlinkDecodeError(
    len < 4 ? `attribute length ${len} is shorter than its 4-byte header` : `attribute length ${len} runs past its parent (${left} bytes left)`,
    at,
    ctx,
  );
}

/** A packed struct array whose length is not a multiple of the struct's size. */
export function badArray(have: number, size: number, at: number, ctx: string): NetlinkDecodeError {
  return new NetlinkDecodeError(`attribute has ${have} bytes, not a whole number of ${size}-byte entries`, at, ctx);
}

/** A record (struct + attributes) whose length is impossible. */
export function badRecord(len: number, size: number, left: number, at: number, ctx: string): NetlinkDecodeError {
  return new NetlinkDecodeError(
    len < size ? `record length ${len} is shorter than its ${size}-byte header` : `record length ${len} runs past its attribute (${left} bytes left)`,
    at,
    ctx,
  );
}

/** The length of an encoded record, checked against its length member's width. */
export function recordSize(n: number, max: number, path: string): number {
  if (n > max) throw new RangeError(`${path}: record of ${n} bytes does not fit its ${max}-byte length field`);
  return n;
}

/** An attribute too short for its type. */
export function tooShort(have: number, need: number, at: number, ctx: string): NetlinkDecodeError {
  return new NetlinkDecodeError(`attribute has ${have} bytes, needs ${need}`, at, ctx);
}

/** An attribute whose length fits no width of its variable-width type. */
export function badWidth(have: number, at: number, ctx: string): NetlinkDecodeError {
  return new NetlinkDecodeError(`attribute has ${have} bytes, not a valid integer width`, at, ctx);
}

/** Nesting deeper than MAX_DEPTH. */
export function tooDeep(at: number, ctx: string): NetlinkDecodeError {
  return new NetlinkDecodeError(`attributes nested deeper than ${MAX_NEST_DEPTH} levels`, at, ctx);
}

/** A message too short for its headers. */
export function shortMessage(have: number, need: number, at: number, ctx: string): NetlinkDecodeError {
  return new NetlinkDecodeError(`message payload of ${have} bytes is shorter than its ${need}-byte header`, at, ctx);
}

/** Reads a variable-width unsigned integer (NLA_UINT) as a bigint. */
export function readUint(dv: DataView, s: number, l: number, le: boolean, ctx: string): bigint {
  switch (l) {
    case 4:
      return BigInt(dv.getUint32(s, le));
    case 8:
      return dv.getBigUint64(s, le);
    case 1:
      return BigInt(dv.getUint8(s));
    case 2:
      return BigInt(dv.getUint16(s, le));
    default:
      throw badWidth(l, s - 4, ctx);
  }
}

/** Reads a variable-width signed integer (NLA_SINT) as a bigint. */
export function readSint(dv: DataView, s: number, l: number, le: boolean, ctx: string): bigint {
  switch (l) {
    case 4:
      return BigInt(dv.getInt32(s, le));
    case 8:
      return dv.getBigInt64(s, le);
    case 1:
      return BigInt(dv.getInt8(s));
    case 2:
      return BigInt(dv.getInt16(s, le));
    default:
      throw badWidth(l, s - 4, ctx);
  }
}

/** Text of l bytes up to the first NUL. */
export function str(b: Uint8Array, s: number, l: number): string {
  return decodeString(b, s, s + l);
}

/** Keeps an attribute the spec does not describe. */
export function keepUnknown(o: Obj, t: number, b: Uint8Array, s: number, l: number): void {
  const item: UnknownAttribute = { type: t, data: b.subarray(s, s + l) };
  const list = o.__unknown as UnknownAttribute[] | undefined;
  if (list === undefined) o.__unknown = [item];
  else list.push(item);
}

/** Appends to an array-valued key (multi-attr). */
export function append(o: Obj, key: string, value: unknown): void {
  const list = o[key] as unknown[] | undefined;
  if (list === undefined) o[key] = [value];
  else list.push(value);
}

/** Enum name for a value (dense table), or the number itself when the spec has no name for it. */
export function enumName(names: readonly (string | undefined)[], v: number | bigint): string | number | bigint {
  const i = typeof v === 'bigint' ? (v <= 0xffffffffn && v >= 0n ? Number(v) : -1) : v;
  return (i >= 0 ? names[i] : undefined) ?? v;
}

/** Enum name for a value (sparse table). */
export function enumNameSparse(names: ReadonlyMap<number, string>, v: number | bigint): string | number | bigint {
  const i = typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= 0n ? Number(v) : -1) : v;
  return names.get(i) ?? v;
}

/**
 * Flag names for a bit mask, lowest bit first; bits without a name are kept
 * as their numeric value (e.g. 0x100).
 */
export function flagNames(names: readonly (string | undefined)[], v: number | bigint): Array<string | number | bigint> {
  const out: Array<string | number | bigint> = [];
  if (typeof v === 'bigint') {
    for (let bit = 0; v !== 0n && bit < 64; bit++, v >>= 1n) {
      if (v & 1n) out.push(names[bit] ?? (bit < 53 ? 2 ** bit : 1n << BigInt(bit)));
    }
    return out;
  }
  if (v >= 0 && v <= 0xffffffff) {
    // The common case: 32-bit flag words, walked with integer bit operations.
    let w = v >>> 0;
    for (let bit = 0; w !== 0; bit++, w >>>= 1) {
      if (w & 1) out.push(names[bit] ?? 2 ** bit);
    }
    return out;
  }
  for (let bit = 0; v !== 0 && bit < 53; bit++) {
    const m = 2 ** bit;
    if (v % (2 * m) >= m) {
      out.push(names[bit] ?? m);
      v -= m;
    }
  }
  return out;
}

// Counters are mostly small (zero on a quiet link): small u64 values come from
// a table of shared bigints instead of a new allocation each.
const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: 4096 }, (_, i) => BigInt(i));

/** Reads a u64 as a bigint, sharing the bigints of small values. */
export function rdU64(dv: DataView, at: number, le: boolean): bigint {
  const lo = dv.getUint32(le ? at : at + 4, le);
  const hi = dv.getUint32(le ? at + 4 : at, le);
  if (hi === 0 && lo < 4096) return SMALL_BIGINTS[lo]!;
  return dv.getBigUint64(at, le);
}

const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

/** Colon-separated hex bytes (display hint mac). */
export function fmtMac(b: Uint8Array, s: number, l: number): string {
  let out = '';
  for (let i = 0; i < l; i++) out += (i ? ':' : '') + HEX[b[s + i]!];
  return out;
}

/** Space-separated hex bytes (display hint hex on binary, as Python's bytes.hex(' ')). */
export function fmtHexBytes(b: Uint8Array, s: number, l: number): string {
  let out = '';
  for (let i = 0; i < l; i++) out += (i ? ' ' : '') + HEX[b[s + i]!];
  return out;
}

/** 0x-prefixed hex of an integer (display hint hex on scalars, as Python's hex()). */
export function fmtHexInt(v: number | bigint): string {
  return v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

/** Dotted quad of a 32-bit integer, most significant byte first (display hint ipv4 on scalars). */
export function fmtIPv4Int(v: number | bigint): string {
  const n = Number(v) >>> 0;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** IPv4 text of a 4-byte value, else the bytes. */
export function fmtIPv4(b: Uint8Array, s: number, l: number): string | Uint8Array {
  return l === 4 ? formatIPv4(b, s) : b.subarray(s, s + l);
}

/** IPv6 text of a 16-byte value, else the bytes. */
export function fmtIPv6(b: Uint8Array, s: number, l: number): string | Uint8Array {
  return l === 16 ? formatIPv6(b, s) : b.subarray(s, s + l);
}

/** IPv4 or IPv6 text by length (display hint ipv4-or-v6), else the bytes. */
export function fmtAddress(b: Uint8Array, s: number, l: number): string | Uint8Array {
  return l === 4 ? formatIPv4(b, s) : l === 16 ? formatIPv6(b, s) : b.subarray(s, s + l);
}

/** 8-4-4-4-12 text of a 16-byte UUID, else the bytes. */
export function fmtUuid(b: Uint8Array, s: number, l: number): string | Uint8Array {
  if (l !== 16) return b.subarray(s, s + l);
  let out = '';
  for (let i = 0; i < 16; i++) out += (i === 4 || i === 6 || i === 8 || i === 10 ? '-' : '') + HEX[b[s + i]!];
  return out;
}

/** Looks a selector up in the enclosing sets' decoded values. */
export function scopeValue(sc: Scope | undefined, key: string): unknown {
  for (let s = sc; s !== undefined; s = s.up) {
    const v = s.o[key];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Looks a selector up in the enclosing sets' input values (own keys only). */
export function scopeInput(sc: Scope | undefined, key: string): unknown {
  for (let s = sc; s !== undefined; s = s.up) {
    const v = own(s.o, key);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** A selector value as the string sub-message formats are keyed by. */
export function selectorKey(v: unknown): string | undefined {
  return typeof v === 'string' ? v : v === undefined ? undefined : String(v);
}

// ---- encoding ---------------------------------------------------------------

/** `path.name`, or `name` at the top. */
export function join(path: string, name: string): string {
  return path ? (name.startsWith('[') ? path + name : `${path}.${name}`) : name;
}

/** The value of an own key (never one inherited from Object.prototype). */
export function own(v: Obj, key: string): unknown {
  return Object.hasOwn(v, key) ? v[key] : undefined;
}

/** A key that is not an attribute (or header field) of the set. */
export function unknownKey(path: string, key: string, set: string): TypeError {
  return new TypeError(`${join(path, key)}: not an attribute of set '${set}'`);
}

/** Checks that a nest / struct value is a plain object. */
export function object(x: unknown, path: string, name: string): Obj {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || x instanceof Uint8Array) {
    throw new TypeError(`${join(path, name)}: expected an object, got ${describe(x)}`);
  }
  return x as Obj;
}

/** Items of a multi-attr value: an array, or a single item. */
export function items(x: unknown): readonly unknown[] {
  return Array.isArray(x) ? x : [x];
}

/** Checks an array value (indexed-array, binary array). */
export function array(x: unknown, path: string, name: string): readonly unknown[] {
  if (!Array.isArray(x)) throw new TypeError(`${join(path, name)}: expected an array, got ${describe(x)}`);
  return x;
}

/** A number that must be an integer in [min, max] (widths up to 32 bits). */
export function int(x: unknown, path: string, name: string, min: number, max: number): number {
  if (typeof x !== 'number' || !Number.isInteger(x)) {
    if (typeof x === 'bigint' && x >= BigInt(min) && x <= BigInt(max)) return Number(x);
    throw new TypeError(`${join(path, name)}: expected an integer, got ${describe(x)}`);
  }
  if (x < min || x > max) throw new RangeError(`${join(path, name)}: ${x} is out of range ${min}..${max}`);
  return x;
}

/** A bigint or safe integer in [min, max] (64-bit and variable-width types). */
export function big(x: unknown, path: string, name: string, min: bigint, max: bigint): bigint {
  let v: bigint;
  if (typeof x === 'bigint') v = x;
  else if (typeof x === 'number' && Number.isSafeInteger(x)) v = BigInt(x);
  else throw new TypeError(`${join(path, name)}: expected a bigint or a safe integer, got ${describe(x)}`);
  if (v < min || v > max) throw new RangeError(`${join(path, name)}: ${v} is out of range ${min}..${max}`);
  return v;
}

/** An enum value given by name (or as a number). */
export function enumValue(names: ReadonlyMap<string, number>, x: unknown, path: string, name: string, def: string): unknown {
  if (typeof x !== 'string') return x;
  const v = names.get(x);
  if (v === undefined) throw new TypeError(`${join(path, name)}: '${x}' is not an entry of enum '${def}'`);
  return v;
}

/**
 * A flags value given as names (an array, or one name) or numbers; returns
 * the bit mask (a number below 2^53, else a bigint).
 */
export function flagsValue(bits: ReadonlyMap<string, number>, x: unknown, path: string, name: string, def: string): unknown {
  if (typeof x === 'number' || typeof x === 'bigint') return x;
  const list = typeof x === 'string' ? [x] : x;
  if (!Array.isArray(list)) throw new TypeError(`${join(path, name)}: expected flag names, got ${describe(x)}`);
  let mask = 0n;
  for (const f of list) {
    if (typeof f === 'string') {
      const bit = bits.get(f);
      if (bit === undefined) throw new TypeError(`${join(path, name)}: '${f}' is not a flag of '${def}'`);
      mask |= 1n << BigInt(bit);
    } else if ((typeof f === 'number' && Number.isSafeInteger(f) && f >= 0) || (typeof f === 'bigint' && f >= 0n)) {
      mask |= BigInt(f);
    } else {
      throw new TypeError(`${join(path, name)}: expected a flag name, got ${describe(f)}`);
    }
  }
  return mask <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(mask) : mask;
}

/** Only bits of `mask` may be set (checks: flags-mask). */
export function checkMask(v: number | bigint, mask: bigint, path: string, name: string): void {
  if ((BigInt(v) & ~mask) !== 0n) {
    throw new RangeError(`${join(path, name)}: bits 0x${(BigInt(v) & ~mask).toString(16)} are not allowed (mask 0x${mask.toString(16)})`);
  }
}

/** An integer given as 0x-hex text (display hint hex). */
export function hexInt(x: unknown, path: string, name: string): unknown {
  if (typeof x !== 'string') return x;
  const t = x.trim();
  if (!/^-?(0x)?[0-9a-f]+$/i.test(t)) throw new TypeError(`${join(path, name)}: '${x}' is not a hex number`);
  const neg = t.startsWith('-');
  const digits = t.replace(/^-?(0x)?/i, '');
  const v = BigInt(`0x${digits}`) * (neg ? -1n : 1n);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** An integer given as a dotted quad (display hint ipv4 on scalars). */
export function ipv4Int(x: unknown, path: string, name: string): unknown {
  if (typeof x !== 'string') return x;
  const b = parseIPv4(x, join(path, name));
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

function hexBytes(text: string, field: string): Uint8Array {
  const clean = text.replace(/[\s:-]/g, '').replace(/^0x/i, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(clean)) throw new TypeError(`${field}: '${text}' is not hex bytes`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function macBytes(text: string, field: string): Uint8Array {
  if (/^([0-9a-f]{1,2}[:-])*[0-9a-f]{1,2}$/i.test(text) && /[:-]/.test(text)) {
    return Uint8Array.from(text.split(/[:-]/), (p) => parseInt(p, 16));
  }
  if (/^([0-9a-f]{2})+$/i.test(text)) return hexBytes(text, field);
  throw new TypeError(`${field}: '${text}' is not a link-layer address`);
}

/**
 * Bytes of a binary value: a Uint8Array as it is, or text in the form its
 * display hint prints (addresses, MAC, hex bytes, UUID).
 */
export function bytes(x: unknown, path: string, name: string, hint: string): Uint8Array {
  if (x instanceof Uint8Array) return x;
  if (typeof x === 'string') {
    const field = join(path, name);
    switch (hint) {
      case 'ipv4':
        return parseIPv4(x, field);
      case 'ipv6':
        return parseIPv6(x, field);
      case 'ipv4-or-v6':
        return parseIP(x, field);
      case 'mac':
        return macBytes(x, field);
      case 'hex':
        return hexBytes(x, field);
      case 'uuid': {
        if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(x)) throw new TypeError(`${field}: '${x}' is not a UUID`);
        return hexBytes(x, field);
      }
      default:
        break;
    }
  }
  throw new TypeError(`${join(path, name)}: expected a Uint8Array${hint ? ` or ${hint} text` : ''}, got ${describe(x)}`);
}

/** Checks a string value. */
export function text(x: unknown, path: string, name: string): string {
  if (typeof x !== 'string') throw new TypeError(`${join(path, name)}: expected a string, got ${describe(x)}`);
  return x;
}

const encoder = new TextEncoder();

/** UTF-8 length of a string. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Writes a string into a fixed-size char array (struct member), NUL-padded. */
export function putFixedString(u: Uint8Array, at: number, size: number, x: unknown, path: string, name: string): void {
  const s = text(x, path, name);
  const b = encoder.encode(s);
  if (b.length > size) throw new RangeError(`${join(path, name)}: string of ${b.length} bytes does not fit in ${size}`);
  u.set(b, at);
}

/** Writes bytes into a fixed-size struct member, which they must fill exactly. */
export function putFixedBytes(u: Uint8Array, at: number, size: number, x: Uint8Array, path: string, name: string): void {
  if (x.length !== size) throw new RangeError(`${join(path, name)}: expected ${size} bytes, got ${x.length}`);
  u.set(x, at);
}

/** Checks a length against `checks` (min-len / max-len / exact-len). */
export function checkLength(n: number, min: number, max: number, path: string, name: string): void {
  if (n < min || n > max) {
    throw new RangeError(min === max ? `${join(path, name)}: length ${n} must be exactly ${min}` : `${join(path, name)}: length ${n} is out of range ${min}..${max}`);
  }
}

/** Checks a flag value. */
export function flag(x: unknown, path: string, name: string): boolean {
  if (typeof x !== 'boolean') throw new TypeError(`${join(path, name)}: expected true or false, got ${describe(x)}`);
  return x;
}

/** Writes the `__unknown` attributes back as they were received. */
export function putUnknown(w: MessageWriter, x: unknown, path: string): void {
  for (const item of array(x, path, '__unknown')) {
    const u = object(item, path, '__unknown');
    const type = int(own(u, 'type'), path, '__unknown.type', 0, 0x3fff);
    const data = own(u, 'data');
    if (!(data instanceof Uint8Array)) throw new TypeError(`${join(path, '__unknown.data')}: expected a Uint8Array, got ${describe(data)}`);
    w.putBinary(type, data);
  }
}

/** A sub-message value whose format is unknown: raw bytes only. */
export function putRawSubMessage(w: MessageWriter, t: number, x: unknown, path: string, name: string, key: string | undefined, selector: string, sub: string): void {
  if (x instanceof Uint8Array) {
    w.putBinary(t, x);
    return;
  }
  if (key === undefined) throw new TypeError(`${join(path, name)}: selector '${selector}' is not set`);
  throw new TypeError(`${join(path, name)}: '${key}' is not a format of sub-message '${sub}'`);
}

// ---- structs (table-driven encoding) ------------------------------------------
//
// Struct encoders are not generated: each struct is a table, and the three
// ways a struct is written (a struct attribute, a fixed header, a member of
// another struct) go through writeStruct. Decoders stay generated: they run
// for every received message, encoders for what a program sends.

/** How an integer member's input becomes a number: [value by name, definition, flags?], or a display hint's text. */
export type MemberInput = readonly [values: ReadonlyMap<string, number>, definition: string, flags: boolean] | 'hex' | 'ipv4';

/**
 * One member of a struct: name, type, byte offset, byte size, little-endian
 * (for multi-byte integers), then what the type needs: an integer's input
 * mapping, a binary member's display hint or nested struct.
 */
export type MemberDesc =
  | readonly [name: string, type: 'u8' | 'u16' | 'u32' | 'u64' | 's8' | 's16' | 's32' | 's64', offset: number, size: number, le: boolean, input?: MemberInput]
  | readonly [name: string, type: 'string', offset: number, size: number, le: boolean]
  | readonly [name: string, type: 'binary', offset: number, size: number, le: boolean, hintOrStruct?: string | StructDesc];

/** A struct to encode: its name, its size, its members (pads left out: they stay zero). */
export type StructDesc = readonly [name: string, size: number, members: readonly MemberDesc[]];

/** Writes the members of `v` into u[at, at + size) (missing members stay 0). */
function writeStruct(d: StructDesc, dv: DataView, u: Uint8Array, at: number, v: Obj, path: string): void {
  for (const m of d[2]) {
    const k = m[0];
    const x = own(v, k);
    const pos = at + m[2];
    switch (m[1]) {
      case 'string':
        if (x !== undefined) putFixedString(u, pos, m[3], x, path, k);
        break;
      case 'binary': {
        const extra = m.length > 5 ? m[5] : undefined;
        if (typeof extra === 'object') writeStruct(extra, dv, u, pos, x === undefined ? {} : object(x, path, k), join(path, k));
        else if (x !== undefined) putFixedBytes(u, pos, m[3], bytes(x, path, k, extra ?? ''), path, k);
        break;
      }
      default: {
        const input = m.length > 5 ? m[5] : undefined;
        let n: unknown = x === undefined ? 0 : x;
        if (input === 'hex') n = hexInt(n, path, k);
        else if (input === 'ipv4') n = ipv4Int(n, path, k);
        else if (input !== undefined) n = (input[2] ? flagsValue : enumValue)(input[0], n, path, k, input[1]);
        const le = m[4];
        switch (m[1]) {
          case 'u8':
            dv.setUint8(pos, int(n, path, k, 0, 0xff));
            break;
          case 's8':
            dv.setInt8(pos, int(n, path, k, -0x80, 0x7f));
            break;
          case 'u16':
            dv.setUint16(pos, int(n, path, k, 0, 0xffff), le);
            break;
          case 's16':
            dv.setInt16(pos, int(n, path, k, -0x8000, 0x7fff), le);
            break;
          case 'u32':
            dv.setUint32(pos, int(n, path, k, 0, 0xffffffff), le);
            break;
          case 's32':
            dv.setInt32(pos, int(n, path, k, -0x80000000, 0x7fffffff), le);
            break;
          case 'u64':
            dv.setBigUint64(pos, big(n, path, k, 0n, 0xffffffffffffffffn), le);
            break;
          case 's64':
            dv.setBigInt64(pos, big(n, path, k, -0x8000000000000000n, 0x7fffffffffffffffn), le);
            break;
        }
      }
    }
  }
}

/** A struct's bytes from the header fields of a message object (which also holds attributes). */
export function structBytes(d: StructDesc, v: Obj, path: string): Uint8Array {
  const u = new Uint8Array(d[1]);
  writeStruct(d, new DataView(u.buffer), u, 0, v, path);
  return u;
}

/** A struct value's bytes: only its members (and `__rest`, appended as given) are allowed. */
export function structValue(d: StructDesc, v: Obj, path: string): Uint8Array {
  for (const k in v) {
    if (k !== '__rest' && !d[2].some((m) => m[0] === k)) throw unknownMember(path, k, d[0]);
  }
  const rest = own(v, '__rest');
  const extra = rest === undefined ? undefined : bytes(rest, path, '__rest', '');
  const u = new Uint8Array(d[1] + (extra === undefined ? 0 : extra.length));
  writeStruct(d, new DataView(u.buffer), u, 0, v, path);
  if (extra !== undefined) u.set(extra, d[1]);
  return u;
}

/** The bytes of a packed array of struct values (the struct-array extension). */
export function structArray(d: StructDesc, x: readonly unknown[], path: string): Uint8Array {
  const u = new Uint8Array(d[1] * x.length);
  const dv = new DataView(u.buffer);
  for (let i = 0; i < x.length; i++) {
    const p = `${path}[${i}]`;
    const v = object(x[i], path, `[${i}]`);
    for (const k in v) if (!d[2].some((m) => m[0] === k)) throw unknownMember(p, k, d[0]);
    writeStruct(d, dv, u, i * d[1], v, p);
  }
  return u;
}

/** The encoder of a struct codec. */
export function structEncoder(d: StructDesc): StructEncoder {
  return (v, path) => structValue(d, v, path);
}

/** A key that is not a member of the struct. */
export function unknownMember(path: string, key: string, struct: string): TypeError {
  return new TypeError(`${join(path, key)}: not a member of struct '${struct}'`);
}

/** Writes a bitfield32 attribute (struct nla_bitfield32 { u32 value; u32 selector; }). */
export function putBitfield32(w: MessageWriter, t: number, value: number, selector: number): void {
  const u = new Uint8Array(8);
  const d = new DataView(u.buffer);
  d.setUint32(0, value, LE);
  d.setUint32(4, selector, LE);
  w.putBinary(t, u);
}

/** The bytes past a struct's known members (a newer kernel's additions), or undefined. */
export interface StructRest {
  /** Bytes after the members the spec describes. */
  __rest: Uint8Array | undefined;
}

/** Bytes to write after a struct's known members (those of a decoded struct, to write it back unchanged). */
export interface StructRestInput {
  /** Bytes written after the members the spec describes. */
  __rest?: Uint8Array;
}
