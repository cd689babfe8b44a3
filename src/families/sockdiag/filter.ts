// Socket filters as ss builds them (iproute2 misc/ssfilter.y and
// ssfilter_bytecompile() in misc/ss.c): port and address conditions joined by
// and / or / not, compiled into the inet_diag_bc_op program the kernel runs
// (INET_DIAG_REQ_BYTECODE, net/ipv4/inet_diag.c inet_diag_bc_run()), and run
// here as well, on every family, as ss does.
import { describe } from '../../core/check.js';
import * as K from '../generated/sock-diag-inet.constants.js';
import { parseAddress, type AddressBytes } from './address.js';

/** Comparison of a port condition (`>` is `not <=`, `<` is `not >=`, `!=` is `not =`, as ss compiles them). */
export type PortOperator = 'eq' | 'ne' | 'ge' | 'le' | 'gt' | 'lt';

/** A condition on sockets, as ss's filter expressions describe them. */
export type SockFilter =
  | {
      /** Local (sport) or remote (dport) port compared with `port`. */
      type: 'sport' | 'dport';
      /** The comparison. */
      op: PortOperator;
      /** The port. */
      port: number;
    }
  | {
      /** Local (src) or remote (dst) address and optional port. */
      type: 'src' | 'dst';
      /** IPv4 or IPv6 address, with an optional /prefix. */
      address?: string;
      /** Port, when it must match too. */
      port?: number;
    }
  | {
      /** Both (and) or either (or) of two conditions. */
      type: 'and' | 'or';
      /** First condition. */
      left: SockFilter;
      /** Second condition. */
      right: SockFilter;
    }
  | {
      /** The opposite of a condition. */
      type: 'not';
      /** The condition. */
      expr: SockFilter;
    }
  | {
      /** Firewall mark: (mark & mask) == value. */
      type: 'mark';
      /** The value. */
      mark: number;
      /** The mask (default all ones). */
      mask?: number;
    };

/** What a filter looks at in a socket. */
export interface FilterSubject {
  /** Local port (for unix sockets ss compares the inode). */
  lport: number;
  /** Remote port (a unix socket's peer inode). */
  rport: number;
  /** Local address. */
  local?: AddressBytes;
  /** Remote address. */
  remote?: AddressBytes;
  /** Firewall mark (0 when unknown). */
  mark?: number;
}

// The kernel's bytecode operation codes, from the spec's inet-diag-bc-code enum.
const BC = {
  jmp: K.SOCK_DIAG_INET_INET_DIAG_BC_CODE_JMP,
  's-ge': K.SOCK_DIAG_INET_INET_DIAG_BC_CODE_S_GE,
  's-le': K.SOCK_DIAG_INET_INET_DIAG_BC_CODE_S_LE,
  'd-ge': K.SOCK_DIAG_INET_INET_DIAG_BC_CODE_D_GE,
  'd-le': K.SOCK_DIAG_INET_INET_DIAG_BC_CODE_D_LE,
  's-cond': K.SOCK_DIAG_INET_INET_DIAG_BC_CODE_S_COND,
  'd-cond': K.SOCK_DIAG_INET_INET_DIAG_BC_CODE_D_COND,
  'mark-cond': K.SOCK_DIAG_INET_INET_DIAG_BC_CODE_MARK_COND,
} as const;

function bcCode(name: keyof typeof BC): number {
  return BC[name];
}

// include/linux/socket.h
const AF_INET = 2;
const AF_INET6 = 10;

interface HostCond {
  family: number;
  prefixLen: number;
  port: number;
  addr: Uint8Array;
}

function hostCond(f: { address?: string; port?: number }, field: string): HostCond {
  const port = f.port === undefined ? -1 : checkPort(f.port, `${field}.port`);
  if (f.address === undefined || f.address === '*') return { family: 0, prefixLen: 0, port, addr: new Uint8Array(16) };
  if (typeof f.address !== 'string') throw new TypeError(`${field}.address: expected an address, got ${describe(f.address)}`);
  const [text, prefix] = f.address.split('/');
  const parsed = parseAddress(text!);
  if (!parsed) throw new RangeError(`${field}.address: ${describe(f.address)} is not an IPv4 or IPv6 address`);
  const max = parsed.v6 ? 128 : 32;
  const prefixLen = prefix === undefined ? max : Number(prefix);
  if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > max) throw new RangeError(`${field}.address: bad prefix length in ${describe(f.address)}`);
  return { family: parsed.v6 ? AF_INET6 : AF_INET, prefixLen, port, addr: parsed.bytes };
}

function checkPort(p: unknown, field: string): number {
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 0xffff) throw new RangeError(`${field}: expected a port 0..65535, got ${describe(p)}`);
  return p;
}

/** Checks a filter's shape; throws a TypeError / RangeError naming the field. */
export function checkFilter(f: unknown, field = 'filter'): SockFilter {
  if (f === null || typeof f !== 'object') throw new TypeError(`${field}: expected a filter object, got ${describe(f)}`);
  const x = f as SockFilter;
  switch (x.type) {
    case 'sport':
    case 'dport':
      if (!['eq', 'ne', 'ge', 'le', 'gt', 'lt'].includes(x.op)) throw new RangeError(`${field}.op: expected eq, ne, ge, le, gt or lt, got ${describe(x.op)}`);
      checkPort(x.port, `${field}.port`);
      return x;
    case 'src':
    case 'dst':
      hostCond(x, field);
      return x;
    case 'and':
    case 'or':
      checkFilter(x.left, `${field}.left`);
      checkFilter(x.right, `${field}.right`);
      return x;
    case 'not':
      checkFilter(x.expr, `${field}.expr`);
      return x;
    case 'mark':
      if (!Number.isInteger(x.mark) || x.mark < 0 || x.mark > 0xffffffff) throw new RangeError(`${field}.mark: expected a u32, got ${describe(x.mark)}`);
      if (x.mask !== undefined && (!Number.isInteger(x.mask) || x.mask < 0 || x.mask > 0xffffffff)) throw new RangeError(`${field}.mask: expected a u32, got ${describe(x.mask)}`);
      return x;
    default:
      throw new RangeError(`${field}.type: expected sport, dport, src, dst, and, or, not or mark, got ${describe((x as { type?: unknown }).type)}`);
  }
}

// ---- bytecode -----------------------------------------------------------------

function op(code: number, yes: number, no: number): number[] {
  return [code, yes, no & 0xff, (no >> 8) & 0xff];
}

function condBytes(code: number, c: HostCond): number[] {
  const alen = c.family === AF_INET6 ? 16 : 4;
  const oplen = 4 + 8 + alen;
  const port = c.port >>> 0;
  return [...op(code, oplen, oplen + 4), c.family, c.prefixLen, 0, 0, port & 0xff, (port >> 8) & 0xff, (port >> 16) & 0xff, port >>> 24, ...c.addr.subarray(0, alen)];
}

// ssfilter_patch(): jumps of the first program to its "reject" end move past the second.
function patch(a: number[], len: number, reloc: number): void {
  let at = 0;
  let left = len;
  while (left > 0) {
    const no = a[at + 2]! | (a[at + 3]! << 8);
    if (no === left + 4) {
      const n = no + reloc;
      a[at + 2] = n & 0xff;
      a[at + 3] = (n >> 8) & 0xff;
    }
    const yes = a[at + 1]!;
    left -= yes;
    at += yes;
  }
}

function compile(f: SockFilter): number[] {
  switch (f.type) {
    case 'sport':
    case 'dport': {
      const s = f.type === 'sport';
      const cond = (): number[] => condBytes(bcCode(s ? 's-cond' : 'd-cond'), { family: 0, prefixLen: 0, port: f.port, addr: new Uint8Array(16) });
      const ge = (): number[] => [...op(bcCode(s ? 's-ge' : 'd-ge'), 8, 12), ...op(0, 0, f.port)];
      const le = (): number[] => [...op(bcCode(s ? 's-le' : 'd-le'), 8, 12), ...op(0, 0, f.port)];
      switch (f.op) {
        case 'eq':
          return cond();
        case 'ne':
          return not(cond());
        case 'ge':
          return ge();
        case 'le':
          return le();
        case 'gt':
          return not(le());
        case 'lt':
          return not(ge());
      }
      break;
    }
    case 'src':
    case 'dst':
      return condBytes(bcCode(f.type === 'src' ? 's-cond' : 'd-cond'), hostCond(f, 'filter'));
    case 'and': {
      const a1 = compile(f.left);
      const a2 = compile(f.right);
      const out = [...a1, ...a2];
      patch(out, a1.length, a2.length);
      return out;
    }
    case 'or': {
      const a1 = compile(f.left);
      const a2 = compile(f.right);
      return [...a1, ...op(bcCode('jmp'), 4, a2.length + 4), ...a2];
    }
    case 'not':
      return not(compile(f.expr));
    case 'mark': {
      const mask = f.mask ?? 0xffffffff;
      const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
      return [...op(bcCode('mark-cond'), 12, 16), ...u32(f.mark >>> 0), ...u32(mask >>> 0)];
    }
  }
  throw new RangeError('filter: unknown condition');
}

function not(a1: number[]): number[] {
  return [...a1, ...op(bcCode('jmp'), 4, 8)];
}

/** Compiles a filter into the INET_DIAG_REQ_BYTECODE program ss would send for it. */
export function compileFilter(filter: SockFilter): Uint8Array {
  checkFilter(filter);
  const out = compile(filter);
  if (out.length > 0xffff) throw new RangeError('filter: the program is too long for inet_diag_bc_op offsets');
  return Uint8Array.from(out);
}

// ---- the same filter run here ---------------------------------------------------

// inet2_addr_match(): a v4-mapped IPv6 address matches an IPv4 prefix.
function addrMatch(a: AddressBytes | undefined, c: HostCond): boolean {
  if (!a) return false;
  let bytes = a.bytes;
  if (c.family === AF_INET && a.v6) {
    const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
    if (mapped) bytes = bytes.subarray(12);
  }
  const bits = c.prefixLen;
  for (let i = 0; i < bits >> 3; i++) if (bytes[i] !== c.addr[i]) return false;
  const rest = bits & 7;
  if (rest) {
    const mask = (0xff << (8 - rest)) & 0xff;
    if (((bytes[bits >> 3] ?? 0) & mask) !== ((c.addr[bits >> 3] ?? 0) & mask)) return false;
  }
  return true;
}

/** Runs a filter on one socket (run_ssfilter() of ss). */
export function matchFilter(f: SockFilter, s: FilterSubject): boolean {
  switch (f.type) {
    case 'sport':
    case 'dport': {
      const p = f.type === 'sport' ? s.lport : s.rport;
      switch (f.op) {
        case 'eq':
          return p === f.port;
        case 'ne':
          return p !== f.port;
        case 'ge':
          return p >= f.port;
        case 'le':
          return p <= f.port;
        case 'gt':
          return p > f.port;
        case 'lt':
          return p < f.port;
      }
      return false;
    }
    case 'src':
    case 'dst': {
      const c = hostCond(f, 'filter');
      const local = f.type === 'src';
      if (c.port !== -1 && c.port !== (local ? s.lport : s.rport)) return false;
      if (c.prefixLen === 0 && c.family === 0) return true;
      return addrMatch(local ? s.local : s.remote, c);
    }
    case 'and':
      return matchFilter(f.left, s) && matchFilter(f.right, s);
    case 'or':
      return matchFilter(f.left, s) || matchFilter(f.right, s);
    case 'not':
      return !matchFilter(f.expr, s);
    case 'mark':
      return ((s.mark ?? 0) & (f.mask ?? 0xffffffff)) >>> 0 === f.mark >>> 0;
  }
  return false;
}
