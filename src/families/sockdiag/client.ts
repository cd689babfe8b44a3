// NETLINK_SOCK_DIAG: typed lists of inet, unix, netlink and packet sockets and
// SOCK_DESTROY, on the generated sock-diag-inet, -unix, -netlink and -packet
// modules (specs/sock-diag-*.yaml). One message type carries a header per
// socket family, so each family has a spec, and in it a request operation
// (get) and a reply operation (sock): requests are encoded with the first,
// every message of the answer decoded with the second.
import { checkInteger, describe } from '../../core/check.js';
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, Protocol } from '../../core/constants.js';
import type { MessageView } from '../../core/message.js';
import { MessageWriter } from '../../core/writer.js';
import { NetlinkSocket, type CallOptions, type OpenOptions } from '../../io/socket.js';
import { isOverrun, type Overrun, type SubscribeOptions } from '../../io/subscription.js';
import { FamilyClient } from '../client.js';
import type { StructRest } from '../../schema/runtime.js';
import type {
  family as inetFamilyValue,
  InetDiagExt,
  InetDiagSockoptFlags,
  SkMeminfo,
  SockMessage as InetDiagMsgMessage,
  TcpInfo as TcpInfoStruct,
  TcpState,
} from '../generated/sock-diag-inet.js';
import { TCP_STATE_NAMES } from '../generated/sock-diag-inet.constants.js';
import type { family as netlinkFamilyValue, NetlinkDiagFlags, SockMessage as NetlinkDiagMsgMessage } from '../generated/sock-diag-netlink.js';
import type { family as packetFamilyValue, PacketDiagInfoFlags, SockMessage as PacketDiagMsgMessage } from '../generated/sock-diag-packet.js';
import type { family as unixFamilyValue, SocketType, SockMessage as UnixDiagMsgMessage } from '../generated/sock-diag-unix.js';
import { LazyFamily } from '../lazy.js';
import { formatAddress, parseAddress } from './address.js';
import { checkFilter, compileFilter, matchFilter, type SockFilter } from './filter.js';

export type { TcpState, SocketType, InetDiagExt, InetDiagSockoptFlags, NetlinkDiagFlags, PacketDiagInfoFlags };

// The generated families, each imported when a SockDiagClient first asks for
// its kind of socket rather than with 'nlkit'. The to*Socket conversions
// below work on decoded objects and need none of them.
const inetFamily = new LazyFamily<typeof inetFamilyValue>('sock-diag-inet', () => import('../generated/sock-diag-inet.js'));
const unixFamily = new LazyFamily<typeof unixFamilyValue>('sock-diag-unix', () => import('../generated/sock-diag-unix.js'));
const netlinkFamily = new LazyFamily<typeof netlinkFamilyValue>('sock-diag-netlink', () => import('../generated/sock-diag-netlink.js'));
const packetFamily = new LazyFamily<typeof packetFamilyValue>('sock-diag-packet', () => import('../generated/sock-diag-packet.js'));

// include/linux/socket.h
const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const AF_NETLINK = 16;
const AF_PACKET = 17;

/** IP protocols an inet dump can ask for (IPPROTO_* of include/uapi/linux/in.h). */
export const INET_PROTOCOLS = {
  /** IPPROTO_TCP. */
  tcp: 6,
  /** IPPROTO_UDP. */
  udp: 17,
  /** IPPROTO_DCCP. */
  dccp: 33,
  /** IPPROTO_SCTP. */
  sctp: 132,
  /** IPPROTO_UDPLITE. */
  udplite: 136,
  /** IPPROTO_RAW: raw sockets of every protocol (raw_diag). */
  raw: 255,
  /** IPPROTO_MPTCP (sent in INET_DIAG_REQ_PROTOCOL: it does not fit in a byte). */
  mptcp: 262,
} as const;

/** A protocol name of {@link INET_PROTOCOLS}. */
export type InetProtocol = keyof typeof INET_PROTOCOLS;

/** Memory counters of a socket (SK_MEMINFO_*). */
export interface SocketMemory {
  /** Receive memory allocated (sk_rmem_alloc). */
  rmemAlloc: number;
  /** Receive buffer size. */
  rcvbuf: number;
  /** Send memory allocated. */
  wmemAlloc: number;
  /** Send buffer size. */
  sndbuf: number;
  /** Forward-allocated memory. */
  fwdAlloc: number;
  /** Memory queued for sending. */
  wmemQueued: number;
  /** Option memory. */
  optmem: number;
  /** Backlog length (kernels that report it). */
  backlog?: number;
  /** Drops (kernels that report it). */
  drops?: number;
}

/**
 * TCP connection details (struct tcp_info), fields in camelCase, u64 as
 * bigint; the two packed bytes split into sndWscale / rcvWscale and
 * deliveryRateAppLimited / fastopenClientFail. Fields a kernel does not send
 * are undefined.
 */
export type TcpInfo = { [K in keyof Omit<TcpInfoStruct, 'wscale' | 'rate-flags'> as CamelCase<K & string>]: TcpInfoStruct[K] } & {
  /** Send window scale. */
  sndWscale: number | undefined;
  /** Receive window scale. */
  rcvWscale: number | undefined;
  /** The delivery rate sample was application limited. */
  deliveryRateAppLimited: boolean | undefined;
  /** Why a TCP Fast Open client attempt failed (0: it did not). */
  fastopenClientFail: number | undefined;
};

type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

/** Queue memory of an inet socket (struct inet_diag_meminfo). */
export interface QueueMemory {
  /** Receive queue memory. */
  rmem: number;
  /** Send queue memory. */
  wmem: number;
  /** Forward-allocated memory. */
  fmem: number;
  /** Memory of the transmit queue. */
  tmem: number;
}

/** TCP Vegas state (struct tcpvegas_info). */
export interface VegasInfo {
  /** Vegas is on. */
  enabled: number;
  /** RTT samples counted. */
  rttcnt: number;
  /** Average RTT (us). */
  rtt: number;
  /** Minimum RTT (us). */
  minrtt: number;
}

/** DCTCP state (struct tcp_dctcp_info). */
export interface DctcpInfo {
  /** DCTCP is on. */
  enabled: number;
  /** CE state. */
  ceState: number;
  /** alpha. */
  alpha: number;
  /** Bytes acknowledged with ECE. */
  abEcn: number;
  /** Bytes acknowledged in all. */
  abTot: number;
}

/** BBR state (struct tcp_bbr_info). */
export interface BbrInfo {
  /** Bandwidth estimate, bytes per second. */
  bw: bigint;
  /** Minimum RTT (us). */
  minRtt: number;
  /** Pacing gain, shifted left 8 bits. */
  pacingGain: number;
  /** Congestion window gain, shifted left 8 bits. */
  cwndGain: number;
}

/** Where a unix socket's path lives (struct unix_diag_vfs). */
export interface UnixVfs {
  /** Inode of the path. */
  ino: number;
  /** Device of the path (the kernel's dev_t encoding). */
  dev: number;
}

/** Settings of a packet socket (struct packet_diag_info). */
export interface PacketInfo {
  /** Bound interface (0: all). */
  ifindex: number;
  /** TPACKET version. */
  version: number;
  /** Reserved headroom. */
  reserve: number;
  /** Copy threshold. */
  copyThresh: number;
  /** Timestamp source. */
  tstamp: number;
  /** PDI_* flags. */
  flags: (PacketDiagInfoFlags | number)[];
}

/** An inet (TCP, UDP, raw ...) socket. */
export interface InetSocket {
  /** 'inet' (IPv4) or 'inet6'. */
  family: 'inet' | 'inet6';
  /** IP protocol number the socket was listed with (IPPROTO_RAW for every raw socket). */
  protocol: number;
  /** Protocol the kernel reports in INET_DIAG_PROTOCOL (a raw socket's own protocol). */
  rawProtocol?: number;
  /** State ('established', 'listen', 'close' for unconnected datagram sockets ...). */
  state: TcpState | number;
  /** Pending timer: 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero window probe. */
  timer: number;
  /** Retransmits (or probes) of the pending timer. */
  retransmits: number;
  /** Milliseconds until the timer fires. */
  expires: number;
  /** Local address. */
  src: string;
  /** Remote address. */
  dst: string;
  /** Local port. */
  sport: number;
  /** Remote port. */
  dport: number;
  /** Interface the socket is bound to (0: none). */
  ifindex: number;
  /** Socket cookie: names the socket for destroy(). */
  cookie: bigint;
  /** Receive queue (listeners: accept queue length). */
  rqueue: number;
  /** Send queue (listeners: accept queue limit). */
  wqueue: number;
  /** Owner uid. */
  uid: number;
  /** Inode number of the socket. */
  inode: number;
  /** Memory (INET_DIAG_SKMEMINFO), when asked for with the 'skmeminfo' extension. */
  memory?: SocketMemory;
  /** Queue memory (INET_DIAG_MEMINFO), when asked for with 'meminfo'. */
  queueMemory?: QueueMemory;
  /** tcp_info, when asked for with 'info'. */
  tcpInfo?: TcpInfo;
  /** Congestion control algorithm, with 'cong'. */
  congestion?: string;
  /** IPv4 TOS, with 'tos'. */
  tos?: number;
  /** IPv6 traffic class, with 'tclass'. */
  tclass?: number;
  /** Shutdown bits (1: no more receives, 2: no more sends). */
  shutdown?: number;
  /** Firewall mark (the kernel sends it to CAP_NET_ADMIN only). */
  mark?: number;
  /** net_cls class id, with 'tclass'. */
  classId?: number;
  /** cgroup v2 id. */
  cgroupId?: bigint;
  /** Socket options set (INET_DIAG_SOCKOPT). */
  sockopt?: InetDiagSockoptFlags[];
  /** IPV6_V6ONLY of an inet6 socket. */
  v6only?: boolean;
  /** Upper layer protocol attached (INET_DIAG_ULP_INFO name: 'tls', 'mptcp'). */
  ulp?: string;
  /** Vegas congestion details (with 'vegasinfo'). */
  vegas?: VegasInfo;
  /** DCTCP congestion details. */
  dctcp?: DctcpInfo;
  /** BBR congestion details. */
  bbr?: BbrInfo;
}

/** A unix socket. */
export interface UnixSocket {
  /** 'stream', 'dgram' or 'seqpacket'. */
  type: SocketType | number;
  /** State ('listen', 'established', 'close' when unconnected). */
  state: TcpState | number;
  /** Inode number. */
  inode: number;
  /** Socket cookie. */
  cookie: bigint;
  /** Bound path; an abstract name starts with '@' (its 0 bytes written as '@', as ss does). */
  name?: string;
  /** The name's bytes as the kernel sent them. */
  rawName?: Uint8Array;
  /** Inode of the peer (0: none). */
  peer: number;
  /** Receive queue (listeners: pending connections). */
  rqueue: number;
  /** Send queue (listeners: backlog limit). */
  wqueue: number;
  /** Inodes of connections waiting to be accepted (with `details`). */
  pending?: number[];
  /** Inode and device of the bound path (with `details`). */
  vfs?: UnixVfs;
  /** Memory (with `memory`). */
  memory?: SocketMemory;
  /** Shutdown bits. */
  shutdown?: number;
  /** Owner uid. */
  uid?: number;
}

/** A netlink socket. */
export interface NetlinkSocketInfo {
  /** Netlink protocol number (0 route, 4 sock_diag ...). */
  protocol: number;
  /** Socket type ('raw', 'dgram'). */
  type: SocketType | number;
  /** Port id (negative ids are autobound, as ss shows them). */
  portid: number;
  /** Destination port id. */
  dstPortid: number;
  /** Destination group. */
  dstGroup: number;
  /** Inode number. */
  inode: number;
  /** Socket cookie. */
  cookie: bigint;
  /** Groups joined (with `groups`). */
  groups?: number[];
  /** Memory (with `memory`). */
  memory?: SocketMemory;
  /** Socket flags (NDIAG_FLAG_*). */
  flags?: (NetlinkDiagFlags | number)[];
}

/** A packet socket. */
export interface PacketSocket {
  /** 'raw' or 'dgram'. */
  type: SocketType | number;
  /** Bound ethertype (ETH_P_*). */
  protocol: number;
  /** Inode number. */
  inode: number;
  /** Socket cookie. */
  cookie: bigint;
  /** Interface index and flags (PACKET_DIAG_INFO). */
  info?: PacketInfo;
  /** Owner uid. */
  uid?: number;
  /** Fanout group setting (id in the low 16 bits, type in the high 16). */
  fanout?: number;
  /** Memory. */
  memory?: SocketMemory;
  /** Receive ring (PACKET_RX_RING), with `rings`. */
  rxRing?: PacketRing;
  /** Transmit ring (PACKET_TX_RING), with `rings`. */
  txRing?: PacketRing;
}

/** A packet socket's ring (struct packet_diag_ring). */
export interface PacketRing {
  /** Block size. */
  blockSize: number;
  /** Number of blocks. */
  blockNr: number;
  /** Frame size. */
  frameSize: number;
  /** Number of frames. */
  frameNr: number;
  /** Block retire timeout (TPACKET_V3). */
  retireTmo: number;
  /** Private area size (TPACKET_V3). */
  sizeofPriv: number;
  /** Feature flags (TPACKET_V3). */
  features: number;
}

/** What {@link SockDiagClient.inet} lists. */
export interface InetQuery {
  /** 'inet' or 'inet6'; both when omitted (IPv4 first, as ss lists them). */
  family?: 'inet' | 'inet6';
  /** Protocol name or number (default 'tcp'). */
  protocol?: InetProtocol | number;
  /** States to list (default every state). */
  states?: readonly TcpState[];
  /** Extensions to ask for (idiag_ext): 'info' (tcp_info), 'cong', 'meminfo', 'skmeminfo', 'tos', 'tclass', 'vegasinfo', 'shutdown'. */
  extensions?: readonly InetDiagExt[];
  /** A filter the kernel runs (compiled to bytecode) and that is checked here again. */
  filter?: SockFilter;
}

/** What {@link SockDiagClient.unix} lists. */
export interface UnixQuery {
  /** States to list (default every state). */
  states?: readonly TcpState[];
  /** Ask for memory counters. */
  memory?: boolean;
  /** Ask for the vfs inode and the pending connections. */
  details?: boolean;
  /** Ask for the owner uid. */
  uid?: boolean;
  /** A filter checked here (sport / dport compare inodes, as in ss). */
  filter?: SockFilter;
}

/** What {@link SockDiagClient.netlink} lists. */
export interface NetlinkQuery {
  /** Only this netlink protocol (default all). */
  protocol?: number;
  /** Ask for memory counters. */
  memory?: boolean;
}

/** What {@link SockDiagClient.packet} lists. */
export interface PacketQuery {
  /** Ask for memory counters. */
  memory?: boolean;
  /** Ask for the ring settings. */
  rings?: boolean;
}

/** Names an inet socket for {@link SockDiagClient.destroy}: a listed socket, or its addresses, ports and protocol. */
export interface InetSocketKey {
  /** 'inet' or 'inet6' (default: from src). */
  family?: 'inet' | 'inet6';
  /** Protocol name or number. */
  protocol: InetProtocol | number;
  /** Local address. */
  src: string;
  /** Remote address. */
  dst: string;
  /** Local port. */
  sport: number;
  /** Remote port. */
  dport: number;
  /** Interface (default 0). */
  ifindex?: number;
  /** Cookie (default: any socket with these addresses). */
  cookie?: bigint;
  /** For IPPROTO_RAW: the raw socket's own protocol. */
  rawProtocol?: number;
}

const NO_COOKIE = 0xffffffffffffffffn;
const STATE_NAMES = Object.values(TCP_STATE_NAMES) as TcpState[];
const EXTENSIONS = new Set<string>(['meminfo', 'info', 'vegasinfo', 'cong', 'tos', 'tclass', 'skmeminfo', 'shutdown']);
const PROTOCOL_NUMBERS = INET_PROTOCOLS as Record<string, number>;

function camel(s: string): string {
  return s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function memory(m: (SkMeminfo & StructRest) | undefined): SocketMemory | undefined {
  if (!m) return undefined;
  const out: SocketMemory = {
    rmemAlloc: m['rmem-alloc'] ?? 0,
    rcvbuf: m.rcvbuf ?? 0,
    wmemAlloc: m['wmem-alloc'] ?? 0,
    sndbuf: m.sndbuf ?? 0,
    fwdAlloc: m['fwd-alloc'] ?? 0,
    wmemQueued: m['wmem-queued'] ?? 0,
    optmem: m.optmem ?? 0,
  };
  if (m.backlog !== undefined) out.backlog = m.backlog;
  if (m.drops !== undefined) out.drops = m.drops;
  return out;
}

function tcpInfo(t: TcpInfoStruct & StructRest): TcpInfo {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) {
    if (k === '__rest' || k === 'wscale' || k === 'rate-flags') continue;
    out[camel(k)] = v;
  }
  const w = t.wscale;
  const r = t['rate-flags'];
  out.sndWscale = w === undefined ? undefined : w & 0x0f;
  out.rcvWscale = w === undefined ? undefined : w >> 4;
  out.deliveryRateAppLimited = r === undefined ? undefined : (r & 1) === 1;
  out.fastopenClientFail = r === undefined ? undefined : (r >> 1) & 3;
  return out as TcpInfo;
}

/** An inet_diag_msg message as an {@link InetSocket}. */
export function toInetSocket(m: InetDiagMsgMessage, protocol: number): InetSocket {
  const v6 = m['idiag-family'] === AF_INET6;
  const id = m.id;
  const zero = new Uint8Array(16);
  const s: InetSocket = {
    family: v6 ? 'inet6' : 'inet',
    protocol,
    state: m['idiag-state'] ?? 0,
    timer: m['idiag-timer'] ?? 0,
    retransmits: m['idiag-retrans'] ?? 0,
    expires: m['idiag-expires'] ?? 0,
    src: formatAddress(id?.src ?? zero, v6),
    dst: formatAddress(id?.dst ?? zero, v6),
    sport: id?.sport ?? 0,
    dport: id?.dport ?? 0,
    ifindex: id?.if ?? 0,
    cookie: id?.cookie ?? NO_COOKIE,
    rqueue: m['idiag-rqueue'] ?? 0,
    wqueue: m['idiag-wqueue'] ?? 0,
    uid: m['idiag-uid'] ?? 0,
    inode: m['idiag-inode'] ?? 0,
  };
  if (m.protocol !== undefined) s.rawProtocol = m.protocol;
  const mem = memory(m.skmeminfo);
  if (mem) s.memory = mem;
  if (m.meminfo) s.queueMemory = { rmem: m.meminfo.rmem ?? 0, wmem: m.meminfo.wmem ?? 0, fmem: m.meminfo.fmem ?? 0, tmem: m.meminfo.tmem ?? 0 };
  if (m.info) s.tcpInfo = tcpInfo(m.info);
  if (m.cong !== undefined) s.congestion = m.cong;
  if (m.tos !== undefined) s.tos = m.tos;
  if (m.tclass !== undefined) s.tclass = m.tclass;
  if (m.shutdown !== undefined) s.shutdown = m.shutdown;
  if (m.mark !== undefined) s.mark = m.mark;
  if (m['class-id'] !== undefined) s.classId = m['class-id'];
  if (m['cgroup-id'] !== undefined) s.cgroupId = m['cgroup-id'];
  if (m.sockopt?.flags !== undefined) s.sockopt = m.sockopt.flags.filter((f): f is InetDiagSockoptFlags => typeof f === 'string');
  if (m.skv6only !== undefined) s.v6only = m.skv6only !== 0;
  if (m['ulp-info']?.name !== undefined) s.ulp = m['ulp-info'].name;
  const vg = m.vegasinfo;
  if (vg) s.vegas = { enabled: vg.enabled ?? 0, rttcnt: vg.rttcnt ?? 0, rtt: vg.rtt ?? 0, minrtt: vg.minrtt ?? 0 };
  const d = m.dctcpinfo;
  if (d) s.dctcp = { enabled: d.enabled ?? 0, ceState: d['ce-state'] ?? 0, alpha: d.alpha ?? 0, abEcn: d['ab-ecn'] ?? 0, abTot: d['ab-tot'] ?? 0 };
  const b = m.bbrinfo;
  if (b) s.bbr = { bw: (BigInt(b['bw-hi'] ?? 0) << 32n) | BigInt(b['bw-lo'] ?? 0), minRtt: b['min-rtt'] ?? 0, pacingGain: b['pacing-gain'] ?? 0, cwndGain: b['cwnd-gain'] ?? 0 };
  return s;
}

/** A unix_diag_msg message as a {@link UnixSocket}. */
export function toUnixSocket(m: UnixDiagMsgMessage): UnixSocket {
  const s: UnixSocket = {
    type: m['udiag-type'] ?? 0,
    state: m['udiag-state'] ?? 0,
    inode: m['udiag-ino'] ?? 0,
    cookie: m['udiag-cookie'] ?? NO_COOKIE,
    peer: m.peer ?? 0,
    rqueue: m.rqlen?.rqueue ?? 0,
    wqueue: m.rqlen?.wqueue ?? 0,
  };
  if (m.name !== undefined) {
    s.rawName = m.name;
    // unix_show_sock(): an abstract name (first byte 0) has each 0 byte shown
    // as '@'; a path ends at its first 0 byte.
    let text = new TextDecoder('latin1').decode(m.name);
    if (m.name[0] === 0) text = text.replace(/\0/g, '@');
    else if (text.includes('\0')) text = text.slice(0, text.indexOf('\0'));
    s.name = text;
  }
  if (m.icons !== undefined) s.pending = Array.from(m.icons as ArrayLike<number>);
  if (m.vfs) s.vfs = { ino: m.vfs.ino ?? 0, dev: m.vfs.dev ?? 0 };
  const mem = memory(m.meminfo);
  if (mem) s.memory = mem;
  if (m.shutdown !== undefined) s.shutdown = m.shutdown;
  if (m.uid !== undefined) s.uid = m.uid;
  return s;
}

/** A netlink_diag_msg message as a {@link NetlinkSocketInfo}. */
export function toNetlinkSocket(m: NetlinkDiagMsgMessage): NetlinkSocketInfo {
  const s: NetlinkSocketInfo = {
    protocol: m['ndiag-protocol'] ?? 0,
    type: m['ndiag-type'] ?? 0,
    portid: (m['ndiag-portid'] ?? 0) | 0,
    dstPortid: m['ndiag-dst-portid'] ?? 0,
    dstGroup: m['ndiag-dst-group'] ?? 0,
    inode: m['ndiag-ino'] ?? 0,
    cookie: m['ndiag-cookie'] ?? NO_COOKIE,
  };
  if (m.groups !== undefined) {
    const words = Array.from(m.groups as ArrayLike<number>);
    const groups: number[] = [];
    words.forEach((w, i) => {
      for (let b = 0; b < 32; b++) if ((w >>> b) & 1) groups.push(i * 32 + b + 1);
    });
    s.groups = groups;
  }
  const mem = memory(m.meminfo);
  if (mem) s.memory = mem;
  if (m.flags !== undefined) s.flags = m.flags;
  return s;
}

/** A packet_diag_msg message as a {@link PacketSocket}. */
export function toPacketSocket(m: PacketDiagMsgMessage): PacketSocket {
  const s: PacketSocket = { type: m['pdiag-type'] ?? 0, protocol: m['pdiag-num'] ?? 0, inode: m['pdiag-ino'] ?? 0, cookie: m['pdiag-cookie'] ?? NO_COOKIE };
  const i = m.info;
  if (i) s.info = { ifindex: i.index ?? 0, version: i.version ?? 0, reserve: i.reserve ?? 0, copyThresh: i['copy-thresh'] ?? 0, tstamp: i.tstamp ?? 0, flags: i.flags ?? [] };
  if (m.uid !== undefined) s.uid = m.uid;
  if (m.fanout !== undefined) s.fanout = m.fanout;
  const mem = memory(m.meminfo);
  if (mem) s.memory = mem;
  const ring = (r: PacketDiagMsgMessage['rx-ring']): PacketRing | undefined =>
    r && {
      blockSize: r['block-size'] ?? 0,
      blockNr: r['block-nr'] ?? 0,
      frameSize: r['frame-size'] ?? 0,
      frameNr: r['frame-nr'] ?? 0,
      retireTmo: r['retire-tmo'] ?? 0,
      sizeofPriv: r['sizeof-priv'] ?? 0,
      features: r.features ?? 0,
    };
  const rx = ring(m['rx-ring']);
  const tx = ring(m['tx-ring']);
  if (rx) s.rxRing = rx;
  if (tx) s.txRing = tx;
  return s;
}

function protocolNumber(p: unknown, field: string): number {
  if (typeof p === 'string') {
    const n = PROTOCOL_NUMBERS[p];
    if (n === undefined) throw new RangeError(`${field}: unknown protocol ${describe(p)} (known: ${Object.keys(INET_PROTOCOLS).join(', ')})`);
    return n;
  }
  return checkInteger(p, field, 0, 0xffff);
}

function checkStates(states: unknown, field: string): TcpState[] | undefined {
  if (states === undefined) return undefined;
  if (!Array.isArray(states)) throw new TypeError(`${field}: expected an array of state names, got ${describe(states)}`);
  for (const s of states) if (!STATE_NAMES.includes(s as TcpState)) throw new RangeError(`${field}: unknown state ${describe(s)} (states: ${STATE_NAMES.join(', ')})`);
  return states as TcpState[];
}

function checkObject(x: unknown, field: string): void {
  if (x === null || typeof x !== 'object') throw new TypeError(`${field}: expected an object, got ${describe(x)}`);
}

function addressKey(text: unknown, field: string): { v6: boolean; bytes: Uint8Array } {
  const a = typeof text === 'string' ? parseAddress(text) : undefined;
  if (!a) throw new RangeError(`${field}: expected an IPv4 or IPv6 address, got ${describe(text)}`);
  return a;
}

/** Options of {@link SockDiagClient.destroyed}. */
export interface DestroyedOptions extends SubscribeOptions {
  /** Which destroy groups to join (default all four). */
  groups?: readonly ('inet-tcp-destroy' | 'inet-udp-destroy' | 'inet6-tcp-destroy' | 'inet6-udp-destroy')[];
}

/** What {@link SockDiagClient.destroyed} returns: sockets as the kernel destroys them, overruns in-band. */
export interface DestroyedSockets extends AsyncIterableIterator<InetSocket | Overrun>, AsyncDisposable {
  /** Leaves the groups and ends the iteration. */
  close(): void;
}

/** Options of {@link SockDiagClient.open}. */
export interface SockDiagClientOptions extends OpenOptions {
  /** Use this open NETLINK_SOCK_DIAG socket instead of opening one; close() leaves it open. */
  socket?: NetlinkSocket;
}

/**
 * The sockets of a network namespace, as `ss` sees them.
 *
 * ```ts
 * await using sd = await SockDiagClient.open({ netns: 'blue' });
 * for await (const s of sd.inet({ protocol: 'tcp', states: ['listen'] })) console.log(s.src, s.sport);
 * ```
 */
export class SockDiagClient implements AsyncDisposable {
  private readonly writer = new MessageWriter(512);

  private constructor(
    /** The NETLINK_SOCK_DIAG socket requests go over. */
    readonly socket: NetlinkSocket,
    private readonly ownsSocket: boolean,
    private readonly openOptions: OpenOptions,
  ) {}

  /** Opens a NETLINK_SOCK_DIAG socket (in `netns` when given). */
  static async open(options: SockDiagClientOptions = {}): Promise<SockDiagClient> {
    checkObject(options, 'options');
    const { socket, ...open } = options;
    if (socket !== undefined) {
      if (!(socket instanceof NetlinkSocket) || socket.protocol !== Protocol.SOCK_DIAG)
        throw new TypeError(`options.socket: expected a NETLINK_SOCK_DIAG (${Protocol.SOCK_DIAG}) NetlinkSocket`);
      return new SockDiagClient(socket, false, open);
    }
    return new SockDiagClient(await NetlinkSocket.open(Protocol.SOCK_DIAG, open), true, open);
  }

  private async *dumpMessages(request: Uint8Array, options: CallOptions): AsyncGenerator<MessageView> {
    yield* this.socket.dump(request, { ...options, name: 'sock-diag dump' });
  }

  /** Streams inet sockets (TCP by default) of one or both IP families. */
  async *inet(query: InetQuery = {}, options: CallOptions = {}): AsyncGenerator<InetSocket> {
    checkObject(query, 'query');
    const protocol = protocolNumber(query.protocol ?? 'tcp', 'query.protocol');
    if (query.family !== undefined && query.family !== 'inet' && query.family !== 'inet6')
      throw new RangeError(`query.family: expected 'inet' or 'inet6', got ${describe(query.family)}`);
    const states = checkStates(query.states, 'query.states');
    const ext = query.extensions ?? [];
    if (!Array.isArray(ext)) throw new TypeError(`query.extensions: expected an array of names, got ${describe(ext)}`);
    for (const e of ext) if (!EXTENSIONS.has(e as string)) throw new RangeError(`query.extensions: unknown extension ${describe(e)} (known: ${[...EXTENSIONS].join(', ')})`);
    const filter = query.filter === undefined ? undefined : checkFilter(query.filter, 'query.filter');
    const bytecode = filter ? compileFilter(filter) : undefined;
    const families = query.family === 'inet' ? [AF_INET] : query.family === 'inet6' ? [AF_INET6] : [AF_INET, AF_INET6];
    const inet = await inetFamily.load();
    for (const af of families) {
      const w = this.writer.reset();
      inet.ops.get.dump.encodeRequest(
        w,
        {
          'sdiag-family': af,
          'sdiag-protocol': protocol > 255 ? 0 : protocol,
          'idiag-ext': ext,
          'idiag-states': states ?? (STATE_NAMES as TcpState[]),
          ...(bytecode ? { bytecode } : {}),
          ...(protocol > 255 ? { protocol } : {}),
        },
        { flags: NLM_F_REQUEST | NLM_F_DUMP },
      );
      for await (const m of this.dumpMessages(w.finishCopy(), options)) {
        const msg = inet.ops.sock.decodeReply(m);
        if (msg['idiag-family'] !== af) continue;
        const s = toInetSocket(msg, protocol);
        if (filter && !matchFilter(filter, inetSubject(s, msg))) continue;
        yield s;
      }
    }
  }

  /** Lists inet sockets into an array. */
  async inetAll(query: InetQuery = {}, options: CallOptions = {}): Promise<InetSocket[]> {
    const out: InetSocket[] = [];
    for await (const s of this.inet(query, options)) out.push(s);
    return out;
  }

  /** Streams unix sockets (of the namespace the client's socket lives in). */
  async *unix(query: UnixQuery = {}, options: CallOptions = {}): AsyncGenerator<UnixSocket> {
    checkObject(query, 'query');
    const states = checkStates(query.states, 'query.states');
    const filter = query.filter === undefined ? undefined : checkFilter(query.filter, 'query.filter');
    const show: ('name' | 'vfs' | 'peer' | 'icons' | 'rqlen' | 'meminfo' | 'uid')[] = ['name', 'peer', 'rqlen'];
    if (query.memory) show.push('meminfo');
    if (query.details) show.push('vfs', 'icons');
    if (query.uid) show.push('uid');
    const unix = await unixFamily.load();
    const w = this.writer.reset();
    unix.ops.get.dump.encodeRequest(
      w,
      { 'sdiag-family': AF_UNIX, 'udiag-states': states ?? (STATE_NAMES as TcpState[]), 'udiag-show': show },
      { flags: NLM_F_REQUEST | NLM_F_DUMP },
    );
    for await (const m of this.dumpMessages(w.finishCopy(), options)) {
      const s = toUnixSocket(unix.ops.sock.decodeReply(m));
      if (filter && !matchFilter(filter, { lport: s.inode, rport: s.peer })) continue;
      yield s;
    }
  }

  /** Lists unix sockets into an array. */
  async unixAll(query: UnixQuery = {}, options: CallOptions = {}): Promise<UnixSocket[]> {
    const out: UnixSocket[] = [];
    for await (const s of this.unix(query, options)) out.push(s);
    return out;
  }

  /** Streams netlink sockets. */
  async *netlink(query: NetlinkQuery = {}, options: CallOptions = {}): AsyncGenerator<NetlinkSocketInfo> {
    checkObject(query, 'query');
    const protocol = query.protocol === undefined ? 255 : checkInteger(query.protocol, 'query.protocol', 0, 31);
    const netlink = await netlinkFamily.load();
    const w = this.writer.reset();
    netlink.ops.get.dump.encodeRequest(
      w,
      { 'sdiag-family': AF_NETLINK, 'sdiag-protocol': protocol, 'ndiag-show': query.memory ? ['groups', 'meminfo', 'flags'] : ['groups', 'flags'] },
      { flags: NLM_F_REQUEST | NLM_F_DUMP },
    );
    for await (const m of this.dumpMessages(w.finishCopy(), options)) yield toNetlinkSocket(netlink.ops.sock.decodeReply(m));
  }

  /** Lists netlink sockets into an array. */
  async netlinkAll(query: NetlinkQuery = {}, options: CallOptions = {}): Promise<NetlinkSocketInfo[]> {
    const out: NetlinkSocketInfo[] = [];
    for await (const s of this.netlink(query, options)) out.push(s);
    return out;
  }

  /** Streams packet sockets. */
  async *packet(query: PacketQuery = {}, options: CallOptions = {}): AsyncGenerator<PacketSocket> {
    checkObject(query, 'query');
    const packet = await packetFamily.load();
    const w = this.writer.reset();
    packet.ops.get.dump.encodeRequest(
      w,
      { 'sdiag-family': AF_PACKET, 'pdiag-show': ['info', 'fanout', ...(query.memory ? (['meminfo'] as const) : []), ...(query.rings ? (['ring-cfg'] as const) : [])] },
      { flags: NLM_F_REQUEST | NLM_F_DUMP },
    );
    for await (const m of this.dumpMessages(w.finishCopy(), options)) yield toPacketSocket(packet.ops.sock.decodeReply(m));
  }

  /** Lists packet sockets into an array. */
  async packetAll(query: PacketQuery = {}, options: CallOptions = {}): Promise<PacketSocket[]> {
    const out: PacketSocket[] = [];
    for await (const s of this.packet(query, options)) out.push(s);
    return out;
  }

  /**
   * Closes an inet socket (SOCK_DESTROY, like `ss -K`): one a list gave, or
   * one named by its protocol, addresses and ports. The kernel
   * needs CAP_NET_ADMIN and CONFIG_INET_DIAG_DESTROY; a socket already gone is
   * ENOENT, a protocol that cannot be destroyed EOPNOTSUPP (NetlinkError).
   */
  async destroy(target: InetSocket | InetSocketKey, options: CallOptions = {}): Promise<void> {
    checkObject(target, 'socket');
    const protocol = protocolNumber(target.protocol, 'socket.protocol');
    const src = addressKey(target.src, 'socket.src');
    const dst = addressKey(target.dst, 'socket.dst');
    if (src.v6 !== dst.v6) throw new RangeError('socket.dst: not of the same family as socket.src');
    const family = target.family ?? (src.v6 ? 'inet6' : 'inet');
    if (family !== 'inet' && family !== 'inet6') throw new RangeError(`socket.family: expected 'inet' or 'inet6', got ${describe(family)}`);
    const id = {
      sport: checkInteger(target.sport, 'socket.sport', 0, 0xffff),
      dport: checkInteger(target.dport, 'socket.dport', 0, 0xffff),
      src: src.bytes,
      dst: dst.bytes,
      if: checkInteger(target.ifindex ?? 0, 'socket.ifindex', 0, 0xffffffff),
      cookie: target.cookie ?? NO_COOKIE,
    };
    if (typeof id.cookie !== 'bigint') throw new TypeError(`socket.cookie: expected a bigint, got ${describe(id.cookie)}`);
    // A raw socket is named by IPPROTO_RAW plus its own protocol (struct inet_diag_req_raw).
    const raw = protocol === INET_PROTOCOLS.raw ? checkInteger((target as InetSocket).rawProtocol ?? 0, 'socket.rawProtocol', 0, 255) : 0;
    const inet = await inetFamily.load();
    const w = this.writer.reset();
    inet.ops.destroy.do.encodeRequest(
      w,
      { 'sdiag-family': family === 'inet6' ? AF_INET6 : AF_INET, 'sdiag-protocol': protocol > 255 ? 0 : protocol, pad: raw, id, ...(protocol > 255 ? { protocol } : {}) },
      { flags: NLM_F_REQUEST | NLM_F_ACK },
    );
    await this.socket.request(w.finishCopy(), { ...options, name: 'sock-diag sock-destroy' });
  }

  /**
   * Follows inet sockets of the namespace as the kernel destroys them (the
   * SKNLGRP_INET*_TCP/UDP_DESTROY groups; joining needs CAP_NET_ADMIN). Each
   * comes with the details the kernel had at the end (tcp_info and the
   * rest). On a socket of its own, in the client's namespace.
   */
  async destroyed(options: DestroyedOptions = {}): Promise<DestroyedSockets> {
    checkObject(options, 'options');
    const { groups = ['inet-tcp-destroy', 'inet-udp-destroy', 'inet6-tcp-destroy', 'inet6-udp-destroy'], ...subscribe } = options;
    const client = await FamilyClient.open(await inetFamily.load(), this.openOptions);
    let sub: Awaited<ReturnType<typeof client.subscribe>>;
    try {
      sub = await client.subscribe(groups, subscribe);
    } catch (err) {
      client.socket.close();
      throw err;
    }
    const close = (): void => {
      sub.close();
      client.socket.close();
    };
    const iterator: DestroyedSockets = {
      async next(): Promise<IteratorResult<InetSocket | Overrun>> {
        const r = await sub.next();
        if (r.done) {
          client.socket.close();
          return { done: true, value: undefined };
        }
        const ev = r.value;
        if (isOverrun(ev)) return { done: false, value: ev };
        const m = ev.msg as InetDiagMsgMessage;
        return { done: false, value: toInetSocket(m, m.protocol ?? 0) };
      },
      async return(): Promise<IteratorResult<InetSocket | Overrun>> {
        close();
        return { done: true, value: undefined };
      },
      close,
      [Symbol.asyncIterator]() {
        return this;
      },
      async [Symbol.asyncDispose]() {
        close();
      },
    };
    return iterator;
  }

  /** Closes the socket (unless it was given to open()). */
  close(): void {
    if (this.ownsSocket) this.socket.close();
  }

  /** Closes the socket (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}

function inetSubject(s: InetSocket, m: InetDiagMsgMessage): Parameters<typeof matchFilter>[1] {
  const v6 = s.family === 'inet6';
  const zero = new Uint8Array(16);
  return { lport: s.sport, rport: s.dport, local: { v6, bytes: m.id?.src ?? zero }, remote: { v6, bytes: m.id?.dst ?? zero }, mark: s.mark ?? 0 };
}
