// `nlkit ss`: iproute2's ss (6.1, misc/ss.c) over SockDiagClient. Options,
// socket tables, state words and filter expressions are ss's; the output is
// buffered and laid out in columns as ss does for a pipe (render.ts).
// Tables: tcp, udp, raw, mptcp, unix (stream, dgram, seqpacket), netlink and
// packet; dccp and sctp are dumped and printed as inet sockets (without ss's
// SCTP association details); vsock, tipc and xdp are accepted and list nothing.
// -E follows destroyed inet sockets, -s prints /proc/net's counts; -T, -b,
// -D and -F are refused.
import { lookupService } from 'node:dns/promises';
import { isOverrun } from '../../io/subscription.js';
import { readFileSync } from 'node:fs';
import { rtLinkNames } from './links.js';
import { procNetDir, readProcDgram, summary } from './procnet.js';
import { CgroupPaths, Services, SocketUsers, formatG, protocolName } from './names.js';
import { COL, Renderer } from './render.js';
import { CommandError } from '../error.js';
import type { CommandIO } from '../ynl.js';
import { NetlinkError } from '../../core/errors.js';
import { SockDiagClient, type InetSocket, type NetlinkSocketInfo, type PacketSocket, type SocketMemory, type UnixSocket } from '../../families/sockdiag/client.js';
import { matchFilter, type SockFilter } from '../../families/sockdiag/filter.js';
import { formatAddress, parseAddress, type AddressBytes } from '../../families/sockdiag/address.js';
import { compileFilter } from '../../families/sockdiag/filter.js';
import { INET_PROTOCOLS, toInetSocket } from '../../families/sockdiag/client.js';
import { family as inetFamily } from '../../families/generated/sock-diag-inet.js';
import { MessageWriter } from '../../core/writer.js';
import { NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import type { TcpState } from '../../families/generated/sock-diag-inet.js';
import { TCP_STATE_NAMES } from '../../families/generated/sock-diag-inet.constants.js';

const VERSION = 'ss utility, iproute2-6.1.0';

const USAGE = `Usage: ss [ OPTIONS ]
       ss [ OPTIONS ] [ FILTER ]
   -h, --help          this message
   -V, --version       output version information
   -n, --numeric       don't resolve service names
   -r, --resolve       resolve host names
   -a, --all           display all sockets
   -l, --listening     display listening sockets
   -o, --options       show timer information
   -e, --extended      show detailed socket information
   -m, --memory        show socket memory usage
   -p, --processes     show process using socket
   -T, --threads       show thread using socket
   -i, --info          show internal TCP information
       --tipcinfo      show internal tipc socket information
   -s, --summary       show socket usage summary
       --tos           show tos and priority information
       --cgroup        show cgroup information
   -b, --bpf           show bpf filter socket information
   -E, --events        continually display sockets as they are destroyed
   -Z, --context       display task SELinux security contexts
   -z, --contexts      display task and socket SELinux security contexts
   -N, --net           switch to the specified network namespace name

   -4, --ipv4          display only IP version 4 sockets
   -6, --ipv6          display only IP version 6 sockets
   -0, --packet        display PACKET sockets
   -t, --tcp           display only TCP sockets
   -M, --mptcp         display only MPTCP sockets
   -S, --sctp          display only SCTP sockets
   -u, --udp           display only UDP sockets
   -d, --dccp          display only DCCP sockets
   -w, --raw           display only RAW sockets
   -x, --unix          display only Unix domain sockets
       --tipc          display only TIPC sockets
       --vsock         display only vsock sockets
       --xdp           display only XDP sockets
   -f, --family=FAMILY display sockets of type FAMILY
       FAMILY := {inet|inet6|link|unix|netlink|vsock|tipc|xdp|help}

   -K, --kill          forcibly close sockets, display what was closed
   -H, --no-header     Suppress header line
   -O, --oneline       socket's data printed on a single line
       --inet-sockopt  show various inet socket options

   -A, --query=QUERY, --socket=QUERY
       QUERY := {all|inet|tcp|mptcp|udp|raw|unix|unix_dgram|unix_stream|unix_seqpacket|packet|packet_raw|packet_dgram|netlink|dccp|sctp|vsock_stream|vsock_dgram|tipc|xdp}[,QUERY]

   -D, --diag=FILE     Dump raw information about TCP sockets to FILE
   -F, --filter=FILE   read filter information from FILE
       FILTER := [ state STATE-FILTER ] [ EXPRESSION ]
       STATE-FILTER := {all|connected|synchronized|bucket|big|TCP-STATES}
         TCP-STATES := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|closed|close-wait|last-ack|listening|closing}
          connected := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|close-wait|last-ack|closing}
       synchronized := {established|syn-recv|fin-wait-{1,2}|time-wait|close-wait|last-ack|closing}
             bucket := {syn-recv|time-wait}
                big := {established|syn-sent|fin-wait-{1,2}|closed|close-wait|last-ack|listening|closing}
`;

// ---- ss's tables (misc/ss.c) ---------------------------------------------------

// Socket tables (the *_DB enum) and address families it selects by.
const DB = {
  tcp: 0,
  mptcp: 1,
  dccp: 2,
  udp: 3,
  raw: 4,
  unixDg: 5,
  unixSt: 6,
  unixSq: 7,
  packetDg: 8,
  packetR: 9,
  netlink: 10,
  sctp: 11,
  vsockSt: 12,
  vsockDg: 13,
  tipc: 14,
  xdp: 15,
} as const;
const MAX_DB = 16;
const AF = { unix: 1, inet: 2, inet6: 10, netlink: 16, packet: 17, tipc: 30, vsock: 40, xdp: 44 } as const;
const SS = {
  unknown: 0,
  established: 1,
  synSent: 2,
  synRecv: 3,
  finWait1: 4,
  finWait2: 5,
  timeWait: 6,
  close: 7,
  closeWait: 8,
  lastAck: 9,
  listen: 10,
  closing: 11,
  max: 12,
} as const;
const SS_ALL = (1 << SS.max) - 1;
const SS_CONN = SS_ALL & ~((1 << SS.listen) | (1 << SS.close) | (1 << SS.timeWait) | (1 << SS.synRecv));
const TIPC_SS_CONN = (1 << SS.established) | (1 << SS.listen) | (1 << SS.close);
const INET = (1 << AF.inet) | (1 << AF.inet6);
const DEFAULT_DBS: Array<{ states: number; families: number }> = [
  { states: SS_CONN, families: INET },
  { states: SS_CONN, families: INET },
  { states: SS_CONN, families: INET },
  { states: 1 << SS.established, families: INET },
  { states: 1 << SS.established, families: INET },
  { states: 1 << SS.close, families: 1 << AF.unix },
  { states: SS_CONN, families: 1 << AF.unix },
  { states: SS_CONN, families: 1 << AF.unix },
  { states: 1 << SS.close, families: 1 << AF.packet },
  { states: 1 << SS.close, families: 1 << AF.packet },
  { states: 1 << SS.close, families: 1 << AF.netlink },
  { states: SS_CONN, families: INET },
  { states: SS_CONN, families: 2 ** AF.vsock },
  { states: SS_CONN, families: 2 ** AF.vsock },
  { states: TIPC_SS_CONN, families: 1 << AF.tipc },
  { states: 1 << SS.close, families: 2 ** AF.xdp },
];
const INET_DBM = (1 << DB.tcp) | (1 << DB.mptcp) | (1 << DB.udp) | (1 << DB.dccp) | (1 << DB.sctp) | (1 << DB.raw);
const UNIX_DBM = (1 << DB.unixDg) | (1 << DB.unixSt) | (1 << DB.unixSq);
const PACKET_DBM = (1 << DB.packetDg) | (1 << DB.packetR);
const DEFAULT_AFS = new Map<number, { dbs: number; states: number }>([
  [AF.inet, { dbs: INET_DBM, states: SS_CONN }],
  [AF.inet6, { dbs: INET_DBM, states: SS_CONN }],
  [AF.unix, { dbs: UNIX_DBM, states: SS_CONN }],
  [AF.packet, { dbs: PACKET_DBM, states: 1 << SS.close }],
  [AF.netlink, { dbs: 1 << DB.netlink, states: 1 << SS.close }],
  [AF.vsock, { dbs: (1 << DB.vsockSt) | (1 << DB.vsockDg), states: SS_CONN }],
  [AF.tipc, { dbs: 1 << DB.tipc, states: TIPC_SS_CONN }],
  [AF.xdp, { dbs: 1 << DB.xdp, states: 1 << SS.close }],
]);
const DB_NAMES: Record<string, number[]> = {
  all: [DB.udp, DB.dccp, DB.tcp, DB.mptcp, DB.raw, DB.unixSt, DB.unixDg, DB.unixSq, DB.packetR, DB.packetDg, DB.netlink, DB.sctp, DB.vsockSt, DB.vsockDg, DB.xdp],
  inet: [DB.udp, DB.dccp, DB.tcp, DB.mptcp, DB.sctp, DB.raw],
  udp: [DB.udp],
  dccp: [DB.dccp],
  tcp: [DB.tcp],
  mptcp: [DB.mptcp],
  sctp: [DB.sctp],
  raw: [DB.raw],
  unix: [DB.unixSt, DB.unixDg, DB.unixSq],
  unix_stream: [DB.unixSt],
  u_str: [DB.unixSt],
  unix_dgram: [DB.unixDg],
  u_dgr: [DB.unixDg],
  unix_seqpacket: [DB.unixSq],
  u_seq: [DB.unixSq],
  packet: [DB.packetR, DB.packetDg],
  packet_raw: [DB.packetR],
  p_raw: [DB.packetR],
  packet_dgram: [DB.packetDg],
  p_dgr: [DB.packetDg],
  netlink: [DB.netlink],
  tipc: [DB.tipc],
  vsock: [DB.vsockSt, DB.vsockDg],
  vsock_stream: [DB.vsockSt],
  v_str: [DB.vsockSt],
  vsock_dgram: [DB.vsockDg],
  v_dgr: [DB.vsockDg],
  xdp: [DB.xdp],
};
const STATE_WORDS = ['UNKNOWN', 'established', 'syn-sent', 'syn-recv', 'fin-wait-1', 'fin-wait-2', 'time-wait', 'unconnected', 'close-wait', 'last-ack', 'listening', 'closing'];
const STATE_SHOWN = ['UNKNOWN', 'ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'UNCONN', 'CLOSE-WAIT', 'LAST-ACK', 'LISTEN', 'CLOSING'];
const TIMERS = ['off', 'on', 'keepalive', 'timewait', 'persist', 'unknown'];
// nl_proto_n2a() names (lib/rt_names.c nl_proto_tab).
const NL_PROTOS: Array<string | undefined> = [
  'rtnl',
  'unused',
  'usersock',
  'fw',
  'tcpdiag',
  'nflog',
  'xfrm',
  'selinux',
  'iscsi',
  'audit',
  'fiblookup',
  'connector',
  'nft',
  'ip6fw',
  'dec-rt',
  'uevent',
  'genl',
  undefined,
  'scsi-trans',
  'ecryptfs',
  'rdma',
  'crypto',
];
// ll_proto_n2a() names of the ethertypes a packet socket binds to most (lib/ll_proto.c; the first name of each).
const ETHERTYPES: Record<number, string> = {
  0x0001: '802_3',
  0x0003: 'all',
  0x0004: '802_2',
  0x0800: 'ip',
  0x0806: 'arp',
  0x8035: 'rarp',
  0x86dd: 'ipv6',
  0x8100: '802.1Q',
  0x88a8: '802.1ad',
  0x8847: 'mpls_uc',
  0x8848: 'mpls_mc',
  0x88cc: 'LLDP',
  0x6558: 'teb',
};
// strerror() of what SOCK_DESTROY answers when it is refused.
const STRERROR: Record<string, string> = {
  EPERM: 'Operation not permitted',
  EACCES: 'Permission denied',
  EINVAL: 'Invalid argument',
  ENOENT: 'No such file or directory',
  EOPNOTSUPP: 'Operation not supported',
};

// The spec's state names by number, for the kernel's answers.
const STATE_BY_NUMBER = new Map(Object.entries(TCP_STATE_NAMES).map(([v, n]) => [Number(v), n as TcpState] as const));
const STATE_NUMBER = new Map([...STATE_BY_NUMBER].map(([v, n]) => [n as string, v] as const));

function stateNumber(s: TcpState | number): number {
  return typeof s === 'number' ? s : (STATE_NUMBER.get(s) ?? 0);
}

function statesOf(mask: number): TcpState[] {
  const out: TcpState[] = [];
  for (let i = 1; i < 32; i++) if (mask & (1 << i) && STATE_BY_NUMBER.has(i)) out.push(STATE_BY_NUMBER.get(i)!);
  return out;
}

// ---- options ------------------------------------------------------------------

interface Options {
  numeric: boolean;
  resolve: boolean;
  showOptions: boolean;
  details: number;
  mem: boolean;
  tcpinfo: boolean;
  processes: boolean;
  tos: boolean;
  cgroup: boolean;
  sockopt: boolean;
  header: boolean;
  kill: boolean;
  oneline: boolean;
  netns: string | undefined;
}

interface Filter {
  dbs: number;
  states: number;
  families: number;
  expr: SockFilter | undefined;
}

function usageError(io: CommandIO, first: string): CommandError {
  return new CommandError(`${first}${USAGE}`, 255);
}

const SHORT_WITH_ARG = new Set(['f', 'A', 'D', 'F', 'N']);
const SHORT = new Set('dhaletuwxnro460spTbEf:mMiA:D:F:vVzZN:KHSO'.replace(/:/g, '').split(''));
const LONG: Record<string, { ch: string; arg: boolean }> = {
  numeric: { ch: 'n', arg: false },
  resolve: { ch: 'r', arg: false },
  options: { ch: 'o', arg: false },
  extended: { ch: 'e', arg: false },
  memory: { ch: 'm', arg: false },
  info: { ch: 'i', arg: false },
  processes: { ch: 'p', arg: false },
  threads: { ch: 'T', arg: false },
  bpf: { ch: 'b', arg: false },
  events: { ch: 'E', arg: false },
  dccp: { ch: 'd', arg: false },
  tcp: { ch: 't', arg: false },
  sctp: { ch: 'S', arg: false },
  udp: { ch: 'u', arg: false },
  raw: { ch: 'w', arg: false },
  unix: { ch: 'x', arg: false },
  tipc: { ch: 'tipc', arg: false },
  vsock: { ch: 'vsock', arg: false },
  all: { ch: 'a', arg: false },
  listening: { ch: 'l', arg: false },
  ipv4: { ch: '4', arg: false },
  ipv6: { ch: '6', arg: false },
  packet: { ch: '0', arg: false },
  family: { ch: 'f', arg: true },
  socket: { ch: 'A', arg: true },
  query: { ch: 'A', arg: true },
  summary: { ch: 's', arg: false },
  diag: { ch: 'D', arg: true },
  filter: { ch: 'F', arg: true },
  version: { ch: 'V', arg: false },
  help: { ch: 'h', arg: false },
  context: { ch: 'Z', arg: false },
  contexts: { ch: 'z', arg: false },
  net: { ch: 'N', arg: true },
  tipcinfo: { ch: 'tipcinfo', arg: false },
  tos: { ch: 'tos', arg: false },
  cgroup: { ch: 'cgroup', arg: false },
  kill: { ch: 'K', arg: false },
  'no-header': { ch: 'H', arg: false },
  xdp: { ch: 'xdp', arg: false },
  mptcp: { ch: 'M', arg: false },
  oneline: { ch: 'O', arg: false },
  'inet-sockopt': { ch: 'inet-sockopt', arg: false },
};

/** getopt_long with permutation: options and their arguments, then the other words in order. */
function getopt(args: readonly string[], io: CommandIO): { opts: Array<[string, string | undefined]>; rest: string[] } {
  const opts: Array<[string, string | undefined]> = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const matches = Object.keys(LONG).filter((k) => k.startsWith(name));
      const exact = LONG[name];
      const spec = exact ?? (matches.length === 1 || (matches.length > 1 && matches.every((m) => LONG[m]!.ch === LONG[matches[0]!]!.ch)) ? LONG[matches[0]!] : undefined);
      if (!spec) {
        if (matches.length > 1) throw usageError(io, `ss: option '${a}' is ambiguous; possibilities:${matches.map((m) => ` '--${m}'`).join('')}\n`);
        throw usageError(io, `ss: unrecognized option '${a}'\n`);
      }
      const full = exact ? name : matches[0]!;
      if (spec.arg) {
        if (eq >= 0) opts.push([spec.ch, a.slice(eq + 1)]);
        else if (i + 1 < args.length) opts.push([spec.ch, args[++i]!]);
        else throw usageError(io, `ss: option '--${full}' requires an argument\n`);
      } else {
        if (eq >= 0) throw usageError(io, `ss: option '--${full}' doesn't allow an argument\n`);
        opts.push([spec.ch, undefined]);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j]!;
        if (!SHORT.has(ch)) throw usageError(io, `ss: invalid option -- '${ch}'\n`);
        if (SHORT_WITH_ARG.has(ch)) {
          if (j + 1 < a.length) opts.push([ch, a.slice(j + 1)]);
          else if (i + 1 < args.length) opts.push([ch, args[++i]!]);
          else throw usageError(io, `ss: option requires an argument -- '${ch}'\n`);
          break;
        }
        opts.push([ch, undefined]);
      }
      continue;
    }
    rest.push(a);
  }
  return { opts, rest };
}

function scanState(word: string): number {
  const w = word.toLowerCase();
  if (w === 'close' || w === 'closed') return 1 << SS.close;
  if (w === 'syn-rcv') return 1 << SS.synRecv;
  if (w === 'established') return 1 << SS.established;
  if (w === 'all') return SS_ALL;
  if (w === 'connected') return SS_ALL & ~((1 << SS.close) | (1 << SS.listen));
  if (w === 'synchronized') return SS_ALL & ~((1 << SS.close) | (1 << SS.listen) | (1 << SS.synSent));
  if (w === 'bucket') return (1 << SS.synRecv) | (1 << SS.timeWait);
  if (w === 'big') return SS_ALL & ~((1 << SS.synRecv) | (1 << SS.timeWait));
  const i = STATE_WORDS.findIndex((s) => s.toLowerCase() === w);
  if (i >= 0) return 1 << i;
  throw new CommandError(`ss: wrong state name: ${word}\n`, 255);
}

// ---- filter expressions (misc/ssfilter.y) ----------------------------------------

type Tok = { kind: 'op'; v: string } | { kind: 'word'; v: string };

function lex(words: readonly string[]): Tok[] {
  const ops: Record<string, string> = {
    '!': '!',
    not: '!',
    '&': '&',
    '&&': '&',
    and: '&',
    '|': '|',
    '||': '|',
    or: '|',
    '(': '(',
    ')': ')',
    dst: 'dst',
    src: 'src',
    dport: 'dport',
    sport: 'sport',
    dev: 'dev',
    fwmark: 'fwmark',
    cgroup: 'cgroup',
    '>=': 'ge',
    ge: 'ge',
    geq: 'ge',
    '<=': 'le',
    le: 'le',
    leq: 'le',
    '!=': 'ne',
    ne: 'ne',
    neq: 'ne',
    '=': '=',
    '==': '=',
    eq: '=',
    '>': '>',
    gt: '>',
    '<': '<',
    lt: '<',
    autobound: 'autobound',
  };
  const out: Tok[] = [];
  for (const w of words) for (const t of w.split(/[ \t]+/).filter(Boolean)) out.push(ops[t] !== undefined ? { kind: 'op', v: ops[t] } : { kind: 'word', v: t });
  return out;
}

class FilterParser {
  private i = 0;

  constructor(
    private readonly toks: Tok[],
    private readonly port: (text: string) => number | undefined,
  ) {}

  private syntax(): never {
    throw new CommandError(`ss: bison bellows (while parsing filter): "syntax error!" Sorry.\n${USAGE}`, 255);
  }

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }

  parse(): SockFilter | undefined {
    if (this.toks.length === 0) return undefined;
    const e = this.list();
    if (this.i !== this.toks.length) this.syntax();
    return e;
  }

  private startsExpr(t: Tok | undefined): boolean {
    return t !== undefined && t.kind === 'op' && ['(', '!', 'dst', 'src', 'dport', 'sport', 'dev', 'fwmark', 'cgroup', 'autobound'].includes(t.v);
  }

  private list(): SockFilter {
    let left = this.expr();
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'op' && (t.v === '|' || t.v === '&')) {
        this.i++;
        left = { type: t.v === '|' ? 'or' : 'and', left, right: this.expr() };
      } else if (this.startsExpr(t)) {
        left = { type: 'and', left, right: this.expr() };
      } else {
        return left;
      }
    }
  }

  private hostPort(text: string): number {
    const p = this.port(text);
    if (p === undefined) throw new CommandError(`Error: "${text.replace(/^:/, '')}" does not look like a port.\nCannot parse dst/src address.\n`, 1);
    return p;
  }

  private expr(): SockFilter {
    const t = this.toks[this.i++];
    if (!t || t.kind !== 'op') this.syntax();
    switch (t.v) {
      case '(': {
        const e = this.list();
        const close = this.toks[this.i++];
        if (close?.kind !== 'op' || close.v !== ')') this.syntax();
        return e;
      }
      case '!':
        return { type: 'not', expr: this.expr() };
      case 'sport':
      case 'dport': {
        let op = this.peek();
        let rel = '=';
        if (op?.kind === 'op' && ['=', 'ne', 'ge', 'le', '>', '<'].includes(op.v)) {
          rel = op.v;
          this.i++;
        }
        op = this.toks[this.i++];
        if (!op || op.kind !== 'word') this.syntax();
        const port = this.hostPort(op.v);
        const map: Record<string, 'eq' | 'ne' | 'ge' | 'le' | 'gt' | 'lt'> = { '=': 'eq', ne: 'ne', ge: 'ge', le: 'le', '>': 'gt', '<': 'lt' };
        return { type: t.v, op: map[rel]!, port };
      }
      case 'src':
      case 'dst': {
        if (this.peek()?.kind === 'op' && this.peek()!.v === '=') this.i++;
        const w = this.toks[this.i++];
        if (!w || w.kind !== 'word') this.syntax();
        return { type: t.v, ...this.hostCond(w.v) };
      }
      case 'fwmark': {
        let neg = false;
        if (this.peek()?.kind === 'op' && (this.peek()!.v === '=' || this.peek()!.v === 'ne')) neg = this.toks[this.i++]!.v === 'ne';
        const w = this.toks[this.i++];
        if (!w || w.kind !== 'word') this.syntax();
        const m = /^(0x[0-9a-f]+|\d+)(?:\/(0x[0-9a-f]+|\d+))?$/i.exec(w.v);
        if (!m) throw new CommandError(`Cannot parse mark ${w.v}.\n`, 1);
        const f: SockFilter = { type: 'mark', mark: Number(m[1]), mask: m[2] === undefined ? 0xffffffff : Number(m[2]) };
        return neg ? { type: 'not', expr: f } : f;
      }
      default:
        throw new CommandError(`nlkit ss: the filter condition '${t.v}' is not supported by nlkit\n`, 255);
    }
  }

  private hostCond(text: string): { address?: string; port?: number } {
    let addr = text;
    let port: string | undefined;
    if (addr.startsWith('[')) {
      const end = addr.indexOf(']');
      port = addr.slice(end + 1).replace(/^:/, '') || undefined;
      addr = addr.slice(1, end);
    } else {
      const colons = addr.split(':').length - 1;
      if (colons === 1) {
        [addr, port] = addr.split(':') as [string, string];
      }
    }
    const out: { address?: string; port?: number } = {};
    if (addr !== '' && addr !== '*') out.address = addr;
    if (port !== undefined && port !== '' && port !== '*') out.port = this.hostPort(port);
    return out;
  }
}

// ---- printing --------------------------------------------------------------------

interface Ctx {
  o: Options;
  f: Filter;
  r: Renderer;
  services: Services;
  users: SocketUsers | undefined;
  cgroups: CgroupPaths;
  ifname: (index: number) => string;
  /** With -r, the host name of an address (resolve_address(): gethostbyaddr, IPv4-mapped as IPv4). */
  host: (text: string) => Promise<string | undefined>;
}

function stateLine(ctx: Ctx, netid: string, state: number, rq: number, wq: number): void {
  const r = ctx.r;
  r.set(COL.netid);
  r.out(netid);
  r.set(COL.state);
  r.out(STATE_SHOWN[state] ?? '');
  r.set(COL.recvq);
  r.out(String(rq | 0).padEnd(6));
  r.set(COL.sendq);
  r.out(String(wq | 0).padEnd(6));
  r.set(COL.addr);
}

function addrPort(ctx: Ctx, addr: string, delim: string, port: string, ifname?: string): void {
  ctx.r.out(ifname !== undefined ? `${addr}%${ifname}${delim}` : `${addr}${delim}`);
  ctx.r.next();
  ctx.r.out(port);
  ctx.r.next();
}

function msTimer(timeout: number): string {
  let secs = Math.trunc(timeout / 1000);
  const minutes = Math.trunc(secs / 60);
  secs %= 60;
  let msecs = timeout % 1000;
  let buf = '';
  if (minutes) {
    msecs = 0;
    buf = `${minutes}min`;
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    buf += `${secs}${msecs ? '.' : 'sec'}`;
  }
  if (msecs) buf += `${String(msecs).padStart(3, '0')}ms`;
  return buf;
}

function hex(n: number): string {
  return n === 0 ? '0' : `0x${n.toString(16)}`;
}

function skmem(m: SocketMemory): string {
  let s = ` skmem:(r${m.rmemAlloc},rb${m.rcvbuf},t${m.wmemAlloc},tb${m.sndbuf},f${m.fwdAlloc},w${m.wmemQueued},o${m.optmem}`;
  if (m.backlog !== undefined) s += `,bl${m.backlog}`;
  if (m.drops !== undefined) s += `,d${m.drops}`;
  return `${s})`;
}

function roundEven(x: number): string {
  const f = Math.floor(x);
  const d = x - f;
  const r = d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
  return String(r);
}

function bw(x: number, numeric: boolean): string {
  if (numeric) return roundEven(x);
  if (x >= 1e12) return `${formatG(x / 1e12, 3)}T`;
  if (x >= 1e9) return `${formatG(x / 1e9, 3)}G`;
  if (x >= 1e6) return `${formatG(x / 1e6, 3)}M`;
  if (x >= 1e3) return `${formatG(x / 1e3, 3)}k`;
  return formatG(x);
}

const U64_MAX = 0xffffffffffffffffn;

function tcpInfoText(ctx: Ctx, s: InetSocket): string {
  let out = '';
  if (s.memory) out += skmem(s.memory);
  else if (s.queueMemory) out += ` mem:(r${s.queueMemory.rmem},w${s.queueMemory.wmem},f${s.queueMemory.fmem},t${s.queueMemory.tmem})`;
  const t = s.tcpInfo;
  if (!t) return out;
  const n = (v: number | undefined): number => v ?? 0;
  const b = (v: bigint | undefined): bigint => v ?? 0n;
  const opt = n(t.options);
  if (ctx.o.showOptions) {
    if (opt & 1) out += ' ts';
    if (opt & 2) out += ' sack';
    if (opt & 8) out += ' ecn';
    if (opt & 16) out += ' ecnseen';
    if (opt & 32) out += ' fastopen';
  }
  if (s.congestion) out += ` ${s.congestion.slice(0, 15)}`;
  if (opt & 4) out += ` wscale:${n(t.sndWscale)},${n(t.rcvWscale)}`;
  const rto = n(t.rto);
  if (rto && rto !== 3000000) out += ` rto:${formatG(rto / 1000)}`;
  if (n(t.backoff)) out += ` backoff:${n(t.backoff)}`;
  if (n(t.rtt)) out += ` rtt:${formatG(n(t.rtt) / 1000)}/${formatG(n(t.rttvar) / 1000)}`;
  if (n(t.ato)) out += ` ato:${formatG(n(t.ato) / 1000)}`;
  if (n(t.sndMss)) out += ` mss:${n(t.sndMss)}`;
  if (n(t.pmtu)) out += ` pmtu:${n(t.pmtu)}`;
  if (n(t.rcvMss)) out += ` rcvmss:${n(t.rcvMss)}`;
  if (n(t.advmss)) out += ` advmss:${n(t.advmss)}`;
  if (n(t.sndCwnd)) out += ` cwnd:${n(t.sndCwnd)}`;
  const ssthresh = n(t.sndSsthresh) < 0xffff ? n(t.sndSsthresh) : 0;
  if (ssthresh) out += ` ssthresh:${ssthresh}`;
  if (b(t.bytesSent)) out += ` bytes_sent:${b(t.bytesSent)}`;
  if (b(t.bytesRetrans)) out += ` bytes_retrans:${b(t.bytesRetrans)}`;
  if (b(t.bytesAcked)) out += ` bytes_acked:${b(t.bytesAcked)}`;
  if (b(t.bytesReceived)) out += ` bytes_received:${b(t.bytesReceived)}`;
  if (n(t.segsOut)) out += ` segs_out:${n(t.segsOut)}`;
  if (n(t.segsIn)) out += ` segs_in:${n(t.segsIn)}`;
  if (n(t.dataSegsOut)) out += ` data_segs_out:${n(t.dataSegsOut)}`;
  if (n(t.dataSegsIn)) out += ` data_segs_in:${n(t.dataSegsIn)}`;
  if (s.dctcp) {
    const d = s.dctcp;
    out += d.enabled ? ` dctcp:(ce_state:${d.ceState},alpha:${d.alpha},ab_ecn:${d.abEcn},ab_tot:${d.abTot})` : ' dctcp:fallback_mode';
  }
  if (s.bbr) {
    out += ` bbr:(bw:${bw(Number(s.bbr.bw) * 8, ctx.o.numeric)}bps,mrtt:${formatG(s.bbr.minRtt / 1000)}`;
    if (s.bbr.pacingGain) out += `,pacing_gain:${formatG(s.bbr.pacingGain / 256)}`;
    if (s.bbr.cwndGain) out += `,cwnd_gain:${formatG(s.bbr.cwndGain / 256)}`;
    out += ')';
  }
  let rtt = n(t.rtt);
  if (s.vegas && s.vegas.enabled && s.vegas.rtt && s.vegas.rtt !== 0x7fffffff) rtt = s.vegas.rtt;
  if (rtt > 0 && n(t.sndMss) && n(t.sndCwnd)) out += ` send ${bw((n(t.sndCwnd) * n(t.sndMss) * 8000000) / rtt, ctx.o.numeric)}bps`;
  if (n(t.lastDataSent)) out += ` lastsnd:${n(t.lastDataSent)}`;
  if (n(t.lastDataRecv)) out += ` lastrcv:${n(t.lastDataRecv)}`;
  if (n(t.lastAckRecv)) out += ` lastack:${n(t.lastAckRecv)}`;
  const pacing = b(t.pacingRate);
  if (pacing && pacing !== U64_MAX) {
    out += ` pacing_rate ${bw(Number(pacing) * 8, ctx.o.numeric)}bps`;
    const max = b(t.maxPacingRate);
    if (max && max !== U64_MAX) out += `/${bw(Number(max) * 8, ctx.o.numeric)}bps`;
  }
  if (b(t.deliveryRate)) out += ` delivery_rate ${bw(Number(b(t.deliveryRate)) * 8, ctx.o.numeric)}bps`;
  if (n(t.delivered)) out += ` delivered:${n(t.delivered)}`;
  if (n(t.deliveredCe)) out += ` delivered_ce:${n(t.deliveredCe)}`;
  if (t.deliveryRateAppLimited) out += ' app_limited';
  const busy = b(t.busyTime);
  if (busy) {
    out += ` busy:${busy / 1000n}ms`;
    const rw = b(t.rwndLimited);
    const sb = b(t.sndbufLimited);
    if (rw) out += ` rwnd_limited:${rw / 1000n}ms(${((100 * Number(rw)) / Number(busy)).toFixed(1)}%)`;
    if (sb) out += ` sndbuf_limited:${sb / 1000n}ms(${((100 * Number(sb)) / Number(busy)).toFixed(1)}%)`;
  }
  if (n(t.unacked)) out += ` unacked:${n(t.unacked)}`;
  if (n(t.retrans) || n(t.totalRetrans)) out += ` retrans:${n(t.retrans)}/${n(t.totalRetrans)}`;
  if (n(t.lost)) out += ` lost:${n(t.lost)}`;
  if (n(t.sacked) && stateNumber(s.state) !== SS.listen) out += ` sacked:${n(t.sacked)}`;
  if (n(t.dsackDups)) out += ` dsack_dups:${n(t.dsackDups)}`;
  if (n(t.fackets)) out += ` fackets:${n(t.fackets)}`;
  if (n(t.reordering) !== 3) out += ` reordering:${n(t.reordering) | 0}`;
  if (n(t.reordSeen)) out += ` reord_seen:${n(t.reordSeen) | 0}`;
  if (n(t.rcvRtt)) out += ` rcv_rtt:${formatG(n(t.rcvRtt) / 1000)}`;
  if (n(t.rcvSpace)) out += ` rcv_space:${n(t.rcvSpace) | 0}`;
  if (n(t.rcvSsthresh)) out += ` rcv_ssthresh:${n(t.rcvSsthresh)}`;
  if (n(t.notsentBytes)) out += ` notsent:${n(t.notsentBytes)}`;
  const minRtt = n(t.minRtt);
  if (minRtt && minRtt !== 0xffffffff) out += ` minrtt:${formatG(minRtt / 1000)}`;
  if (n(t.rcvOoopack)) out += ` rcv_ooopack:${n(t.rcvOoopack)}`;
  if (n(t.sndWnd)) out += ` snd_wnd:${n(t.sndWnd)}`;
  return out;
}

const SOCKOPT_WORDS: Record<string, string> = {
  recverr: 'recverr',
  'is-icsk': 'is_icsk',
  freebind: 'freebind',
  hdrincl: 'hdrincl',
  'mc-loop': 'mc_loop',
  transparent: 'transparent',
  'mc-all': 'mc_all',
  nodefrag: 'nodefrag',
  'bind-address-no-port': 'bind_addr_no_port',
  'recverr-rfc4884': 'recverr_rfc4884',
  'defer-connect': 'defer_connect',
};

function inetName(protocol: number, raw: number | undefined): string {
  const p = raw ?? protocol;
  switch (p) {
    case 0:
      return 'raw';
    case 17:
      return 'udp';
    case 6:
      return 'tcp';
    case 262:
      return 'mptcp';
    case 132:
      return 'sctp';
    case 33:
      return 'dccp';
    case 58:
      return 'icmp6';
  }
  return '???';
}

async function inetAddr(ctx: Ctx, s: InetSocket, local: boolean, dgProto: string | undefined): Promise<void> {
  const v6 = s.family === 'inet6';
  const text = local ? s.src : s.dst;
  let ap: string;
  if (!v6) ap = (await ctx.host(text)) ?? text;
  else if (!s.v6only && text === '::') ap = '*';
  else {
    const shown = (await ctx.host(text)) ?? text;
    ap = shown.includes(':') ? `[${shown}]` : shown;
  }
  const port = local ? s.sport : s.dport;
  let portText: string;
  if (port === 0) portText = '*';
  else if (ctx.o.numeric) portText = String(port);
  else if (dgProto === 'raw') portText = protocolName(port) ?? `ipproto-${port}`;
  else portText = ctx.services.port(port, dgProto, false);
  addrPort(ctx, ap, ':', portText, local && s.ifindex ? ctx.ifname(s.ifindex) : undefined);
}

async function printInet(ctx: Ctx, s: InetSocket, dgProto: string | undefined): Promise<void> {
  const r = ctx.r;
  const o = ctx.o;
  stateLine(ctx, inetName(s.protocol, s.rawProtocol), stateNumber(s.state), s.rqueue, s.wqueue);
  await inetAddr(ctx, s, true, dgProto);
  await inetAddr(ctx, s, false, dgProto);
  if (ctx.users) r.out(ctx.users.format(s.inode));
  if (o.showOptions && s.timer) r.out(` timer:(${TIMERS[Math.min(s.timer, 5)]},${msTimer(s.expires)},${s.retransmits})`);
  if (o.details) {
    if (s.uid) r.out(` uid:${s.uid}`);
    r.out(` ino:${s.inode}`);
    r.out(` sk:${s.cookie.toString(16)}`);
    if (s.mark) r.out(` fwmark:0x${s.mark.toString(16)}`);
    if (s.cgroupId) r.out(` cgroup:${ctx.cgroups.path(s.cgroupId)}`);
    if (s.family === 'inet6' && s.v6only !== undefined) r.out(` v6only:${s.v6only ? 1 : 0}`);
    if (s.shutdown !== undefined) r.out(` ${s.shutdown & 1 ? '-' : '<'}-${s.shutdown & 2 ? '-' : '>'}`);
  }
  if (o.tos) {
    if (s.tos !== undefined) r.out(` tos:${hex(s.tos)}`);
    if (s.tclass !== undefined) r.out(` tclass:${hex(s.tclass)}`);
    if (s.classId !== undefined) r.out(` class_id:${hex(s.classId)}`);
  }
  if (o.cgroup && s.cgroupId !== undefined) r.out(` cgroup:${ctx.cgroups.path(s.cgroupId)}`);
  if (o.sockopt && s.sockopt) r.out(`${o.oneline ? ' ' : '\n\t'}inet-sockopt: (${s.sockopt.map((x) => ` ${SOCKOPT_WORDS[x] ?? x}`).join('')})`);
  const type = s.rawProtocol ?? s.protocol;
  if (o.mem || (o.tcpinfo && type !== 17)) {
    if (!o.oneline) r.out('\n\t');
    r.out(tcpInfoText(ctx, s));
  }
}

function unixName(type: number | string): string {
  return type === 'stream' ? 'u_str' : type === 'seqpacket' ? 'u_seq' : 'u_dgr';
}

function printUnix(ctx: Ctx, s: UnixSocket): void {
  const r = ctx.r;
  stateLine(ctx, unixName(s.type), stateNumber(s.state), s.rqueue, s.wqueue);
  addrPort(ctx, s.name ?? '*', ' ', String(s.inode));
  addrPort(ctx, '*', ' ', String(s.peer));
  if (ctx.users) r.out(ctx.users.format(s.inode));
  if (ctx.o.mem && s.memory) r.out(skmem(s.memory));
  if (ctx.o.details) {
    if (s.shutdown !== undefined) r.out(` ${s.shutdown & 1 ? '-' : '<'}-${s.shutdown & 2 ? '-' : '>'}`);
    if (s.vfs) r.out(` ino:${s.vfs.ino} dev:${(s.vfs.dev >>> 8) & 0xfff}/${(s.vfs.dev & 0xff) | ((s.vfs.dev >>> 12) & 0xfff00)}`);
    if (s.pending) r.out(` peers:${s.pending.map((p) => ` ${p}`).join('')}`);
  }
}

// A netlink port id names the process that bound it (its command from /proc/PID/stat).
function procName(pid: number): string | undefined {
  try {
    return /^\d+ \(([^)]*)/.exec(readFileSync(`/proc/${pid}/stat`, 'latin1'))?.[1];
  } catch {
    return undefined;
  }
}

function printNetlink(ctx: Ctx, s: NetlinkSocketInfo): void {
  const r = ctx.r;
  stateLine(ctx, 'nl', SS.close, s.memory?.rmemAlloc ?? 0, s.memory?.wmemAlloc ?? 0);
  const prot = ctx.o.numeric ? String(s.protocol) : (NL_PROTOS[s.protocol] ?? String(s.protocol));
  let proc: string;
  if (s.portid === -1) proc = '*';
  else if (ctx.o.numeric) proc = String(s.portid);
  else if (s.portid === 0) proc = 'kernel';
  else {
    const name = s.portid > 0 ? procName(s.portid) : undefined;
    proc = name !== undefined ? `${name}/${s.portid}` : String(s.portid);
  }
  addrPort(ctx, prot, ':', proc);
  // NETLINK_CONNECTED is state 1.
  if (s.dstPortid || s.dstGroup) addrPort(ctx, String(s.dstGroup), ':', String(s.dstPortid));
  else addrPort(ctx, '', '*', '');
  if (ctx.o.details)
    r.out(
      ` sk=0 cb=0 groups=0x${(s.groups ?? [])
        .reduce((m, g) => (g <= 32 ? m | (1 << (g - 1)) : m), 0)
        .toString(16)
        .padStart(8, '0')}`,
    );
  if (ctx.o.mem && s.memory) r.out(`\t${skmem(s.memory)}`);
}

function printPacket(ctx: Ctx, s: PacketSocket, proto: (n: number) => string): void {
  const r = ctx.r;
  stateLine(ctx, s.type === 'raw' ? 'p_raw' : 'p_dgr', SS.close, s.memory?.rmemAlloc ?? 0, 0);
  const addr = s.protocol === 3 ? '*' : proto(s.protocol);
  const ifindex = s.info?.ifindex ?? 0;
  addrPort(ctx, addr, ':', ifindex === 0 ? '*' : ctx.ifname(ifindex));
  addrPort(ctx, '', '*', '');
  if (ctx.users) r.out(ctx.users.format(s.inode));
  const nl = ctx.o.oneline ? ' ' : '\n\t';
  if (ctx.o.details) {
    if (s.uid) r.out(` uid:${s.uid}`);
    r.out(` ino:${s.inode}`);
    r.out(` sk:${s.cookie.toString(16)}`);
    const i = s.info;
    if (i) {
      const words: string[] = i.flags.filter((x) => typeof x === 'string');
      const flag = (name: string, text: string): string => (words.includes(name) ? text : '');
      r.out(`${nl}ver:${i.version} cpy_thresh:${i.copyThresh} flags( `);
      r.out(
        flag('running', 'running') +
          flag('auxdata', ' auxdata') +
          flag('origdev', ' origdev') +
          flag('vnethdr', ' vnethdr') +
          flag('loss', ' loss') +
          (i.flags.length === 0 ? '0' : ''),
      );
      r.out(' )');
    }
    const ring = (name: string, g: NonNullable<PacketSocket['rxRing']>): void =>
      r.out(`${nl}${name}(blk_size:${g.blockSize},blk_nr:${g.blockNr},frm_size:${g.frameSize},frm_nr:${g.frameNr},tmo:${g.retireTmo},features:0x${g.features.toString(16)})`);
    if (s.rxRing) ring('ring_rx', s.rxRing);
    if (s.txRing) ring('ring_tx', s.txRing);
    if (s.fanout !== undefined) {
      const type = (s.fanout >>> 16) & 0xffff;
      const types = ['hash', 'lb', 'cpu', 'roll', 'random', 'qm'];
      r.out(`${nl}fanout(id:${s.fanout & 0xffff},type:${types[type] ?? `0x${type.toString(16)}`})`);
    }
  }
  if (ctx.o.mem && s.memory) r.out(skmem(s.memory));
}

// ---- the command ----------------------------------------------------------------

/** libnetlink's rtnl_dump_error(): nothing for ENOENT and EOPNOTSUPP on NETLINK_SOCK_DIAG, nor for MPTCP (ss suppresses its errors). */
function dumpError(io: CommandIO, protocol: number, err: unknown): void {
  if (!(err instanceof NetlinkError)) throw err;
  if (protocol <= 255 && err.code !== 'ENOENT' && err.code !== 'EOPNOTSUPP') io.stderr(`RTNETLINK answers: ${STRERROR[err.code] ?? err.message}\n`);
}

/**
 * Lists one inet table as inet_show_netlink() does: IPv4 then IPv6 (or the
 * one family asked for); when the kernel refuses, TCP and DCCP are asked
 * again with the older TCPDIAG_GETSOCK / DCCPDIAG_GETSOCK dump, which covers
 * both families. False when the kernel could not dump the table.
 */
async function showInet(
  ctx: Ctx,
  client: SockDiagClient,
  killer: SockDiagClient | undefined,
  protocol: number,
  dgProto: string,
  io: CommandIO,
  preferred: number,
): Promise<boolean> {
  const f = ctx.f;
  if (!(f.families & INET)) return true;
  const ext: Array<'meminfo' | 'skmeminfo' | 'info' | 'vegasinfo' | 'cong' | 'tos' | 'tclass'> = [];
  if (ctx.o.mem) ext.push('meminfo', 'skmeminfo');
  if (ctx.o.tcpinfo) ext.push('info', 'vegasinfo', 'cong');
  if (ctx.o.tos) ext.push('tos', 'tclass');
  let stop = false;
  /** show_one_inet_sock(): the family check, -K, the line. */
  const one = async (s: InetSocket): Promise<void> => {
    if (!(f.families & (1 << (s.family === 'inet6' ? AF.inet6 : AF.inet)))) return;
    if (killer) {
      try {
        await killer.destroy(s);
      } catch (err) {
        if (err instanceof NetlinkError && (err.code === 'EOPNOTSUPP' || err.code === 'ENOENT')) return;
        if (err instanceof NetlinkError) {
          io.stderr(`SOCK_DESTROY answers: ${STRERROR[err.code] ?? err.message}\n`);
          stop = true;
          return;
        }
        throw err;
      }
    }
    await printInet(ctx, s, dgProto);
  };
  const families: Array<'inet' | 'inet6'> = preferred === AF.inet6 ? ['inet6'] : preferred === AF.inet ? ['inet'] : ['inet', 'inet6'];
  for (const family of families) {
    try {
      for await (const s of client.inet({ family, protocol, states: statesOf(f.states), extensions: ext, ...(f.expr ? { filter: f.expr } : {}) })) {
        await one(s);
        if (stop) return true;
      }
    } catch (err) {
      dumpError(io, protocol, err);
      if (protocol !== INET_PROTOCOLS.tcp && protocol !== INET_PROTOCOLS.dccp) return false;
      const op = inetFamily.ops[protocol === INET_PROTOCOLS.tcp ? 'tcpdiag-get' : 'dccpdiag-get'];
      const w = new MessageWriter(256);
      op.dump.encodeRequest(
        w,
        { 'idiag-family': AF.inet, 'idiag-ext': ext, 'idiag-states': statesOf(f.states), ...(f.expr ? { bytecode: compileFilter(f.expr) } : {}) },
        { flags: NLM_F_REQUEST | NLM_F_DUMP },
      );
      try {
        for await (const m of client.socket.dump(w.finishCopy(), { name: `sock-diag ${op.name}` })) {
          const s = toInetSocket(inetFamily.ops.sock.decodeReply(m), protocol);
          if (f.expr && !matchFilter(f.expr, { lport: s.sport, rport: s.dport, mark: s.mark ?? 0, ...inetAddresses(s) })) continue;
          await one(s);
          if (stop) return true;
        }
      } catch (again) {
        dumpError(io, protocol, again);
        return false;
      }
      return true;
    }
  }
  return true;
}

function inetAddresses(s: InetSocket): { local: AddressBytes; remote: AddressBytes } {
  const zero = { v6: s.family === 'inet6', bytes: new Uint8Array(16) };
  return { local: parseAddress(s.src) ?? zero, remote: parseAddress(s.dst) ?? zero };
}

/** raw_show() / udp_show() when the kernel has no diag module for the table: /proc/net/TABLE, then TABLE6. */
async function showProcDgram(ctx: Ctx, table: 'raw' | 'udp'): Promise<void> {
  const f = ctx.f;
  const dir = procNetDir(ctx.o.netns);
  if (dir === undefined) return;
  for (const [af, name] of [
    [AF.inet, table],
    [AF.inet6, `${table}6`],
  ] as const) {
    if (!(f.families & (1 << af))) continue;
    for (const p of readProcDgram(dir, name) ?? []) {
      if (!(f.states & (1 << p.state))) continue;
      const v6 = af === AF.inet6;
      if (f.expr && !matchFilter(f.expr, { lport: p.lport, rport: p.rport, local: { v6, bytes: p.local }, remote: { v6, bytes: p.remote } })) continue;
      const s: InetSocket = {
        family: v6 ? 'inet6' : 'inet',
        protocol: table === 'udp' ? 17 : 0,
        state: STATE_BY_NUMBER.get(p.state) ?? p.state,
        timer: 0,
        retransmits: 0,
        expires: 0,
        src: formatAddress(p.local, v6),
        dst: formatAddress(p.remote, v6),
        sport: p.lport,
        dport: p.rport,
        ifindex: 0,
        cookie: 0n,
        rqueue: p.rq,
        wqueue: p.wq,
        uid: p.uid,
        inode: p.ino,
      };
      // inet_stats_print() only, with v6only unknown (false): no timer, details or info.
      stateLine(ctx, inetName(s.protocol, undefined), p.state, p.rq, p.wq);
      await inetAddr(ctx, s, true, table === 'udp' ? 'udp' : 'raw');
      await inetAddr(ctx, s, false, table === 'udp' ? 'udp' : 'raw');
      if (ctx.users) ctx.r.out(ctx.users.format(p.ino));
      // ss would add -e's opt:"…" here, but its sscanf() stores 8 fields and it
      // asks for 9 before printing it: it never does.
    }
  }
}

/**
 * ss -E (handle_follow_request()): inet sockets as the kernel destroys them,
 * from the destroy groups of the tables and families asked for, each line
 * rendered as it comes (column widths growing with what was shown), until
 * the command is interrupted (io.signal).
 */
async function followDestroyed(io: CommandIO, o: Options, f: Filter, r: Renderer, services: Services, open: { netns?: string }): Promise<number> {
  const groups: Array<'inet-tcp-destroy' | 'inet-udp-destroy' | 'inet6-tcp-destroy' | 'inet6-udp-destroy'> = [];
  const tcp = (f.dbs & (1 << DB.tcp)) !== 0;
  const udp = (f.dbs & (1 << DB.udp)) !== 0;
  if (f.families & (1 << AF.inet) && tcp) groups.push('inet-tcp-destroy');
  if (f.families & (1 << AF.inet) && udp) groups.push('inet-udp-destroy');
  if (f.families & (1 << AF.inet6) && tcp) groups.push('inet6-tcp-destroy');
  if (f.families & (1 << AF.inet6) && udp) groups.push('inet6-udp-destroy');
  const screen = io.stdoutIsTTY && io.stdoutColumns !== undefined ? io.stdoutColumns : undefined;
  // The header waits in the buffer: it is rendered with the first event (ss's fflush() before waiting has nothing to write).
  if (groups.length === 0) return 255;
  const client = await SockDiagClient.open(open);
  const killer = o.kill ? await SockDiagClient.open(open) : undefined;
  const ctx: Ctx = {
    o,
    f,
    r,
    services,
    users: o.processes ? new SocketUsers() : undefined,
    cgroups: new CgroupPaths(o.netns !== undefined, (line) => io.stderr(`${line}\n`)),
    host: async () => undefined,
    ifname: (index) => `if${index}`,
  };
  try {
    const events = await client.destroyed({ groups, ...(io.signal ? { signal: io.signal } : {}) });
    try {
      for await (const ev of events) {
        if (isOverrun(ev)) continue;
        if (!(f.families & (1 << (ev.family === 'inet6' ? AF.inet6 : AF.inet)))) continue;
        if (f.expr && !matchFilter(f.expr, { lport: ev.sport, rport: ev.dport, mark: ev.mark ?? 0, ...inetAddresses(ev) })) continue;
        if (killer) await killer.destroy(ev).catch(() => undefined);
        // The protocol is what the kernel names in the message (show_one_inet_sock() with IPPROTO_MAX).
        await printInet(ctx, { ...ev, protocol: ev.rawProtocol ?? 256 }, undefined);
        io.stdout(r.renderAndClear(screen));
      }
    } catch (err) {
      if ((err as { name?: string }).name !== 'AbortError') throw err;
    }
    return 0;
  } finally {
    client.close();
    killer?.close();
  }
}

/** Runs `nlkit ss ARGS`; `options.netns` runs it in a namespace as `ip netns exec` would. */
export async function runSs(args: readonly string[], io: CommandIO, options: { netns?: string } = {}): Promise<number> {
  try {
    return await ss(args, io, options);
  } catch (err) {
    if (err instanceof CommandError) {
      (err.exitCode === 0 ? io.stdout : io.stderr)(err.message);
      return err.exitCode;
    }
    throw err;
  }
}

/** `nlkit ss ARGV` (dispatched from src/cli/main.ts). */
export function run(argv: string[], io: CommandIO): Promise<number> {
  return runSs(argv, io);
}

async function ss(args: readonly string[], io: CommandIO, options: { netns?: string }): Promise<number> {
  const o: Options = {
    numeric: false,
    resolve: false,
    showOptions: false,
    details: 0,
    mem: false,
    tcpinfo: false,
    processes: false,
    tos: false,
    cgroup: false,
    sockopt: false,
    header: true,
    kill: false,
    oneline: false,
    netns: options.netns,
  };
  const f: Filter = { dbs: 0, states: 0, families: 0, expr: undefined };
  let doDefault = true;
  let preferred = 0;
  let stateFilter = 0;
  let sawQuery = false;
  let follow = false;
  let doSummary = false;
  const dbSet = (db: number, enable: boolean): void => {
    if (enable) {
      f.states |= DEFAULT_DBS[db]!.states;
      f.dbs |= 1 << db;
    } else f.dbs &= ~(1 << db);
    doDefault = false;
  };
  const dbParse = (s: string): boolean => {
    let enable = true;
    if (s.startsWith('!')) {
      enable = false;
      s = s.slice(1);
    }
    const list = DB_NAMES[s];
    if (!list) return false;
    for (const db of list) dbSet(db, enable);
    return true;
  };
  const afSet = (af: number): void => {
    f.states |= DEFAULT_AFS.get(af)!.states;
    f.families |= 2 ** af;
    doDefault = false;
    preferred = af;
  };
  const unsupported = (what: string): CommandError => new CommandError(`nlkit ss: ${what} is not supported by nlkit\n`, 255);

  const { opts, rest } = getopt(args, io);
  for (const [ch, arg] of opts) {
    switch (ch) {
      case 'n':
        o.numeric = true;
        break;
      case 'r':
        o.resolve = true;
        break;
      case 'o':
        o.showOptions = true;
        break;
      case 'e':
        o.showOptions = true;
        o.details++;
        break;
      case 'm':
        o.mem = true;
        break;
      case 'i':
        o.tcpinfo = true;
        break;
      case 'p':
        o.processes = true;
        break;
      case 'd':
        dbSet(DB.dccp, true);
        break;
      case 't':
        dbSet(DB.tcp, true);
        break;
      case 'S':
        dbSet(DB.sctp, true);
        break;
      case 'u':
        dbSet(DB.udp, true);
        break;
      case 'w':
        dbSet(DB.raw, true);
        break;
      case 'x':
        afSet(AF.unix);
        break;
      case 'vsock':
        afSet(AF.vsock);
        break;
      case 'tipc':
        afSet(AF.tipc);
        break;
      case 'a':
        stateFilter = SS_ALL;
        break;
      case 'l':
        stateFilter = (1 << SS.listen) | (1 << SS.close);
        break;
      case '4':
        afSet(AF.inet);
        break;
      case '6':
        afSet(AF.inet6);
        break;
      case '0':
        afSet(AF.packet);
        break;
      case 'xdp':
        afSet(AF.xdp);
        break;
      case 'M':
        dbSet(DB.mptcp, true);
        break;
      case 'f': {
        const fam: Record<string, number> = { inet: AF.inet, inet6: AF.inet6, link: AF.packet, unix: AF.unix, netlink: AF.netlink, tipc: AF.tipc, vsock: AF.vsock, xdp: AF.xdp };
        if (arg === 'help') throw new CommandError(USAGE, 0);
        if (fam[arg!] === undefined) throw usageError(io, `ss: "${arg}" is invalid family\n`);
        afSet(fam[arg!]!);
        break;
      }
      case 'A': {
        if (!sawQuery) {
          f.dbs = 0;
          stateFilter = stateFilter || SS_CONN;
          sawQuery = true;
          doDefault = false;
        }
        for (const p of arg!.split(',')) if (!dbParse(p)) throw usageError(io, `ss: "${p}" is illegal socket table id\n`);
        break;
      }
      case 'V':
      case 'v':
        io.stdout(`${VERSION}\n`);
        return 0;
      case 'h':
        io.stdout(USAGE);
        return 0;
      case 'N':
        o.netns = arg;
        break;
      case 'tos':
        o.tos = true;
        break;
      case 'cgroup':
        o.cgroup = true;
        break;
      case 'K':
        o.kill = true;
        break;
      case 'H':
        o.header = false;
        break;
      case 'O':
        o.oneline = true;
        break;
      case 'inet-sockopt':
        o.sockopt = true;
        break;
      case 's':
        doSummary = true;
        break;
      case 'T':
        throw unsupported('-T (--threads)');
      case 'b':
        throw unsupported('-b (--bpf)');
      case 'E':
        follow = true;
        break;
      case 'D':
        throw unsupported('-D (--diag)');
      case 'F':
        throw unsupported('-F (--filter)');
      case 'z':
      case 'Z':
        throw new CommandError('ss: SELinux is not enabled.\n', 1);
      case 'tipcinfo':
        break;
    }
  }

  if (doSummary) {
    // Before any socket of ours exists in the namespace: ss counts sockets in use.
    const { text, errors } = summary(procNetDir(o.netns));
    for (const e of errors) io.stderr(`${e}\n`);
    io.stdout(text);
    if (doDefault && rest.length === 0) return 0;
  }

  let words = [...rest];
  let sawStates = false;
  while (words.length > 0) {
    if (words[0] === 'state') {
      if (words.length < 2) throw new CommandError('Command line is not complete. Try option "help"\n', 255);
      if (!sawStates) stateFilter = 0;
      stateFilter |= scanState(words[1]!);
      sawStates = true;
    } else if (words[0] === 'exclude' || words[0] === 'excl') {
      if (words.length < 2) throw new CommandError('Command line is not complete. Try option "help"\n', 255);
      if (!sawStates) stateFilter = SS_ALL;
      stateFilter &= ~scanState(words[1]!);
      sawStates = true;
    } else break;
    words = words.slice(2);
  }
  if (doDefault) {
    stateFilter = stateFilter || SS_CONN;
    dbParse('all');
  }
  if (stateFilter) f.states = stateFilter;
  // filter_merge_defaults()
  for (let db = 0; db < MAX_DB; db++) {
    if (!(f.dbs & (1 << db))) continue;
    if (!(DEFAULT_DBS[db]!.families & f.families)) f.families |= DEFAULT_DBS[db]!.families;
  }
  for (const [af, d] of DEFAULT_AFS) {
    if (!(f.families & (2 ** af))) continue;
    if (!(d.dbs & f.dbs)) f.dbs |= d.dbs;
  }
  if (f.dbs === 0) {
    io.stderr('ss: no socket tables to show with such filter.\n');
    return 0;
  }
  if (f.families === 0) {
    io.stderr('ss: no families to show with such filter.\n');
    return 0;
  }
  if (f.states === 0) {
    io.stderr('ss: no socket states to show with such filter.\n');
    return 0;
  }
  const services = new Services();
  const tcpOrUdp = (f.dbs & (1 << DB.udp)) !== 0;
  f.expr = new FilterParser(lex(words), (text) => {
    const p = text.replace(/^:/, '');
    if (p === '' || p === '*') return undefined;
    if (/^\d+$/.test(p) || /^0x[0-9a-f]+$/i.test(p)) return Number(p);
    const udp = tcpOrUdp ? services.byName(p, 'udp') : undefined;
    const tcp = f.dbs & (1 << DB.tcp) ? services.byName(p, 'tcp') : undefined;
    return udp ?? tcp;
  }).parse();

  const r = new Renderer();
  if (!(f.dbs & (f.dbs - 1))) r.disable(COL.netid);
  if (!(f.states & (f.states - 1))) r.disable(COL.state);
  if (o.header) r.header();

  const open = { ...(o.netns !== undefined ? { netns: o.netns } : {}) };
  if (follow) return followDestroyed(io, o, f, r, services, open);
  let client: SockDiagClient;
  try {
    client = await SockDiagClient.open(open);
  } catch (err) {
    if (o.netns !== undefined && (err as { code?: string }).code === 'ENOENT') throw new CommandError(`Cannot open network namespace "${o.netns}": No such file or directory\n`, 1);
    throw err;
  }
  const killer = o.kill ? await SockDiagClient.open(open) : undefined;
  const names = rtLinkNames(open);
  const nameCache = new Map<number, string>();
  const hostCache = new Map<string, string | null>();
  await names.load();
  const ctx: Ctx = {
    o,
    f,
    r,
    services,
    users: o.processes ? new SocketUsers() : undefined,
    cgroups: new CgroupPaths(o.netns !== undefined, (line) => io.stderr(`${line}\n`)),
    host: async (text) => {
      if (!o.resolve) return undefined;
      const key = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text)?.[1] ?? text;
      let name = hostCache.get(key);
      if (name === undefined) {
        name = await lookupService(key, 0).then(
          (r) => r.hostname,
          () => null,
        );
        hostCache.set(key, name);
      }
      return name ?? undefined;
    },
    ifname: (index) => {
      let n = nameCache.get(index);
      if (n === undefined) {
        n = names.name(index) ?? `if${index}`;
        nameCache.set(index, n);
      }
      return n;
    },
  };
  try {
    if (f.dbs & (1 << DB.netlink) && f.families & (1 << AF.netlink) && f.states & (1 << SS.close)) {
      for await (const s of client.netlink({ memory: true })) {
        if (f.expr && !matchFilter(f.expr, { lport: s.portid, rport: -1 })) continue;
        printNetlink(ctx, s);
      }
    }
    if (f.dbs & PACKET_DBM && f.families & (1 << AF.packet) && f.states & (1 << SS.close)) {
      for await (const s of client.packet({ memory: true, rings: true })) {
        const db = s.type === 'raw' ? DB.packetR : DB.packetDg;
        if (!(f.dbs & (1 << db))) continue;
        if (f.expr && !matchFilter(f.expr, { lport: s.info?.ifindex ?? 0, rport: 0 })) continue;
        printPacket(ctx, s, (n) => (o.numeric ? undefined : ETHERTYPES[n]) ?? `[${n}]`);
      }
    }
    if (f.dbs & UNIX_DBM && f.families & (1 << AF.unix)) {
      for await (const s of client.unix({ states: statesOf(f.states), memory: o.mem, details: o.details > 0 })) {
        if (s.type === 'stream' && !(f.dbs & (1 << DB.unixSt))) continue;
        if (s.type === 'dgram' && !(f.dbs & (1 << DB.unixDg))) continue;
        if (s.type === 'seqpacket' && !(f.dbs & (1 << DB.unixSq))) continue;
        if (f.expr && !matchFilter(f.expr, { lport: s.inode, rport: s.peer })) continue;
        printUnix(ctx, s);
      }
    }
    if (f.dbs & (1 << DB.raw) && !(await showInet(ctx, client, killer, INET_PROTOCOLS.raw, 'raw', io, preferred))) await showProcDgram(ctx, 'raw');
    if (f.dbs & (1 << DB.udp) && !(await showInet(ctx, client, killer, INET_PROTOCOLS.udp, 'udp', io, preferred))) await showProcDgram(ctx, 'udp');
    if (f.dbs & (1 << DB.tcp)) await showInet(ctx, client, killer, INET_PROTOCOLS.tcp, 'tcp', io, preferred);
    if (f.dbs & (1 << DB.dccp)) await showInet(ctx, client, killer, INET_PROTOCOLS.dccp, 'dccp', io, preferred);
    if (f.dbs & (1 << DB.sctp)) await showInet(ctx, client, killer, INET_PROTOCOLS.sctp, 'sctp', io, preferred);
    if (f.dbs & (1 << DB.mptcp)) await showInet(ctx, client, killer, INET_PROTOCOLS.mptcp, 'tcp', io, preferred);
  } finally {
    client.close();
    killer?.close();
    names.close();
  }
  // ss spreads the columns over the terminal when standard output is one (TIOCGWINSZ).
  io.stdout(r.render(io.stdoutIsTTY && io.stdoutColumns !== undefined ? io.stdoutColumns : undefined));
  return 0;
}
