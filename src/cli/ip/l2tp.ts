// `nlkit l2tp` (ip/ipl2tp.c of iproute2 6.1): L2TPv3 tunnels and sessions
// through the l2tp generic netlink family (specs/l2tp.yaml). Requests are
// built as create_tunnel() / create_session() / delete_*() / get_*() build
// them; replies are decoded by the spec's codecs into one parameter record
// that, as ip's struct l2tp_data, carries over from message to message of a
// dump, and printed as print_tunnel() / print_session() print it. As ip, the
// family is resolved before the command line is read.
import { AF_INET, AF_INET6, AF_UNSPEC, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST } from '../../core/constants.js';
import type { MessageView } from '../../core/message.js';
import { family as L2TP } from '../../families/generated/l2tp.js';
import * as L from '../../families/generated/l2tp.constants.js';
import { incompleteCommand, invarg, matches, missarg, parseAddr, validIfname } from './args.js';
import { usage, type IpContext } from './context.js';
import { GenlHandle, genlCmd, genlRequest } from './genl.js';
import { getU16, getU32 } from './numbers.js';
import type { Printer } from './printer.js';
import { CommandError } from '../error.js';

/** ip l2tp's usage() text (exit 255). */
export const L2TP_USAGE =
  'Usage: ip l2tp add tunnel\n' +
  '          remote ADDR local ADDR\n' +
  '          tunnel_id ID peer_tunnel_id ID\n' +
  '          [ encap { ip | udp } ]\n' +
  '          [ udp_sport PORT ] [ udp_dport PORT ]\n' +
  '          [ udp_csum { on | off } ]\n' +
  '          [ udp6_csum_tx { on | off } ]\n' +
  '          [ udp6_csum_rx { on | off } ]\n' +
  'Usage: ip l2tp add session [ name NAME ]\n' +
  '          tunnel_id ID\n' +
  '          session_id ID peer_session_id ID\n' +
  '          [ cookie HEXSTR ] [ peer_cookie HEXSTR ]\n' +
  '          [ seq { none | send | recv | both } ]\n' +
  '          [ l2spec_type L2SPEC ]\n' +
  '       ip l2tp del tunnel tunnel_id ID\n' +
  '       ip l2tp del session tunnel_id ID session_id ID\n' +
  '       ip l2tp show tunnel [ tunnel_id ID ]\n' +
  '       ip l2tp show session [ tunnel_id ID ] [ session_id ID ]\n' +
  '\n' +
  'Where: NAME   := STRING\n' +
  '       ADDR   := { IP_ADDRESS | any }\n' +
  '       PORT   := { 0..65535 }\n' +
  '       ID     := { 1..4294967295 }\n' +
  '       HEXSTR := { 8 or 16 hex digits (4 / 8 bytes) }\n' +
  '       L2SPEC := { none | default }';

/** struct l2tp_parm: what the command line says, and what replies set. */
export interface L2tpParm {
  tunnelId: number;
  peerTunnelId: number;
  sessionId: number;
  peerSessionId: number;
  encap: number;
  pwType: number;
  l2specType: number;
  l2specLen: number;
  localUdpPort: number;
  peerUdpPort: number;
  udpCsum: boolean;
  udp6CsumTx: boolean;
  udp6CsumRx: boolean;
  recvSeq: boolean;
  sendSeq: boolean;
  reorderTimeout: bigint;
  cookie: Uint8Array;
  peerCookie: Uint8Array;
  /** An address as inet_prefix keeps it: its family (AF_UNSPEC: none given) and bytes. */
  local: { family: number; bytes: Uint8Array };
  peer: { family: number; bytes: Uint8Array };
  ifname: string | undefined;
  tunnel: boolean;
  session: boolean;
}

/** parse_args()'s defaults (the record zeroed, then the defaults set). */
export function newParm(): L2tpParm {
  return {
    tunnelId: 0,
    peerTunnelId: 0,
    sessionId: 0,
    peerSessionId: 0,
    encap: L.L2TP_ENCAPTYPE_UDP,
    pwType: 0,
    l2specType: L.L2TP_L2SPECTYPE_DEFAULT,
    l2specLen: 4,
    localUdpPort: 0,
    peerUdpPort: 0,
    udpCsum: false,
    udp6CsumTx: true,
    udp6CsumRx: true,
    recvSeq: false,
    sendSeq: false,
    reorderTimeout: 0n,
    cookie: new Uint8Array(),
    peerCookie: new Uint8Array(),
    local: { family: AF_UNSPEC, bytes: new Uint8Array(16) },
    peer: { family: AF_UNSPEC, bytes: new Uint8Array(16) },
    ifname: undefined,
    tunnel: false,
    session: false,
  };
}

function fatal(message: string): CommandError {
  return usage(message);
}

/** parse_args(): the words after add / del / show. */
export function parseL2tp(words: string[]): L2tpParm {
  if (words.length === 0) throw usage(L2TP_USAGE);
  const p = newParm();
  for (let i = 0; i < words.length; i++) {
    const next = (): string => {
      const v = words[++i];
      if (v === undefined) throw incompleteCommand();
      return v;
    };
    const id = (): number => {
      const v = next();
      const n = getU32(v);
      if (n === undefined) invarg('invalid ID\n', v);
      return n;
    };
    const port = (): number => {
      const v = next();
      const n = getU16(v);
      if (n === undefined) invarg('invalid port\n', v);
      return n;
    };
    const onOff = (what: string): boolean => {
      const v = next();
      if (v === 'on') return true;
      if (v === 'off') return false;
      invarg(`invalid option for ${what}\n`, v);
    };
    const cookie = (): Uint8Array => {
      const v = next();
      if (v.length !== 8 && v.length !== 16) invarg('cookie must be either 8 or 16 hex digits\n', v);
      if (!/^[0-9a-fA-F]*$/.test(v)) invarg('cookie must be a hex string\n', v);
      return Uint8Array.from(Buffer.from(v, 'hex'));
    };
    const addr = (what: string): { family: number; bytes: Uint8Array } => {
      const v = next();
      try {
        const a = parseAddr(v, AF_UNSPEC);
        const bytes = new Uint8Array(16);
        bytes.set(a.bytes);
        return { family: a.family, bytes };
      } catch {
        invarg(`invalid ${what} address\n`, v);
      }
    };
    const w = words[i]!;
    if (w === 'encap') {
      const v = next();
      if (v === 'ip') p.encap = L.L2TP_ENCAPTYPE_IP;
      else if (v === 'udp') p.encap = L.L2TP_ENCAPTYPE_UDP;
      else throw fatal(`Unknown tunnel encapsulation "${v}"`);
    } else if (w === 'name') {
      const v = next();
      if (!validIfname(v)) invarg('"name" not a valid ifname', v);
      p.ifname = v;
    } else if (w === 'remote') p.peer = addr('remote');
    else if (w === 'local') p.local = addr('local');
    else if (w === 'tunnel_id' || w === 'tid') p.tunnelId = id();
    else if (w === 'peer_tunnel_id' || w === 'ptid') p.peerTunnelId = id();
    else if (w === 'session_id' || w === 'sid') p.sessionId = id();
    else if (w === 'peer_session_id' || w === 'psid') p.peerSessionId = id();
    else if (w === 'udp_sport') p.localUdpPort = port();
    else if (w === 'udp_dport') p.peerUdpPort = port();
    else if (w === 'udp_csum') p.udpCsum = onOff('udp_csum');
    else if (w === 'udp6_csum_rx') p.udp6CsumRx = onOff('udp6_csum_rx');
    else if (w === 'udp6_csum_tx') p.udp6CsumTx = onOff('udp6_csum_tx');
    else if (w === 'offset' || w === 'peer_offset') {
      // ip warns before it reads the value.
      warnings.push(`Ignoring option "${w}"`);
      next();
    } else if (w === 'cookie') p.cookie = cookie();
    else if (w === 'peer_cookie') p.peerCookie = cookie();
    else if (w === 'l2spec_type') {
      const v = next();
      if (v.toLowerCase() === 'default') {
        p.l2specType = L.L2TP_L2SPECTYPE_DEFAULT;
        p.l2specLen = 4;
      } else if (v.toLowerCase() === 'none') {
        p.l2specType = L.L2TP_L2SPECTYPE_NONE;
        p.l2specLen = 0;
      } else throw fatal(`Unknown layer2specific header type "${v}"`);
    } else if (w === 'seq') {
      const v = next().toLowerCase();
      if (v === 'both') p.recvSeq = p.sendSeq = true;
      else if (v === 'recv') p.recvSeq = true;
      else if (v === 'send') p.sendSeq = true;
      else if (v === 'none') p.recvSeq = p.sendSeq = false;
      else throw fatal(`Unknown seq value "${words[i]}"`);
    } else if (w === 'tunnel') p.tunnel = true;
    else if (w === 'session') p.session = true;
    else if (matches(w, 'help')) throw usage(L2TP_USAGE);
    else throw usage(`Unknown command: ${w}\n${L2TP_USAGE}`);
  }
  return p;
}

/** Lines parse_args() printed to stderr and went on ("Ignoring option ..."); read by the caller after parseL2tp(). */
export const warnings: string[] = [];

const version = (): number => L2TP.spec.version ?? 1;
const addrLen = (family: number): number => (family === AF_INET6 ? 16 : family === AF_INET ? 4 : 0);

/** create_tunnel()'s request. */
export function createTunnelRequest(familyId: number, p: L2tpParm): Uint8Array {
  return genlRequest(familyId, L.L2TP_CMD_TUNNEL_CREATE, version(), NLM_F_REQUEST | NLM_F_ACK, (w) => {
    w.putU32(L.L2TP_ATTR_CONN_ID, p.tunnelId);
    w.putU32(L.L2TP_ATTR_PEER_CONN_ID, p.peerTunnelId);
    w.putU8(L.L2TP_ATTR_PROTO_VERSION, 3);
    w.putU16(L.L2TP_ATTR_ENCAP_TYPE, p.encap);
    w.putBinary(p.local.family === AF_INET6 ? L.L2TP_ATTR_IP6_SADDR : L.L2TP_ATTR_IP_SADDR, p.local.bytes.subarray(0, addrLen(p.local.family)));
    w.putBinary(p.peer.family === AF_INET6 ? L.L2TP_ATTR_IP6_DADDR : L.L2TP_ATTR_IP_DADDR, p.peer.bytes.subarray(0, addrLen(p.peer.family)));
    if (p.encap === L.L2TP_ENCAPTYPE_UDP) {
      w.putU16(L.L2TP_ATTR_UDP_SPORT, p.localUdpPort);
      w.putU16(L.L2TP_ATTR_UDP_DPORT, p.peerUdpPort);
      if (p.udpCsum) w.putU8(L.L2TP_ATTR_UDP_CSUM, 1);
      if (!p.udp6CsumTx) w.putFlag(L.L2TP_ATTR_UDP_ZERO_CSUM6_TX);
      if (!p.udp6CsumRx) w.putFlag(L.L2TP_ATTR_UDP_ZERO_CSUM6_RX);
    }
  });
}

/** create_session()'s request (an ethernet pseudowire: the only kind ip makes). */
export function createSessionRequest(familyId: number, p: L2tpParm): Uint8Array {
  return genlRequest(familyId, L.L2TP_CMD_SESSION_CREATE, version(), NLM_F_REQUEST | NLM_F_ACK, (w) => {
    w.putU32(L.L2TP_ATTR_CONN_ID, p.tunnelId);
    w.putU32(L.L2TP_ATTR_PEER_CONN_ID, p.peerTunnelId);
    w.putU32(L.L2TP_ATTR_SESSION_ID, p.sessionId);
    w.putU32(L.L2TP_ATTR_PEER_SESSION_ID, p.peerSessionId);
    w.putU16(L.L2TP_ATTR_PW_TYPE, L.L2TP_PWTYPE_ETH);
    w.putU8(L.L2TP_ATTR_L2SPEC_TYPE, p.l2specType);
    w.putU8(L.L2TP_ATTR_L2SPEC_LEN, p.l2specLen);
    if (p.recvSeq) w.putU8(L.L2TP_ATTR_RECV_SEQ, 1);
    if (p.sendSeq) w.putU8(L.L2TP_ATTR_SEND_SEQ, 1);
    if (p.reorderTimeout) w.putU64(L.L2TP_ATTR_RECV_TIMEOUT, p.reorderTimeout);
    if (p.cookie.length) w.putBinary(L.L2TP_ATTR_COOKIE, p.cookie);
    if (p.peerCookie.length) w.putBinary(L.L2TP_ATTR_PEER_COOKIE, p.peerCookie);
    if (p.ifname !== undefined) w.putString(L.L2TP_ATTR_IFNAME, p.ifname);
  });
}

/** delete_session() (a session id given) or delete_tunnel(). */
export function deleteRequest(familyId: number, p: L2tpParm): Uint8Array {
  if (p.sessionId) {
    return genlRequest(familyId, L.L2TP_CMD_SESSION_DELETE, version(), NLM_F_REQUEST | NLM_F_ACK, (w) => {
      w.putU32(L.L2TP_ATTR_CONN_ID, p.tunnelId);
      w.putU32(L.L2TP_ATTR_SESSION_ID, p.sessionId);
    });
  }
  return genlRequest(familyId, L.L2TP_CMD_TUNNEL_DELETE, version(), NLM_F_REQUEST | NLM_F_ACK, (w) => {
    w.putU32(L.L2TP_ATTR_CONN_ID, p.tunnelId);
  });
}

/** get_session() / get_tunnel()'s dump request. */
export function showRequest(familyId: number, p: L2tpParm): Uint8Array {
  const session = p.session;
  return genlRequest(familyId, session ? L.L2TP_CMD_SESSION_GET : L.L2TP_CMD_TUNNEL_GET, version(), NLM_F_REQUEST | NLM_F_DUMP, (w) => {
    if (session) {
      if (p.tunnelId && p.sessionId) {
        w.putU32(L.L2TP_ATTR_CONN_ID, p.tunnelId);
        w.putU32(L.L2TP_ATTR_SESSION_ID, p.sessionId);
      }
    } else if (p.tunnelId) w.putU32(L.L2TP_ATTR_CONN_ID, p.tunnelId);
  });
}

// An address the spec decodes as text (display hint), back to bytes.
function addrBytes(v: string | Uint8Array | undefined, family: number): Uint8Array | undefined {
  if (v === undefined) return undefined;
  if (v instanceof Uint8Array) return v;
  const bytes = parseAddr(v, family).bytes;
  return bytes;
}

/** get_response(): a reply's values into `p` (what the reply leaves out keeps its value). */
export function applyReply(p: L2tpParm, m: MessageView): void {
  const op = genlCmd(m) === L.L2TP_CMD_SESSION_GET ? L2TP.ops['session-get'] : L2TP.ops['tunnel-get'];
  const o = op.decodeReply(m) as unknown as Record<string, unknown>;
  const num = (k: string): number | undefined => {
    const v = o[k];
    if (typeof v === 'number') return v;
    if (typeof v === 'string') return undefined;
    return undefined;
  };
  const enumValue = (k: string, names: readonly string[] | Record<number, string | undefined>, fallback: number): number => {
    const v = o[k];
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      for (const [n, name] of Object.entries(names)) if (name === v) return Number(n);
    }
    return fallback;
  };
  if (o['pw-type'] !== undefined) p.pwType = enumValue('pw-type', L.PWTYPE_NAMES, p.pwType);
  if (o['encap-type'] !== undefined) p.encap = enumValue('encap-type', L.ENCAP_TYPE_NAMES, p.encap);
  p.tunnelId = num('conn-id') ?? p.tunnelId;
  p.peerTunnelId = num('peer-conn-id') ?? p.peerTunnelId;
  p.sessionId = num('session-id') ?? p.sessionId;
  p.peerSessionId = num('peer-session-id') ?? p.peerSessionId;
  if (o['l2spec-type'] !== undefined) p.l2specType = enumValue('l2spec-type', L.L2SPEC_TYPE_NAMES, p.l2specType);
  p.l2specLen = num('l2spec-len') ?? p.l2specLen;
  if (o['udp-csum'] !== undefined) p.udpCsum = o['udp-csum'] !== 0;
  p.udp6CsumTx = o['udp-zero-csum6-tx'] === undefined;
  p.udp6CsumRx = o['udp-zero-csum6-rx'] === undefined;
  if (o.cookie instanceof Uint8Array) p.cookie = o.cookie;
  if (o['peer-cookie'] instanceof Uint8Array) p.peerCookie = o['peer-cookie'];
  if (o['recv-seq'] !== undefined) p.recvSeq = o['recv-seq'] !== 0;
  if (o['send-seq'] !== undefined) p.sendSeq = o['send-seq'] !== 0;
  if (typeof o['recv-timeout'] === 'bigint') p.reorderTimeout = o['recv-timeout'];
  const set = (v4: unknown, v6: unknown): { family: number; bytes: Uint8Array } | undefined => {
    const family = v4 !== undefined ? AF_INET : AF_INET6;
    const raw = addrBytes((v4 ?? v6) as string | Uint8Array | undefined, family);
    if (!raw) return undefined;
    const bytes = new Uint8Array(16);
    bytes.set(raw.subarray(0, 16));
    return { family, bytes };
  };
  // ip takes the family from which attribute is there (IPv6 when neither), the address only when one is.
  const local = set(o['ip-saddr'], o['ip6-saddr']);
  p.local = local ?? { family: AF_INET6, bytes: p.local.bytes };
  const peer = set(o['ip-daddr'], o['ip6-daddr']);
  p.peer = peer ?? { family: AF_INET6, bytes: p.peer.bytes };
  p.localUdpPort = num('udp-sport') ?? p.localUdpPort;
  p.peerUdpPort = num('udp-dport') ?? p.peerUdpPort;
  if (typeof o.ifname === 'string') p.ifname = o.ifname;
}

function addrText(a: { family: number; bytes: Uint8Array }): string {
  if (a.family === AF_INET) return Array.from(a.bytes.subarray(0, 4)).join('.');
  return ipv6Text(a.bytes);
}

// inet_ntop(AF_INET6).
function ipv6Text(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  // IPv4-mapped and IPv4-compatible forms as glibc prints them.
  const zeros5 = words.slice(0, 5).every((w) => w === 0);
  if (zeros5 && (words[5] === 0xffff || (words[5] === 0 && (words[6] !== 0 || words[7]! > 1)))) {
    const v4 = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    return words[5] === 0xffff ? `::ffff:${v4}` : `::${v4}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

/** print_tunnel(). */
export function printTunnel(ctx: IpContext, pr: Printer, p: L2tpParm): void {
  const nl = ctx.options.oneline ? '\\' : '\n';
  pr.any('tunnel_id', 'Tunnel %u,', p.tunnelId);
  pr.any('encap', ' encap %s', p.encap === L.L2TP_ENCAPTYPE_UDP ? 'UDP' : p.encap === L.L2TP_ENCAPTYPE_IP ? 'IP' : '??');
  pr.fp(nl);
  pr.any('local', '  From %s ', addrText(p.local));
  pr.any('peer', 'to %s', addrText(p.peer));
  pr.fp(nl);
  pr.any('peer_tunnel', '  Peer tunnel %u', p.peerTunnelId);
  pr.fp(nl);
  if (p.encap === L.L2TP_ENCAPTYPE_UDP) {
    pr.fp('  UDP source / dest ports:');
    pr.any('local_port', ' %u', p.localUdpPort);
    pr.any('peer_port', '/%u', p.peerUdpPort);
    pr.fp(nl);
    if (p.local.family === AF_INET) {
      pr.jsonOnly('checksum', p.udpCsum);
      pr.fp(`  UDP checksum: ${p.udpCsum ? 'enabled' : 'disabled'}\n`);
    } else if (p.local.family === AF_INET6) {
      if (pr.json) {
        pr.jsonOnly('checksum_tx', p.udp6CsumTx);
        pr.jsonOnly('checksum_rx', p.udp6CsumRx);
      } else {
        const tx = p.udp6CsumTx;
        const rx = p.udp6CsumRx;
        pr.fp(`  UDP checksum: ${tx && rx ? 'enabled' : tx ? 'tx' : rx ? 'rx' : 'disabled'}\n`);
      }
    }
  }
}

function cookieText(c: Uint8Array): string {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  return hex(c.subarray(0, 4)) + (c.length === 8 ? hex(c.subarray(4, 8)) : '');
}

/** print_session(). */
export function printSession(ctx: IpContext, pr: Printer, p: L2tpParm): void {
  const nl = ctx.options.oneline ? '\\' : '\n';
  pr.any('session_id', 'Session %u', p.sessionId);
  pr.any('tunnel_id', ' in tunnel %u', p.tunnelId);
  pr.fp(nl);
  pr.any('peer_session_id', '  Peer session %u,', p.peerSessionId);
  pr.any('peer_tunnel_id', ' tunnel %u', p.peerTunnelId);
  pr.fp(nl);
  if (p.ifname !== undefined) {
    pr.any('interface', '  interface name: %s', p.ifname);
    pr.fp(nl);
  }
  pr.fp('  offset 0, peer offset 0\n');
  if (p.cookie.length > 0) pr.any('cookie', '  cookie %s', cookieText(p.cookie));
  if (p.peerCookie.length > 0) pr.any('peer_cookie', '  peer cookie %s', cookieText(p.peerCookie));
  // print_uint() of a u64: the low 32 bits.
  if (p.reorderTimeout !== 0n) pr.any('reorder_timeout', '  reorder timeout: %u', Number(p.reorderTimeout & 0xffffffffn));
  if (p.sendSeq || p.recvSeq) {
    pr.fp(`${nl}  sequence numbering:`);
    if (p.sendSeq) {
      pr.null('send_seq');
      pr.fp(' send');
    }
    if (p.recvSeq) {
      pr.null('recv_seq');
      pr.fp(' recv');
    }
  }
  pr.fp('\n');
}

async function add(ctx: IpContext, genl: GenlHandle, p: L2tpParm): Promise<number> {
  if (!p.tunnel && !p.session) missarg('tunnel or session');
  if (p.tunnelId === 0) missarg('tunnel_id');
  if (p.session && p.peerSessionId === 0) missarg('peer_session_id');
  if (p.session && p.sessionId === 0) missarg('session_id');
  if (p.tunnel && p.peerTunnelId === 0) missarg('peer_tunnel_id');
  if (p.tunnel) {
    if (p.local.family === AF_UNSPEC) missarg('local');
    if (p.peer.family === AF_UNSPEC) missarg('remote');
    if (p.encap === L.L2TP_ENCAPTYPE_UDP) {
      if (p.localUdpPort === 0) missarg('udp_sport');
      if (p.peerUdpPort === 0) missarg('udp_dport');
    }
    await genl.talk(createTunnelRequest(genl.id, p), 2);
  }
  if (p.session) await genl.talk(createSessionRequest(genl.id, p), 2);
  return 0;
}

async function del(genl: GenlHandle, p: L2tpParm): Promise<number> {
  if (!p.tunnel && !p.session) missarg('tunnel or session');
  if (p.tunnel && p.tunnelId === 0) missarg('tunnel_id');
  if (p.session && p.sessionId === 0) missarg('session_id');
  await genl.talk(deleteRequest(genl.id, p), 2);
  return 0;
}

async function show(ctx: IpContext, genl: GenlHandle, p: L2tpParm): Promise<number> {
  if (!p.tunnel && !p.session) missarg('tunnel or session');
  const replies = await genl.dump(showRequest(genl.id, p));
  // struct l2tp_data of do_show(): not cleared between messages.
  const data = p;
  for (const m of replies) {
    applyReply(data, m);
    const pr = ctx.printer();
    if (p.session) printSession(ctx, pr, data);
    else printTunnel(ctx, pr, data);
    if (ctx.options.json) ctx.listItem(pr);
    else ctx.print(pr.output);
  }
  ctx.listEnd();
  return 0;
}

/** Runs `nlkit l2tp ...` (do_ipl2tp). */
export async function runL2tp(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || matches(cmd, 'help')) throw usage(L2TP_USAGE);
  const genl = await GenlHandle.open(ctx, L2TP.spec.name);
  try {
    const run = async (what: (p: L2tpParm) => Promise<number>): Promise<number> => {
      warnings.length = 0;
      let p: L2tpParm;
      try {
        p = parseL2tp(rest);
      } finally {
        for (const w of warnings) ctx.io.stderr(w + '\n');
      }
      return what(p);
    };
    if (matches(cmd, 'add')) return await run((p) => add(ctx, genl, p));
    if (matches(cmd, 'delete')) return await run((p) => del(genl, p));
    if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return await run((p) => show(ctx, genl, p));
    throw usage(`Command "${cmd}" is unknown, try "ip l2tp help".`);
  } finally {
    genl.close();
  }
}
