// Connection tracking (ctnetlink, NFNL_SUBSYS_CTNETLINK): a typed client on
// the generated conntrack module (the kernel's spec with overlays/conntrack.yaml).
// Entries come back as camelCase objects with addresses as text, protocol
// and state names, and counters as bigint; writes take the same shape.
// Kernel behaviour cited from net/netfilter/nf_conntrack_netlink.c.
import { checkInteger, checkU32, describe } from '../../core/check.js';
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REQUEST } from '../../core/constants.js';
import { NetlinkError } from '../../core/errors.js';
import type { CallOptions, OpenOptions } from '../../io/socket.js';
import { isOverrun, type Overrun, type SubscribeOptions } from '../../io/subscription.js';
import { FamilyClient } from '../client.js';
import type {
  ConntrackAttrs,
  ConntrackAttrsInput,
  ConntrackStatsAttrs,
  ExpectAttrs,
  ExpectAttrsInput,
  ExpectStatsAttrs,
  NatAttrsInput,
  NfCtExpectFlags,
  NfCtStatus,
  NfCtTcpState,
  TupleAttrs,
  TupleAttrsInput,
} from '../generated/conntrack.js';
import { conntrackFamily, type ConntrackFamilyModule } from './families.js';
import { NFNETLINK_V0, NFPROTO } from './index.js';

/** Layer 3 families of conntrack entries (NFPROTO_IPV4 / NFPROTO_IPV6). */
export type ConntrackFamily = 'ipv4' | 'ipv6';

/** IP protocol numbers by the names conntrack-tools prints (include/uapi/linux/in.h, in6.h). */
export const CONNTRACK_PROTOCOLS = {
  /** IPPROTO_ICMP. */
  icmp: 1,
  /** IPPROTO_IGMP. */
  igmp: 2,
  /** IPPROTO_TCP. */
  tcp: 6,
  /** IPPROTO_UDP. */
  udp: 17,
  /** IPPROTO_DCCP. */
  dccp: 33,
  /** IPPROTO_GRE. */
  gre: 47,
  /** IPPROTO_ICMPV6. */
  icmpv6: 58,
  /** IPPROTO_SCTP. */
  sctp: 132,
  /** IPPROTO_UDPLITE. */
  udplite: 136,
} as const;

/** A protocol name of {@link CONNTRACK_PROTOCOLS}. */
export type ConntrackProtocol = keyof typeof CONNTRACK_PROTOCOLS;

/** Status flags of an entry (IPS_* of include/uapi/linux/netfilter/nf_conntrack_common.h), as the spec names them. */
export type ConntrackStatus = NfCtStatus;

/** TCP states (TCP_CONNTRACK_*), as the spec names them. */
export type ConntrackTcpState = NfCtTcpState;

const PROTOCOL_NAMES = new Map<number, ConntrackProtocol>(Object.entries(CONNTRACK_PROTOCOLS).map(([n, v]) => [v, n as ConntrackProtocol]));

/** One direction of a connection. */
export interface ConntrackTuple {
  /** Source address as text. */
  src: string;
  /** Destination address as text. */
  dst: string;
  /** Protocol name, or its number when it has none here. */
  protocol: ConntrackProtocol | number;
  /** Source port (tcp, udp, sctp, dccp, udplite). */
  sport?: number;
  /** Destination port. */
  dport?: number;
  /** ICMP / ICMPv6 type. */
  icmpType?: number;
  /** ICMP / ICMPv6 code. */
  icmpCode?: number;
  /** ICMP / ICMPv6 echo id. */
  icmpId?: number;
  /** Zone of this direction (CTA_TUPLE_ZONE), when the entry has a directional zone. */
  zone?: number;
}

/** Packet and byte counters of one direction (present when nf_conntrack_acct is on). */
export interface ConntrackCounters {
  /** Packets seen in this direction (CTA_COUNTERS_PACKETS). */
  packets: bigint;
  /** Bytes seen in this direction, IP headers included (CTA_COUNTERS_BYTES). */
  bytes: bigint;
}

/** A conntrack entry. */
export interface ConntrackEntry {
  /** 'ipv4' or 'ipv6'. */
  family: ConntrackFamily | number;
  /** Protocol of the original tuple. */
  protocol: ConntrackProtocol | number;
  /** The original direction. */
  original: ConntrackTuple;
  /** The reply direction. */
  reply: ConntrackTuple;
  /** Status flag names ('confirmed', 'assured', 'seen-reply' ...). */
  status: (ConntrackStatus | number)[];
  /** TCP state ('established' ...) or SCTP state, when the protocol has one. */
  state?: string;
  /** Seconds left. */
  timeout?: number;
  /** Connection mark. */
  mark?: number;
  /** Conntrack zone (CTA_ZONE); 0 when the entry has none. */
  zone: number;
  /** Entry id (CTA_ID). */
  id?: number;
  /** Reference count (CTA_USE). */
  use?: number;
  /** Counters by direction, when accounting is on. */
  counters?: {
    /** Counters of the original direction. */
    original?: ConntrackCounters;
    /** Counters of the reply direction. */
    reply?: ConntrackCounters;
  };
  /** Helper name. */
  helper?: string;
  /** Connection labels (a bit set), when set. */
  labels?: Uint8Array;
  /** Start and stop times in ns since the epoch (CTA_TIMESTAMP), when nf_conntrack_timestamp is on; stop in destroy events only. */
  timestamp?: {
    /** When the entry was confirmed. */
    start?: bigint;
    /** When it was destroyed. */
    stop?: bigint;
  };
  /** Security context (CTA_SECCTX), when the entry has one. */
  secctx?: string;
  /** Port id of the process whose request caused this event (nlmsg_pid; events only, 0 or absent for the kernel). */
  portId?: number;
}

/** One direction of an entry to create, or the tuple that names an entry. */
export interface ConntrackTupleInput {
  /** Source address (IPv4 or IPv6 text). */
  src: string;
  /** Destination address. */
  dst: string;
  /** Source port (tcp, udp, sctp, dccp, udplite). */
  sport?: number;
  /** Destination port. */
  dport?: number;
  /** ICMP / ICMPv6 type. */
  icmpType?: number;
  /** ICMP / ICMPv6 code. */
  icmpCode?: number;
  /** ICMP / ICMPv6 echo id. */
  icmpId?: number;
}

/** What names one entry: its original tuple and protocol, and its zone. */
export interface ConntrackKey extends ConntrackTupleInput {
  /** Protocol name or number. */
  protocol: ConntrackProtocol | number;
  /** Zone (default 0). */
  zone?: number;
  /** Family; by default the addresses' family. */
  family?: ConntrackFamily;
}

/** An entry to create. */
export interface ConntrackCreateInput extends ConntrackKey {
  /** The reply tuple; by default the original one inverted (ICMP echo request -> echo reply). */
  reply?: ConntrackTupleInput;
  /** Seconds until it expires (required by the kernel for a new entry). */
  timeout: number;
  /** Status flags to set ('assured', 'seen-reply' ...). */
  status?: readonly ConntrackStatus[];
  /** Connection mark. */
  mark?: number;
  /** TCP state ('established' ...). */
  state?: ConntrackTcpState;
  /** Helper to attach (CTA_HELP), such as 'ftp'; the kernel must have it. */
  helper?: string;
  /** Source NAT to set up (CTA_NAT_SRC): the reply goes to this address (and port). */
  srcNat?: ConntrackNatInput;
  /** Destination NAT to set up (CTA_NAT_DST): the reply comes from this address (and port). */
  dstNat?: ConntrackNatInput;
  /** Zone of the original direction only (CTA_TUPLE_ZONE in the original tuple). */
  originalZone?: number;
  /** Zone of the reply direction only (CTA_TUPLE_ZONE in the reply tuple). */
  replyZone?: number;
}

/** A NAT mapping of a new entry: one address (and port) of the entry's family. */
export interface ConntrackNatInput {
  /** The translated address. */
  address: string;
  /** The translated port (tcp, udp, sctp, dccp, udplite). */
  port?: number;
}

/** Changes to an existing entry (ctnetlink_change_conntrack() allows these). */
export interface ConntrackUpdateInput extends ConntrackKey {
  /** New timeout in seconds. */
  timeout?: number;
  /** Status flags to set (the kernel refuses to clear some). */
  status?: readonly ConntrackStatus[];
  /** New mark. */
  mark?: number;
  /** New TCP state. */
  state?: ConntrackTcpState;
}

/** Filters of {@link ConntrackClient.list} and {@link ConntrackClient.delete}. */
export interface ConntrackFilter {
  /** Only this family (sent to the kernel in nfgenmsg). */
  family?: ConntrackFamily;
  /** Only this protocol. */
  protocol?: ConntrackProtocol | number;
  /** Original source address. */
  src?: string;
  /** Original destination address. */
  dst?: string;
  /** Reply source address. */
  replySrc?: string;
  /** Reply destination address. */
  replyDst?: string;
  /** Reply source port. */
  replySport?: number;
  /** Reply destination port. */
  replyDport?: number;
  /** Entry id (CTA_ID). */
  id?: number;
  /** Original source port. */
  sport?: number;
  /** Original destination port. */
  dport?: number;
  /** Only this zone. */
  zone?: number;
  /** Only entries whose original direction has this zone of its own (CTA_TUPLE_ZONE). */
  originalZone?: number;
  /** Only entries whose reply direction has this zone of its own. */
  replyZone?: number;
  /** Only entries whose mark & markMask equals mark & markMask (sent to the kernel). */
  mark?: number;
  /** Mask of {@link mark}; default 0xffffffff. */
  markMask?: number;
  /** Only entries with all these status flags (sent to the kernel). */
  status?: readonly ConntrackStatus[];
  /** Only entries in this TCP / SCTP state. */
  state?: string;
}

/** Global table figures (IPCTNL_MSG_CT_GET_STATS). */
export interface ConntrackCount {
  /** Entries in the namespace's table. */
  entries: number;
  /** The table's limit (nf_conntrack_max), when the kernel reports it. */
  maxEntries?: number;
}

/** Per-CPU statistics (IPCTNL_MSG_CT_GET_STATS_CPU), as `conntrack -S` prints them. */
export interface ConntrackCpuStats {
  /** The CPU these counters belong to (the message's res_id). */
  cpu: number;
  /** Lookups that found an entry (CTA_STATS_FOUND). */
  found: number;
  /** Packets conntrack could not track (CTA_STATS_INVALID). */
  invalid: number;
  /** Entries inserted (CTA_STATS_INSERT). */
  insert: number;
  /** Entries that could not be inserted (CTA_STATS_INSERT_FAILED). */
  insertFailed: number;
  /** Packets dropped for want of an entry (CTA_STATS_DROP). */
  drop: number;
  /** Entries evicted to make room in a full table (CTA_STATS_EARLY_DROP). */
  earlyDrop: number;
  /** Packets a protocol tracker rejected as erroneous (CTA_STATS_ERROR). */
  error: number;
  /** Lookups restarted because the hash table changed under them (CTA_STATS_SEARCH_RESTART). */
  searchRestart: number;
  /** Insertion clashes resolved in favour of the existing entry (CTA_STATS_CLASH_RESOLVE). */
  clashResolve: number;
  /** Entries refused because their hash chain was too long (CTA_STATS_CHAIN_TOOLONG). */
  chainToolong: number;
}

/** Options of {@link ConntrackClient.list}. */
export interface ConntrackListOptions extends CallOptions {
  /** Zero the counters while reading them (IPCTNL_MSG_CT_GET_CTRZERO), as `conntrack -L -z`. */
  zero?: boolean;
  /** Read the dying or the unconfirmed list instead of the table (`conntrack -L dying`). */
  table?: 'conntrack' | 'dying' | 'unconfirmed';
}

/** Kinds of conntrack events. */
export type ConntrackEventType = 'new' | 'update' | 'destroy';

/** An event: what happened and the entry (destroy events carry the counters when accounting is on). */
export interface ConntrackEvent {
  /** What happened to the entry. */
  type: ConntrackEventType;
  /** The entry as the event reports it. */
  entry: ConntrackEntry;
}

/** Options of {@link ConntrackClient.events}. */
export interface ConntrackEventOptions extends SubscribeOptions {
  /** Which events; default all three. */
  types?: readonly ConntrackEventType[];
  /** Receive buffer of the event socket in bytes (default the socket's, 32 MiB). */
  rcvbuf?: number;
}

/** A stream of conntrack events, overruns in-band. */
export interface ConntrackEvents extends AsyncIterableIterator<ConntrackEvent | Overrun>, AsyncDisposable {
  /** Leaves the groups, closes the event socket and ends the iteration. */
  close(): void;
}

/** Expectation flags (NF_CT_EXPECT_*), as the spec names them. */
export type ConntrackExpectFlag = NfCtExpectFlags;

/** An expectation: a connection a helper expects because of its master entry. */
export interface ConntrackExpectation {
  /** 'ipv4' or 'ipv6'. */
  family: ConntrackFamily | number;
  /** Protocol of the expected connection. */
  protocol: ConntrackProtocol | number;
  /** Original tuple of the master entry. */
  master: ConntrackTuple;
  /** The expected connection's tuple. */
  tuple: ConntrackTuple;
  /** Which bits of the tuple must match (addresses as masks, ports as 16-bit masks). */
  mask: ConntrackTuple;
  /** Seconds left. */
  timeout?: number;
  /** Expectation id. */
  id?: number;
  /** Helper of the master ('ftp' ...). */
  helper?: string;
  /** Zone, when the kernel reports one. */
  zone?: number;
  /** Flag names ('permanent', 'inactive', 'userspace'). */
  flags: (ConntrackExpectFlag | number)[];
  /** Expectation class of the helper. */
  class?: number;
  /** Function the helper runs on the expected connection. */
  fn?: string;
  /** Port id of the process whose request caused this event (events only). */
  portId?: number;
}

/** An expectation to create (`conntrack -I expect`). */
export interface ConntrackExpectationInput {
  /** The master entry (it must exist and have a helper). */
  master: ConntrackKey;
  /** The expected connection; its protocol is the master's unless `protocol` says otherwise. */
  tuple: ConntrackTupleInput;
  /** Mask of the tuple: addresses as masks ('255.255.255.255'), ports as 16-bit masks. */
  mask: ConntrackTupleInput;
  /** Protocol of the expected connection (default the master's). */
  protocol?: ConntrackProtocol | number;
  /** Seconds until it expires. */
  timeout: number;
  /** Flags to set. */
  flags?: readonly ConntrackExpectFlag[];
  /** Helper name (default the master's helper). */
  helper?: string;
  /** Expectation class (below the helper's number of classes). */
  class?: number;
}

/** What names an expectation: its tuple (and protocol, zone, family). */
export type ConntrackExpectationKey = ConntrackKey;

/** Per-CPU expectation counters (IPCTNL_MSG_EXP_GET_STATS_CPU), as `conntrack -S expect` prints them. */
export interface ConntrackExpectCpuStats {
  /** The CPU (the message's res_id). */
  cpu: number;
  /** Expectations allocated (CTA_STATS_EXP_NEW). */
  new: number;
  /** Expectations inserted (CTA_STATS_EXP_CREATE). */
  create: number;
  /** Expectations removed (CTA_STATS_EXP_DELETE). */
  delete: number;
}

/** Kinds of expectation events (the kernel sends no update events for expectations). */
export type ConntrackExpectEventType = 'new' | 'destroy';

/** An expectation event. */
export interface ConntrackExpectEvent {
  /** What happened. */
  type: ConntrackExpectEventType;
  /** The expectation as the event reports it. */
  expectation: ConntrackExpectation;
}

/** Options of {@link ConntrackClient.expectationEvents}. */
export interface ConntrackExpectEventOptions extends SubscribeOptions {
  /** Which events; default both. */
  types?: readonly ConntrackExpectEventType[];
  /** Receive buffer of the event socket in bytes. */
  rcvbuf?: number;
}

/** A stream of expectation events, overruns in-band. */
export interface ConntrackExpectEvents extends AsyncIterableIterator<ConntrackExpectEvent | Overrun>, AsyncDisposable {
  /** Leaves the groups, closes the event socket and ends the iteration. */
  close(): void;
}

const EXPECT_GROUPS: Record<ConntrackExpectEventType, string> = { new: 'conntrack-exp-new', destroy: 'conntrack-exp-destroy' };

const GROUPS: Record<ConntrackEventType, string> = { new: 'conntrack-new', update: 'conntrack-update', destroy: 'conntrack-destroy' };
// Read when called, not at load: index.ts re-exports this module, so NFPROTO
// is not initialised yet while this module is evaluated.
const FAMILY_NUMBER: Record<ConntrackFamily, number> = {
  get ipv4() {
    return NFPROTO.ipv4;
  },
  get ipv6() {
    return NFPROTO.ipv6;
  },
};

type Client = FamilyClient<ConntrackFamilyModule>;

// ---- conversions -----------------------------------------------------------

function protocolNumber(p: unknown, field = 'protocol'): number {
  if (typeof p === 'string') {
    const n = (CONNTRACK_PROTOCOLS as Record<string, number>)[p];
    if (n === undefined) throw new RangeError(`${field}: unknown protocol ${describe(p)} (known: ${Object.keys(CONNTRACK_PROTOCOLS).join(', ')})`);
    return n;
  }
  return checkInteger(p, field, 0, 255);
}

function protocolName(n: number): ConntrackProtocol | number {
  return PROTOCOL_NAMES.get(n) ?? n;
}

function addressFamily(text: unknown, field: string): ConntrackFamily {
  if (typeof text !== 'string') throw new TypeError(`${field}: expected an address, got ${describe(text)}`);
  return text.includes(':') ? 'ipv6' : 'ipv4';
}

function familyName(n: number | undefined): ConntrackFamily | number {
  return n === NFPROTO.ipv4 ? 'ipv4' : n === NFPROTO.ipv6 ? 'ipv6' : (n ?? 0);
}

function text(v: string | Uint8Array | undefined): string | undefined {
  if (v === undefined || typeof v === 'string') return v;
  return Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Canonical text of an address the user gave (so that filters compare like the kernel's output). */
function canonical(address: string): string {
  if (!address.includes(':')) return address;
  const url = new URL(`http://[${address}]/`);
  return url.hostname.slice(1, -1);
}

function toTuple(t: TupleAttrs | undefined): ConntrackTuple {
  const ip = t?.['tuple-ip'];
  const proto = t?.['tuple-proto'];
  const num = proto?.['proto-num'] ?? 0;
  const out: ConntrackTuple = {
    src: ip?.['ip-v4-src'] ?? text(ip?.['ip-v6-src']) ?? '',
    dst: ip?.['ip-v4-dst'] ?? text(ip?.['ip-v6-dst']) ?? '',
    protocol: protocolName(num),
  };
  if (proto?.['proto-src-port'] !== undefined) out.sport = proto['proto-src-port'];
  if (proto?.['proto-dst-port'] !== undefined) out.dport = proto['proto-dst-port'];
  const type = proto?.['proto-icmp-type'] ?? proto?.['proto-icmpv6-type'];
  const code = proto?.['proto-icmp-code'] ?? proto?.['proto-icmpv6-code'];
  const id = proto?.['proto-icmp-id'] ?? proto?.['proto-icmpv6-id'];
  if (type !== undefined) out.icmpType = type;
  if (code !== undefined) out.icmpCode = code;
  if (id !== undefined) out.icmpId = id;
  if (t?.['tuple-zone'] !== undefined) out.zone = t['tuple-zone'];
  return out;
}

function toCounters(c: ConntrackAttrs['counters-orig']): ConntrackCounters | undefined {
  if (!c) return undefined;
  return { packets: c.packets ?? BigInt(c['packets-old'] ?? 0), bytes: c.bytes ?? BigInt(c['bytes-old'] ?? 0) };
}

/** Turns a decoded conntrack message into an entry. */
export function toConntrackEntry(m: ConntrackAttrs & { 'nfgen-family'?: number | undefined }): ConntrackEntry {
  const family = familyName(m['nfgen-family']);
  const original = toTuple(m['tuple-orig']);
  const entry: ConntrackEntry = { family, protocol: original.protocol, original, reply: toTuple(m['tuple-reply']), status: m.status ?? [], zone: m.zone ?? 0 };
  const state = m.protoinfo?.['protoinfo-tcp']?.['tcp-state'] ?? m.protoinfo?.['protoinfo-sctp']?.['sctp-state'];
  if (state !== undefined) entry.state = String(state);
  if (m.timeout !== undefined) entry.timeout = m.timeout;
  if (m.mark !== undefined) entry.mark = m.mark;
  if (m.id !== undefined) entry.id = m.id;
  if (m.use !== undefined) entry.use = m.use;
  const orig = toCounters(m['counters-orig']);
  const reply = toCounters(m['counters-reply']);
  if (orig || reply) entry.counters = { ...(orig ? { original: orig } : {}), ...(reply ? { reply } : {}) };
  if (m.help?.['help-name'] !== undefined) entry.helper = m.help['help-name'];
  if (m.labels !== undefined) entry.labels = m.labels;
  if (m.timestamp !== undefined) {
    entry.timestamp = {};
    if (m.timestamp.start !== undefined) entry.timestamp.start = m.timestamp.start;
    if (m.timestamp.stop !== undefined) entry.timestamp.stop = m.timestamp.stop;
  }
  if (m.secctx?.['secctx-name'] !== undefined) entry.secctx = m.secctx['secctx-name'];
  return entry;
}

/**
 * The attributes of a tuple (CTA_TUPLE_IP, CTA_TUPLE_PROTO) for a request
 * of one's own on the generated codec (`client.client.do(...)`); checks the
 * input as the client's methods do.
 */
export function conntrackTupleAttrs(t: ConntrackTupleInput, protocol: ConntrackProtocol | number, family: ConntrackFamily, field = 'tuple'): TupleAttrsInput {
  if (FAMILY_NUMBER[family] === undefined) throw new RangeError(`${field}.family: expected 'ipv4' or 'ipv6', got ${describe(family)}`);
  return tupleInput(t, protocolNumber(protocol, `${field}.protocol`), family, field);
}

function tupleInput(t: ConntrackTupleInput, protocol: number, family: ConntrackFamily, field: string, zone?: number): TupleAttrsInput {
  if (t === null || typeof t !== 'object') throw new TypeError(`${field}: expected an object { src, dst, ... }, got ${describe(t)}`);
  for (const k of ['src', 'dst'] as const) {
    if (addressFamily(t[k], `${field}.${k}`) !== family) throw new RangeError(`${field}.${k}: ${describe(t[k])} is not an ${family} address`);
  }
  const ip = family === 'ipv4' ? { 'ip-v4-src': t.src, 'ip-v4-dst': t.dst } : { 'ip-v6-src': t.src, 'ip-v6-dst': t.dst };
  const proto: NonNullable<TupleAttrsInput['tuple-proto']> = { 'proto-num': protocol };
  if (protocol === CONNTRACK_PROTOCOLS.icmp || protocol === CONNTRACK_PROTOCOLS.icmpv6) {
    const v6 = protocol === CONNTRACK_PROTOCOLS.icmpv6;
    const type = checkInteger(t.icmpType ?? (v6 ? 128 : 8), `${field}.icmpType`, 0, 255);
    const code = checkInteger(t.icmpCode ?? 0, `${field}.icmpCode`, 0, 255);
    const id = checkInteger(t.icmpId ?? 0, `${field}.icmpId`, 0, 0xffff);
    if (v6) Object.assign(proto, { 'proto-icmpv6-type': type, 'proto-icmpv6-code': code, 'proto-icmpv6-id': id });
    else Object.assign(proto, { 'proto-icmp-type': type, 'proto-icmp-code': code, 'proto-icmp-id': id });
  } else {
    if (t.sport !== undefined) proto['proto-src-port'] = checkInteger(t.sport, `${field}.sport`, 0, 0xffff);
    if (t.dport !== undefined) proto['proto-dst-port'] = checkInteger(t.dport, `${field}.dport`, 0, 0xffff);
  }
  const out: TupleAttrsInput = { 'tuple-ip': ip, 'tuple-proto': proto };
  if (zone !== undefined) out['tuple-zone'] = zone;
  return out;
}

// ICMP types whose reply has another type (the kernel's invmap, net/netfilter/nf_conntrack_proto_icmp.c).
const ICMP_INVERSE: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };
const ICMPV6_INVERSE: Record<number, number> = { 128: 129, 129: 128, 139: 140, 140: 139 };

function inverse(t: ConntrackTupleInput, protocol: number): ConntrackTupleInput {
  const out: ConntrackTupleInput = { src: t.dst, dst: t.src };
  if (protocol === CONNTRACK_PROTOCOLS.icmp || protocol === CONNTRACK_PROTOCOLS.icmpv6) {
    const type = t.icmpType ?? (protocol === CONNTRACK_PROTOCOLS.icmp ? 8 : 128);
    out.icmpType = (protocol === CONNTRACK_PROTOCOLS.icmp ? ICMP_INVERSE : ICMPV6_INVERSE)[type] ?? type;
    out.icmpCode = t.icmpCode ?? 0;
    out.icmpId = t.icmpId ?? 0;
  } else {
    if (t.dport !== undefined) out.sport = t.dport;
    if (t.sport !== undefined) out.dport = t.sport;
  }
  return out;
}

function keyRequest(key: ConntrackKey, field: string): ConntrackAttrsInput & { 'nfgen-family': number; version: number } {
  if (key === null || typeof key !== 'object') throw new TypeError(`${field}: expected an object { protocol, src, dst, ... }, got ${describe(key)}`);
  const family = key.family ?? addressFamily(key.src, `${field}.src`);
  if (FAMILY_NUMBER[family] === undefined) throw new RangeError(`${field}.family: expected 'ipv4' or 'ipv6', got ${describe(key.family)}`);
  const protocol = protocolNumber(key.protocol, `${field}.protocol`);
  const out: ConntrackAttrsInput & { 'nfgen-family': number; version: number } = {
    'nfgen-family': FAMILY_NUMBER[family],
    version: NFNETLINK_V0,
    'tuple-orig': tupleInput(key, protocol, family, field),
  };
  if (key.zone !== undefined) out.zone = checkInteger(key.zone, `${field}.zone`, 0, 0xffff);
  return out;
}

function changes(out: ConntrackAttrsInput, input: ConntrackUpdateInput, field: string): void {
  if (input.timeout !== undefined) out.timeout = checkU32(input.timeout, `${field}.timeout`);
  if (input.mark !== undefined) out.mark = checkU32(input.mark, `${field}.mark`);
  if (input.status !== undefined) {
    if (!Array.isArray(input.status)) throw new TypeError(`${field}.status: expected an array of flag names, got ${describe(input.status)}`);
    // An entry is confirmed from its creation on, and ctnetlink_change_status()
    // refuses (EBUSY) to flip IPS_CONFIRMED: send it with the flags, as `conntrack -I` does.
    out.status = input.status.includes('confirmed') ? input.status : [...input.status, 'confirmed'];
  }
  if (input.state !== undefined) out.protoinfo = { 'protoinfo-tcp': { 'tcp-state': input.state } };
}

function matches(e: ConntrackEntry, f: ConntrackFilter): boolean {
  if (f.family !== undefined && e.family !== f.family) return false;
  if (f.protocol !== undefined && e.original.protocol !== protocolName(protocolNumber(f.protocol))) return false;
  if (f.src !== undefined && e.original.src !== canonical(f.src)) return false;
  if (f.dst !== undefined && e.original.dst !== canonical(f.dst)) return false;
  if (f.replySrc !== undefined && e.reply.src !== canonical(f.replySrc)) return false;
  if (f.replyDst !== undefined && e.reply.dst !== canonical(f.replyDst)) return false;
  if (f.sport !== undefined && e.original.sport !== f.sport) return false;
  if (f.dport !== undefined && e.original.dport !== f.dport) return false;
  if (f.replySport !== undefined && e.reply.sport !== f.replySport) return false;
  if (f.replyDport !== undefined && e.reply.dport !== f.replyDport) return false;
  if (f.id !== undefined && e.id !== f.id) return false;
  if (f.zone !== undefined && e.zone !== f.zone) return false;
  // A direction without a zone of its own counts as zone 0, as conntrack compares them.
  if (f.originalZone !== undefined && (e.original.zone ?? 0) !== f.originalZone) return false;
  if (f.replyZone !== undefined && (e.reply.zone ?? 0) !== f.replyZone) return false;
  if (f.mark !== undefined) {
    const mask = f.markMask ?? 0xffffffff;
    if (((e.mark ?? 0) & mask) >>> 0 !== (f.mark & mask) >>> 0) return false;
  }
  if (f.status !== undefined && !f.status.every((s) => e.status.includes(s))) return false;
  if (f.state !== undefined && e.state !== f.state) return false;
  return true;
}

function checkFilter(f: ConntrackFilter): void {
  if (f === null || typeof f !== 'object') throw new TypeError(`filter: expected an object, got ${describe(f)}`);
  if (f.family !== undefined && FAMILY_NUMBER[f.family] === undefined) throw new RangeError(`filter.family: expected 'ipv4' or 'ipv6', got ${describe(f.family)}`);
  if (f.protocol !== undefined) protocolNumber(f.protocol, 'filter.protocol');
  if (f.mark !== undefined) checkU32(f.mark, 'filter.mark');
  if (f.markMask !== undefined) checkU32(f.markMask, 'filter.markMask');
  for (const k of ['zone', 'originalZone', 'replyZone'] as const) if (f[k] !== undefined) checkInteger(f[k], `filter.${k}`, 0, 0xffff);
  for (const k of ['sport', 'dport', 'replySport', 'replyDport'] as const) if (f[k] !== undefined) checkInteger(f[k], `filter.${k}`, 0, 0xffff);
  if (f.id !== undefined) checkU32(f.id, 'filter.id');
  for (const k of ['src', 'dst', 'replySrc', 'replyDst'] as const) if (f[k] !== undefined) addressFamily(f[k], `filter.${k}`);
  if (f.status !== undefined) {
    if (!Array.isArray(f.status)) throw new TypeError(`filter.status: expected an array of flag names, got ${describe(f.status)}`);
    for (const x of f.status) if (!statusNames().has(x)) throw new RangeError(`filter.status: unknown flag ${describe(x)}`);
  }
  if (f.state !== undefined && typeof f.state !== 'string') throw new TypeError(`filter.state: expected a state name, got ${describe(f.state)}`);
}

let statusNameSet: Set<string> | undefined;
/** Names of the status flags, from the spec's nf-ct-status (built on first use: the family is loaded by then). */
function statusNames(): Set<string> {
  if (statusNameSet === undefined) {
    const d = conntrackFamily.get().spec.definitions.find((x) => x.name === 'nf-ct-status');
    statusNameSet = new Set(d && d.kind !== 'struct' && 'entries' in d ? d.entries.map((e) => e.name) : []);
  }
  return statusNameSet;
}

// ---- the client ------------------------------------------------------------

/** Options of {@link ConntrackClient.open}. */
export type ConntrackClientOptions = OpenOptions;

/**
 * The conntrack table of a network namespace.
 *
 * ```ts
 * await using ct = await ConntrackClient.open({ netns: 'blue' });
 * await ct.create({ protocol: 'udp', src: '10.0.0.1', dst: '10.0.0.2', sport: 1000, dport: 53, timeout: 60 });
 * for await (const e of ct.list({ protocol: 'udp' })) console.log(e.original, e.timeout);
 * ```
 */
export class ConntrackClient implements AsyncDisposable {
  private constructor(
    /** The generic client underneath (for operations this class does not wrap). */
    readonly client: Client,
    private readonly options: ConntrackClientOptions,
  ) {}

  /** Opens a NETLINK_NETFILTER socket (in `netns` when given). */
  static async open(options: ConntrackClientOptions = {}): Promise<ConntrackClient> {
    return new ConntrackClient(await FamilyClient.open(await conntrackFamily.load(), options), options);
  }

  /**
   * Streams the entries matching a filter. Family, mark / markMask and status
   * go to the kernel (ctnetlink_alloc_filter()); every filter is also applied
   * here, so older kernels that ignore some give the same result.
   */
  async *list(filter: ConntrackFilter = {}, options: ConntrackListOptions = {}): AsyncGenerator<ConntrackEntry> {
    checkFilter(filter);
    const { zero = false, table = 'conntrack', ...call } = options;
    if (table !== 'conntrack' && table !== 'dying' && table !== 'unconfirmed')
      throw new RangeError(`options.table: expected 'conntrack', 'dying' or 'unconfirmed', got ${describe(table)}`);
    if (zero && table !== 'conntrack') throw new RangeError('options.zero: only the conntrack table has counters to zero');
    const op = zero ? 'get-ctrzero' : table === 'dying' ? 'get-dying' : table === 'unconfirmed' ? 'get-unconfirmed' : 'get';
    const request: ConntrackAttrsInput & { 'nfgen-family': number; version: number } = {
      'nfgen-family': filter.family !== undefined ? FAMILY_NUMBER[filter.family] : NFPROTO.unspec,
      version: NFNETLINK_V0,
    };
    if (filter.mark !== undefined) {
      request.mark = filter.mark;
      request['mark-mask'] = filter.markMask ?? 0xffffffff;
    }
    if (filter.status !== undefined && filter.status.length > 0) {
      request.status = filter.status;
      request['status-mask'] = filter.status;
    }
    // The dying and unconfirmed dumps take no filter attributes.
    const sent = table === 'conntrack' ? request : { 'nfgen-family': request['nfgen-family'], version: request.version };
    for await (const m of this.client.dump(op, sent, { ...call, flags: NLM_F_REQUEST | NLM_F_DUMP })) {
      const e = toConntrackEntry(m);
      if (matches(e, filter)) yield e;
    }
  }

  /** Every entry matching a filter, as an array. */
  async listAll(filter: ConntrackFilter = {}, options: ConntrackListOptions = {}): Promise<ConntrackEntry[]> {
    const out: ConntrackEntry[] = [];
    for await (const e of this.list(filter, options)) out.push(e);
    return out;
  }

  /** The entry with this original tuple, or undefined when there is none. */
  async get(key: ConntrackKey, options: CallOptions = {}): Promise<ConntrackEntry | undefined> {
    const request = keyRequest(key, 'key');
    try {
      const m = await this.client.do('get', request, options);
      return m ? toConntrackEntry(m) : undefined;
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Creates an entry; fails with EEXIST when one with this tuple exists. */
  async create(input: ConntrackCreateInput, options: CallOptions = {}): Promise<void> {
    const request = keyRequest(input, 'entry');
    const family = request['nfgen-family'] === NFPROTO.ipv4 ? 'ipv4' : 'ipv6';
    const protocol = protocolNumber(input.protocol);
    request['tuple-reply'] = tupleInput(input.reply ?? inverse(input, protocol), protocol, family, 'entry.reply');
    if (input.originalZone !== undefined) request['tuple-orig']!['tuple-zone'] = checkInteger(input.originalZone, 'entry.originalZone', 0, 0xffff);
    if (input.replyZone !== undefined) request['tuple-reply']['tuple-zone'] = checkInteger(input.replyZone, 'entry.replyZone', 0, 0xffff);
    if (input.timeout === undefined) throw new TypeError('entry.timeout: required for a new entry (seconds)');
    changes(request, input, 'entry');
    if (input.helper !== undefined) {
      if (typeof input.helper !== 'string' || input.helper === '') throw new TypeError(`entry.helper: expected a helper name, got ${describe(input.helper)}`);
      request.help = { 'help-name': input.helper };
    }
    for (const [key, attr] of [
      ['srcNat', 'nat-src'],
      ['dstNat', 'nat-dst'],
    ] as const) {
      const nat = input[key];
      if (nat === undefined) continue;
      if (nat === null || typeof nat !== 'object') throw new TypeError(`entry.${key}: expected an object { address, port? }, got ${describe(nat)}`);
      if (addressFamily(nat.address, `entry.${key}.address`) !== family) throw new RangeError(`entry.${key}.address: ${describe(nat.address)} is not an ${family} address`);
      const range: NatAttrsInput = family === 'ipv4' ? { 'nat-v4-minip': nat.address, 'nat-v4-maxip': nat.address } : { 'nat-v6-minip': nat.address, 'nat-v6-maxip': nat.address };
      if (nat.port !== undefined) {
        const port = checkInteger(nat.port, `entry.${key}.port`, 0, 0xffff);
        range['nat-proto'] = { 'nat-port-min': port, 'nat-port-max': port };
      }
      request[attr] = range;
    }
    await this.client.do('new', request, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL });
  }

  /** Changes an existing entry (timeout, mark, status, TCP state); ENOENT when there is none. */
  async update(input: ConntrackUpdateInput, options: CallOptions = {}): Promise<void> {
    const request = keyRequest(input, 'entry');
    changes(request, input, 'entry');
    await this.client.do('new', request, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK });
  }

  /** Deletes the entry with this original tuple (and zone); false when there was none. */
  async delete(key: ConntrackKey, options: CallOptions = {}): Promise<boolean> {
    try {
      await this.client.do('delete', keyRequest(key, 'key'), options);
      return true;
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENOENT') return false;
      throw err;
    }
  }

  /**
   * Deletes every entry matching a filter: listed, then deleted one by one by
   * tuple, zone and id, as `conntrack -D` with filters does. Returns how many
   * were deleted; entries that went away meanwhile are not counted.
   */
  async deleteMatching(filter: ConntrackFilter, options: CallOptions = {}): Promise<number> {
    let n = 0;
    for await (const _ of this.deleteEach(filter, options)) n++;
    return n;
  }

  /**
   * Deletes every entry matching a filter and yields each one deleted (as it
   * was listed), as `conntrack -D` prints them. The table is read first,
   * then the entries are deleted one by one by tuple, zone and id.
   */
  async *deleteEach(filter: ConntrackFilter, options: CallOptions = {}): AsyncGenerator<ConntrackEntry> {
    checkFilter(filter);
    const victims = await this.listAll(filter, options);
    for (const e of victims) {
      if (typeof e.family === 'number') continue;
      const request = {
        'nfgen-family': FAMILY_NUMBER[e.family],
        version: NFNETLINK_V0,
        'tuple-orig': tupleInput(e.original, protocolNumber(e.original.protocol), e.family, 'entry', e.original.zone),
        zone: e.zone,
        ...(e.id !== undefined ? { id: e.id } : {}),
      };
      let gone = false;
      try {
        await this.client.do('delete', request, options);
      } catch (err) {
        if (!(err instanceof NetlinkError && err.code === 'ENOENT')) throw err;
        gone = true;
      }
      if (!gone) yield e;
    }
  }

  /**
   * Applies changes (mark, status flags to add, timeout, TCP state) to every
   * entry matching a filter, as `conntrack -U` with filters does, and yields
   * each entry as the kernel has it afterwards. An entry gone meanwhile is
   * skipped.
   */
  async *updateEach(filter: ConntrackFilter, change: Omit<ConntrackUpdateInput, keyof ConntrackKey>, options: CallOptions = {}): AsyncGenerator<ConntrackEntry> {
    checkFilter(filter);
    if (change === null || typeof change !== 'object') throw new TypeError(`change: expected an object { mark?, status?, timeout?, state? }, got ${describe(change)}`);
    const probe: ConntrackAttrsInput = {};
    changes(probe, change as ConntrackUpdateInput, 'change');
    const victims = await this.listAll(filter, options);
    for (const e of victims) {
      if (typeof e.family === 'number') continue;
      const request: ConntrackAttrsInput & { 'nfgen-family': number; version: number } = {
        'nfgen-family': FAMILY_NUMBER[e.family],
        version: NFNETLINK_V0,
        'tuple-orig': tupleInput(e.original, protocolNumber(e.original.protocol), e.family, 'entry', e.original.zone),
        zone: e.zone,
        ...(e.id !== undefined ? { id: e.id } : {}),
      };
      changes(
        request,
        {
          ...(change as ConntrackUpdateInput),
          ...(change.status ? { status: [...new Set([...(e.status.filter((x) => typeof x === 'string') as ConntrackStatus[]), ...change.status])] } : {}),
        },
        'change',
      );
      try {
        await this.client.do('new', request, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK });
        const now = await this.client.do('get', { 'nfgen-family': request['nfgen-family'], version: NFNETLINK_V0, 'tuple-orig': request['tuple-orig'], zone: e.zone }, options);
        if (now) yield toConntrackEntry(now);
      } catch (err) {
        if (!(err instanceof NetlinkError && err.code === 'ENOENT')) throw err;
      }
    }
  }

  /**
   * Empties the table, or removes the entries matching a filter. Family,
   * mark / markMask, status and a non-zero zone are filters the kernel
   * applies itself (ctnetlink_flush_conntrack(): one message, one pass over
   * the table); a filter with anything else (protocol, addresses, ports,
   * state, id, zone 0) is applied as {@link deleteMatching} does: the
   * matching entries are listed, then deleted one by one.
   */
  async flush(filter: ConntrackFilter = {}, options: CallOptions = {}): Promise<void> {
    checkFilter(filter);
    const kernelSide = new Set(['family', 'mark', 'markMask', 'status', 'zone']);
    const keys = Object.keys(filter).filter((k) => filter[k as keyof ConntrackFilter] !== undefined);
    if (keys.some((k) => !kernelSide.has(k)) || filter.zone === 0 || (filter.markMask !== undefined && filter.mark === undefined)) {
      await this.deleteMatching(filter, options);
      return;
    }
    // ctnetlink_del_conntrack() flushes by family only when nfgenmsg.version
    // is non-zero (`u3 = nfmsg->version ? family : AF_UNSPEC`); conntrack-tools
    // sends version 0, so that its `-F -f ipv6` empties every family.
    const request: ConntrackAttrsInput & { 'nfgen-family': number; version: number } =
      filter.family !== undefined ? { 'nfgen-family': FAMILY_NUMBER[filter.family], version: 1 } : { 'nfgen-family': NFPROTO.unspec, version: NFNETLINK_V0 };
    if (filter.mark !== undefined) {
      request.mark = filter.mark;
      request['mark-mask'] = filter.markMask ?? 0xffffffff;
    }
    if (filter.status !== undefined && filter.status.length > 0) {
      request.status = filter.status;
      request['status-mask'] = filter.status;
    }
    if (filter.zone !== undefined) request.zone = filter.zone;
    await this.client.do('delete', request, options);
  }

  /** Number of entries in the table (and its limit), as `conntrack -C` counts. */
  async count(options: CallOptions = {}): Promise<ConntrackCount> {
    const m = await this.client.do('get-stats-global', { 'nfgen-family': NFPROTO.unspec, version: NFNETLINK_V0 }, options);
    const out: ConntrackCount = { entries: m?.entries ?? 0 };
    if (m?.['max-entries'] !== undefined) out.maxEntries = m['max-entries'];
    return out;
  }

  /** Per-CPU statistics, one object per possible CPU (`conntrack -S`). */
  async stats(options: CallOptions = {}): Promise<ConntrackCpuStats[]> {
    const list = await this.client.dumpAll('get-stats', { 'nfgen-family': NFPROTO.unspec, version: NFNETLINK_V0 }, options);
    return list.map((m) => cpuStats(m));
  }

  /**
   * Follows the table's events on a socket of its own: new, update and
   * destroy (choose with `types`), overruns in-band as `{ overrun: true }`.
   * The kernel sends IPCTNL_MSG_CT_NEW for new and changed entries (with
   * NLM_F_CREATE on new ones) and IPCTNL_MSG_CT_DELETE for destroyed ones.
   * With the default net.netfilter.nf_conntrack_events = 2, the kernel keeps
   * events only for entries created while someone listened: entries older
   * than the first subscription give no update or destroy events.
   */
  async events(options: ConntrackEventOptions = {}): Promise<ConntrackEvents> {
    const { types = ['new', 'update', 'destroy'], rcvbuf, ...subscribe } = options;
    if (!Array.isArray(types) || types.length === 0) throw new TypeError("types must be a non-empty array of 'new', 'update', 'destroy'");
    const groups = (types as readonly unknown[]).map((t) => {
      const g = typeof t === 'string' && Object.hasOwn(GROUPS, t) ? GROUPS[t as ConntrackEventType] : undefined;
      if (g === undefined) throw new RangeError(`types: unknown event ${describe(t)} (events: new, update, destroy)`);
      return g;
    });
    const open: OpenOptions = { ...this.options, ...(rcvbuf !== undefined ? { rcvbuf } : {}) };
    const client = await FamilyClient.open(conntrackFamily.get(), open);
    let sub;
    try {
      sub = await client.subscribe(groups, subscribe);
    } catch (err) {
      client.close();
      throw err;
    }
    const close = (): void => {
      sub.close();
      client.close();
    };
    const it: ConntrackEvents = {
      async next(): Promise<IteratorResult<ConntrackEvent | Overrun>> {
        const r = await sub.next();
        if (r.done) {
          client.close();
          return { value: undefined, done: true };
        }
        const item = r.value;
        if (isOverrun(item)) return { value: item, done: false };
        const type: ConntrackEventType = item.name === 'delete-ntf' ? 'destroy' : item.message.flags & NLM_F_CREATE ? 'new' : 'update';
        const entry = toConntrackEntry(item.msg as ConntrackAttrs & { 'nfgen-family'?: number });
        if (item.message.portId !== 0) entry.portId = item.message.portId;
        return { value: { type, entry }, done: false };
      },
      async return(): Promise<IteratorResult<ConntrackEvent | Overrun>> {
        close();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return it;
      },
      async [Symbol.asyncDispose]() {
        close();
      },
      close,
    };
    return it;
  }

  // ---- expectations (NFNL_SUBSYS_CTNETLINK_EXP) ----

  /** Streams the expectation table (of one family when given). */
  async *listExpectations(filter: { family?: ConntrackFamily } = {}, options: CallOptions = {}): AsyncGenerator<ConntrackExpectation> {
    if (filter === null || typeof filter !== 'object') throw new TypeError(`filter: expected an object, got ${describe(filter)}`);
    if (filter.family !== undefined && FAMILY_NUMBER[filter.family] === undefined) throw new RangeError(`filter.family: expected 'ipv4' or 'ipv6', got ${describe(filter.family)}`);
    const request = { 'nfgen-family': filter.family !== undefined ? FAMILY_NUMBER[filter.family] : NFPROTO.unspec, version: NFNETLINK_V0 };
    for await (const m of this.client.dump('exp-get', request, { ...options, flags: NLM_F_REQUEST | NLM_F_DUMP })) yield toConntrackExpectation(m);
  }

  /** Every expectation, as an array. */
  async listExpectationsAll(filter: { family?: ConntrackFamily } = {}, options: CallOptions = {}): Promise<ConntrackExpectation[]> {
    const out: ConntrackExpectation[] = [];
    for await (const e of this.listExpectations(filter, options)) out.push(e);
    return out;
  }

  /** The expectation with this tuple, or undefined when there is none. */
  async getExpectation(key: ConntrackExpectationKey, options: CallOptions = {}): Promise<ConntrackExpectation | undefined> {
    const request = expectKeyRequest(key, 'key');
    try {
      const m = await this.client.do('exp-get', request, options);
      return m ? toConntrackExpectation(m) : undefined;
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * Creates an expectation for a master entry that has a helper (the kernel
   * answers EOPNOTSUPP for a master without one, ENOENT for a missing master).
   */
  async createExpectation(input: ConntrackExpectationInput, options: CallOptions = {}): Promise<void> {
    if (input === null || typeof input !== 'object') throw new TypeError(`expectation: expected an object { master, tuple, mask, timeout }, got ${describe(input)}`);
    const master = keyRequest(input.master, 'expectation.master');
    const family: ConntrackFamily = master['nfgen-family'] === NFPROTO.ipv4 ? 'ipv4' : 'ipv6';
    const protocol = input.protocol !== undefined ? protocolNumber(input.protocol, 'expectation.protocol') : protocolNumber(input.master.protocol, 'expectation.master.protocol');
    if (input.timeout === undefined) throw new TypeError('expectation.timeout: required (seconds)');
    const request: ExpectAttrsInput & { 'nfgen-family': number; version: number } = {
      'nfgen-family': master['nfgen-family'],
      version: NFNETLINK_V0,
      master: master['tuple-orig']!,
      tuple: tupleInput(input.tuple, protocol, family, 'expectation.tuple'),
      mask: maskInput(input.mask, protocol, family, 'expectation.mask'),
      timeout: checkU32(input.timeout, 'expectation.timeout'),
    };
    if (master.zone !== undefined) request.zone = master.zone;
    if (input.flags !== undefined) {
      if (!Array.isArray(input.flags)) throw new TypeError(`expectation.flags: expected an array of flag names, got ${describe(input.flags)}`);
      request.flags = input.flags;
    }
    if (input.helper !== undefined) {
      if (typeof input.helper !== 'string' || input.helper === '') throw new TypeError(`expectation.helper: expected a helper name, got ${describe(input.helper)}`);
      request['help-name'] = input.helper;
    }
    if (input.class !== undefined) request.class = checkU32(input.class, 'expectation.class');
    await this.client.do('exp-new', request, { ...options, flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL });
  }

  /** Deletes the expectation with this tuple; false when there was none. */
  async deleteExpectation(key: ConntrackExpectationKey, options: CallOptions = {}): Promise<boolean> {
    try {
      await this.client.do('exp-delete', expectKeyRequest(key, 'key'), options);
      return true;
    } catch (err) {
      if (err instanceof NetlinkError && err.code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Empties the expectation table, or removes the expectations of one helper. */
  async flushExpectations(filter: { family?: ConntrackFamily; helper?: string } = {}, options: CallOptions = {}): Promise<void> {
    if (filter === null || typeof filter !== 'object') throw new TypeError(`filter: expected an object, got ${describe(filter)}`);
    if (filter.family !== undefined && FAMILY_NUMBER[filter.family] === undefined) throw new RangeError(`filter.family: expected 'ipv4' or 'ipv6', got ${describe(filter.family)}`);
    if (filter.helper !== undefined && (typeof filter.helper !== 'string' || filter.helper === ''))
      throw new TypeError(`filter.helper: expected a helper name, got ${describe(filter.helper)}`);
    const request: ExpectAttrsInput & { 'nfgen-family': number; version: number } = {
      'nfgen-family': filter.family !== undefined ? FAMILY_NUMBER[filter.family] : NFPROTO.unspec,
      version: NFNETLINK_V0,
    };
    if (filter.helper !== undefined) request['help-name'] = filter.helper;
    await this.client.do('exp-delete', request, options);
  }

  /** Per-CPU expectation counters (`conntrack -S expect`). */
  async expectationStats(options: CallOptions = {}): Promise<ConntrackExpectCpuStats[]> {
    const list = await this.client.dumpAll('exp-get-stats-cpu', { 'nfgen-family': NFPROTO.unspec, version: NFNETLINK_V0 }, options);
    return list.map((m) => expectCpuStats(m));
  }

  /** Follows expectation events (new, destroy) on a socket of its own, overruns in-band. */
  async expectationEvents(options: ConntrackExpectEventOptions = {}): Promise<ConntrackExpectEvents> {
    const { types = ['new', 'destroy'], rcvbuf, ...subscribe } = options;
    if (!Array.isArray(types) || types.length === 0) throw new TypeError("types must be a non-empty array of 'new', 'destroy'");
    const groups = (types as readonly unknown[]).map((t) => {
      const g = typeof t === 'string' && Object.hasOwn(EXPECT_GROUPS, t) ? EXPECT_GROUPS[t as ConntrackExpectEventType] : undefined;
      if (g === undefined) throw new RangeError(`types: unknown expectation event ${describe(t)} (events: new, destroy)`);
      return g;
    });
    const client = await FamilyClient.open(conntrackFamily.get(), { ...this.options, ...(rcvbuf !== undefined ? { rcvbuf } : {}) });
    let sub;
    try {
      sub = await client.subscribe(groups, subscribe);
    } catch (err) {
      client.close();
      throw err;
    }
    const close = (): void => {
      sub.close();
      client.close();
    };
    const it: ConntrackExpectEvents = {
      async next(): Promise<IteratorResult<ConntrackExpectEvent | Overrun>> {
        for (;;) {
          const r = await sub.next();
          if (r.done) {
            client.close();
            return { value: undefined, done: true };
          }
          const item = r.value;
          if (isOverrun(item)) return { value: item, done: false };
          if (item.name !== 'exp-new-ntf' && item.name !== 'exp-delete-ntf') continue;
          const expectation = toConntrackExpectation(item.msg as ExpectAttrs & { 'nfgen-family'?: number });
          if (item.message.portId !== 0) expectation.portId = item.message.portId;
          return { value: { type: item.name === 'exp-delete-ntf' ? 'destroy' : 'new', expectation }, done: false };
        }
      },
      async return(): Promise<IteratorResult<ConntrackExpectEvent | Overrun>> {
        close();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return it;
      },
      async [Symbol.asyncDispose]() {
        close();
      },
      close,
    };
    return it;
  }

  /** Closes the socket (idempotent). */
  close(): void {
    this.client.close();
  }

  /** Closes the client, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

/** Turns a decoded expectation message into an expectation. */
export function toConntrackExpectation(m: ExpectAttrs & { 'nfgen-family'?: number | undefined }): ConntrackExpectation {
  const tuple = toTuple(m.tuple);
  const out: ConntrackExpectation = {
    family: familyName(m['nfgen-family']),
    protocol: tuple.protocol,
    master: toTuple(m.master),
    tuple,
    mask: toTuple(m.mask),
    flags: m.flags ?? [],
  };
  if (m.timeout !== undefined) out.timeout = m.timeout;
  if (m.id !== undefined) out.id = m.id;
  if (m['help-name'] !== undefined) out.helper = m['help-name'];
  if (m.zone !== undefined) out.zone = m.zone;
  if (m.class !== undefined) out.class = m.class;
  if (m.fn !== undefined) out.fn = m.fn;
  return out;
}

function expectKeyRequest(key: ConntrackExpectationKey, field: string): ExpectAttrsInput & { 'nfgen-family': number; version: number } {
  const r = keyRequest(key, field);
  const out: ExpectAttrsInput & { 'nfgen-family': number; version: number } = { 'nfgen-family': r['nfgen-family'], version: NFNETLINK_V0, tuple: r['tuple-orig']! };
  if (r.zone !== undefined) out.zone = r.zone;
  return out;
}

/** A mask tuple: addresses of the family (as masks), ports and ICMP fields as plain numbers, without defaults. */
function maskInput(t: ConntrackTupleInput, protocol: number, family: ConntrackFamily, field: string): TupleAttrsInput {
  if (t === null || typeof t !== 'object') throw new TypeError(`${field}: expected an object { src, dst, ... }, got ${describe(t)}`);
  return tupleInput({ sport: 0xffff, dport: 0xffff, icmpType: 0xff, icmpCode: 0xff, icmpId: 0xffff, ...t }, protocol, family, field);
}

function expectCpuStats(m: ExpectStatsAttrs & { 'res-id'?: number | undefined }): ConntrackExpectCpuStats {
  return { cpu: m['res-id'] ?? 0, new: m.new ?? 0, create: m.create ?? 0, delete: m.delete ?? 0 };
}

function cpuStats(m: ConntrackStatsAttrs & { 'res-id'?: number | undefined }): ConntrackCpuStats {
  return {
    cpu: m['res-id'] ?? 0,
    found: m.found ?? 0,
    invalid: m.invalid ?? 0,
    insert: m.insert ?? 0,
    insertFailed: m['insert-failed'] ?? 0,
    drop: m.drop ?? 0,
    earlyDrop: m['early-drop'] ?? 0,
    error: m.error ?? 0,
    searchRestart: m['search-restart'] ?? 0,
    clashResolve: m['clash-resolve'] ?? 0,
    chainToolong: m['chain-toolong'] ?? 0,
  };
}
