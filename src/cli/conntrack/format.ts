// conntrack-tools' text for entries, expectations and statistics:
// libnetfilter_conntrack's default output (src/conntrack/snprintf_default.c,
// src/expect/snprintf_default.c) and conntrack's own per-CPU lines
// (src/conntrack.c, nfct_stats_cb / nfexp_stats_cb).
import { CONNTRACK_PROTOCOLS, type ConntrackEntry, type ConntrackExpectation, type ConntrackTuple } from '../../families/netfilter/conntrack.js';
import { family as conntrackFamily } from '../../families/generated/conntrack.js';

/** Output flags of `-o` that change an entry's line. */
export interface ConntrackFormatOptions {
  /** `-o extended`: the layer 3 name and number first. */
  extended?: boolean;
  /** `-o id`: the entry id after use=. */
  id?: boolean;
  /** `-o ktimestamp`: [start=...] [stop=...] from the kernel's timestamps. */
  ktimestamp?: boolean;
  /** Event kind, for the [NEW] / [UPDATE] / [DESTROY] column of `-E`. */
  event?: 'new' | 'update' | 'destroy';
  /** Seconds since the epoch, for delta-time (default now). */
  now?: number;
}

// Protocols libnetfilter_conntrack names (proto2str); others print as "unknown".
const L4_NAMES = new Set(['tcp', 'udp', 'udplite', 'icmp', 'icmpv6', 'sctp', 'gre', 'dccp']);
const PORTS = new Set<number>([CONNTRACK_PROTOCOLS.tcp, CONNTRACK_PROTOCOLS.udp, CONNTRACK_PROTOCOLS.udplite, CONNTRACK_PROTOCOLS.sctp, CONNTRACK_PROTOCOLS.dccp]);

// libnetfilter_conntrack's state names, by the kernel's state numbers
// (TCP_CONNTRACK_* up to SYN_SENT2, SCTP_CONNTRACK_*); the spec's enums give
// the numbers of the names the client reports.
const TCP_STATE_TEXT = ['NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2'];
const SCTP_STATE_TEXT = [
  'NONE',
  'CLOSED',
  'COOKIE_WAIT',
  'COOKIE_ECHOED',
  'ESTABLISHED',
  'SHUTDOWN_SENT',
  'SHUTDOWN_RECD',
  'SHUTDOWN_ACK_SENT',
  'HEARTBEAT_SENT',
  'HEARTBEAT_ACKED',
];

function enumIndex(name: string): Map<string, number> {
  const d = conntrackFamily.spec.definitions.find((x) => x.name === name);
  const out = new Map<string, number>();
  if (d && d.kind !== 'struct' && 'entries' in d) for (const e of d.entries) out.set(e.name, Number(e.value));
  return out;
}
const TCP_STATES = enumIndex('nf-ct-tcp-state');
const SCTP_STATES = enumIndex('nf-ct-sctp-state');

function stateText(e: ConntrackEntry): string | undefined {
  if (e.state === undefined) return undefined;
  if (e.protocol === 'tcp') return TCP_STATE_TEXT[TCP_STATES.get(e.state) ?? Number(e.state)] ?? 'NONE';
  if (e.protocol === 'sctp') return SCTP_STATE_TEXT[SCTP_STATES.get(e.state) ?? Number(e.state)] ?? 'NONE';
  return undefined;
}

function protocolNumber(p: ConntrackTuple['protocol']): number {
  return typeof p === 'number' ? p : CONNTRACK_PROTOCOLS[p];
}

function protocolText(p: ConntrackTuple['protocol']): string {
  const name = typeof p === 'string' && L4_NAMES.has(p) ? p : 'unknown';
  return `${name.padEnd(8)} ${protocolNumber(p)} `;
}

function ports(t: ConntrackTuple): string {
  const n = protocolNumber(t.protocol);
  if (PORTS.has(n)) return `sport=${t.sport ?? 0} dport=${t.dport ?? 0} `;
  if (n === CONNTRACK_PROTOCOLS.gre) return `srckey=0x${(t.sport ?? 0).toString(16)} dstkey=0x${(t.dport ?? 0).toString(16)} `;
  if (n === CONNTRACK_PROTOCOLS.icmp || n === CONNTRACK_PROTOCOLS.icmpv6) return `type=${t.icmpType ?? 0} code=${t.icmpCode ?? 0} id=${t.icmpId ?? 0} `;
  return '';
}

function addresses(t: ConntrackTuple, src = 'src', dst = 'dst'): string {
  return t.src === '' && t.dst === '' ? '' : `${src}=${t.src} ${dst}=${t.dst} `;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** ctime(3) without its newline, in local time. */
export function ctime(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

/** One entry as conntrack prints it (without the newline). */
export function formatConntrackEntry(e: ConntrackEntry, o: ConntrackFormatOptions = {}): string {
  let s = '';
  if (o.event !== undefined) s += `${`[${o.event.toUpperCase()}]`.padStart(9)} `;
  if (o.extended) {
    const l3 = e.family === 'ipv4' ? 2 : e.family === 'ipv6' ? 10 : Number(e.family);
    s += `${(typeof e.family === 'string' ? e.family : 'unknown').padEnd(8)} ${l3} `;
  }
  s += protocolText(e.protocol);
  if (e.timeout !== undefined) s += `${e.timeout} `;
  const state = stateText(e);
  if (state !== undefined) s += `${state} `;
  const hasStatus = e.status.length > 0;
  s += addresses(e.original) + ports(e.original);
  if (e.original.zone !== undefined) s += `zone-orig=${e.original.zone} `;
  if (e.counters?.original) s += `packets=${e.counters.original.packets} bytes=${e.counters.original.bytes} `;
  if (hasStatus && !e.status.includes('seen-reply')) s += '[UNREPLIED] ';
  s += addresses(e.reply) + ports(e.reply);
  if (e.reply.zone !== undefined) s += `zone-reply=${e.reply.zone} `;
  if (e.counters?.reply) s += `packets=${e.counters.reply.packets} bytes=${e.counters.reply.bytes} `;
  if (hasStatus) {
    if (e.status.includes('hw-offload')) s += '[HW_OFFLOAD] ';
    else if (e.status.includes('offload')) s += '[OFFLOAD] ';
    else if (e.status.includes('assured')) s += '[ASSURED] ';
  }
  if (e.mark !== undefined) s += `mark=${e.mark} `;
  if (e.secctx !== undefined) s += `secctx=${e.secctx} `;
  if (e.zone !== 0) s += `zone=${e.zone} `;
  const start = e.timestamp?.start;
  const stop = e.timestamp?.stop;
  if (start !== undefined) {
    const end = stop === undefined || stop === 0n ? (o.now ?? Math.floor(Date.now() / 1000)) : Number(stop / 1_000_000_000n);
    s += `delta-time=${end - Number(start / 1_000_000_000n)} `;
  }
  if (o.ktimestamp) {
    if (start !== undefined) s += `[start=${ctime(Number(start / 1_000_000_000n))}] `;
    if (stop !== undefined) s += `[stop=${ctime(Number(stop / 1_000_000_000n))}] `;
  }
  if (e.helper !== undefined) s += `helper=${e.helper} `;
  if (e.use !== undefined) s += `use=${e.use} `;
  if (o.id && e.id !== undefined) s += `id=${e.id} `;
  return s.slice(0, -1);
}

/** One expectation as `conntrack -L expect` prints it (without the newline). */
export function formatConntrackExpectation(x: ConntrackExpectation, event?: 'new' | 'destroy'): string {
  let s = '';
  if (event !== undefined) s += `${`[${event.toUpperCase()}]`.padStart(9)} `;
  if (x.timeout !== undefined) s += `${x.timeout} `;
  s += `proto=${protocolNumber(x.tuple.protocol)} `;
  s += addresses(x.tuple) + ports(x.tuple);
  s += addresses(x.mask, 'mask-src', 'mask-dst') + ports(x.mask);
  s += addresses(x.master, 'master-src', 'master-dst') + ports(x.master);
  if (x.zone !== undefined) s += `zone=${x.zone} `;
  const flags = (['permanent', 'inactive', 'userspace'] as const).filter((f) => x.flags.includes(f)).map((f) => f.toUpperCase());
  if (flags.length > 0 || x.flags.length > 0) s += `${flags.join(',')} `;
  if (x.class !== undefined) s += `class=${x.class} `;
  if (x.helper !== undefined) s += `helper=${x.helper}`;
  return s.endsWith(' ') ? s.slice(0, -1) : s;
}

/**
 * A per-CPU statistics line of `conntrack -S` (its newline included): the
 * CPU, then each counter the kernel sent as name=value, in attribute order.
 */
export function formatCpuStats(cpu: number, counters: readonly (readonly [string, number])[]): string {
  let s = `cpu=${String(cpu).padEnd(4)}\t`;
  for (const [name, value] of counters) s += `${name}=${value} `;
  return `${s}\n`;
}

// conntrack's -o save (ct_save_snprintf() in src/conntrack.c): the entry as
// the command line that would make it. Status bits it names (conntrack_status_map).
const SAVE_STATUS: readonly [string, string][] = [
  ['expected', 'EXPECTED'],
  ['seen-reply', 'SEEN_REPLY'],
  ['assured', 'ASSURED'],
  ['fixed-timeout', 'FIXED_TIMEOUT'],
];

/** Each protocol's options in a saved line (the extensions' print_opts), from a tuple pair. */
function saveProtocol(e: ConntrackEntry): string {
  const n = protocolNumber(e.protocol);
  const o = e.original;
  const r = e.reply;
  const ports = (a: string, b: string, c: string, d: string): string =>
    [
      o.sport !== undefined ? `${a} ${o.sport} ` : '',
      o.dport !== undefined ? `${b} ${o.dport} ` : '',
      r.sport !== undefined ? `${c} ${r.sport} ` : '',
      r.dport !== undefined ? `${d} ${r.dport} ` : '',
    ].join('');
  const icmp = (p: string): string =>
    [
      o.icmpType !== undefined ? `--${p}-type ${o.icmpType} ` : '',
      o.icmpCode !== undefined ? `--${p}-code ${o.icmpCode} ` : '',
      o.icmpId !== undefined ? `--${p}-id ${o.icmpId} ` : '',
    ].join('');
  switch (n) {
    case CONNTRACK_PROTOCOLS.tcp:
      return `-p tcp ${ports('--sport', '--dport', '--reply-port-src', '--reply-port-dst')}${e.state !== undefined ? `--state ${stateText(e)} ` : ''}`;
    case CONNTRACK_PROTOCOLS.udp:
    case CONNTRACK_PROTOCOLS.udplite:
      return `-p ${n === CONNTRACK_PROTOCOLS.udp ? 'udp' : 'udplite'} ${ports('--sport', '--dport', '--reply-port-src', '--reply-port-dst')}`;
    case CONNTRACK_PROTOCOLS.sctp:
      return `-p sctp ${ports('--sport', '--dport', '--reply-port-src', '--reply-port-dst')}${e.state !== undefined ? `--state ${stateText(e)} ` : ''}`;
    case CONNTRACK_PROTOCOLS.gre:
      return `-p gre ${ports('--srckey', '--dstkey', '--reply-key-src', '--reply-key-dst')}`;
    case CONNTRACK_PROTOCOLS.icmp:
      return `-p icmp ${icmp('icmp')}`;
    case CONNTRACK_PROTOCOLS.icmpv6:
      return `-p icmpv6 ${icmp('icmpv6')}`;
    default:
      return `-p ${n} `;
  }
}

/** One entry as `conntrack -o save` prints it: -A (listed, new), -U (changed) or -D (destroyed), then the options that make it. */
export function formatConntrackSave(e: ConntrackEntry, kind: 'new' | 'update' | 'destroy' = 'new'): string {
  let s = kind === 'new' ? '-A ' : kind === 'update' ? '-U ' : '-D ';
  if (e.timeout !== undefined) s += `-t ${e.timeout} `;
  if (e.status.length > 0) {
    const names = SAVE_STATUS.filter(([flag]) => e.status.includes(flag as never)).map(([, word]) => word);
    s += `-u ${names.length > 0 ? names.join(',') : 'UNSET'} `;
  }
  if (e.zone !== 0) s += `-w ${e.zone} `;
  if (e.original.zone !== undefined) s += `--orig-zone ${e.original.zone} `;
  if (e.reply.zone !== undefined) s += `--reply-zone ${e.reply.zone} `;
  // IS_DNAT / IS_SNAT (libnetfilter_conntrack's objopt): the NAT-done bit and a reply address that is not the original's.
  const dnat = e.status.includes('dst-nat-done') && e.reply.src !== e.original.dst;
  const snat = e.status.includes('src-nat-done') && e.reply.dst !== e.original.src;
  s += `-s ${e.original.src} -d ${e.original.dst} ${dnat ? '-g' : '-r'} ${e.reply.src} ${snat ? '-n' : '-q'} ${e.reply.dst} `;
  s += saveProtocol(e);
  return s.trimEnd();
}
