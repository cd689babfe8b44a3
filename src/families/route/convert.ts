// Conversions between the generated codecs' objects (spec names in
// kebab-case, as the kernel's ynl tool prints them) and the typed clients'
// objects (camelCase), and the checks every write runs before anything is
// sent: a mistyped value fails here with a TypeError or RangeError naming
// its field.
import { formatMac, parseIPv4, parseIPv6, parseMac } from '../../core/address.js';
import { checkInteger, checkString, describe } from '../../core/check.js';
import { AF_INET, AF_INET6, AF_UNSPEC } from '../../core/constants.js';
import type { UnknownAttribute } from '../../schema/runtime.js';
import { RTPROT_NAMES, RT_SCOPE_NAMES, RT_TABLE_NAMES } from './names.js';

/**
 * Keeps on a typed object the attributes its spec does not describe
 * (`__unknown` of the decoded message), as `unknown`; `skip` leaves out one
 * attribute type a decoder already reads from there.
 */
export function keepUnknown(typed: { unknown?: UnknownAttribute[] }, m: Obj, skip?: number): void {
  const list = m.__unknown as UnknownAttribute[] | undefined;
  if (list === undefined) return;
  const kept = skip === undefined ? list : list.filter((u) => u.type !== skip);
  if (kept.length > 0) typed.unknown = kept;
}

/** A plain object of decoded or to-be-encoded values. */
export type Obj = Record<string, unknown>;

const camelCache = new Map<string, string>();
const kebabCache = new Map<string, string>();

/** 'rtnh-ifindex' -> 'rtnhIfindex'. */
export function camel(key: string): string {
  let c = camelCache.get(key);
  if (c === undefined) {
    c = key.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
    camelCache.set(key, c);
  }
  return c;
}

/** 'rtnhIfindex' -> 'rtnh-ifindex' ('udpZeroCsum6Tx' -> 'udp-zero-csum6-tx'). */
export function kebab(key: string): string {
  let k = kebabCache.get(key);
  if (k === undefined) {
    k = key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);
    kebabCache.set(key, k);
  }
  return k;
}

function isPlain(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** A decoded object with camelCase keys, recursively; undefined values and unknown attributes are left out. */
export function camelize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelize);
  if (!isPlain(v)) return v;
  const out: Obj = {};
  for (const k in v) {
    const x = v[k];
    if (x === undefined || k === '__unknown' || k === '__rest') continue;
    out[camel(k)] = camelize(x);
  }
  return out;
}

/** An input object with spec (kebab-case) keys, recursively; undefined values are left out. */
export function kebabize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(kebabize);
  if (!isPlain(v)) return v;
  const out: Obj = {};
  for (const k in v) {
    const x = v[k];
    if (x === undefined) continue;
    out[k.startsWith('__') ? k : kebab(k)] = kebabize(x);
  }
  return out;
}

// ---- validation -----------------------------------------------------------

/** Checks that an input is an object. */
export function checkObject(x: unknown, field: string): Obj {
  if (!isPlain(x)) throw new TypeError(`${field} must be an object, got ${describe(x)}`);
  return x;
}

/** One of a list of names. */
export function checkName<T extends string>(x: unknown, field: string, names: readonly T[]): T {
  if (typeof x !== 'string' || !(names as readonly string[]).includes(x)) {
    throw new RangeError(`${field} must be one of ${names.join(', ')}, got ${describe(x)}`);
  }
  return x as T;
}

/** A 6-byte MAC address in text form (as ip prints it). */
export function checkMac(x: unknown, field: string, length = 6): string {
  const text = checkString(x, field);
  const bytes = parseMac(text, field);
  if (bytes.length !== length) throw new RangeError(`${field}: '${text}' has ${bytes.length} bytes, expected ${length}`);
  return formatMac(bytes);
}

/** Address family names the clients use. */
export type Family = 'inet' | 'inet6';

/** Family number of a family name, or of an address's text form. */
export function familyNumber(f: Family | undefined): number {
  return f === 'inet' ? AF_INET : f === 'inet6' ? AF_INET6 : AF_UNSPEC;
}

/** Family name of an address family number. */
export function familyName(n: number): Family | number {
  return n === AF_INET ? 'inet' : n === AF_INET6 ? 'inet6' : n;
}

/** Checks a family option. */
export function checkFamily(x: unknown, field = 'family'): Family {
  return checkName(x, field, ['inet', 'inet6'] as const);
}

/** An IPv4 or IPv6 address in text form; returns the normalised text and its family. */
export function checkAddress(x: unknown, field: string, family?: Family): { address: string; family: Family } {
  const text = checkString(x, field);
  const v6 = text.includes(':');
  if (family !== undefined && (family === 'inet6') !== v6) {
    throw new TypeError(`${field}: '${text}' is not an ${family === 'inet' ? 'IPv4' : 'IPv6'} address`);
  }
  if (v6) {
    parseIPv6(text, field);
    return { address: text, family: 'inet6' };
  }
  parseIPv4(text, field);
  return { address: text, family: 'inet' };
}

/** A prefix: 'a.b.c.d/len', 'x::/len', or an address (full length); 'default' is the zero-length prefix of `family`. */
export interface Prefix {
  address: string;
  length: number;
  family: Family;
}

/** Parses a prefix in text form, naming `field` when it is not one. */
export function checkPrefix(x: unknown, field: string, family?: Family): Prefix {
  const text = checkString(x, field);
  if (text === 'default' || text === 'all' || text === 'any') {
    const f = family ?? 'inet';
    return { address: f === 'inet' ? '0.0.0.0' : '::', length: 0, family: f };
  }
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const { family: f } = checkAddress(addr, field, family);
  const max = f === 'inet' ? 32 : 128;
  let length = max;
  if (slash >= 0) {
    const len = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(len)) throw new TypeError(`${field}: '${text}' is not a prefix (address/length)`);
    length = Number(len);
    if (length > max) throw new RangeError(`${field}: prefix length ${length} is out of range 0..${max}`);
  }
  return { address: addr, length, family: f };
}

/** Prefix text as ip prints it: 'default' for a zero-length prefix, else 'addr/len' ('addr' for a full-length one when `short`). */
export function formatPrefix(address: string | undefined, length: number, family: number, short = true): string {
  if (length === 0 && (address === undefined || address === '0.0.0.0' || address === '::')) return 'default';
  const full = family === AF_INET6 ? 128 : 32;
  if (address === undefined) return `?/${length}`;
  return short && length === full ? address : `${address}/${length}`;
}

/** Names of a small numeric table (rt_protos, rt_scopes ...), both ways. */
export class NameTable {
  private readonly byNumber: ReadonlyMap<number, string>;
  private readonly byName: ReadonlyMap<string, number>;
  constructor(entries: readonly (readonly [number, string])[]) {
    this.byNumber = new Map(entries);
    this.byName = new Map(entries.map(([n, name]) => [name, n]));
  }
  /** The name of a value, or the value itself. */
  name(n: number): string | number {
    return this.byNumber.get(n) ?? n;
  }
  /** A value from a name or a number in [0, max]. */
  value(x: unknown, field: string, max = 255): number {
    if (typeof x === 'string') {
      const v = this.byName.get(x);
      if (v !== undefined) return v;
      if (/^\d+$/.test(x)) return checkInteger(Number(x), field, 0, max);
      throw new RangeError(`${field}: '${x}' is not one of ${[...this.byName.keys()].join(', ')} or a number`);
    }
    return checkInteger(x, field, 0, max);
  }
}

/** Routing protocols (RTPROT_*), by the names ip knows. */
export const PROTOCOLS = new NameTable(RTPROT_NAMES);

/** Route scopes (RT_SCOPE_*). */
export const SCOPES = new NameTable(RT_SCOPE_NAMES);

/** Reserved routing tables (RT_TABLE_*). */
export const TABLES = new NameTable(RT_TABLE_NAMES);

/** A routing table id from a name or number. */
export function checkTable(x: unknown, field = 'table'): number {
  return TABLES.value(x, field, 0xffffffff);
}

/** Deep equality of decoded values (plain objects, arrays, bytes, primitives). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Obj;
  const bo = b as Obj;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => deepEqual(ao[k], bo[k]));
}
