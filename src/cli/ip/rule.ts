// `nlkit rule`: show/list, add, delete, flush (ip/iprule.c).
import type { MessageView } from '../../core/message.js';
import { NetlinkDecodeError } from '../../core/errors.js';
import { AF_INET, AF_INET6, AF_UNSPEC, NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REQUEST } from '../../core/constants.js';
import * as C from '../../families/route/constants.js';
import * as R from '../../families/generated/rt-rule.constants.js';

import { addrMatch, afBitLen, Args, invarg, matches, parseAddr, parsePrefix, protocolFilter, validIfname, type InetPrefix } from './args.js';
import { Header, addrText, messageAttrs, type Attr, type AttrTable } from './attrs.js';
import { NLA_HDRLEN } from '../../core/align.js';
import { CommandError } from '../error.js';
import { usage, type IpContext } from './context.js';
import {
  dsfieldName,
  dsfieldNumber,
  groupName,
  groupNumber,
  protoName,
  protoNumber,
  realmName,
  realmsNumber,
  rtnTypeName,
  rtnTypeNumber,
  tableName,
  tableNumber,
} from './names.js';
import { getS32, getU32, getU64, getU8, hex0x } from './numbers.js';
import { RULE_USAGE } from './usage.js';
import { Printer } from './printer.js';

/** Byte offsets in struct fib_rule_hdr, fib_rule_uid_range and fib_rule_port_range. */
const FRH = R.FIB_RULE_HDR_OFFSETS;
const UID = R.FIB_RULE_UID_RANGE_OFFSETS;
const PORTS = R.FIB_RULE_PORT_RANGE_OFFSETS;

/**
 * The attribute of this type when the message has one, checked to hold at
 * least `size` bytes: ip reads a fixed-size value (rta_getattr_u32 and the
 * like, the uid and port range structs) without looking at the length, past
 * a short attribute into whatever follows; nlkit stops there with the
 * attribute's offset instead.
 */
function sized(tb: AttrTable, type: number, size: number, name: string): Attr | undefined {
  const a = tb.get(type);
  if (a && a.length < size) throw new NetlinkDecodeError(`${name} of ${a.length} bytes is shorter than its ${size}`, a.offset - NLA_HDRLEN, `RTM_NEWRULE.${name}`);
  return a;
}

/** An address of a rule as rt_addr_n2a_r() prints it: "???" for families other than IPv4 and IPv6 (`ip mrule`'s). */
function ruleAddr(a: Attr, family: number): string {
  return family === AF_INET || family === AF_INET6 ? addrText(a, family) : '???';
}

/** print_rule: one rule into `p`. */
export function printRule(p: Printer, m: MessageView, ctx: IpContext): void {
  if (m.length < 16 + C.FIB_RULE_HDR_SIZE) throw new NetlinkDecodeError(`rule message of ${m.length} bytes is shorter than struct fib_rule_hdr`, m.offset, 'RTM_NEWRULE');
  const h = new Header(m);
  const family = h.u8(FRH.family);
  const dstLen = h.u8(FRH.dst_len);
  const srcLen = h.u8(FRH.src_len);
  const tos = h.u8(FRH.tos);
  const action = h.u8(FRH.action);
  const flags = h.u32(FRH.flags);
  const tb = messageAttrs(m, C.FIB_RULE_HDR_SIZE);
  // af_bit_len(): 0 for the multicast families (`ip mrule` prints every length).
  const hostLen = afBitLen(family);
  let a;
  if (m.type === C.RTM_DELRULE) p.bool('deleted', 'Deleted ', true);
  p.any('priority', '%u:\t', sized(tb, C.FRA_PRIORITY, 4, 'FRA_PRIORITY')?.u32() ?? 0);
  if (flags & C.FIB_RULE_INVERT) p.null('not').fp('not ');
  if ((a = tb.get(C.FRA_SRC))) {
    p.fp('from ');
    p.any('src', '%s', ruleAddr(a, family));
    if (srcLen !== hostLen) p.any('srclen', '/%u', srcLen);
  } else if (srcLen) {
    p.any('src', 'from %s', '0');
    p.any('srclen', '/%u', srcLen);
  } else p.any('src', 'from %s', 'all');
  if ((a = tb.get(C.FRA_DST))) {
    p.fp(' to ');
    p.any('dst', '%s', ruleAddr(a, family));
    if (dstLen !== hostLen) p.any('dstlen', '/%u', dstLen);
  } else if (dstLen) {
    p.any('dst', ' to %s', '0');
    p.any('dstlen', '/%u', dstLen);
  }
  if (tos) p.any('tos', ' tos %s', dsfieldName(tos));
  const mark = sized(tb, C.FRA_FWMARK, 4, 'FRA_FWMARK');
  const mask = sized(tb, C.FRA_FWMASK, 4, 'FRA_FWMASK');
  if (mark || mask) {
    const mv = mark?.u32() ?? 0;
    const mk = mask?.u32();
    p.any('fwmark', ' fwmark %s', hex0x(mv));
    if (mk !== undefined && mk !== 0xffffffff) p.any('fwmask', '/%s', hex0x(mk));
  }
  if ((a = tb.get(C.FRA_IIFNAME))) {
    p.fp(' iif ');
    p.any('iif', '%s', a.str());
    if (flags & C.FIB_RULE_IIF_DETACHED) p.null('iif_detached').fp(' [detached]');
  }
  if ((a = tb.get(C.FRA_OIFNAME))) {
    p.fp(' oif ');
    p.any('oif', '%s', a.str());
    if (flags & C.FIB_RULE_OIF_DETACHED) p.null('oif_detached').fp(' [detached]');
  }
  if ((a = sized(tb, C.FRA_L3MDEV, 1, 'FRA_L3MDEV')) && a.u8()) p.null('l3mdev').fp(' lookup [l3mdev-table]');
  if ((a = sized(tb, C.FRA_UID_RANGE, R.FIB_RULE_UID_RANGE_SIZE, 'FRA_UID_RANGE'))) {
    p.any('uid_start', ' uidrange %u', a.u32At(UID.start));
    p.any('uid_end', '-%u', a.u32At(UID.end));
  }
  if ((a = sized(tb, C.FRA_IP_PROTO, 1, 'FRA_IP_PROTO'))) {
    const n = a.u8();
    const names: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'ipv6-icmp', 132: 'sctp' };
    p.any('ipproto', ' ipproto %s', names[n] ?? `ipproto-${n}`);
  }
  for (const [t, key, name] of [
    [C.FRA_SPORT_RANGE, 'sport', 'FRA_SPORT_RANGE'],
    [C.FRA_DPORT_RANGE, 'dport', 'FRA_DPORT_RANGE'],
  ] as const) {
    const r = sized(tb, t, R.FIB_RULE_PORT_RANGE_SIZE, name);
    if (!r) continue;
    const start = r.u16At(PORTS.start);
    const end = r.u16At(PORTS.end);
    if (start === end) p.any(key, ` ${key} %u`, start);
    else {
      p.any(`${key}_start`, ` ${key} %u`, start);
      p.any(`${key}_end`, '-%u', end);
    }
  }
  if ((a = sized(tb, C.FRA_TUN_ID, 8, 'FRA_TUN_ID'))) {
    const v = a.dv.getBigUint64(a.offset, false);
    p.any('tun_id', ' tun_id %u', v);
  }
  const table = sized(tb, C.FRA_TABLE, 4, 'FRA_TABLE')?.u32() ?? h.u8(FRH.table);
  if (table) {
    p.any('table', ' lookup %s', tableName(table));
    if ((a = sized(tb, C.FRA_SUPPRESS_PREFIXLEN, 4, 'FRA_SUPPRESS_PREFIXLEN'))) {
      const pl = a.s32();
      if (pl !== -1) p.any('suppress_prefixlen', ' suppress_prefixlength %d', pl);
    }
    if ((a = sized(tb, C.FRA_SUPPRESS_IFGROUP, 4, 'FRA_SUPPRESS_IFGROUP'))) {
      const g = a.s32();
      if (g !== -1) p.any('suppress_ifgroup', ' suppress_ifgroup %s', groupName(g));
    }
  }
  if ((a = sized(tb, C.FRA_FLOW, 4, 'FRA_FLOW'))) {
    const v = a.u32();
    const to = v & 0xffff;
    const from = v >>> 16;
    if (from) p.any('flow_from', ' realms %s/', realmName(from));
    else p.fp(' realms ');
    p.any('flow_to', '%s', realmName(to));
  }
  if (action === C.RTN_NAT) {
    const gw = tb.get(C.RTA_GATEWAY);
    if (gw) p.any('nat_gateway', ' map-to %s', ruleAddr(gw, family));
    else p.null('masquerade').fp(' masquerade');
  } else if (action === C.FR_ACT_GOTO) {
    if ((a = sized(tb, C.FRA_GOTO, 4, 'FRA_GOTO'))) p.any('goto', ' goto %u', a.u32());
    else p.any('goto', ' goto %s', 'none');
    if (flags & C.FIB_RULE_UNRESOLVED) p.null('unresolved').fp(' [unresolved]');
  } else if (action === C.FR_ACT_NOP) p.null('nop').fp(' nop');
  else if (action !== C.FR_ACT_TO_TBL) p.any('action', ' %s', rtnTypeName(action));
  if ((a = sized(tb, C.FRA_PROTOCOL, 1, 'FRA_PROTOCOL'))) {
    const proto = a.u8();
    if ((proto && proto !== C.RTPROT_KERNEL) || ctx.options.details > 0) p.any('protocol', ' proto %s ', protoName(proto));
  }
}

// inet_proto_a2n(): a number (base 10, up to 255), else a name of /etc/protocols.
const IP_PROTOCOLS: Record<string, number> = { ip: 0, icmp: 1, igmp: 2, tcp: 6, udp: 17, ipv6: 41, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, sctp: 132, udplite: 136 };
function ipProtoNumber(s: string): number | undefined {
  return getU8(s, 10) ?? IP_PROTOCOLS[s];
}

/** sscanf("%hu-%hu") of a port range: one port, or two separated by '-'. */
function portRange(s: string): [number, number] | undefined {
  const m = /^[\t\n\v\f\r ]*([+-]?[0-9]+)(?:-[\t\n\v\f\r ]*([+-]?[0-9]+))?/.exec(s);
  if (!m) return undefined;
  const a = Number(BigInt.asUintN(16, BigInt(m[1]!)));
  if (m[2] === undefined) return [a, a];
  return [a, Number(BigInt.asUintN(16, BigInt(m[2])))];
}

/** sscanf("%u-%u") of a UID range: both numbers are needed. */
function uidRange(s: string): [number, number] | undefined {
  const m = /^[\t\n\v\f\r ]*([+-]?[0-9]+)-[\t\n\v\f\r ]*([+-]?[0-9]+)/.exec(s);
  if (!m) return undefined;
  return [Number(BigInt.asUintN(32, BigInt(m[1]!))), Number(BigInt.asUintN(32, BigInt(m[2]!)))];
}

/** iprule.c's list filter. */
interface RuleFilter {
  not: boolean;
  pref?: number;
  tos?: number;
  fwmark: number;
  fwmask: number;
  iif?: string;
  oif?: string;
  l3mdev: boolean;
  uidRange?: [number, number];
  tunId: bigint;
  tb: number;
  src?: InetPrefix;
  dst?: InetPrefix;
  protocol: number;
  protocolMask: number;
  ipproto: number;
  sport?: [number, number];
  dport?: [number, number];
}

/** iprule_list_flush_or_save()'s words into a filter. */
function parseFilter(ctx: IpContext, words: string[]): { f: RuleFilter; family: number } {
  const family = ctx.options.family === AF_UNSPEC ? AF_INET : ctx.options.family;
  const f: RuleFilter = { not: false, fwmark: 0, fwmask: 0, l3mdev: false, tunId: 0n, tb: 0, protocol: 0, protocolMask: 0, ipproto: 0 };
  const args = new Args(words);
  while (!args.done) {
    const w = args.next();
    if (matches(w, 'preference') || matches(w, 'order') || matches(w, 'priority')) {
      const v = args.value();
      const n = getU32(v);
      if (n === undefined) invarg('preference value is invalid\n', v);
      f.pref = n;
    } else if (w === 'not') f.not = true;
    else if (w === 'tos' || w === 'dsfield') {
      const v = args.value();
      const t = dsfieldNumber(v);
      if (t === undefined) invarg('TOS value is invalid\n', v);
      f.tos = t;
    } else if (w === 'fwmark') {
      const v = args.value();
      const slash = v.indexOf('/');
      const mark = slash >= 0 ? v.slice(0, slash) : v;
      const n = getU32(mark);
      if (n === undefined) invarg('fwmark value is invalid\n', mark);
      f.fwmark = n;
      if (slash >= 0) {
        const mask = v.slice(slash + 1);
        const mk = getU32(mask);
        if (mk === undefined) invarg('fwmask value is invalid\n', mask);
        f.fwmask = mk;
      }
    } else if (w === 'dev' || w === 'iif') {
      const v = args.value();
      if (!validIfname(v)) invarg('"iif"/"dev" not a valid ifname', v);
      f.iif = v;
    } else if (w === 'oif') {
      const v = args.value();
      if (!validIfname(v)) invarg('"oif" not a valid ifname', v);
      f.oif = v;
    } else if (w === 'l3mdev') f.l3mdev = true;
    else if (w === 'uidrange') {
      const v = args.value();
      const r = uidRange(v);
      if (!r) invarg('invalid UID range\n', v);
      f.uidRange = r;
    } else if (matches(w, 'tun_id')) {
      const v = args.value();
      const n = getU64(v);
      if (n === undefined) invarg('"tun_id" value is invalid\n', v);
      f.tunId = n;
    } else if (matches(w, 'lookup') || matches(w, 'table')) {
      const v = args.value();
      const t = tableNumber(v);
      if (t === undefined) invarg('table id value is invalid\n', v);
      f.tb = t;
    } else if (matches(w, 'from') || matches(w, 'src')) {
      f.src = parsePrefix(args.value(), family);
    } else if (matches(w, 'protocol')) {
      protocolFilter(f, args.value());
    } else if (w === 'ipproto') {
      const v = args.value();
      const n = ipProtoNumber(v);
      if (n === undefined) invarg('Invalid "ipproto" value\n', v);
      f.ipproto = n;
    } else if (w === 'sport' || w === 'dport') {
      const v = args.value();
      const r = portRange(v);
      if (!r) invarg(w === 'sport' ? 'invalid port range\n' : 'invalid dport range\n', v);
      if (w === 'sport') f.sport = r;
      else f.dport = r;
    } else {
      const v = matches(w, 'dst') || matches(w, 'to') ? args.value() : w;
      f.dst = parsePrefix(v, family);
    }
  }
  return { f, family };
}

// inet_addr_match_rta(): the rule's address agrees with the prefix over its length.
function prefixMatches(p: InetPrefix, bytes: Uint8Array | undefined): boolean {
  if (!bytes || p.family === AF_UNSPEC || p.bitlen <= 0) return true;
  if (bytes.length !== 4 && bytes.length !== 16) return false;
  if ((bytes.length === 4 ? AF_INET : AF_INET6) !== p.family) return false;
  return addrMatch(bytes, p.bytes, p.bitlen);
}

/** filter_nlmsg() of iprule.c. */
function rulePasses(m: MessageView, f: RuleFilter, preferredFamily: number): boolean {
  const h = new Header(m);
  const family = h.u8(FRH.family);
  const tb = messageAttrs(m, C.FIB_RULE_HDR_SIZE);
  if (preferredFamily !== AF_UNSPEC && family !== preferredFamily) return false;
  if (f.pref !== undefined && f.pref !== (tb.get(C.FRA_PRIORITY)?.u32() ?? 0)) return false;
  if (f.not && !(h.u32(FRH.flags) & C.FIB_RULE_INVERT)) return false;
  for (const [p, t, len] of [
    [f.src, C.FRA_SRC, h.u8(FRH.src_len)],
    [f.dst, C.FRA_DST, h.u8(FRH.dst_len)],
  ] as const) {
    if (!p || !p.family) continue;
    if (p.family !== family || p.bitlen > len) return false;
    if (!prefixMatches(p, tb.get(t)?.bytes)) return false;
  }
  if (f.tos !== undefined && f.tos !== h.u8(FRH.tos)) return false;
  if (f.fwmark && f.fwmark !== (tb.get(C.FRA_FWMARK)?.u32() ?? 0)) return false;
  if (f.fwmask && f.fwmask !== (tb.get(C.FRA_FWMASK)?.u32() ?? 0)) return false;
  if (f.iif !== undefined && tb.get(C.FRA_IIFNAME)?.str() !== f.iif) return false;
  if (f.oif !== undefined && tb.get(C.FRA_OIFNAME)?.str() !== f.oif) return false;
  if (f.l3mdev && !tb.get(C.FRA_L3MDEV)?.u8()) return false;
  if (f.uidRange) {
    const r = tb.get(C.FRA_UID_RANGE);
    if (!r || r.u32At(UID.start) !== f.uidRange[0] || r.u32At(UID.end) !== f.uidRange[1]) return false;
  }
  if (f.ipproto && f.ipproto !== (tb.get(C.FRA_IP_PROTO)?.u8() ?? 0)) return false;
  for (const [r, t] of [
    [f.sport, C.FRA_SPORT_RANGE],
    [f.dport, C.FRA_DPORT_RANGE],
  ] as const) {
    if (!r || !r[0]) continue;
    const a = tb.get(t);
    if (!a || a.u16At(PORTS.start) !== r[0] || a.u16At(PORTS.end) !== r[1]) return false;
  }
  if (f.tunId) {
    const a = tb.get(C.FRA_TUN_ID);
    if (!a || a.dv.getBigUint64(a.offset, false) !== f.tunId) return false;
  }
  const table = tb.get(C.FRA_TABLE)?.u32() ?? h.u8(FRH.table);
  if (f.tb > 0 && f.tb !== table) return false;
  return true;
}

function dumpRequest(ctx: IpContext, family: number): Uint8Array {
  return ctx.build(C.RTM_GETRULE, NLM_F_REQUEST | NLM_F_DUMP, C.FIB_RULE_HDR_SIZE, (w, h) => {
    w.view.setUint8(h + FRH.family, family);
  });
}

async function show(ctx: IpContext, words: string[]): Promise<number> {
  const { f, family } = parseFilter(ctx, words);
  await ctx.dump(dumpRequest(ctx, family), (m) => {
    if (!rulePasses(m, f, ctx.options.family)) return;
    const p = ctx.printer();
    printRule(p, m, ctx);
    ctx.listItem(p);
  });
  ctx.listEnd();
  return 0;
}

async function flush(ctx: IpContext, words: string[]): Promise<number> {
  const { f, family } = parseFilter(ctx, words);
  const victims: MessageView[] = [];
  await ctx.dump(dumpRequest(ctx, family), (m) => {
    // flush_rule(): rules with a priority (not the default 0), of the protocol asked for.
    const tb = messageAttrs(m, C.FIB_RULE_HDR_SIZE);
    const prio = tb.get(C.FRA_PRIORITY)?.u32() ?? 0;
    const proto = tb.get(C.FRA_PROTOCOL)?.u8() ?? 0;
    if ((f.protocol ^ proto) & f.protocolMask) return;
    if (prio && rulePasses(m, f, ctx.options.family)) victims.push(m);
  });
  for (const m of victims) {
    const copy = m.bytes.slice();
    const dv = new DataView(copy.buffer);
    dv.setUint16(4, C.RTM_DELRULE, true);
    dv.setUint16(6, NLM_F_REQUEST | NLM_F_ACK, true);
    await ctx.request(copy);
  }
  return 0;
}

async function modify(ctx: IpContext, type: number, words: string[]): Promise<number> {
  const isAdd = type === C.RTM_NEWRULE;
  if (words.length === 0) throw new CommandError(isAdd ? '"ip rule add" requires arguments.' : '"ip rule del" requires arguments.', 1);
  // iprule_modify()'s request as it fills it.
  let family = ctx.options.family;
  let action = isAdd ? C.FR_ACT_TO_TBL : 0;
  let flags = 0;
  let srcLen = 0;
  let dstLen = 0;
  let tos = 0;
  let table = 0;
  let tid = 0;
  let tableOk = false;
  let l3mdev = false;
  const attrs: ((w: import('../../core/writer.js').MessageWriter) => void)[] = [];
  const args = new Args(words);
  while (!args.done) {
    const w = args.next();
    if (w === 'not') flags |= C.FIB_RULE_INVERT;
    else if (w === 'from' || w === 'to') {
      const p = parsePrefix(args.value(), family);
      if (w === 'from') srcLen = p.bitlen;
      else dstLen = p.bitlen;
      const t = w === 'from' ? C.FRA_SRC : C.FRA_DST;
      attrs.push((wr) => wr.putBinary(t, p.bytes));
    } else if (matches(w, 'preference') || matches(w, 'order') || matches(w, 'priority')) {
      const v = args.value();
      const n = getU32(v);
      if (n === undefined) invarg('preference value is invalid\n', v);
      attrs.push((wr) => wr.putU32(C.FRA_PRIORITY, n));
    } else if (w === 'tos' || matches(w, 'dsfield')) {
      const v = args.value();
      const t = dsfieldNumber(v);
      if (t === undefined) invarg('TOS value is invalid\n', v);
      tos = t;
    } else if (w === 'fwmark') {
      const v = args.value();
      const slash = v.indexOf('/');
      const mark = slash >= 0 ? v.slice(0, slash) : v;
      const n = getU32(mark);
      if (n === undefined) invarg('fwmark value is invalid\n', mark);
      attrs.push((wr) => wr.putU32(C.FRA_FWMARK, n));
      if (slash >= 0) {
        const mask = v.slice(slash + 1);
        const mk = getU32(mask);
        if (mk === undefined) invarg('fwmask value is invalid\n', mask);
        attrs.push((wr) => wr.putU32(C.FRA_FWMASK, mk));
      }
    } else if (matches(w, 'realms')) {
      const v = args.value();
      const r = realmsNumber(v);
      if (r === undefined) invarg('invalid realms\n', v);
      attrs.push((wr) => wr.putU32(C.FRA_FLOW, r));
    } else if (matches(w, 'protocol')) {
      const v = args.value();
      const n = protoNumber(v);
      if (n === undefined) invarg('"protocol" value is invalid\n', v);
      attrs.push((wr) => wr.putU8(C.FRA_PROTOCOL, n));
    } else if (matches(w, 'tun_id')) {
      const v = args.value();
      const n = getU64(v);
      if (n === undefined) invarg('"tun_id" value is invalid\n', v);
      attrs.push((wr) => wr.putU64(C.FRA_TUN_ID, n, true));
    } else if (matches(w, 'table') || w === 'lookup') {
      const v = args.value();
      const t = tableNumber(v);
      if (t === undefined) invarg('invalid table ID\n', v);
      tid = t;
      if (t < 256) table = t;
      else {
        table = 0;
        attrs.push((wr) => wr.putU32(C.FRA_TABLE, t));
      }
      tableOk = true;
    } else if (matches(w, 'suppress_prefixlength') || w === 'sup_pl') {
      const v = args.value();
      const n = getS32(v);
      if (n === undefined || n < 0) invarg('suppress_prefixlength value is invalid\n', v);
      attrs.push((wr) => wr.putU32(C.FRA_SUPPRESS_PREFIXLEN, n));
    } else if (matches(w, 'suppress_ifgroup') || w === 'sup_group') {
      const v = args.value();
      const g = groupNumber(v);
      if (g === undefined) invarg('Invalid "suppress_ifgroup" value\n', v);
      attrs.push((wr) => wr.putU32(C.FRA_SUPPRESS_IFGROUP, g));
    } else if (w === 'dev' || w === 'iif') {
      const v = args.value();
      if (!validIfname(v)) invarg('"iif"/"dev" not a valid ifname', v);
      attrs.push((wr) => wr.putString(C.FRA_IIFNAME, v));
    } else if (w === 'oif') {
      const v = args.value();
      if (!validIfname(v)) invarg('"oif" not a valid ifname', v);
      attrs.push((wr) => wr.putString(C.FRA_OIFNAME, v));
    } else if (w === 'l3mdev') {
      attrs.push((wr) => wr.putU8(C.FRA_L3MDEV, 1));
      tableOk = true;
      l3mdev = true;
    } else if (w === 'uidrange') {
      const v = args.value();
      const r = uidRange(v);
      if (!r) invarg('invalid UID range\n', v);
      attrs.push((wr) => {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setUint32(0, r[0], true);
        new DataView(b.buffer).setUint32(4, r[1], true);
        wr.putBinary(C.FRA_UID_RANGE, b);
      });
    } else if (w === 'nat' || matches(w, 'map-to')) {
      const v = args.value();
      ctx.io.stderr('Warning: route NAT is deprecated\n');
      let addr;
      try {
        addr = parseAddr(v, AF_INET);
      } catch {
        throw new CommandError(`Error: an IP address is expected rather than "${v}"`, 1);
      }
      const bytes = addr.bytes;
      attrs.push((wr) => wr.putBinary(C.RTA_GATEWAY, bytes));
      action = C.RTN_NAT;
    } else if (w === 'ipproto') {
      const v = args.value();
      const n = ipProtoNumber(v);
      if (n === undefined) invarg('Invalid "ipproto" value\n', v);
      attrs.push((wr) => wr.putU8(C.FRA_IP_PROTO, n));
    } else if (w === 'sport' || w === 'dport') {
      const v = args.value();
      const r = portRange(v);
      if (!r) invarg(w === 'sport' ? 'invalid port range\n' : 'invalid dport range\n', v);
      const t = w === 'sport' ? C.FRA_SPORT_RANGE : C.FRA_DPORT_RANGE;
      attrs.push((wr) => {
        const b = new Uint8Array(4);
        new DataView(b.buffer).setUint16(0, r[0], true);
        new DataView(b.buffer).setUint16(2, r[1], true);
        wr.putBinary(t, b);
      });
    } else {
      const v = w === 'type' ? args.value() : w;
      if (matches(v, 'help')) throw usage(RULE_USAGE);
      if (matches(v, 'goto')) {
        const t = args.value();
        const n = getU32(t);
        if (n === undefined) invarg('invalid target\n', t);
        attrs.push((wr) => wr.putU32(C.FRA_GOTO, n));
        action = C.FR_ACT_GOTO;
      } else if (matches(v, 'nop')) action = C.FR_ACT_NOP;
      else {
        const t = rtnTypeNumber(v);
        if (t === undefined) invarg('Failed to parse rule type', v);
        action = t;
      }
      tableOk = true;
    }
  }
  if (l3mdev && tid !== 0) throw new CommandError('table can not be specified for l3mdev rules', 22);
  if (family === AF_UNSPEC) family = AF_INET;
  if (!tableOk && isAdd) table = C.RT_TABLE_MAIN;
  const bytes = ctx.build(type, NLM_F_REQUEST | NLM_F_ACK | (isAdd ? NLM_F_CREATE | NLM_F_EXCL : 0), C.FIB_RULE_HDR_SIZE, (w, h) => {
    const v = w.view;
    v.setUint8(h + FRH.family, family);
    v.setUint8(h + FRH.dst_len, dstLen);
    v.setUint8(h + FRH.src_len, srcLen);
    v.setUint8(h + FRH.tos, tos);
    v.setUint8(h + FRH.table, table);
    v.setUint8(h + FRH.action, action);
    v.setUint32(h + FRH.flags, flags, true);
    for (const a of attrs) a(w);
  });
  await ctx.request(bytes);
  return 0;
}

/** Runs `nlkit rule ...` (do_iprule: its commands by prefix, in its order). */
export async function runRule(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'list') || matches(cmd, 'lst') || matches(cmd, 'show')) return show(ctx, rest);
  if (matches(cmd, 'save') && rest.length > 0) throw new CommandError('"ip rule save" does not take any arguments.', 1);
  if (matches(cmd, 'save') || matches(cmd, 'restore')) throw usage(`Error: "ip rule ${cmd}" is not supported by nlkit.`);
  if (matches(cmd, 'add')) return modify(ctx, C.RTM_NEWRULE, rest);
  if (matches(cmd, 'delete')) return modify(ctx, C.RTM_DELRULE, rest);
  if (matches(cmd, 'flush')) return flush(ctx, rest);
  if (matches(cmd, 'help')) throw usage(RULE_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "ip rule help".`);
}
