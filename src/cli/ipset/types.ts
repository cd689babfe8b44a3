// What ipset (7.17) knows of each set type on the user side: which create and
// element options it takes, in the order `ipset list` / `save` print them
// (lib/ipset_<type>.c, the revision the kernel here has), how an element is
// written on the command line (lib/parse.c) and printed (lib/print.c). The
// kernel side of these (attribute numbers, flags) comes from the spec through
// src/families/netfilter/ipset.ts.
import { readFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIPv6 } from 'node:net';
import type { IpsetEntry, IpsetEntryInput, IpsetHeader } from '../../families/netfilter/ipset.js';

/** A failure ipset reports: the text after "ipset v7.17: ", and its exit status class. */
export class IpsetCliError extends Error {
  constructor(
    message: string,
    /** IPSET_PARAMETER_PROBLEM (2, adds the "Try `ipset help'" line) or IPSET_OTHER_PROBLEM (1). */
    readonly status: 1 | 2,
    /** A kernel or syntax ("session") error: restore prefixes it with the line number. */
    readonly session = status === 1,
  ) {
    super(message);
  }
}

/** A syntax error of an argument (ipset's syntax_err(): status 1). */
export function syntax(text: string): IpsetCliError {
  return new IpsetCliError(`Syntax error: ${text}`, 1);
}

/** An option of a create or element command, as ipset's keyword table (lib/args.c) has it. */
export interface Keyword {
  /** Its name on the command line and in listings. */
  name: string;
  /** Takes a value (else a bare flag). */
  arg: boolean;
  /** Printed in listings (before/after and the ignored ones are not). */
  print: boolean;
}

const kw = (name: string, arg = true, print = true): Keyword => ({ name, arg, print });

/** Create options in ipset's order for one type. */
const HASH_COMMON = [kw('family'), kw('-4', false, false), kw('-6', false, false), kw('hashsize'), kw('maxelem')];
const EXT = [kw('timeout'), kw('counters', false), kw('comment', false), kw('forceadd', false), kw('skbinfo', false), kw('bucketsize'), kw('initval')];
const IGNORED = [kw('probes', true, false), kw('resize', true, false)];
const ADT_EXT = [kw('packets'), kw('bytes'), kw('comment'), kw('skbmark'), kw('skbprio'), kw('skbqueue')];

/** One set type as ipset's user side describes it. */
export interface TypeInfo {
  /** Type name. */
  name: string;
  /** Parts of an element (ip; ip,port; ip,port,ip). */
  dimension: 1 | 2 | 3;
  /** Family not printed (bitmap:port and list:set are family neutral, bitmap:ip IPv4 only). */
  neutral: boolean;
  /** Create options, in listing order. */
  create: readonly Keyword[];
  /** Add options, in listing order. */
  add: readonly Keyword[];
  /** Del options. */
  del: readonly Keyword[];
  /** Test options. */
  test: readonly Keyword[];
  /** Options that must be given to create. */
  mandatory: readonly string[];
  /** Ranges an element may have per command (the `full` flags of ipset's type: IP_TO implies CIDR). */
  ranges: { readonly add: readonly Range[]; readonly del: readonly Range[]; readonly test: readonly Range[] };
}

/** A range an element can be written as: FROM-TO addresses, IP/CIDR, FROM-TO ports. */
export type Range = 'ip-to' | 'cidr' | 'port-to';

/** The types nlkit ipset knows, at the revisions this kernel has. */
export const TYPES: ReadonlyMap<string, TypeInfo> = new Map<string, TypeInfo>([
  [
    'hash:ip',
    {
      name: 'hash:ip',
      dimension: 1,
      neutral: false,
      create: [...HASH_COMMON, kw('netmask'), kw('bitmask'), ...EXT, ...IGNORED, kw('gc', true, false)],
      add: [kw('timeout'), ...ADT_EXT],
      del: [],
      test: [],
      mandatory: [],
      ranges: { add: ['ip-to', 'cidr'], del: ['ip-to', 'cidr'], test: ['ip-to', 'cidr'] },
    },
  ],
  [
    'hash:net',
    {
      name: 'hash:net',
      dimension: 1,
      neutral: false,
      create: [...HASH_COMMON, ...EXT, ...IGNORED],
      add: [kw('timeout'), kw('nomatch', false), ...ADT_EXT],
      del: [],
      test: [kw('nomatch', false)],
      mandatory: [],
      ranges: { add: ['ip-to', 'cidr'], del: ['ip-to', 'cidr'], test: ['cidr'] },
    },
  ],
  [
    'hash:ip,port',
    {
      name: 'hash:ip,port',
      dimension: 2,
      neutral: false,
      create: [...HASH_COMMON, ...EXT, kw('netmask'), kw('bitmask'), ...IGNORED],
      add: [kw('timeout'), ...ADT_EXT],
      del: [],
      test: [],
      mandatory: [],
      ranges: { add: ['ip-to', 'cidr', 'port-to'], del: ['ip-to', 'cidr', 'port-to'], test: [] },
    },
  ],
  [
    'hash:net,iface',
    {
      name: 'hash:net,iface',
      dimension: 2,
      neutral: false,
      create: [...HASH_COMMON, ...EXT],
      add: [kw('timeout'), kw('nomatch', false), kw('wildcard', false), ...ADT_EXT],
      del: [],
      test: [kw('nomatch', false)],
      mandatory: [],
      ranges: { add: ['ip-to', 'cidr'], del: ['ip-to', 'cidr'], test: ['cidr'] },
    },
  ],
  [
    'hash:net,port',
    {
      name: 'hash:net,port',
      dimension: 2,
      neutral: false,
      create: [...HASH_COMMON, ...EXT],
      add: [kw('timeout'), kw('nomatch', false), ...ADT_EXT],
      del: [],
      test: [kw('nomatch', false)],
      mandatory: [],
      ranges: { add: ['ip-to', 'cidr', 'port-to'], del: ['ip-to', 'cidr', 'port-to'], test: ['cidr'] },
    },
  ],
  [
    'hash:ip,port,ip',
    {
      name: 'hash:ip,port,ip',
      dimension: 3,
      neutral: false,
      create: [...HASH_COMMON, ...EXT, ...IGNORED],
      add: [kw('timeout'), ...ADT_EXT],
      del: [],
      test: [],
      mandatory: [],
      ranges: { add: ['ip-to', 'cidr', 'port-to'], del: ['ip-to', 'cidr', 'port-to'], test: [] },
    },
  ],
  [
    'hash:ip,port,net',
    {
      name: 'hash:ip,port,net',
      dimension: 3,
      neutral: false,
      create: [...HASH_COMMON, ...EXT, ...IGNORED],
      add: [kw('timeout'), kw('nomatch', false), ...ADT_EXT],
      del: [],
      test: [kw('nomatch', false)],
      mandatory: [],
      ranges: { add: ['ip-to', 'cidr', 'port-to'], del: ['ip-to', 'cidr', 'port-to'], test: [] },
    },
  ],
  [
    'bitmap:ip',
    {
      name: 'bitmap:ip',
      dimension: 1,
      neutral: true,
      create: [
        kw('range'),
        kw('netmask'),
        kw('timeout'),
        kw('counters', false),
        kw('comment', false),
        kw('skbinfo', false),
        kw('from', true, false),
        kw('to', true, false),
        kw('network', true, false),
      ],
      add: [kw('timeout'), ...ADT_EXT],
      del: [],
      test: [],
      mandatory: ['range'],
      ranges: { add: ['ip-to', 'cidr'], del: ['ip-to', 'cidr'], test: [] },
    },
  ],
  [
    'bitmap:ip,mac',
    {
      name: 'bitmap:ip,mac',
      dimension: 2,
      neutral: true,
      create: [
        kw('range'),
        kw('timeout'),
        kw('counters', false),
        kw('comment', false),
        kw('skbinfo', false),
        kw('from', true, false),
        kw('to', true, false),
        kw('network', true, false),
      ],
      add: [kw('timeout'), ...ADT_EXT],
      del: [],
      test: [],
      mandatory: ['range'],
      ranges: { add: [], del: [], test: [] },
    },
  ],
  [
    'bitmap:port',
    {
      name: 'bitmap:port',
      dimension: 1,
      neutral: true,
      create: [kw('range'), kw('timeout'), kw('counters', false), kw('comment', false), kw('skbinfo', false), kw('from', true, false), kw('to', true, false)],
      add: [kw('timeout'), ...ADT_EXT],
      del: [],
      test: [],
      mandatory: ['range'],
      ranges: { add: ['port-to'], del: ['port-to'], test: [] },
    },
  ],
  [
    'list:set',
    {
      name: 'list:set',
      dimension: 1,
      neutral: true,
      create: [kw('size'), kw('timeout'), kw('counters', false), kw('comment', false), kw('skbinfo', false)],
      add: [kw('timeout'), kw('before', true, false), kw('after', true, false), ...ADT_EXT],
      del: [kw('before', true, false), kw('after', true, false)],
      test: [kw('before', true, false), kw('after', true, false)],
      mandatory: [],
      ranges: { add: [], del: [], test: [] },
    },
  ],
]);

// ---- numbers ----------------------------------------------------------------

/**
 * strtoull(str, 0) as ipset's string_to_number_ll() uses it: decimal, 0x hex,
 * 0 octal, the whole string; a leading minus negates modulo 2^64 (so "-1" is
 * out of range rather than invalid).
 */
export function number(str: string, min: bigint, max: bigint): bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(str);
  if (!m) throw syntax(`'${str}' is invalid as number`);
  const t = m[2]!;
  let n = t.length > 1 && t[0] === '0' && t[1] !== 'x' && t[1] !== 'X' ? BigInt(`0o${t.slice(1)}`) : BigInt(t);
  if (n > 0xffffffffffffffffn) n = 0xffffffffffffffffn;
  else if (m[1] === '-' && n !== 0n) n = 0x10000000000000000n - n;
  if (n < min || n > max) throw syntax(`'${str}' is out of range ${min}-${max}`);
  return n;
}

/** A number within [min, max] as a JS number. */
export function smallNumber(str: string, min: number, max: number): number {
  return Number(number(str, BigInt(min), BigInt(max)));
}

// ---- /etc/protocols and /etc/services --------------------------------------

interface NameTable {
  byName: Map<string, number>;
  byNumber: Map<number, string>;
}

let protocols: NameTable | undefined;
/** /etc/protocols, as getprotobyname() / getprotobynumber() read it. */
function protocolTable(): NameTable {
  if (protocols) return protocols;
  const t: NameTable = { byName: new Map(), byNumber: new Map() };
  let text = '';
  try {
    text = readFileSync('/etc/protocols', 'utf8');
  } catch {
    text = 'icmp 1 ICMP\ntcp 6 TCP\nudp 17 UDP\nipv6-icmp 58 IPv6-ICMP\nsctp 132 SCTP\nudplite 136 UDPLite\n';
  }
  for (const line of text.split('\n')) {
    const [name, num, ...aliases] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!name || num === undefined || !/^\d+$/.test(num)) continue;
    const n = Number(num);
    if (!t.byNumber.has(n)) t.byNumber.set(n, name);
    for (const a of [name, ...aliases]) if (!t.byName.has(a)) t.byName.set(a, n);
  }
  return (protocols = t);
}

let services: Map<string, number> | undefined;
/** /etc/services, as getservbyname(name, proto) reads it (key "name/proto"). */
function serviceTable(): Map<string, number> {
  if (services) return services;
  const s = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync('/etc/services', 'utf8');
  } catch {
    text = '';
  }
  for (const line of text.split('\n')) {
    const [name, portProto, ...aliases] = line.replace(/#.*/, '').trim().split(/\s+/);
    const m = portProto ? /^(\d+)\/(\w+)$/.exec(portProto) : null;
    if (!name || !m) continue;
    for (const a of [name, ...aliases]) if (!s.has(`${a}/${m[2]}`)) s.set(`${a}/${m[2]}`, Number(m[1]));
  }
  return (services = s);
}

/** The name ipset prints for a protocol number (getprotobynumber()). */
export function protocolName(n: number): string {
  return protocolTable().byNumber.get(n) ?? String(n);
}

// ICMP and ICMPv6 type/code names of ipset's lib/icmp.c and lib/icmpv6.c (first name of a code is the one printed).
const ICMP: readonly [string, number, number][] = [
  ['echo-reply', 0, 0],
  ['pong', 0, 0],
  ['network-unreachable', 3, 0],
  ['host-unreachable', 3, 1],
  ['protocol-unreachable', 3, 2],
  ['port-unreachable', 3, 3],
  ['fragmentation-needed', 3, 4],
  ['source-route-failed', 3, 5],
  ['network-unknown', 3, 6],
  ['host-unknown', 3, 7],
  ['network-prohibited', 3, 9],
  ['host-prohibited', 3, 10],
  ['TOS-network-unreachable', 3, 11],
  ['TOS-host-unreachable', 3, 12],
  ['communication-prohibited', 3, 13],
  ['host-precedence-violation', 3, 14],
  ['precedence-cutoff', 3, 15],
  ['source-quench', 4, 0],
  ['network-redirect', 5, 0],
  ['host-redirect', 5, 1],
  ['TOS-network-redirect', 5, 2],
  ['TOS-host-redirect', 5, 3],
  ['echo-request', 8, 0],
  ['ping', 8, 0],
  ['router-advertisement', 9, 0],
  ['router-solicitation', 10, 0],
  ['ttl-zero-during-transit', 11, 0],
  ['ttl-zero-during-reassembly', 11, 1],
  ['ip-header-bad', 12, 0],
  ['required-option-missing', 12, 1],
  ['timestamp-request', 13, 0],
  ['timestamp-reply', 14, 0],
  ['address-mask-request', 17, 0],
  ['address-mask-reply', 18, 0],
];
const ICMPV6: readonly [string, number, number][] = [
  ['no-route', 1, 0],
  ['communication-prohibited', 1, 1],
  ['address-unreachable', 1, 3],
  ['port-unreachable', 1, 4],
  ['packet-too-big', 2, 0],
  ['ttl-zero-during-transit', 3, 0],
  ['ttl-zero-during-reassembly', 3, 1],
  ['bad-header', 4, 0],
  ['unknown-header-type', 4, 1],
  ['unknown-option', 4, 2],
  ['echo-request', 128, 0],
  ['ping', 128, 0],
  ['echo-reply', 129, 0],
  ['pong', 129, 0],
  ['router-solicitation', 133, 0],
  ['router-advertisement', 134, 0],
  ['neighbour-solicitation', 135, 0],
  ['neigbour-solicitation', 135, 0],
  ['neighbour-advertisement', 136, 0],
  ['neigbour-advertisement', 136, 0],
  ['redirect', 137, 0],
];

function icmpName(table: readonly [string, number, number][], typecode: number): string {
  const hit = table.find(([, t, c]) => ((t << 8) | c) === typecode);
  return hit ? hit[0] : `${typecode >> 8}/${typecode & 0xff}`;
}

// name_to_icmp(): the first name of the table the text is a prefix of, case aside; else TYPE/CODE.
function parseIcmp(table: readonly [string, number, number][], str: string, family: string): number {
  const lower = str.toLowerCase();
  const hit = table.find(([n]) => n.toLowerCase().startsWith(lower));
  if (hit) return (hit[1] << 8) | hit[2];
  const slash = separator(str, '/');
  if (slash < 0) throw new IpsetCliError(`Cannot parse ${str} as an ${family} type/code.`, 1);
  return (smallNumber(str.slice(0, slash), 0, 255) << 8) | smallNumber(str.slice(slash + 1), 0, 255);
}

/** ipset_strchr(): where a separator is, unless the text starts or ends with it (-1). */
function separator(str: string, ch: string): number {
  const at = str.indexOf(ch);
  return at >= 0 && str[0] !== ch && str[str.length - 1] !== ch ? at : -1;
}

// ---- elements ---------------------------------------------------------------

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_SCTP = 132;
const IPPROTO_UDPLITE = 136;

/** The numeric IPv4 forms getaddrinfo() takes (a, a.b, a.b.c, a.b.c.d; decimal or 0 octal parts; glibc refuses hex ones). */
export function parseIpv4Literal(str: string): string | undefined {
  const parts = str.split('.');
  if (parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    const m = /^(0[0-7]*|[1-9][0-9]*)$/.exec(p);
    if (!m) return undefined;
    const n = p.length > 1 ? parseInt(p, p[0] === '0' ? 8 : 10) : Number(p);
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return undefined;
  const bytes = [...nums];
  for (let i = 3 - nums.length; i >= 0; i--) bytes.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return bytes.join('.');
}

/** How host names in elements are looked up (getaddrinfo(), as ipset does, by default), and where a warning goes. */
export interface ElementContext {
  /** The addresses of a host name in a family, in the resolver's order; none when it has none. */
  lookup?(name: string, family: 'inet' | 'inet6'): Promise<string[]>;
  /** A warning line for standard error (ipset's print_warn()). */
  warn?(text: string): void;
}

async function getaddrinfo(name: string, family: 'inet' | 'inet6'): Promise<string[]> {
  try {
    // Node answers a literal of the other family as it is: keep only the family asked for, as ipset does.
    const want = family === 'inet' ? 4 : 6;
    return (await lookup(name, { family: want, all: true })).filter((a) => a.family === want).map((a) => a.address);
  } catch {
    return [];
  }
}

/** An address: a numeric one, else a host name resolved in the set's family (get_addrinfo()). */
async function parseAddress(str: string, family: 'inet' | 'inet6', ctx: ElementContext): Promise<string> {
  const v = family === 'inet' ? parseIpv4Literal(str) : isIPv6(str) ? str : undefined;
  if (v !== undefined) return v;
  const found = await (ctx.lookup ?? getaddrinfo)(str, family);
  if (found.length === 0) throw syntax(`cannot parse ${str}: resolving to ${family === 'inet' ? 'IPv4' : 'IPv6'} address failed`);
  if (found.length > 1) ctx.warn?.(`Warning: ${str} resolves to multiple addresses: using only the first one returned by the resolver.\n`);
  return found[0]!;
}

/** An address part as ipset_parse_ip4_single6() / ipset_parse_ip4_net6() and parse_ipaddr() read it. */
async function parseIpPart(str: string, family: 'inet' | 'inet6', kind: 'single' | 'net' | 'plain', into: IpsetEntryInput, ctx: ElementContext, second = false): Promise<void> {
  const max = family === 'inet' ? 32 : 128;
  if (kind === 'plain') {
    // ipset_parse_single_ip(), either family.
    const slash = separator(str, '/');
    if (separator(str, '-') >= 0 || (slash >= 0 && str.slice(slash) !== `/${max}`)) throw syntax(`plain IP address must be supplied: ${str}`);
  }
  if (family === 'inet6') {
    const slash = separator(str, '/');
    if (kind === 'single' && (separator(str, '-') >= 0 || (slash >= 0 && str.slice(slash) !== '/128'))) throw syntax(`plain IP address must be supplied: ${str}`);
    if (kind === 'net' && separator(str, '-') >= 0) throw syntax(`IP address or IP/cidr must be specified: ${str}`);
  }
  const slash = separator(str, '/');
  if (slash >= 0) {
    const c = smallNumber(str.slice(slash + 1), 0, 255);
    if (c > max) throw syntax(`'${str.slice(slash + 1)}' is out of range 0-${max}`);
    if (second) {
      into.cidr2 = c;
      into.ip2 = await parseAddress(str.slice(0, slash), family, ctx);
    } else {
      into.cidr = c;
      into.ip = await parseAddress(str.slice(0, slash), family, ctx);
    }
    return;
  }
  const dash = separator(str, '-');
  if (dash >= 0) {
    const from = await parseAddress(str.slice(0, dash), family, ctx);
    const to = await parseAddress(str.slice(dash + 1), family, ctx);
    if (second) Object.assign(into, { ip2: from, ip2To: to });
    else Object.assign(into, { ip: from, ipTo: to });
    return;
  }
  if (second) into.ip2 = await parseAddress(str, family, ctx);
  else into.ip = await parseAddress(str, family, ctx);
}

/** parse_ether(): a MAC address of six hex pairs. */
function parseEther(str: string): string {
  if (!/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(str)) throw syntax(`cannot parse '${str}' as ethernet address`);
  return str
    .split(':')
    .map((b) => b.padStart(2, '0'))
    .join(':');
}

/**
 * A port number or service name, as ipset_parse_port(): a number first; if it
 * is none, a service of the protocol. ipset's session keeps the message of
 * every failed attempt, so a failure prints them all, one per line.
 */
function parsePort(str: string, proto: string): number {
  const lines: string[] = [];
  try {
    return smallNumber(str, 0, 65535);
  } catch (err) {
    lines.push((err as Error).message);
  }
  let protoName = proto;
  if (/^\d+$/.test(proto)) protoName = protocolTable().byNumber.get(Number(proto)) ?? '';
  else lines.push(`Syntax error: '${proto}' is invalid as number`);
  const p = protoName === '' ? undefined : serviceTable().get(`${str}/${protoName}`);
  if (p !== undefined) return p;
  lines.push(`cannot parse '${str}' as a ${proto} port`);
  throw new IpsetCliError(lines.join('\n'), 1);
}

/**
 * ipset's parser reports an ICMP protocol of the other family but returns
 * success: add then fails on the missing setname, del and test on their
 * mandatory-flags check, which is what reaches the user.
 */
function familyMismatch(label: string, family: string, command: string): IpsetCliError {
  if (command !== 'add') return new IpsetCliError("There are missing mandatory flags but can't check them. It's a bug, please report the problem.", 1);
  return new IpsetCliError(`Syntax error: Protocol ${label} can be used with family ${family} only\nInvalid add command: missing setname`, 1);
}

/** [proto:]port[-port], as ipset_parse_proto_port(). */
function parseProtoPort(str: string, family: 'inet' | 'inet6', into: IpsetEntryInput, command: string): void {
  const colon = separator(str, ':');
  let protoName = 'tcp';
  let rest = str;
  let proto = IPPROTO_TCP;
  if (colon >= 0) {
    protoName = str.slice(0, colon);
    rest = str.slice(colon + 1);
    if (/^\d+$/.test(protoName)) proto = smallNumber(protoName, 0, 255);
    else {
      const n = protocolTable().byName.get(protoName.toLowerCase() === 'icmpv6' ? 'ipv6-icmp' : protoName);
      if (n === undefined) throw syntax(`cannot parse '${protoName}' as a protocol`);
      if (n === 0) throw syntax(`Unsupported protocol '${protoName}'`);
      proto = n;
    }
    into.proto = proto;
    switch (proto) {
      case IPPROTO_TCP:
      case IPPROTO_SCTP:
      case IPPROTO_UDP:
      case IPPROTO_UDPLITE:
        break;
      case IPPROTO_ICMP:
        // ipset goes on after this one (the parser returns success) and fails again further on.
        if (family !== 'inet') throw familyMismatch('ICMP', 'inet', command);
        into.port = parseIcmp(ICMP, rest, 'ICMP');
        return;
      case IPPROTO_ICMPV6:
        if (family !== 'inet6') throw familyMismatch('ICMPv6', 'inet6', command);
        into.port = parseIcmp(ICMPV6, rest, 'ICMPv6');
        return;
      default:
        if (rest !== '0') throw syntax(`Protocol ${protoName} can be used with pseudo port value 0 only.`);
        into.port = 0;
        return;
    }
  } else into.proto = proto;
  const dash = separator(rest, '-');
  if (dash >= 0) {
    into.port = parsePort(rest.slice(0, dash), protoName);
    into.portTo = parsePort(rest.slice(dash + 1), protoName);
  } else into.port = parsePort(rest, protoName);
}

/** Parses an element of a set of this type and family (ipset_parse_elem()); host names are resolved as ipset resolves them. */
export async function parseElement(type: TypeInfo, family: IpsetHeader['family'], str: string, command = 'add', ctx: ElementContext = {}): Promise<IpsetEntryInput> {
  const fam = family === 'inet6' ? 'inet6' : 'inet';
  const comma = separator(str, ',');
  if (type.dimension === 1 && comma >= 0) throw syntax(`Elem separator in ${str}, but settype ${type.name} supports none.`);
  if (type.dimension > 1 && comma < 0 && type.name !== 'bitmap:ip,mac') throw syntax(`Second element is missing from ${str}.`);
  const first = comma >= 0 ? str.slice(0, comma) : str;
  let second = comma >= 0 ? str.slice(comma + 1) : '';
  let third = '';
  const comma2 = separator(second, ',');
  if (type.dimension === 3) {
    if (comma2 < 0) throw syntax(`Third element is missing from ${str}.`);
    third = second.slice(comma2 + 1);
    second = second.slice(0, comma2);
    if (separator(third, ',') >= 0) throw syntax(`Three elem separators in ${str}, but settype ${type.name} supports two.`);
  } else if (comma2 >= 0) throw syntax(`Two elem separators in ${str}, but settype ${type.name} supports one.`);
  const e: IpsetEntryInput = {};
  switch (type.name) {
    case 'hash:ip':
      await parseIpPart(first, fam, 'single', e, ctx);
      break;
    case 'hash:net':
      await parseIpPart(first, fam, 'net', e, ctx);
      break;
    case 'hash:ip,port':
      await parseIpPart(first, fam, 'single', e, ctx);
      parseProtoPort(second, fam, e, command);
      break;
    case 'hash:net,iface': {
      await parseIpPart(first, fam, 'net', e, ctx);
      let iface = second;
      if (iface.startsWith('physdev:')) {
        e.physdev = true;
        iface = iface.slice('physdev:'.length);
      }
      if (Buffer.byteLength(iface) > 15) throw syntax(`interface name '${iface}' is longer than 15 characters`);
      e.iface = iface;
      break;
    }
    case 'hash:net,port':
      await parseIpPart(first, fam, 'net', e, ctx);
      parseProtoPort(second, fam, e, command);
      break;
    case 'hash:ip,port,ip':
      await parseIpPart(first, fam, 'single', e, ctx);
      parseProtoPort(second, fam, e, command);
      await parseIpPart(third, fam, 'plain', e, ctx, true);
      break;
    case 'hash:ip,port,net':
      await parseIpPart(first, fam, 'single', e, ctx);
      parseProtoPort(second, fam, e, command);
      await parseIpPart(third, fam, 'net', e, ctx, true);
      break;
    case 'bitmap:ip':
      await parseIpPart(first, 'inet', 'single', e, ctx);
      break;
    case 'bitmap:ip,mac':
      await parseIpPart(first, 'inet', 'plain', e, ctx);
      if (comma >= 0) e.ether = parseEther(second);
      break;
    case 'bitmap:port': {
      const p: IpsetEntryInput = {};
      parseProtoPort(first, 'inet', p, command);
      if (p.proto !== IPPROTO_TCP && p.proto !== IPPROTO_UDP) throw syntax('Only protocols TCP and UDP are valid');
      e.port = p.port!;
      if (p.portTo !== undefined) e.portTo = p.portTo;
      break;
    }
    case 'list:set':
      if (Buffer.byteLength(first) > 31) throw syntax(`setname '${first}' is longer than 31 characters`);
      e.name = first;
      break;
  }
  return e;
}

// ---- printing ---------------------------------------------------------------

function ipText(ip: string | undefined, cidr: number | undefined, family: IpsetHeader['family']): string {
  const full = family === 'inet6' ? 128 : 32;
  return `${ip ?? ''}${cidr !== undefined && cidr !== full ? `/${cidr}` : ''}`;
}

function protoPortText(e: Pick<IpsetEntry, 'port' | 'portTo' | 'proto'>): string {
  if (e.proto === undefined) return String(e.port ?? 0);
  const name = protocolName(e.proto);
  if (e.proto === IPPROTO_ICMP) return `${name}:${icmpName(ICMP, e.port ?? 0)}`;
  if (e.proto === IPPROTO_ICMPV6) return `${name}:${icmpName(ICMPV6, e.port ?? 0)}`;
  return `${name}:${e.port ?? 0}${e.portTo !== undefined ? `-${e.portTo}` : ''}`;
}

/** An element as ipset prints it (ipset_print_elem()), without its options. */
export function formatElement(
  type: string,
  family: IpsetHeader['family'],
  e: Pick<IpsetEntry, 'ip' | 'cidr' | 'ipTo' | 'port' | 'portTo' | 'proto' | 'iface' | 'physdev' | 'name' | 'ip2' | 'cidr2' | 'ether'> & { before?: string; after?: string },
): string {
  switch (type) {
    case 'hash:ip':
    case 'hash:net':
      return `${ipText(e.ip, e.cidr, family)}${e.ipTo !== undefined ? `-${e.ipTo}` : ''}`;
    case 'hash:ip,port':
      return `${ipText(e.ip, e.cidr, family)},${protoPortText(e)}`;
    case 'hash:net,iface':
      return `${ipText(e.ip, e.cidr, family)},${e.physdev ? 'physdev:' : ''}${e.iface ?? ''}`;
    case 'hash:net,port':
      return `${ipText(e.ip, e.cidr, family)},${protoPortText(e)}`;
    case 'hash:ip,port,ip':
    case 'hash:ip,port,net':
      return `${ipText(e.ip, e.cidr, family)},${protoPortText(e)},${ipText(e.ip2, e.cidr2, family)}`;
    case 'bitmap:ip':
      return `${ipText(e.ip, e.cidr, 'inet')}${e.ipTo !== undefined ? `-${e.ipTo}` : ''}`;
    case 'bitmap:ip,mac':
      // ipset_print_ether() prints upper case.
      return `${e.ip ?? ''}${e.ether !== undefined ? `,${e.ether.toUpperCase()}` : ''}`;
    case 'bitmap:port':
      return `${e.port ?? 0}${e.portTo !== undefined ? `-${e.portTo}` : ''}`;
    case 'list:set':
      // ipset_print_name() looks for IPSET_FLAG_BEFORE among the command flags, where
      // it never is (it goes in the CADT flags): ipset says "after" either way.
      return `${e.name ?? ''}${e.before !== undefined || e.after !== undefined ? ` after ${e.before ?? e.after}` : ''}`;
    default:
      return e.ip ?? e.name ?? String(e.port ?? '');
  }
}

function hex(n: number): string {
  return n.toString(16);
}

/** An option as a listing prints it: its name, and its value unless it is a bare flag. */
export type ListedOption = readonly [name: string, value?: string];

/** An element's options in ipset's order for its type (list_adt()). */
export function entryOptionList(type: TypeInfo | undefined, e: IpsetEntry): ListedOption[] {
  const out: ListedOption[] = [];
  for (const k of type?.add ?? []) {
    if (!k.print) continue;
    switch (k.name) {
      case 'timeout':
        if (e.timeout !== undefined) out.push(['timeout', String(e.timeout)]);
        break;
      case 'nomatch':
        if (e.nomatch) out.push(['nomatch']);
        break;
      case 'wildcard':
        if (e.wildcard) out.push(['wildcard']);
        break;
      case 'packets':
        if (e.packets !== undefined) out.push(['packets', String(e.packets)]);
        break;
      case 'bytes':
        if (e.bytes !== undefined) out.push(['bytes', String(e.bytes)]);
        break;
      case 'comment':
        if (e.comment !== undefined) out.push(['comment', `"${e.comment}"`]);
        break;
      case 'skbmark':
        if (e.skbmark !== undefined) {
          const mark = Number(e.skbmark >> 32n);
          const mask = Number(e.skbmark & 0xffffffffn);
          out.push(['skbmark', `0x${hex(mark)}${mask === 0xffffffff ? '' : `/0x${hex(mask)}`}`]);
        }
        break;
      case 'skbprio':
        if (e.skbprio !== undefined) out.push(['skbprio', `${hex(e.skbprio >>> 16)}:${hex(e.skbprio & 0xffff)}`]);
        break;
      case 'skbqueue':
        if (e.skbqueue !== undefined) out.push(['skbqueue', String(e.skbqueue)]);
        break;
    }
  }
  return out;
}

/** A header's options in ipset's order for its type (list_create()). */
export function headerOptionList(type: TypeInfo | undefined, h: IpsetHeader): ListedOption[] {
  const out: ListedOption[] = [];
  for (const k of type?.create ?? []) {
    if (!k.print) continue;
    switch (k.name) {
      case 'family':
        if (!type?.neutral) out.push(['family', typeof h.family === 'number' ? String(h.family) : h.family === 'unspec' ? 'any' : h.family]);
        break;
      case 'hashsize':
      case 'maxelem':
      case 'netmask':
      case 'timeout':
      case 'bucketsize':
      case 'size': {
        const v = h[k.name];
        if (v !== undefined) out.push([k.name, String(v)]);
        break;
      }
      case 'bitmask':
        if (h.bitmask !== undefined) out.push(['bitmask', h.bitmask]);
        break;
      case 'counters':
      case 'comment':
      case 'skbinfo':
        if (h[k.name]) out.push([k.name]);
        break;
      case 'forceadd':
        // ipset never shows it: its data.c maps IPSET_FLAG_WITH_FORCEADD of a listed header to no option.
        break;
      case 'initval':
        if (h.initval !== undefined) out.push(['initval', `0x${h.initval.toString(16).padStart(8, '0')}`]);
        break;
      case 'range':
        if (h.ipRange !== undefined) out.push(['range', `${h.ipRange.from}-${h.ipRange.to ?? h.ipRange.from}`]);
        else if (h.range !== undefined) out.push(['range', `${h.range.from}-${h.range.to}`]);
        break;
    }
  }
  return out;
}

/** Options as plain and save listings write them: " name value" or " name". */
export function plainOptions(options: readonly ListedOption[]): string {
  return options.map(([n, v]) => (v === undefined ? ` ${n}` : ` ${n} ${v}`)).join('');
}

/** Options as XML listings write them: "<name>value</name>" or "<name/>". */
export function xmlOptions(options: readonly ListedOption[]): string {
  return options.map(([n, v]) => (v === undefined ? `<${n}/>` : `<${n}>${v}</${n}>`)).join('');
}

/** An element's options as `ipset list` prints them. */
export function formatEntryOptions(type: TypeInfo | undefined, e: IpsetEntry): string {
  return plainOptions(entryOptionList(type, e));
}

/** A header's options as `ipset list` prints them. */
export function formatHeaderOptions(type: TypeInfo | undefined, h: IpsetHeader): string {
  return plainOptions(headerOptionList(type, h));
}

const SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);
const HEX = /[0-9a-fA-F]/;

/** strtol(s + at, &end, 16): the value and where it stopped (`at` itself when no digits). */
function strtol16(s: string, at: number): [number, number] {
  let i = at;
  while (i < s.length && SPACE.has(s[i]!)) i++;
  let sign = 1;
  if (s[i] === '+' || s[i] === '-') {
    if (s[i] === '-') sign = -1;
    i++;
  }
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && HEX.test(s[i + 2] ?? '')) i += 2;
  const from = i;
  let n = 0;
  while (i < s.length && HEX.test(s[i]!)) n = n * 16 + parseInt(s[i++]!, 16);
  return i === from ? [0, at] : [sign * n, i];
}

function cspn(s: string, at: number): number {
  let i = at;
  while (i < s.length && s[i] !== ':' && s[i] !== ',') i++;
  return i - at;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** ipset's order for `-sorted` (bystrcmp() of lib/session.c), over listed element lines without their prefix. */
export function compareElements(a: string, b: string): number {
  let x1 = 0;
  let x2 = 0;
  let neg = 1;
  while (x1 < a.length && x2 < b.length) {
    const [n1, e1] = strtol16(a, x1);
    const [n2, e2] = strtol16(b, x2);
    if (e1 === x1 || e2 === x2) {
      // No leading numbers: proto:port, iface, setname.
      const c1 = cspn(a, x1);
      const c2 = cspn(b, x2);
      if (c1 !== 0 || c2 !== 0) {
        if (c1 === c2) {
          const c = cmp(a.slice(x1, x1 + c1), b.slice(x2, x2 + c1));
          if (c === 0) {
            x1 += c1 + 1;
            x2 += c1 + 1;
            neg = 1;
            continue;
          }
          return c;
        }
        return c1 < c2 ? -1 : 1;
      }
      return cmp(a.slice(x1), b.slice(x2));
    }
    if (n1 !== n2) return neg * (n1 - n2);
    const s1 = a[e1];
    const s2 = b[e2];
    if (s1 === '/' || s2 === '/') {
      if (s1 === s2) neg = s1 === '/' ? -1 : 1;
      else if (s1 === '/') return 1;
      else return -1;
    }
    x1 = e1 + 1;
    x2 = e2 + 1;
    // IPv6 '::'.
    if (a[x1] === ':' || b[x2] === ':') {
      if (a[x1] === b[x2]) {
        x1++;
        x2++;
      } else if (a[x1] === ':') return -1;
      else return 1;
    }
  }
  return x1 < a.length ? 1 : x2 < b.length ? -1 : 0;
}
