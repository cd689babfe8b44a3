// Argument reading in the manner of iproute2's lib/utils.c: keywords matched
// by prefix (matches()), NEXT_ARG() that fails with ip's wording, the
// invarg() / duparg() / duparg2() / missarg() messages, and the address /
// prefix / number parsers ip uses (get_addr, get_prefix, ll_addr_a2n,
// get_unsigned ...), each failing with ip's message and exit status before
// anything is sent.
import { parseIPv6 } from '../../core/address.js';
import { AF_BRIDGE, AF_INET, AF_INET6, AF_MPLS, AF_PACKET, AF_UNSPEC, IFNAMSIZ } from '../../core/constants.js';
import { CommandError } from '../error.js';
import { usage } from './context.js';
import { protoNumber } from './names.js';
import { getUnsigned, plainDecimal, strtoul } from './numbers.js';

/** ip's matches(): `arg` is a non-empty prefix of `keyword`. */
export function matches(arg: string, keyword: string): boolean {
  return arg.length > 0 && keyword.startsWith(arg);
}

/** inet_addr_match(): the first `bits` bits of `a` and `b` agree (missing bytes count as 0). */
export function addrMatch(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if (((a[byte] ?? 0) & mask) !== ((b[byte] ?? 0) & mask)) return false;
  }
  return true;
}

/** NEXT_ARG()'s failure (incomplete_command()): exit 255. */
export function incompleteCommand(): CommandError {
  return usage('Command line is not complete. Try option "help"');
}

/** A cursor over the words of a command. */
export class Args {
  private i = 0;
  constructor(private readonly words: readonly string[]) {}
  get done(): boolean {
    return this.i >= this.words.length;
  }
  /** How many words are left. */
  get left(): number {
    return this.words.length - this.i;
  }
  peek(): string | undefined {
    return this.words[this.i];
  }
  /** The next word; fails like NEXT_ARG() ("Command line is not complete") when there is none. */
  next(): string {
    const w = this.words[this.i];
    if (w === undefined) throw incompleteCommand();
    this.i++;
    return w;
  }
  /** Steps back one word (PREV_ARG()). */
  back(): void {
    if (this.i > 0) this.i--;
  }
  /** The words not read yet. */
  rest(): string[] {
    const r = this.words.slice(this.i);
    this.i = this.words.length;
    return r;
  }
  /** The value after keyword `key`. */
  value(): string {
    return this.next();
  }
}

/**
 * Fails like invarg(): `Error: argument "VALUE" is wrong: WHAT` and a newline.
 * ip's own messages often end in a newline already (ip then prints an empty line): pass them as ip has them.
 */
export function invarg(what: string, value: string): never {
  throw usage(`Error: argument "${value}" is wrong: ${what}\n`);
}

/** Fails like duparg(). */
export function duparg(key: string, value: string): never {
  throw usage(`Error: duplicate "${key}": "${value}" is the second value.`);
}

/** Fails like duparg2(). */
export function duparg2(key: string, value: string): never {
  throw usage(`Error: either "${key}" is duplicate, or "${value}" is a garbage.`);
}

/** Fails like missarg(). */
export function missarg(key: string): never {
  throw usage(`Error: argument "${key}" is required`);
}

/**
 * An unsigned 32-bit number as get_unsigned() / get_u32() read it (strtoul,
 * base 0), at most `max`; otherwise invarg(`message`, s) with ip's message
 * for that keyword, given whole (e.g. '"metric" value is invalid\n').
 */
export function parseUnsigned(s: string, message: string, max = 0xffffffff): number {
  const n = getUnsigned(s);
  if (n === undefined || n > max) invarg(message, s);
  return n;
}

/** check_ifname(): 1 to 15 bytes, no '/' and no white space (the kernel's dev_valid_name). */
export function validIfname(name: string): boolean {
  return Buffer.byteLength(name) < IFNAMSIZ && validAltIfname(name);
}

/** check_altifname(): not empty, no '/' and no white space, any length. */
export function validAltIfname(name: string): boolean {
  return name.length > 0 && !/[/\t\n\v\f\r ]/.test(name);
}

/** An address in text, its family, and its bytes (an inet_prefix). */
export interface InetAddr {
  family: number;
  bytes: Uint8Array;
  /** Prefix length, or -1 when none was given (an address). */
  bitlen: number;
  text: string;
}

/** A prefix as get_prefix() leaves it. */
export interface InetPrefix extends InetAddr {
  /** "default", "all" or "any". */
  any: boolean;
  /** A "/LEN" was given (or the word was "default"): PREFIXLEN_SPECIFIED. */
  lenGiven: boolean;
}

/** ip's family_name(). */
export function familyName(family: number): string {
  switch (family) {
    case AF_INET:
      return 'inet';
    case AF_INET6:
      return 'inet6';
    case AF_PACKET:
      return 'link';
    case AF_MPLS:
      return 'mpls';
    case AF_BRIDGE:
      return 'bridge';
    default:
      return '???';
  }
}

// family_name_verbose()
const familyVerbose = (family: number): string => (family === AF_UNSPEC ? 'any valid' : familyName(family));

const afByteLen = (family: number): number => (family === AF_INET6 ? 16 : family === AF_INET ? 4 : family === AF_MPLS ? 2 : 0);
/** af_bit_len(): address length in bits of a family (0 when it has none). */
export const afBitLen = (family: number): number => (family === AF_INET6 ? 128 : family === AF_INET ? 32 : family === AF_MPLS ? 20 : 0);

/** get_addr_ipv4(): up to four numbers (strtoul, base 0, each at most 255) separated by dots; "10.1" is 10.1.0.0. */
export function parseIPv4Loose(s: string): Uint8Array | undefined {
  const quad = dottedDecimal(s);
  if (quad) return quad;
  const out = new Uint8Array(4);
  let rest = s;
  for (let i = 0; i < 4; i++) {
    const r = strtoul(rest, 0);
    if (r.value > 255n) return undefined;
    if (r.end === 0) return undefined;
    out[i] = Number(r.value);
    if (r.end === rest.length) return out;
    if (i === 3 || rest[r.end] !== '.') return undefined;
    rest = rest.slice(r.end + 1);
  }
  return out;
}

// Four plain decimal parts of at most 255 (most addresses ip reads), read
// without strtoul(); undefined for anything else, which the loose parse reads.
function dottedDecimal(s: string): Uint8Array | undefined {
  let from = 0;
  let out: Uint8Array | undefined;
  for (let i = 0; i < 4; i++) {
    const dot = i < 3 ? s.indexOf('.', from) : s.length;
    if (dot < 0) return undefined;
    const v = plainDecimal(s, from, dot);
    if (v < 0 || v > 255) return undefined;
    (out ??= new Uint8Array(4))[i] = v;
    from = dot + 1;
  }
  return out;
}

// __get_addr_1(): the address in `s` for `family`, or undefined. bitlen -2 marks default/all/any.
function getAddr1(s: string, family: number): (InetAddr & { lenGiven: boolean }) | undefined {
  if (s === 'default') {
    if (family === AF_MPLS) return undefined;
    return { family, bytes: new Uint8Array(afByteLen(family)), bitlen: -2, text: s, lenGiven: true };
  }
  if (s === 'all' || s === 'any') {
    if (family === AF_MPLS) return undefined;
    return { family, bytes: new Uint8Array(0), bitlen: -2, text: s, lenGiven: false };
  }
  if (family === AF_PACKET) return undefined;
  if (s.includes(':')) {
    if (family !== AF_UNSPEC && family !== AF_INET6) return undefined;
    try {
      return { family: AF_INET6, bytes: parseIPv6(s), bitlen: -1, text: s, lenGiven: false };
    } catch {
      return undefined;
    }
  }
  if (family === AF_MPLS) return undefined;
  if (family !== AF_UNSPEC && family !== AF_INET) return undefined;
  const bytes = parseIPv4Loose(s);
  return bytes ? { family: AF_INET, bytes, bitlen: -1, text: s, lenGiven: false } : undefined;
}

/** Reads an address as get_addr() does, or fails with its message (exit 1). "default", "all" and "any" are addresses too. */
export function parseAddr(s: string, family: number, what = 'address'): InetAddr {
  const a = getAddr1(s, family);
  if (!a) throw new CommandError(`Error: ${familyVerbose(family)} ${what} is expected rather than "${s}".`, 1);
  return { family: a.family, bytes: a.bytes, bitlen: a.bitlen, text: s };
}

/** get_prefix_1(): a prefix, or undefined. */
export function getPrefix1(s: string, family: number): InetPrefix | undefined {
  const slash = s.indexOf('/');
  const a = getAddr1(slash >= 0 ? s.slice(0, slash) : s, family);
  if (!a) return undefined;
  let bitlen = afBitLen(a.family);
  let lenGiven = a.lenGiven;
  if (slash >= 0) {
    if (a.bitlen === -2) return undefined;
    const len = s.slice(slash + 1);
    // get_netmask(): a number, or a dotted netmask.
    let plen = getUnsigned(len);
    if (plen === undefined) {
      const m = getAddr1(len, AF_INET);
      if (m && m.family === AF_INET && m.bitlen !== -2) plen = maskBits(m.bytes);
    }
    if (plen === undefined || plen > bitlen) return undefined;
    lenGiven = true;
    bitlen = plen;
  } else if (a.bitlen === -2) bitlen = 0;
  return { family: a.family, bytes: a.bytes, bitlen, text: s, any: a.bitlen === -2, lenGiven };
}

// mask2bits(): the length of a contiguous netmask, or undefined.
function maskBits(b: Uint8Array): number | undefined {
  const mask = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  const host = ~mask >>> 0;
  if ((host & (host + 1)) >>> 0 !== 0) return undefined;
  let bits = 0;
  for (let m = mask; m; m = (m << 1) >>> 0) bits++;
  return bits;
}

/** Reads PREFIX (ADDR[/LEN]) or "default"/"all"/"any" as get_prefix() does, or fails with its message (exit 1). */
export function parsePrefix(s: string, family: number, what = 'prefix'): InetPrefix {
  if (family === AF_PACKET) throw new CommandError(`Error: "${s}" may be inet prefix, but it is not allowed in this context.`, 1);
  const p = getPrefix1(s, family);
  if (!p) throw new CommandError(`Error: ${familyVerbose(family)} ${what} is expected rather than "${s}".`, 1);
  return p;
}

/**
 * A link-layer address as ll_addr_a2n() reads it: hex bytes separated by
 * ':' (sscanf "%x", so "0x1f" and "1g" pass), or an IPv4 address when there
 * is a dot; failing with its message, exit 1.
 */
export function parseLladdr(s: string, max = 32): Uint8Array {
  if (s.includes('.')) {
    const a = getAddr1(s, AF_INET);
    if (!a || a.bitlen === -2 || a.family !== AF_INET) throw new CommandError(`"${s}" is invalid lladdr.`, 1);
    return a.bytes;
  }
  const out: number[] = [];
  let rest = s;
  for (let i = 0; i < max; i++) {
    const colon = rest.indexOf(':');
    const part = colon >= 0 ? rest.slice(0, colon) : rest;
    // sscanf("%x"): blanks, a sign, an optional 0x, then hex digits; at least one digit.
    const m = /^[\t\n\v\f\r ]*([+-]?)(0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]+)/.exec(part);
    if (!m) throw new CommandError(`"${part}" is invalid lladdr.`, 1);
    let v = BigInt('0x' + m[3]!);
    if (m[1] === '-') v = -v;
    if (v < 0n || v > 255n) throw new CommandError(`"${part}" is invalid lladdr.`, 1);
    out.push(Number(v));
    if (colon < 0) break;
    rest = rest.slice(colon + 1);
  }
  return Uint8Array.from(out);
}

/** `protocol PROTO` of a listing's filter (route and rule show): one protocol to match, or any for "all". */
export function protocolFilter(f: { protocol: number; protocolMask: number }, v: string): void {
  const n = protoNumber(v);
  if (n === undefined && v !== 'all') invarg('invalid "protocol"\n', v);
  f.protocol = n ?? 0;
  f.protocolMask = n === undefined ? 0 : -1;
}

/** on / off (parse_on_off). */
export function parseOnOff(key: string, s: string): boolean {
  if (s === 'on') return true;
  if (s === 'off') return false;
  throw usage(`Error: argument of "${key}" must be "on" or "off", not "${s}"`);
}

/** read_family(): a family name, or AF_UNSPEC. */
export function readFamily(s: string): number {
  if (s === 'inet') return AF_INET;
  if (s === 'inet6') return AF_INET6;
  if (s === 'link') return AF_PACKET;
  if (s === 'mpls') return AF_MPLS;
  if (s === 'bridge') return AF_BRIDGE;
  return AF_UNSPEC;
}
