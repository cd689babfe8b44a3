// Argument reading in the manner of iproute2's utils.c: keywords matched by
// prefix (matches()), NEXT_ARG() that fails with ip's wording, and the
// address / prefix / number parsers ip uses, each failing before anything
// is sent.
import { parseIPv4, parseIPv6, parseMac } from '../../core/address.js';
import { AF_INET, AF_INET6, AF_UNSPEC } from '../../core/constants.js';
import { CommandError, usage } from './context.js';
import { parseNumber } from './names.js';

/** ip's matches(): `arg` is a non-empty prefix of `keyword`. */
export function matches(arg: string, keyword: string): boolean {
  return arg.length > 0 && keyword.startsWith(arg);
}

/** A cursor over the words of a command. */
export class Args {
  private i = 0;
  constructor(private readonly words: readonly string[]) {}
  get done(): boolean {
    return this.i >= this.words.length;
  }
  peek(): string | undefined {
    return this.words[this.i];
  }
  /** The next word; fails like NEXT_ARG() ("Command line is not complete") when there is none. */
  next(): string {
    const w = this.words[this.i];
    if (w === undefined) throw usage('Command line is not complete. Try option "help"');
    this.i++;
    return w;
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

/** An unsigned integer (get_unsigned / get_u32 with base 0). */
export function parseUnsigned(s: string, what: string, max = 0xffffffff): number {
  const n = parseNumber(s.toLowerCase());
  // `what` is a name ("proto": "proto value is invalid") or ip's whole message.
  if (n === undefined || n > max) invarg(what.includes('invalid') ? what : `${what} value is invalid`, s);
  return n;
}

/** An address in text, its family, and its bytes (get_addr). */
export interface InetAddr {
  family: number;
  bytes: Uint8Array;
  /** Prefix length, or -1 when none was given. */
  bitlen: number;
  text: string;
}

/** Parses an IPv4 or IPv6 address (no prefix); fails like get_addr. */
export function parseAddr(s: string, family: number, what = 'address'): InetAddr {
  const fam = s.includes(':') ? AF_INET6 : AF_INET;
  if (family !== AF_UNSPEC && family !== fam && family !== 17 && family !== 7) {
    throw new CommandError(`Error: ${family === AF_INET ? 'inet' : 'inet6'} address is expected rather than "${s}".`, 1);
  }
  try {
    const bytes = fam === AF_INET ? parseIPv4(s) : parseIPv6(s);
    return { family: fam, bytes, bitlen: -1, text: s };
  } catch {
    throw new CommandError(`Error: ${family === AF_INET6 ? 'inet6' : family === AF_INET ? 'inet' : 'any valid'} ${what} is expected rather than "${s}".`, 1);
  }
}

/** Parses PREFIX (ADDR[/LEN]) or "default"/"all"/"any" (get_prefix); bitlen is the full length when none is given. */
export function parsePrefix(s: string, family: number, what = 'prefix'): InetAddr & { any: boolean } {
  if (s === 'default' || s === 'all' || s === 'any') {
    const fam = family === AF_UNSPEC ? AF_INET : family;
    return { family: family === AF_UNSPEC ? AF_UNSPEC : fam, bytes: new Uint8Array(0), bitlen: 0, text: s, any: true };
  }
  const slash = s.indexOf('/');
  const addrText = slash >= 0 ? s.slice(0, slash) : s;
  const fam = addrText.includes(':') ? AF_INET6 : AF_INET;
  // ip's get_prefix() ends the program with exit(1), not invarg()'s 255.
  const bad = (): never => {
    throw new CommandError(`Error: ${family === AF_INET6 ? 'inet6' : family === AF_INET ? 'inet' : 'any valid'} ${what} is expected rather than "${s}".`, 1);
  };
  if (family !== AF_UNSPEC && family !== fam) bad();
  let bytes: Uint8Array;
  try {
    bytes = fam === AF_INET ? parseIPv4(addrText) : parseIPv6(addrText);
  } catch {
    return bad();
  }
  const max = fam === AF_INET ? 32 : 128;
  let bitlen = max;
  if (slash >= 0) {
    const len = s.slice(slash + 1);
    if (!/^[0-9]+$/.test(len) || Number(len) > max) bad();
    bitlen = Number(len);
  }
  return { family: fam, bytes, bitlen, text: s, any: false };
}

/** A link-layer address (ll_addr_a2n): hex bytes separated by ':'. */
export function parseLladdr(s: string): Uint8Array {
  try {
    return parseMac(s, 'lladdr');
  } catch {
    // ll_addr_a2n names the first byte it cannot read, and the command exits 1.
    const bytes = s.split(':');
    const bad = bytes.find((b) => !/^[0-9a-fA-F]{1,2}$/.test(b)) ?? s;
    throw new CommandError(`"${bad}" is invalid lladdr.`, 1);
  }
}

/** on / off (parse_on_off). */
export function parseOnOff(key: string, s: string): boolean {
  if (s === 'on') return true;
  if (s === 'off') return false;
  throw usage(`Error: argument of "${key}" must be "on" or "off", not "${s}"`);
}
