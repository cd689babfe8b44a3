// `nlkit conntrack`: conntrack-tools' command (src/conntrack.c of
// conntrack-tools 1.4.7) on ConntrackClient. Commands -L -G -D -I -A -U -F
// -E -C -S -V -h and -R FILE, on the conntrack table or (where conntrack
// allows) on `expect`, `dying` and `unconfirmed`; options -s -d -r -q -p -t
// -u -z -e -m -i -f -o -b -w -n -g -j, --orig-zone, --reply-zone,
// --tuple-src/-dst, --mask-src/-dst and
// the protocols' own (--sport, --dport, --reply-port-src, --reply-port-dst,
// --state, --icmp-type ...). Options are parsed the way conntrack's
// getopt_long table does: protocol options exist only after -p, each command
// allows, requires or forbids each option (commands_v_options), and errors
// are conntrack's first lines and exit statuses (2 for a bad command line, 1
// for a failed operation). Output lines are libnetfilter_conntrack's
// (./format.ts); counts go to stderr. Not yet: labels (-l, --label-add,
// --label-del, -o labels), secmark (-c), -o xml, the SCTP, DCCP
// and GRE options beyond ports.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { Protocol } from '../../core/constants.js';
import { NetlinkError } from '../../core/errors.js';
import { isOverrun } from '../../io/subscription.js';
import {
  CONNTRACK_PROTOCOLS,
  ConntrackClient,
  type ConntrackEntry,
  type ConntrackEventType,
  type ConntrackExpectEventType,
  type ConntrackFamily,
  type ConntrackFilter,
  type ConntrackProtocol,
  type ConntrackStatus,
  type ConntrackTcpState,
  type ConntrackTupleInput,
  type ConntrackNatInput,
  conntrackTupleAttrs,
  toConntrackEntry,
} from '../../families/netfilter/conntrack.js';
import { family as conntrackFamily, type GetInput, type NewInput, type NfCtTcpFlags } from '../../families/generated/conntrack.js';
import { NFPROTO } from '../../families/netfilter/index.js';
import { CommandError } from '../error.js';
import type { CommandIO } from '../ynl.js';
import { formatConntrackEntry, formatConntrackExpectation, formatConntrackSave, formatCpuStats, type ConntrackFormatOptions } from './format.js';
import { CONNTRACK_PROTO_HELP, CONNTRACK_USAGE } from './usage.js';

export { formatConntrackEntry, formatConntrackExpectation } from './format.js';

const VERSION = 'conntrack v1.4.7 (conntrack-tools)';
const PARAMETER_PROBLEM = 2;
const OTHER_PROBLEM = 1;

type Command = 'L' | 'I' | 'U' | 'D' | 'G' | 'F' | 'E' | 'C' | 'S' | 'V' | 'h' | 'A';
type Table = 'conntrack' | 'expect' | 'dying' | 'unconfirmed';

// conntrack's options (original_opts): long name -> short letter, and whether
// it takes an argument (1 required, 2 optional, 0 none).
const LONG: Record<string, [string, 0 | 1 | 2]> = {
  dump: ['L', 2],
  create: ['I', 2],
  add: ['A', 2],
  delete: ['D', 2],
  update: ['U', 2],
  get: ['G', 2],
  flush: ['F', 2],
  event: ['E', 2],
  counter: ['C', 2],
  stats: ['S', 0],
  version: ['V', 0],
  help: ['h', 0],
  'orig-src': ['s', 1],
  src: ['s', 1],
  'orig-dst': ['d', 1],
  dst: ['d', 1],
  'reply-src': ['r', 1],
  'reply-dst': ['q', 1],
  protonum: ['p', 1],
  timeout: ['t', 1],
  status: ['u', 1],
  zero: ['z', 0],
  'event-mask': ['e', 1],
  'tuple-src': ['[', 1],
  'tuple-dst': [']', 1],
  'mask-src': ['{', 1],
  'mask-dst': ['}', 1],
  'nat-range': ['a', 1],
  mark: ['m', 1],
  secmark: ['c', 1],
  id: ['i', 2],
  family: ['f', 1],
  'src-nat': ['n', 2],
  'dst-nat': ['g', 2],
  output: ['o', 1],
  'buffer-size': ['b', 1],
  'any-nat': ['j', 2],
  zone: ['w', 1],
  label: ['l', 1],
  'label-add': ['<', 1],
  'label-del': ['>', 2],
  'orig-zone': ['(', 1],
  'reply-zone': [')', 1],
};
// getopt_str ":L::I::U::D::G::E::F::A::hVs:d:r:q:p:t:u:e:a:z[:]:{:}:m:i:f:o:n::g::c:b:C::Sj::w:l:<:>::(:):"
const SHORT: Record<string, 0 | 1 | 2> = {
  L: 2,
  I: 2,
  U: 2,
  D: 2,
  G: 2,
  E: 2,
  F: 2,
  A: 2,
  h: 0,
  V: 0,
  s: 1,
  d: 1,
  r: 1,
  q: 1,
  p: 1,
  t: 1,
  u: 1,
  e: 1,
  a: 1,
  z: 0,
  m: 1,
  i: 1,
  f: 1,
  o: 1,
  n: 2,
  g: 2,
  c: 1,
  b: 1,
  C: 2,
  S: 0,
  j: 2,
  w: 1,
  l: 1,
};

// Option bits in conntrack's order (enum ct_options) and their names in messages (optflags).
const OPT_LETTERS = ['s', 'd', 'r', 'q', 'p', 't', 'u', 'z', 'e', '[', ']', '{', '}', 'a', 'm', 'i', 'f', 'n', 'g', 'o', 'c', 'b', 'j', 'w', 'l', '<', '>', '(', ')'];
const OPT_NAMES = [
  'src',
  'dst',
  'reply-src',
  'reply-dst',
  'protonum',
  'timeout',
  'status',
  'zero',
  'event-mask',
  'tuple-src',
  'tuple-dst',
  'mask-src',
  'mask-dst',
  'nat-range',
  'mark',
  'id',
  'family',
  'src-nat',
  'dst-nat',
  'output',
  'secmark',
  'buffer-size',
  'any-nat',
  'zone',
  'label',
  'label-add',
  'label-del',
  'orig-zone',
  'reply-zone',
];

// commands_v_options: 0 illegal, 1 compulsory, 2 optional, 3 either the original or the reply tuple.
const MATRIX: Record<string, string> = {
  CT_LIST: '22222022000220202222202220022',
  CT_CREATE: '33331120000002200220000202022',
  CT_UPDATE: '22222220000220222222000022200',
  CT_DELETE: '22222220000220222222000220022',
  CT_GET: '33331000000000020002000020000',
  CT_FLUSH: '00000000000000002000000000000',
  CT_EVENT: '22222000200220202222222220022',
  CT_VERSION: '00000000000000000000000000000',
  CT_HELP: '00002000000000000000000000000',
  EXP_LIST: '00000000000000002002000000000',
  EXP_CREATE: '11221120011110000000000000000',
  EXP_DELETE: '11221000000000000000000000000',
  EXP_GET: '11221000000000000000000000000',
  EXP_FLUSH: '00000000000000000000000000000',
  EXP_EVENT: '00000000000000000002000000000',
  CT_COUNT: '00000000000000000000000000000',
  EXP_COUNT: '00000000000000000000000000000',
  CT_STATS: '00000000000000000000000000000',
  EXP_STATS: '00000000000000000000000000000',
  CT_ADD: '33331120000002200220000202022',
};

// The protocols' own options (extensions/libct_proto_*.c): long name -> [flag bit, message name].
interface ProtoOptions {
  options: Record<string, number>;
  names: string[];
  matrix: Partial<Record<string, string>>;
  /** The pairs of flags of which one must be complete where the matrix says 3. */
  coupled?: [number, number][];
  coupledMessages?: [string, string];
}
const PORT_OPTIONS = { 'orig-port-src': 0, sport: 0, 'orig-port-dst': 1, dport: 1, 'reply-port-src': 2, 'reply-port-dst': 3, 'mask-port-src': 4, 'mask-port-dst': 5 };
const TCP: ProtoOptions = {
  options: { ...PORT_OPTIONS, state: 6, 'tuple-port-src': 7, 'tuple-port-dst': 8 },
  names: ['sport', 'dport', 'reply-port-src', 'reply-port-dst', 'mask-port-src', 'mask-port-dst', 'state', 'tuple-port-src', 'tuple-port-dst'],
  matrix: {
    CT_LIST: '222200200',
    CT_CREATE: '333300100',
    CT_UPDATE: '222200200',
    CT_DELETE: '222200200',
    CT_GET: '333300200',
    CT_EVENT: '222200200',
    EXP_CREATE: '110011011',
    EXP_DELETE: '111100000',
    EXP_GET: '111100000',
    CT_ADD: '333300100',
  },
  coupled: [
    [0, 1],
    [2, 3],
  ],
  coupledMessages: ["you have to specify `--sport' and `--dport'", "you have to specify `--reply-src-port' and `--reply-dst-port'"],
};
const UDP: ProtoOptions = {
  options: { ...PORT_OPTIONS, 'tuple-port-src': 6, 'tuple-port-dst': 7 },
  names: ['sport', 'dport', 'reply-port-src', 'reply-port-dst', 'mask-port-src', 'mask-port-dst', 'tuple-port-src', 'tuple-port-dst'],
  matrix: {
    CT_LIST: '22220000',
    CT_CREATE: '33330000',
    CT_UPDATE: '22220000',
    CT_DELETE: '22220000',
    CT_GET: '33330000',
    CT_EVENT: '22220000',
    EXP_CREATE: '11001111',
    EXP_DELETE: '11110000',
    EXP_GET: '11110000',
    CT_ADD: '33330000',
  },
  coupled: [
    [0, 1],
    [2, 3],
  ],
  coupledMessages: ["you have to specify `--sport' and `--dport'", "you have to specify `--reply-src-port' and `--reply-dst-port'"],
};
function icmpOptions(prefix: string): ProtoOptions {
  return {
    options: { [`${prefix}-type`]: 0, [`${prefix}-code`]: 1, [`${prefix}-id`]: 2 },
    names: [`${prefix}-type`, `${prefix}-code`, `${prefix}-id`],
    matrix: { CT_LIST: '222', CT_CREATE: '112', CT_UPDATE: '222', CT_DELETE: '222', CT_GET: '112', CT_EVENT: '222', CT_ADD: '112' },
  };
}
const PROTO_OPTIONS: Partial<Record<string, ProtoOptions>> = { tcp: TCP, udp: UDP, udplite: UDP, sctp: UDP, dccp: UDP, icmp: icmpOptions('icmp'), icmpv6: icmpOptions('icmpv6') };

const STATUS_WORDS: [string, ConntrackStatus | undefined][] = [
  ['ASSURED', 'assured'],
  ['SEEN_REPLY', 'seen-reply'],
  ['UNSET', undefined],
  ['FIXED_TIMEOUT', 'fixed-timeout'],
  ['EXPECTED', 'expected'],
  ['OFFLOAD', 'offload'],
  ['HW_OFFLOAD', 'hw-offload'],
];
const EVENT_WORDS: [string, ConntrackEventType[]][] = [
  ['ALL', ['new', 'update', 'destroy']],
  ['NEW', ['new']],
  ['UPDATES', ['update']],
  ['DESTROY', ['destroy']],
];
const OUTPUT_WORDS = ['xml', 'extended', 'timestamp', 'id', 'ktimestamp', 'labels', 'userspace', 'save'];

// TCP states as conntrack names them (tcp_states), by TCP_CONNTRACK_* number.
const TCP_STATE_WORDS = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'];
/** conntrack's word for a TCP state name of the spec. */
function tcpStateWord(name: string): string {
  return TCP_STATE_WORDS.find((w) => tcpStateName(TCP_STATE_WORDS.indexOf(w)) === name) ?? 'NONE';
}

/** The spec's name of TCP state number n. */
function tcpStateName(n: number): ConntrackTcpState {
  const d = conntrackFamily.spec.definitions.find((x) => x.name === 'nf-ct-tcp-state');
  const e = d && d.kind !== 'struct' && 'entries' in d ? d.entries.find((x) => Number(x.value) === n) : undefined;
  return e!.name as ConntrackTcpState;
}

/** A parse error of conntrack's: its line, then the hint, exit status 2. */
function parameterProblem(msg: string): CommandError {
  return new CommandError(`${VERSION}: ${msg}\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`, PARAMETER_PROBLEM);
}

function otherProblem(msg: string): CommandError {
  return new CommandError(`${VERSION}: ${msg}\n`, OTHER_PROBLEM);
}

/** strtoul(text, NULL, 0) as conntrack uses it: a prefix in base 10, 16 (0x) or 8 (0). */
function strtoul(text: string): number {
  const t = text.trim();
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(t);
  if (!m) return 0;
  const body = m[2]!;
  const v = body.startsWith('0x') || body.startsWith('0X') ? parseInt(body.slice(2), 16) : body.length > 1 && body.startsWith('0') ? parseInt(body, 8) : parseInt(body, 10);
  return (m[1] === '-' ? -v >>> 0 : v) >>> 0;
}

/** atoi(text): a leading decimal number, 0 without one. */
function atoi(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

interface Parsed {
  command: Command | undefined;
  table: Table;
  options: number;
  protoFlags: number;
  proto: ProtoOptions | undefined;
  family: ConntrackFamily | undefined;
  protocol: number | undefined;
  protocolName: ConntrackProtocol | undefined;
  orig: Partial<ConntrackTupleInput>;
  reply: Partial<ConntrackTupleInput>;
  expTuple: Partial<ConntrackTupleInput>;
  mask: Partial<ConntrackTupleInput>;
  timeout: number | undefined;
  status: ConntrackStatus[];
  statusMask: ConntrackStatus[];
  mark: { value: number; mask: number } | undefined;
  zone: number | undefined;
  id: number | undefined;
  state: ConntrackTcpState | undefined;
  events: Set<ConntrackEventType>;
  output: Set<string>;
  bufferSize: number | undefined;
  srcNet: Network | undefined;
  dstNet: Network | undefined;
  srcNat: ConntrackNatInput | undefined;
  dstNat: ConntrackNatInput | undefined;
  origZone: number | undefined;
  replyZone: number | undefined;
}

function bit(letter: string): number {
  return 1 << OPT_LETTERS.indexOf(letter);
}

/** inet_aton(3): one to four parts in C notation (0x hex, 0 octal), the last filling the remaining bytes. */
function inetAton(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const part of parts) {
    const m = /^(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$/.exec(part);
    if (!m) return undefined;
    const v = /^0[xX]/.test(part) ? parseInt(part.slice(2) || '0', 16) : part.length > 1 && part.startsWith('0') ? parseInt(part, 8) : Number(part);
    nums.push(v);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return undefined;
  let v = nums.reduce((acc, n, k) => acc + n * 2 ** (8 * (3 - k)), 0) + last;
  const out: number[] = [];
  for (let k = 0; k < 4; k++) {
    out.unshift(v % 256);
    v = Math.floor(v / 256);
  }
  return out.join('.');
}

/** An address as bytes (for the CIDR filters). */
function addressBytes(a: string): number[] {
  if (!a.includes(':')) return a.split('.').map(Number);
  const host = new URL(`http://[${a}]/`).hostname.slice(1, -1);
  const [head, tail] = host.includes('::') ? host.split('::') : [host, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]);
}

/** A network of a CIDR option: the masked address and the prefix length. */
interface Network {
  bytes: number[];
  prefix: number;
}

function inNetwork(address: string, net: Network): boolean {
  if (address === '') return false;
  const b = addressBytes(address);
  if (b.length !== net.bytes.length) return false;
  for (let k = 0; k < b.length; k++) {
    const bits = Math.max(0, Math.min(8, net.prefix - 8 * k));
    const m = (0xff << (8 - bits)) & 0xff;
    if ((b[k]! & m) !== (net.bytes[k]! & m)) return false;
  }
  return true;
}

/**
 * Parses an address the way conntrack's parse_addr does (inet_aton, then
 * inet_pton for IPv6); a /prefix only on the options that have a mask
 * (--src, --dst), where it becomes a network filter.
 */
function address(arg: string, opt: string, p: Parsed, maskable: boolean): { host: string; net?: Network } {
  const slash = arg.indexOf('/');
  const text = slash < 0 ? arg : arg.slice(0, slash);
  let prefix = -1;
  if (slash >= 0) {
    const m = /^\d+$/.exec(arg.slice(slash + 1));
    prefix = m ? Number(m[0]) : -2;
  }
  let fam: ConntrackFamily | undefined;
  let host = inetAton(text);
  if (host !== undefined) fam = 'ipv4';
  else if (/^[0-9a-fA-F:.]+$/.test(text) && text.includes(':')) {
    try {
      host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
      fam = 'ipv6';
    } catch {
      host = undefined;
    }
  }
  if (fam === undefined || host === undefined) throw parameterProblem(`Invalid IP address \`${arg}'`);
  if (prefix > (fam === 'ipv4' ? 32 : 128)) prefix = -2;
  if (p.family !== undefined && p.family !== fam) throw parameterProblem('mismatched address family');
  p.family = fam;
  if (prefix !== -1 && !maskable) throw parameterProblem(`CIDR notation unavailable for \`--${opt}'`);
  if (prefix === -2) throw parameterProblem('Invalid netmask');
  if (prefix === -1 || prefix === (fam === 'ipv4' ? 32 : 128)) return { host };
  return { host, net: { bytes: addressBytes(host), prefix } };
}

function parseWords<T>(arg: string, words: readonly (readonly [string, T])[], each: (v: T) => void): void {
  const parts = arg.split(',');
  let rest = arg;
  for (const part of parts) {
    const hit = part === '' ? undefined : words.find(([w]) => w.toLowerCase().startsWith(part.toLowerCase()));
    if (!hit) throw parameterProblem(`Bad parameter \`${rest}'`);
    each(hit[1]);
    rest = rest.slice(part.length + 1);
  }
}

/** Parses argv as conntrack does (getopt_long with conntrack's table, then the legality checks). */
export function parseConntrackArgs(args: readonly string[]): Parsed {
  const p: Parsed = {
    command: undefined,
    table: 'conntrack',
    options: 0,
    protoFlags: 0,
    proto: undefined,
    family: undefined,
    protocol: undefined,
    protocolName: undefined,
    orig: {},
    reply: {},
    expTuple: {},
    mask: {},
    timeout: undefined,
    status: [],
    statusMask: [],
    mark: undefined,
    zone: undefined,
    id: undefined,
    state: undefined,
    events: new Set(),
    output: new Set(),
    bufferSize: undefined,
    srcNet: undefined,
    dstNet: undefined,
    srcNat: undefined,
    dstNat: undefined,
    origZone: undefined,
    replyZone: undefined,
  };
  const addCommand = (c: Command): void => {
    if (p.command !== undefined) throw parameterProblem('Invalid commands combination');
    p.command = c;
  };
  let i = 0;
  // The optional argument of a command is its table: attached, or the next word when it is not an option.
  const optional = (attached: string | undefined): string | undefined => {
    if (attached !== undefined) return attached;
    const next = args[i];
    if (next !== undefined && !next.startsWith('-') && !next.startsWith('!')) {
      i++;
      return next;
    }
    return undefined;
  };
  const checkType = (attached: string | undefined): Table => {
    const t = optional(attached);
    if (t === undefined) return 'conntrack';
    for (const name of ['expect', 'conntrack', 'dying', 'unconfirmed'] as const) if (name.startsWith(t)) return name;
    throw parameterProblem(`unknown type \`${t}'`);
  };
  while (i < args.length) {
    const word = args[i++]!;
    let letter: string;
    let arg: string | undefined;
    let has: 0 | 1 | 2;
    let protoOpt: number | undefined;
    if (word === '--') break;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = word.slice(2, eq < 0 ? undefined : eq);
      const attached = eq < 0 ? undefined : word.slice(eq + 1);
      const protoNames = p.proto ? Object.keys(p.proto.options) : [];
      const exact = Object.hasOwn(LONG, name) ? name : protoNames.includes(name) ? name : undefined;
      const candidates = exact !== undefined ? [exact] : [...Object.keys(LONG), ...protoNames].filter((n) => name !== '' && n.startsWith(name));
      const letters = new Set(candidates.map((n) => (Object.hasOwn(LONG, n) ? LONG[n]![0] : `proto:${p.proto!.options[n]}`)));
      if (letters.size !== 1) throw parameterProblem(`unknown option \`${word}'`);
      const chosen = candidates[0]!;
      if (Object.hasOwn(LONG, chosen)) [letter, has] = LONG[chosen]!;
      else {
        letter = 'proto';
        has = 1;
        protoOpt = p.proto!.options[chosen];
      }
      if (has === 1 && attached === undefined) {
        if (i >= args.length) throw parameterProblem(`option \`${word}' requires an argument`);
        arg = args[i++];
      } else arg = attached;
      if (has === 0 && attached !== undefined) throw parameterProblem(`unknown option \`${word}'`);
    } else if (word.startsWith('-') && word.length > 1) {
      letter = word[1]!;
      if (!Object.hasOwn(SHORT, letter)) throw parameterProblem(`unknown option \`${word}'`);
      has = SHORT[letter]!;
      const rest = word.slice(2);
      if (has === 0 && rest !== '') throw parameterProblem(`nlkit conntrack does not take grouped short options (\`${word}')`);
      if (has === 1) {
        if (rest !== '') arg = rest;
        else {
          if (i >= args.length) throw parameterProblem(`option \`${word}' requires an argument`);
          arg = args[i++];
        }
      } else arg = rest === '' ? undefined : rest;
    } else continue; // getopt moves other words to the end; conntrack ignores them
    switch (letter) {
      case 'L': {
        const t = checkType(arg);
        p.table = t;
        addCommand('L');
        break;
      }
      case 'I':
      case 'D':
      case 'G':
      case 'F':
      case 'E':
      case 'V':
      case 'h':
      case 'C':
      case 'S':
      case 'U':
      case 'A': {
        const t = letter === 'V' || letter === 'h' || letter === 'S' ? (letter === 'S' ? checkType(arg) : 'conntrack') : checkType(arg);
        if (t === 'dying' || t === 'unconfirmed') throw parameterProblem("Can't do that command with tables `dying' and `unconfirmed'");
        if (t === 'expect' && (letter === 'U' || letter === 'A')) throw parameterProblem(`Can't do --${letter === 'U' ? 'update' : 'add'} on expectations`);
        p.table = t;
        addCommand(letter);
        break;
      }
      case 's':
      case 'd':
      case 'r':
      case 'q': {
        const names = { s: 'src', d: 'dst', r: 'reply-src', q: 'reply-dst' } as const;
        const a = address(arg!, names[letter], p, letter === 's' || letter === 'd');
        if (letter === 's') p.orig.src = a.host;
        else if (letter === 'd') p.orig.dst = a.host;
        else if (letter === 'r') p.reply.src = a.host;
        else p.reply.dst = a.host;
        p.options |= bit(letter);
        if (a.net) {
          // conntrack sets --mask-src / --mask-dst from the prefix and filters by network.
          p.options |= bit(letter === 's' ? '{' : '}');
          if (letter === 's') p.srcNet = a.net;
          else p.dstNet = a.net;
        }
        break;
      }
      case '[':
      case ']':
      case '{':
      case '}': {
        // The expected tuple (--tuple-src/-dst) and its mask (--mask-src/-dst) of an expectation.
        const a = address(arg!, OPT_NAMES[OPT_LETTERS.indexOf(letter)]!, p, false);
        const into = letter === '[' || letter === ']' ? p.expTuple : p.mask;
        if (letter === '[' || letter === '{') into.src = a.host;
        else into.dst = a.host;
        p.options |= bit(letter);
        break;
      }
      case 'p': {
        p.options |= bit('p');
        const text = arg!;
        const lower = text.toLowerCase();
        if (Object.hasOwn(CONNTRACK_PROTOCOLS, lower) && lower !== 'igmp') {
          p.protocolName = lower as ConntrackProtocol;
          p.protocol = CONNTRACK_PROTOCOLS[p.protocolName];
          p.proto = PROTO_OPTIONS[lower];
        } else if (/^\d+$/.test(text) && Number(text) <= 255) {
          p.protocol = Number(text);
          const named = Object.entries(CONNTRACK_PROTOCOLS).find(([, v]) => v === p.protocol);
          p.protocolName = named?.[0] as ConntrackProtocol | undefined;
          p.proto = named ? PROTO_OPTIONS[named[0]] : undefined;
        } else throw parameterProblem(`\`${text}' unsupported protocol`);
        break;
      }
      case 't':
        p.options |= bit('t');
        p.timeout = atoi(arg!) >>> 0;
        break;
      case 'u': {
        p.options |= bit('u');
        for (const part of arg!.split(',')) {
          const negated = part.startsWith('!');
          const word2 = negated ? part.slice(1) : part;
          if (!negated && word2.startsWith('UNREPLIED')) {
            p.statusMask.push('seen-reply');
            continue;
          }
          parseWords(word2, STATUS_WORDS, (v) => {
            if (v !== undefined) (negated ? p.statusMask : p.status).push(v);
          });
        }
        break;
      }
      case 'e':
        p.options |= bit('e');
        parseWords(arg!, EVENT_WORDS, (v) => v.forEach((x) => p.events.add(x)));
        break;
      case 'o':
        p.options |= bit('o');
        parseWords(
          arg!,
          OUTPUT_WORDS.map((w) => [w, w] as const),
          (v) => p.output.add(v),
        );
        if (p.output.has('save') && p.output.size > 1) throw otherProblem('cannot combine save output with any other output type, use -o save only');
        for (const w of ['xml', 'labels']) if (p.output.has(w)) throw parameterProblem(`nlkit conntrack does not support -o ${w} yet`);
        break;
      case 'z':
        p.options |= bit('z');
        break;
      case 'm': {
        p.options |= bit('m');
        const [v, m] = arg!.split('/');
        p.mark = { value: strtoul(v!), mask: m === undefined ? 0xffffffff : strtoul(m) };
        break;
      }
      case 'w':
        p.options |= bit('w');
        p.zone = strtoul(arg!) & 0xffff;
        break;
      case 'i':
        p.options |= bit('i');
        p.id = strtoul(arg!);
        break;
      case 'f':
        p.options |= bit('f');
        if (arg!.startsWith('ipv4')) p.family = p.family === undefined || p.family === 'ipv4' ? 'ipv4' : failFamily();
        else if (arg!.startsWith('ipv6')) p.family = p.family === undefined || p.family === 'ipv6' ? 'ipv6' : failFamily();
        else throw parameterProblem(`\`${arg}' unsupported protocol`);
        break;
      case 'b':
        p.options |= bit('b');
        p.bufferSize = atoi(arg!);
        break;
      case 'a':
        // conntrack: "WARNING: ignoring -a, deprecated option." and goes on.
        break;
      case 'n':
      case 'g':
      case 'j': {
        // --src-nat / --dst-nat [ip[:port]]: what -I sets up; what -L, -D, -U and -E look for (--any-nat: either).
        p.options |= bit(letter);
        const value = optional(arg);
        if (value === undefined) break;
        // split_address_and_port(): [v6]:port, v4:port (one colon), or an address alone; the port is checked first.
        let host = value;
        let portText: string | undefined;
        const open = value.indexOf('[');
        if (open >= 0) {
          const close = value.indexOf(']', open + 1);
          if (close === open + 1) throw parameterProblem('No IPv6 address specified');
          if (close < 0) throw parameterProblem("No closing ']' around IPv6 address");
          const colon = value.indexOf(':', close);
          if (colon >= 0) {
            host = value.slice(open + 1, close);
            portText = value.slice(colon + 1);
          }
        } else {
          const colon = value.indexOf(':');
          if (colon >= 0 && !value.includes(':', colon + 1)) {
            host = value.slice(0, colon);
            portText = value.slice(colon + 1);
          }
        }
        if (portText !== undefined) {
          if (portText === '') throw parameterProblem("No port specified after `:'");
          if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw parameterProblem(`Invalid port \`${portText}'`);
        }
        const a = address(host, letter === 'n' ? 'src-nat' : letter === 'g' ? 'dst-nat' : 'any-nat', p, false);
        const nat: ConntrackNatInput = { address: a.host };
        if (portText !== undefined) nat.port = Number(portText);
        if (letter !== 'g') p.srcNat = nat;
        if (letter !== 'n') p.dstNat = nat;
        break;
      }
      case '(':
      case ')':
        p.options |= bit(letter);
        if (letter === '(') p.origZone = strtoul(arg!) & 0xffff;
        else p.replyZone = strtoul(arg!) & 0xffff;
        break;
      case 'c':
      case 'l':
      case '<':
      case '>':
        throw parameterProblem(`nlkit conntrack does not support ${word} yet`);
      case 'proto': {
        const flag = protoOpt!;
        p.protoFlags |= 1 << flag;
        const proto = p.proto!;
        const name = proto.names[flag]!;
        const n = atoi(arg!);
        if (name === 'sport') p.orig.sport = n & 0xffff;
        else if (name === 'dport') p.orig.dport = n & 0xffff;
        else if (name === 'reply-port-src') p.reply.sport = n & 0xffff;
        else if (name === 'reply-port-dst') p.reply.dport = n & 0xffff;
        else if (name.endsWith('-type')) p.orig.icmpType = n & 0xff;
        else if (name.endsWith('-code')) p.orig.icmpCode = n & 0xff;
        else if (name.endsWith('-id')) p.orig.icmpId = n & 0xffff;
        else if (name === 'tuple-port-src') p.expTuple.sport = n & 0xffff;
        else if (name === 'tuple-port-dst') p.expTuple.dport = n & 0xffff;
        else if (name === 'mask-port-src') p.mask.sport = n & 0xffff;
        else if (name === 'mask-port-dst') p.mask.dport = n & 0xffff;
        else if (name === 'state') {
          const at = arg === 'LISTEN' ? TCP_STATE_WORDS.indexOf('SYN_SENT2') : TCP_STATE_WORDS.indexOf(arg!);
          if (at < 0) throw parameterProblem(`unknown TCP state \`${arg}'`);
          p.state = tcpStateName(at);
        } else throw parameterProblem(`nlkit conntrack does not support --${name} yet`);
        break;
      }
    }
  }
  checkOptions(p);
  return p;
}

function failFamily(): never {
  throw parameterProblem('mismatched address family');
}

function commandKey(p: Parsed): string {
  const c = p.command;
  const exp = p.table === 'expect';
  switch (c) {
    case 'L':
      return exp ? 'EXP_LIST' : 'CT_LIST';
    case 'I':
      return exp ? 'EXP_CREATE' : 'CT_CREATE';
    case 'D':
      return exp ? 'EXP_DELETE' : 'CT_DELETE';
    case 'G':
      return exp ? 'EXP_GET' : 'CT_GET';
    case 'F':
      return exp ? 'EXP_FLUSH' : 'CT_FLUSH';
    case 'E':
      return exp ? 'EXP_EVENT' : 'CT_EVENT';
    case 'C':
      return exp ? 'EXP_COUNT' : 'CT_COUNT';
    case 'S':
      return exp ? 'EXP_STATS' : 'CT_STATS';
    case 'U':
      return 'CT_UPDATE';
    case 'A':
      return 'CT_ADD';
    case 'V':
      return 'CT_VERSION';
    case 'h':
      return 'CT_HELP';
    default:
      return 'CT_LIST';
  }
}

/** generic_opt_check(): every option legal for the command, every compulsory one given, one complete tuple where either is allowed. */
function optCheck(given: number, row: string, names: readonly string[], coupled: readonly [number, number][] | undefined, messages: readonly [string, string] | undefined): void {
  let special = false;
  for (let k = 0; k < names.length; k++) {
    const v = row[k] ?? '0';
    if (!(given & (1 << k))) {
      if (v === '1') throw parameterProblem(`You need to supply the \`--${names[k]}' option for this command`);
    } else if (v === '0') throw parameterProblem(`Illegal option \`--${names[k]}' with this command`);
    if (v === '3') special = true;
  }
  if (!special || !coupled || !messages) return;
  let partial = -1;
  for (let k = 0; k < coupled.length; k++) {
    const mask = coupled[k]!.reduce((m, b) => m | (1 << b), 0);
    if ((given & mask) === mask) return;
    if (given & mask && partial < 0) partial = k;
  }
  throw parameterProblem(partial === 1 ? messages[1] : messages[0]);
}

function checkOptions(p: Parsed): void {
  if (p.options & bit('j') && p.options & (bit('n') | bit('g'))) throw parameterProblem("cannot specify `--src-nat' or `--dst-nat' with `--any-nat'");
  if (p.family === undefined && !['L', 'U', 'D', 'G', 'F', 'E'].includes(p.command ?? 'L')) p.family = 'ipv4';
  const key = commandKey(p);
  optCheck(
    p.options,
    MATRIX[key]!,
    OPT_NAMES,
    [
      [0, 1],
      [2, 3],
    ],
    ["you have to specify `--src' and `--dst'", "you have to specify `--reply-src' and `--reply-dst'"],
  );
  if (p.command !== 'h' && p.proto) {
    const row = p.proto.matrix[key] ?? '0'.repeat(p.proto.names.length);
    optCheck(p.protoFlags, row, p.proto.names, p.proto.coupled, p.proto.coupledMessages);
  }
}

/** conntrack's err2str(): its words for some errors, strerror's for the rest. */
function errText(err: unknown, key: string): string {
  if (!(err instanceof NetlinkError)) return (err as Error).message;
  const create = key === 'CT_CREATE' || key === 'CT_ADD';
  switch (err.code) {
    case 'EINVAL':
      return 'invalid parameters';
    case 'EEXIST':
      if (key === 'CT_CREATE') return 'Such conntrack exists, try -U to update';
      break;
    case 'ENOENT':
      if (create || key === 'CT_GET' || key === 'CT_DELETE') return "such conntrack doesn't exist";
      if (key === 'EXP_CREATE') return 'master conntrack not found';
      break;
    case 'ENOMEM':
      if (create || key === 'CT_GET') return 'not enough memory';
      break;
    case 'EAFNOSUPPORT':
      if (key === 'CT_GET') return 'protocol not supported';
      break;
    case 'ETIME':
      if (create) return 'conntrack has expired';
      break;
    case 'EPERM':
      return 'sorry, you must be root or get CAP_NET_ADMIN capability to do this';
  }
  return strerror(err);
}

/** strerror(3) text of a NetlinkError (its message starts with it after "...failed: "). */
function strerror(err: NetlinkError): string {
  const m = /failed: (.*?) \(E[A-Z0-9]+\)/.exec(err.message);
  return m ? m[1]! : err.message;
}

function filterOf(p: Parsed): ConntrackFilter {
  const f: ConntrackFilter = {};
  if (p.family !== undefined) f.family = p.family;
  if (p.protocol !== undefined) f.protocol = p.protocol;
  if (p.orig.src !== undefined && !p.srcNet) f.src = p.orig.src;
  if (p.orig.dst !== undefined && !p.dstNet) f.dst = p.orig.dst;
  if (p.reply.src !== undefined) f.replySrc = p.reply.src;
  if (p.reply.dst !== undefined) f.replyDst = p.reply.dst;
  if (p.orig.sport !== undefined) f.sport = p.orig.sport;
  if (p.orig.dport !== undefined) f.dport = p.orig.dport;
  if (p.reply.sport !== undefined) f.replySport = p.reply.sport;
  if (p.reply.dport !== undefined) f.replyDport = p.reply.dport;
  if (p.zone !== undefined) f.zone = p.zone;
  if (p.origZone !== undefined) f.originalZone = p.origZone;
  if (p.replyZone !== undefined) f.replyZone = p.replyZone;
  if (p.mark !== undefined) {
    f.mark = p.mark.value;
    f.markMask = p.mark.mask;
  }
  if (p.status.length > 0) f.status = p.status;
  if (p.state !== undefined) f.state = p.state;
  if (p.id !== undefined) f.id = p.id;
  return f;
}

/**
 * filter_nat(): --src-nat / --dst-nat (and --any-nat) keep the entries whose
 * reply tuple shows that translation (libnetfilter_conntrack's IS_SNAT /
 * IS_SPAT / IS_DNAT / IS_DPAT, which need the NAT-done status bit), at the
 * address (IPv4 only, as conntrack compares it) and port given.
 */
function natMatch(p: Parsed, e: ConntrackEntry): boolean {
  const any = (p.options & bit('j')) !== 0;
  const src = any || (p.options & bit('n')) !== 0;
  const dst = any || (p.options & bit('g')) !== 0;
  if (!src && !dst) return true;
  const side = (done: ConntrackStatus, want: ConntrackNatInput | undefined, addr: [string, string], port: [number | undefined, number | undefined]): boolean => {
    if (!e.status.includes(done)) return false;
    const isNat = addr[0] !== addr[1];
    const isPat = port[0] !== port[1];
    const checkAddress = want !== undefined && e.family === 'ipv4' && !want.address.includes(':');
    let has = checkAddress ? isNat && want.address === addr[0] : false;
    if (want?.port !== undefined) {
      const ok = isPat && want.port === port[0];
      if (checkAddress && has && !ok) has = false;
      if (!checkAddress && ok) has = true;
    }
    if (!checkAddress && want?.port === undefined) has = isNat || isPat;
    return has;
  };
  const hasSrc = src && side('src-nat-done', p.srcNat, [e.reply.dst, e.original.src], [e.reply.dport, e.original.sport]);
  const hasDst = dst && side('dst-nat-done', p.dstNat, [e.reply.src, e.original.dst], [e.reply.sport, e.original.dport]);
  if (any) return hasSrc || hasDst;
  return src && dst ? hasSrc && hasDst : src ? hasSrc : hasDst;
}

/** What the client filter cannot say: NAT, flags that must be clear (-u UNREPLIED, -u '!ASSURED'), networks, ICMP fields. */
function extraMatch(p: Parsed, e: ConntrackEntry): boolean {
  if (!natMatch(p, e)) return false;
  // Flags that must be clear reach the kernel's filter only in a listing (filter_status_kernel).
  if (p.command === 'L') for (const s of p.statusMask) if (!p.status.includes(s) && e.status.includes(s)) return false;
  if (p.srcNet && (e.family !== p.family || !inNetwork(e.original.src, p.srcNet))) return false;
  if (p.dstNet && (e.family !== p.family || !inNetwork(e.original.dst, p.dstNet))) return false;
  if (p.orig.icmpType !== undefined && e.original.icmpType !== p.orig.icmpType) return false;
  if (p.orig.icmpCode !== undefined && e.original.icmpCode !== p.orig.icmpCode) return false;
  if (p.orig.icmpId !== undefined && e.original.icmpId !== p.orig.icmpId) return false;
  return true;
}

function formatOptions(p: Parsed): ConntrackFormatOptions {
  return { extended: p.output.has('extended'), id: p.output.has('id'), ktimestamp: p.output.has('ktimestamp') };
}

/** Runs one parsed command (of the command line, or a line of -R) on an open client; resolves with conntrack's counter. */
async function execute(ct: ConntrackClient, p: Parsed, key: string, io: CommandIO, options: RunConntrackOptions, markTemplate: Parsed['mark'] = p.mark): Promise<number> {
  let counter = 0;
  const fmt = formatOptions(p);
  const save = p.output.has('save');
  const show = (e: ConntrackEntry): void => {
    io.stdout(`${save ? formatConntrackSave(e, key === 'CT_DELETE' ? 'destroy' : 'new') : formatConntrackEntry(e, fmt)}\n`);
    counter++;
  };
  try {
    switch (key) {
      case 'CT_LIST':
        for await (const e of ct.list(filterOf(p), { zero: (p.options & bit('z')) !== 0, table: p.table === 'expect' ? 'conntrack' : p.table })) if (extraMatch(p, e)) show(e);
        break;
      case 'CT_GET': {
        // libnetfilter_conntrack builds a get from the original tuple only: with the reply tuple alone it fails with EINVAL before sending.
        if (p.orig.src === undefined) throw otherProblem('Operation failed: invalid parameters');
        const e = await ct.get({ ...tupleOf(p), protocol: p.protocol!, ...(p.zone !== undefined ? { zone: p.zone } : {}), ...(p.family ? { family: p.family } : {}) });
        if (!e) throw otherProblem("Operation failed: such conntrack doesn't exist");
        show(e);
        break;
      }
      case 'CT_DELETE': {
        for await (const e of ct.deleteEach(filterOf(p))) if (extraMatch(p, e)) show(e);
        break;
      }
      case 'CT_CREATE':
      case 'CT_ADD': {
        const orig = tupleOf(p);
        const input = {
          ...orig,
          protocol: p.protocol!,
          family: p.family!,
          timeout: p.timeout!,
          ...((p.reply.src !== undefined || p.reply.dst !== undefined) && p.orig.src !== undefined && !icmpInverse(p) ? { reply: replyOf(p) } : {}),
          ...(p.status.length > 0 ? { status: p.status } : {}),
          ...(p.mark !== undefined ? { mark: p.mark.value } : {}),
          ...(p.zone !== undefined ? { zone: p.zone } : {}),
          ...(p.state !== undefined ? { state: p.state } : {}),
          ...(p.srcNat !== undefined ? { srcNat: p.srcNat } : {}),
          ...(p.dstNat !== undefined ? { dstNat: p.dstNat } : {}),
          ...(p.origZone !== undefined ? { originalZone: p.origZone } : {}),
          ...(p.replyZone !== undefined ? { replyZone: p.replyZone } : {}),
        };
        try {
          await ct.create(input);
          counter++;
        } catch (err) {
          if (!(key === 'CT_ADD' && err instanceof NetlinkError && err.code === 'EEXIST')) throw err;
        }
        break;
      }
      case 'CT_UPDATE':
        counter = await update(ct, p, io, show, markTemplate);
        break;
      case 'CT_FLUSH':
        // conntrack sends nfgenmsg version 0, with which the kernel flushes every family whatever -f says.
        await ct.client.do('delete', { 'nfgen-family': familyNumber(p.family), version: 0 });
        io.stderr(`${VERSION}: connection tracking table has been emptied.\n`);
        break;
      case 'CT_COUNT':
        io.stdout(`${(await ct.count()).entries}\n`);
        break;
      case 'CT_STATS':
        for (const m of await ct.client.dumpAll('get-stats', { 'nfgen-family': 0, version: 0 }))
          io.stdout(formatCpuStats(m['res-id'] ?? 0, presentCounters(m, 'conntrack-stats-attrs')));
        break;
      case 'CT_EVENT':
        counter = await events(ct, p, io, options, fmt);
        break;
      case 'EXP_LIST':
        for await (const x of ct.listExpectations(p.family ? { family: p.family } : {})) {
          io.stdout(`${formatConntrackExpectation(x)}\n`);
          counter++;
        }
        break;
      case 'EXP_COUNT':
        io.stdout(`${(await ct.listExpectationsAll()).length}\n`);
        break;
      case 'EXP_FLUSH':
        await ct.flushExpectations(p.family ? { family: p.family } : {});
        io.stderr(`${VERSION}: expectation table has been emptied.\n`);
        break;
      case 'EXP_STATS':
        for (const m of await ct.client.dumpAll('exp-get-stats-cpu', { 'nfgen-family': 0, version: 0 }))
          io.stdout(formatCpuStats(m['res-id'] ?? 0, presentCounters(m, 'expect-stats-attrs', 'expect_')));
        break;
      case 'EXP_GET': {
        const x = await ct.getExpectation({ ...tupleOf(p), protocol: p.protocol!, ...(p.family ? { family: p.family } : {}) });
        if (!x) throw otherProblem('Operation failed: No such file or directory');
        io.stdout(`${formatConntrackExpectation(x)}\n`);
        break;
      }
      case 'EXP_DELETE': {
        if (!(await ct.deleteExpectation({ ...tupleOf(p), protocol: p.protocol!, ...(p.family ? { family: p.family } : {}) })))
          throw otherProblem('Operation failed: No such file or directory');
        break;
      }
      case 'EXP_EVENT':
        counter = await expectEvents(ct, io, options);
        break;
      case 'EXP_CREATE':
        await ct.createExpectation({
          master: { ...tupleOf(p), protocol: p.protocol!, family: p.family! },
          tuple: p.expTuple as ConntrackTupleInput,
          mask: p.mask as ConntrackTupleInput,
          timeout: p.timeout!,
        });
        break;
      default:
        throw parameterProblem(`nlkit conntrack does not support this command on ${p.table} yet`);
    }
  } catch (err) {
    if (err instanceof CommandError) throw err;
    throw otherProblem(`Operation failed: ${errText(err, key)}`);
  }
  return counter;
}

/** Options of {@link runConntrack}. */
export interface RunConntrackOptions {
  /** Network namespace to work in (a name under /run/netns). */
  netns?: string;
  /** Called once `-E` has joined its groups (tests start making events then). */
  onListening?: () => void;
}

/** Runs `nlkit conntrack ARGS` (netns from `options.netns`); resolves with the exit status. */
export async function runConntrack(args: readonly string[], io: CommandIO, options: RunConntrackOptions = {}): Promise<number> {
  if (args.length > 1 && (args[0] === '-R' || args[0] === '--load-file')) return loadFile(args[1]!, io, options);
  let counter = 0;
  let p: Parsed | undefined;
  try {
    p = parseConntrackArgs(args);
    const key = commandKey(p);
    if (p.command === 'V') {
      io.stdout(`${VERSION}\n`);
      return 0;
    }
    if (p.command === undefined || p.command === 'h') {
      // usage(), and with -h -p the protocol's help (extension_help()); a command line without a command prints it too.
      io.stdout(CONNTRACK_USAGE);
      if (p.command === 'h' && p.options & bit('p')) {
        const name = p.protocolName !== undefined && Object.hasOwn(CONNTRACK_PROTO_HELP, p.protocolName) ? p.protocolName : 'unknown';
        io.stdout(`Proto \`${name}' help:\n${CONNTRACK_PROTO_HELP[name]}`);
      }
      return 0;
    }
    if (key === 'CT_LIST' && p.options & bit('z') && p.options & COMPARISON) throw parameterProblem("Can't use -z with filtering parameters");
    await using ct = await ConntrackClient.open(options.netns !== undefined ? { netns: options.netns } : {});
    counter = await execute(ct, p, key, io, options);
    return summary(p, key, counter, io);
  } catch (err) {
    if (err instanceof CommandError) {
      io.stderr(err.message);
      return err.exitCode;
    }
    io.stderr(`${VERSION}: ${(err as Error).message}\n`);
    return OTHER_PROBLEM;
  }
}

// ct_unsupp_cmd_parse_file[]: how conntrack names a command -R does not run.
const FILE_REFUSED: Partial<Record<string, string>> = {
  CT_LIST: '-L',
  CT_GET: '-G',
  CT_EVENT: '-E',
  CT_VERSION: '-V',
  CT_HELP: '-h',
  EXP_LIST: '-L expect',
  EXP_CREATE: '-C expect',
  EXP_DELETE: '-D expect',
  EXP_GET: '-G expect',
  EXP_FLUSH: '-F expect',
  EXP_EVENT: '-E expect',
  CT_COUNT: '-C',
  EXP_COUNT: '-C expect',
  CT_STATS: '-S',
  EXP_STATS: '-S expect',
};

/** add_param_to_argv(): the words of a -R line, with "quoted" words (backslash escapes inside). */
function fileWords(line: string): string[] {
  const out: string[] = [];
  let word = '';
  let open = false;
  let escaped = false;
  for (const c of line) {
    if (open) {
      if (escaped) {
        word += c;
        escaped = false;
      } else if (c === '\\') escaped = true;
      else if (c === '"') open = false;
      else word += c;
      continue;
    }
    if (c === '"') open = true;
    else if (c === ' ' || c === '\t' || c === '\n') {
      if (word !== '') out.push(word);
      word = '';
    } else word += c;
  }
  if (word !== '') out.push(word);
  return out;
}

/**
 * `-R FILE` / `--load-file FILE` (`-` for standard input): every line (blank
 * lines and # comments aside) is a command line of its own, parsed first, all
 * of them; only -I, -A, -U, -D and -F may be there. Then they run in order,
 * printing what each prints, without the count lines.
 */
async function loadFile(name: string, io: CommandIO, options: RunConntrackOptions): Promise<number> {
  try {
    const path = name === '-' ? '/dev/stdin' : name;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw parameterProblem(`Failed to open file ${path} for reading`);
    }
    const lines: Parsed[] = [];
    for (const raw of text.split('\n')) {
      const line = raw.replace(/^[ \t]+/, '');
      if (line === '' || line.startsWith('#')) continue;
      lines.push(parseConntrackArgs(fileWords(line)));
    }
    for (const p of lines) {
      const key = commandKey(p);
      if (p.command === undefined || FILE_REFUSED[key] !== undefined)
        throw parameterProblem(`Cannot use command \`${p.command === undefined ? 'unknown' : FILE_REFUSED[key]}' with --load-file`);
    }
    await using ct = await ConntrackClient.open(options.netns !== undefined ? { netns: options.netns } : {});
    // conntrack's -U takes the mark to set from the template of the last line parsed (its global cur_tmpl), not its own line's.
    const last = lines.at(-1)?.mark ?? { value: 0, mask: 0 };
    for (const p of lines) await execute(ct, p, commandKey(p), io, options, last);
    return 0;
  } catch (err) {
    if (err instanceof CommandError) {
      io.stderr(err.message);
      return err.exitCode;
    }
    io.stderr(`${VERSION}: ${(err as Error).message}\n`);
    return OTHER_PROBLEM;
  }
}

/** NFPROTO_* of a family for nfgenmsg (NFPROTO_UNSPEC when none was given). */
function familyNumber(f: ConntrackFamily | undefined): number {
  return f === 'ipv4' ? NFPROTO.ipv4 : f === 'ipv6' ? NFPROTO.ipv6 : NFPROTO.unspec;
}

/**
 * -U as conntrack does it (mnl_nfct_update_cb): every entry of a dump that
 * matches the tuple options gets a change message with its original tuple
 * and the new mark ((old & ~mask) ^ value), status (old | new), timeout and
 * TCP state, sent with the command's family (NFPROTO_UNSPEC without an
 * address or -f, which the kernel refuses) and without its zone; then a get
 * of the same message prints it. A failed change prints a line and goes on;
 * a failed get other than ENOENT ends the command; each get read counts.
 */
async function update(ct: ConntrackClient, p: Parsed, io: CommandIO, show: (e: ConntrackEntry) => void, markTemplate = p.mark): Promise<number> {
  let n = 0;
  // conntrack sends each change and each get on one socket and reads one
  // datagram per request (nfct_mnl_talk), but a successful get is answered
  // with two (the entry, then the ack): from the second entry on, each
  // request reads what the kernel answered to the one before. The kernel's
  // answers are queued here and read the same way, so the lines printed
  // (only the first entry when all goes well), the errors reported and the
  // count are conntrack's.
  type Datagram = { kind: 'ack' } | { kind: 'entry'; entry: ConntrackEntry } | { kind: 'error'; err: unknown };
  const pending: Datagram[] = [];
  const filter = filterOf(p);
  delete filter.mark;
  delete filter.markMask;
  delete filter.status;
  delete filter.state;
  delete filter.zone;
  // The dump itself is asked for the command's family (none: every family).
  for await (const e of ct.list(filter)) {
    if (!extraMatch(p, e) || typeof e.family === 'number') continue;
    const t = markTemplate ?? { value: 0, mask: 0 };
    const mark = p.mark ? (((e.mark ?? 0) & ~t.mask) ^ t.value) >>> 0 : undefined;
    const status = p.status.length > 0 ? [...new Set([...(e.status as ConntrackStatus[]), ...p.status])] : undefined;
    const unchanged =
      (mark === undefined || mark === e.mark) &&
      (p.timeout === undefined || p.timeout === e.timeout) &&
      (status === undefined || status.length === e.status.length) &&
      (p.state === undefined || p.state === e.state);
    if (unchanged) continue;
    const request: NewInput = { 'nfgen-family': familyNumber(p.family), version: 0, 'tuple-orig': conntrackTupleAttrs(e.original, e.protocol, e.family) };
    if (mark !== undefined) request.mark = mark;
    if (status !== undefined) request.status = status;
    if (p.timeout !== undefined) request.timeout = p.timeout;
    if (p.protocol === CONNTRACK_PROTOCOLS.tcp) {
      // The TCP extension's final_check: window tracking off (be-liberal, sack-perm; close-init from TIME_WAIT on) in both directions.
      const flags: NfCtTcpFlags[] = ['sack-perm', 'be-liberal'];
      if (p.state !== undefined && TCP_STATE_WORDS.indexOf(tcpStateWord(p.state)) >= TCP_STATE_WORDS.indexOf('TIME_WAIT')) flags.push('close-init');
      request.protoinfo = {
        'protoinfo-tcp': { ...(p.state !== undefined ? { 'tcp-state': p.state } : {}), 'tcp-flags-original': { flags, mask: flags }, 'tcp-flags-reply': { flags, mask: flags } },
      };
    }
    // The change: an ack or an error datagram.
    try {
      await ct.client.do('new', request);
      pending.push({ kind: 'ack' });
    } catch (err) {
      pending.push({ kind: 'error', err });
    }
    // conntrack reads one datagram (what the kernel answered to some earlier request, see above).
    const answer = pending.shift()!;
    if (answer.kind === 'error') io.stderr(`Operation failed: ${errText(answer.err, 'CT_UPDATE')}\n`);
    // The get: the entry and an ack, or an error datagram.
    try {
      const now = await ct.client.do('get', request as GetInput);
      if (now) pending.push({ kind: 'entry', entry: toConntrackEntry(now) });
      pending.push({ kind: 'ack' });
    } catch (err) {
      pending.push({ kind: 'error', err });
    }
    const got = pending.shift()!;
    if (got.kind === 'error') {
      if (got.err instanceof NetlinkError && got.err.code === 'ENOENT') continue;
      throw otherProblem(`Operation failed: ${errText(got.err, 'CT_UPDATE')}`);
    }
    if (got.kind === 'entry') show(got.entry);
    n++;
  }
  return n;
}

const COMPARISON = bit('p') | bit('s') | bit('d') | bit('r') | bit('q') | bit('m') | bit('c') | bit('u') | bit('i') | bit('w') | bit('l') | bit('(') | bit(')');

// exit_msg[]: the line conntrack prints to stderr after a command, with the count.
const EXIT_MESSAGES: Partial<Record<string, string>> = {
  CT_LIST: 'flow entries have been shown.',
  CT_CREATE: 'flow entries have been created.',
  CT_UPDATE: 'flow entries have been updated.',
  CT_DELETE: 'flow entries have been deleted.',
  CT_GET: 'flow entries have been shown.',
  CT_EVENT: 'flow events have been shown.',
  EXP_LIST: 'expectations have been shown.',
  EXP_DELETE: 'expectations have been shown.',
  CT_ADD: 'flow entries have been added.',
};

/** print_stats(): the count line, and failure when a command other than a listing did nothing. */
function summary(p: Parsed, key: string, counter: number, io: CommandIO): number {
  const msg = EXIT_MESSAGES[key];
  if (msg === undefined) return 0;
  io.stderr(`${VERSION}: ${counter} ${msg}\n`);
  if (counter === 0 && !['CT_LIST', 'EXP_LIST', 'CT_ADD'].includes(key)) return OTHER_PROBLEM;
  return 0;
}

function tupleOf(p: Parsed): ConntrackTupleInput {
  // Only the reply tuple given: the original is its inverse (NFCT_SOPT_SETUP_ORIGINAL).
  if (p.orig.src === undefined && p.reply.src !== undefined) {
    return {
      ...p.orig,
      src: p.reply.dst!,
      dst: p.reply.src,
      ...(p.reply.dport !== undefined ? { sport: p.reply.dport } : {}),
      ...(p.reply.sport !== undefined ? { dport: p.reply.sport } : {}),
    };
  }
  return { ...p.orig, src: p.orig.src!, dst: p.orig.dst! };
}

/**
 * The reply tuple given beside the original one. A half given (-q without
 * -r, as in a saved line where -g stands for -r) goes out with the other
 * address zero, as libnetfilter_conntrack sends it; with NAT the kernel
 * fills the reply tuple in itself.
 */
/** An ICMP reply tuple that is the original's inverse: the client derives it (the echo reply's type, the id), as libnetfilter_conntrack does. */
function icmpInverse(p: Parsed): boolean {
  const icmp = p.protocol === CONNTRACK_PROTOCOLS.icmp || p.protocol === CONNTRACK_PROTOCOLS.icmpv6;
  return icmp && p.reply.src === p.orig.dst && p.reply.dst === p.orig.src;
}

function replyOf(p: Parsed): ConntrackTupleInput {
  const zero = p.family === 'ipv6' ? '::' : '0.0.0.0';
  const out: ConntrackTupleInput = { src: p.reply.src ?? zero, dst: p.reply.dst ?? zero };
  if (p.reply.sport !== undefined) out.sport = p.reply.sport;
  if (p.reply.dport !== undefined) out.dport = p.reply.dport;
  return out;
}

/** The counters a stats message carries, named as conntrack prints them, in attribute order. */
function presentCounters(m: object, set: string, prefix = ''): [string, number][] {
  const attrs = conntrackFamily.spec.attributeSets.find((s) => s.name === set)?.attributes ?? [];
  const out: [string, number][] = [];
  for (const a of [...attrs].sort((x, y) => x.value - y.value)) {
    const v = (m as Record<string, unknown>)[a.name];
    if (typeof v !== 'number') continue;
    // conntrack's names: the kernel's with '_' for '-', "chaintoolong" run together.
    out.push([`${prefix}${a.name === 'chain-toolong' ? 'chaintoolong' : a.name.replaceAll('-', '_')}`, v]);
  }
  return out;
}

/**
 * The program that owns a netlink port, as conntrack finds it: the socket's
 * inode from the namespace's /proc/net/netlink, then the process holding it
 * (the port's number as a pid first, then every process). For a namespace
 * given by name, the netlink table is read through a process inside it.
 */
function programOf(portId: number, netns: string | undefined): string | undefined {
  const pids = (): string[] => readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  let table = '/proc/net/netlink';
  if (netns !== undefined) {
    let link: string;
    try {
      link = `net:[${statSync(`/run/netns/${netns}`).ino}]`;
    } catch {
      return undefined;
    }
    const inside = pids().find((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/net`) === link;
      } catch {
        return false;
      }
    });
    if (inside === undefined) return undefined;
    table = `/proc/${inside}/net/netlink`;
  }
  let inode: string | undefined;
  try {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 10 && Number(f[1]) === NETLINK_NETFILTER && Number(f[2]) >>> 0 === portId) inode = f[9];
    }
  } catch {
    return undefined;
  }
  if (inode === undefined) return undefined;
  const target = `socket:[${inode}]`;
  const owns = (pid: string): boolean => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  };
  const name = (pid: string): string | undefined => {
    try {
      return /^\d+ \(([^)]*)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
    } catch {
      return undefined;
    }
  };
  if (portId > 1 && owns(String(portId))) return name(String(portId));
  for (const pid of pids()) if (Number(pid) > 1 && Number(pid) !== portId && owns(pid)) return name(pid);
  return undefined;
}

const NETLINK_NETFILTER = Protocol.NETFILTER;

const ENOBUFS_WARNING =
  'WARNING: We have hit ENOBUFS! We are losing events.\nThis message means that the current netlink socket buffer size is too small.\nPlease, check --buffer-size in conntrack(8) manpage.\n';

async function events(ct: ConntrackClient, p: Parsed, io: CommandIO, options: RunConntrackOptions, fmt: ConntrackFormatOptions): Promise<number> {
  const types = p.options & bit('e') ? [...p.events] : (['new', 'update', 'destroy'] as ConntrackEventType[]);
  const filter = filterOf(p);
  const stamps = p.output.has('timestamp');
  const names = new Map<number, string | undefined>();
  const sub = await ct.events({ types, ...(p.bufferSize !== undefined ? { rcvbuf: p.bufferSize } : {}), ...(io.signal ? { signal: io.signal } : {}) });
  if (p.bufferSize !== undefined) io.stderr(`NOTICE: Netlink socket buffer size has been set to ${p.bufferSize * 2} bytes.\n`);
  options.onListening?.();
  let n = 0;
  try {
    for await (const ev of sub) {
      if (isOverrun(ev)) {
        io.stderr(ENOBUFS_WARNING);
        continue;
      }
      const e = ev.entry;
      if (!matchesEvent(e, filter) || !extraMatch(p, e)) continue;
      let line = '';
      if (stamps) {
        const now = Date.now() * 1000 + Math.floor((performance.now() % 1) * 1000);
        line += `[${Math.floor(now / 1e6)}.${String(now % 1e6).padStart(6, '0')}]\t`;
      }
      line += p.output.has('save') ? formatConntrackSave(e, ev.type) : formatConntrackEntry(e, { ...fmt, event: ev.type });
      if (e.portId !== undefined) {
        if (!names.has(e.portId)) names.set(e.portId, programOf(e.portId, options.netns));
        const prog = names.get(e.portId);
        line += prog !== undefined ? ` [USERSPACE] portid=${e.portId} progname=${prog}` : ` [USERSPACE] portid=${e.portId}`;
      }
      io.stdout(`${line}\n`);
      n++;
    }
  } catch (err) {
    if (!(err instanceof Error && err.name === 'AbortError')) throw err;
  } finally {
    sub.close();
  }
  return n;
}

/** The filters of -E, applied to what an event carries (destroy events have no status). */
function matchesEvent(e: ConntrackEntry, f: ConntrackFilter): boolean {
  if (f.family !== undefined && e.family !== f.family) return false;
  if (f.protocol !== undefined && CONNTRACK_PROTOCOLS[e.protocol as ConntrackProtocol] !== f.protocol && e.protocol !== f.protocol) return false;
  if (f.src !== undefined && e.original.src !== f.src) return false;
  if (f.dst !== undefined && e.original.dst !== f.dst) return false;
  if (f.replySrc !== undefined && e.reply.src !== f.replySrc) return false;
  if (f.replyDst !== undefined && e.reply.dst !== f.replyDst) return false;
  if (f.sport !== undefined && e.original.sport !== f.sport) return false;
  if (f.dport !== undefined && e.original.dport !== f.dport) return false;
  if (f.zone !== undefined && e.zone !== f.zone) return false;
  if (f.mark !== undefined && (e.mark === undefined || (e.mark & f.markMask!) >>> 0 !== f.mark)) return false;
  if (f.status !== undefined && !f.status.every((s) => e.status.includes(s))) return false;
  return true;
}

async function expectEvents(ct: ConntrackClient, io: CommandIO, options: RunConntrackOptions): Promise<number> {
  const sub = await ct.expectationEvents({ types: ['new', 'destroy'] as ConntrackExpectEventType[], ...(io.signal ? { signal: io.signal } : {}) });
  options.onListening?.();
  let n = 0;
  try {
    for await (const ev of sub) {
      if (isOverrun(ev)) {
        io.stderr(ENOBUFS_WARNING);
        continue;
      }
      io.stdout(`${formatConntrackExpectation(ev.expectation, ev.type)}\n`);
      n++;
    }
  } catch (err) {
    if (!(err instanceof Error && err.name === 'AbortError')) throw err;
  } finally {
    sub.close();
  }
  io.stderr(`${VERSION}: ${n} expectation events have been shown.\n`);
  return n;
}
