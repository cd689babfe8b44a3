// `nlkit route`: show/list, add, change, replace, append, prepend, delete,
// get, flush (ip/iproute.c: print_route, iproute_modify, iproute_get,
// iproute_list_flush_or_save).
import type { MessageView } from '../../core/message.js';
import type { MessageWriter } from '../../core/writer.js';
import { AF_INET, AF_INET6, AF_MPLS, AF_UNSPEC, NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST } from '../../core/constants.js';
import * as C from '../../families/route/constants.js';
import * as R from '../../families/generated/rt-route.constants.js';

import { NetlinkError } from '../../core/errors.js';
import { addrMatch, afBitLen, Args, duparg2, familyName, invarg, matches, parseAddr, parsePrefix, protocolFilter, readFamily, type InetAddr, type InetPrefix } from './args.js';
import { Attr, AttrTable, Header, addrText, addrTextAt, messageAttrs, parseAttrs } from './attrs.js';
import { CommandError } from '../error.js';
import { usage, type IpContext } from './context.js';
import { kernelErrorText } from './index.js';
import { parseEncap, printEncap, type Encap } from './encap.js';
import {
  dsfieldName,
  dsfieldNumber,
  protoName,
  protoNumber,
  realmName,
  realmsNumber,
  rtnTypeName,
  rtnTypeNumber,
  scopeName,
  scopeNumber,
  tableName,
  tableNumber,
} from './names.js';
import { getU8, getU32, getUnsigned } from './numbers.js';
import { ROUTE_USAGE } from './usage.js';
import { Printer } from './printer.js';
import { loadNexthopCache, printCachedNexthop } from './nexthop.js';

/** Byte offsets in struct rtmsg, struct rta_cacheinfo and struct rtnexthop. */
const RTM = R.RTMSG_OFFSETS;
const RCI = R.RTA_CACHEINFO_OFFSETS;
const RTNH = R.RTNEXTHOP_OFFSETS;
// rta_id, the member after rta_used in the kernel's struct rta_cacheinfo: the spec's struct stops before it (the
// kernel's spec decodes the rest as bytes, and `nlkit ynl --family rt-route` prints what the kernel tool prints).
const RTA_CACHEINFO_ID = R.RTA_CACHEINFO_SIZE;

const RT_FLAGS: readonly (readonly [number, string])[] = [
  [R.RTNH_F_DEAD, 'dead'],
  [C.RTNH_F_ONLINK, 'onlink'],
  [R.RTNH_F_PERVASIVE, 'pervasive'],
  [R.RTNH_F_OFFLOAD, 'offload'],
  [R.RTNH_F_TRAP, 'trap'],
  [C.RTM_F_NOTIFY, 'notify'],
  [R.RTNH_F_LINKDOWN, 'linkdown'],
  [R.RTNH_F_UNRESOLVED, 'unresolved'],
  [C.RTM_F_OFFLOAD, 'rt_offload'],
  [C.RTM_F_TRAP, 'rt_trap'],
  [C.RTM_F_OFFLOAD_FAILED, 'rt_offload_failed'],
];

const CACHE_FLAGS: readonly (readonly [number, string])[] = [
  [R.RTCF_LOCAL, 'local'],
  [R.RTCF_REJECT, 'reject'],
  [R.RTCF_MULTICAST, 'multicast'],
  [R.RTCF_BROADCAST, 'broadcast'],
  [R.RTCF_DNAT, 'dst-nat'],
  [R.RTCF_SNAT, 'src-nat'],
  [R.RTCF_MASQ, 'masq'],
  [R.RTCF_DIRECTDST, 'dst-direct'],
  [R.RTCF_DIRECTSRC, 'src-direct'],
  [R.RTCF_REDIRECTED, 'redirected'],
  [R.RTCF_DOREDIRECT, 'redirect'],
  [R.RTCF_FAST, 'fastroute'],
  [R.RTCF_NOTIFY, 'notify'],
  [R.RTCF_TPROXY, 'proxy'],
];

// RTAX_* metric names as ip prints them (mx_names).
const METRIC_NAMES: Record<number, string> = {
  [R.RTAX_MTU]: 'mtu',
  [R.RTAX_WINDOW]: 'window',
  [R.RTAX_RTT]: 'rtt',
  [R.RTAX_RTTVAR]: 'rttvar',
  [R.RTAX_SSTHRESH]: 'ssthresh',
  [R.RTAX_CWND]: 'cwnd',
  [R.RTAX_ADVMSS]: 'advmss',
  [R.RTAX_REORDERING]: 'reordering',
  [R.RTAX_HOPLIMIT]: 'hoplimit',
  [R.RTAX_INITCWND]: 'initcwnd',
  [R.RTAX_FEATURES]: 'features',
  [R.RTAX_RTO_MIN]: 'rto_min',
  [R.RTAX_INITRWND]: 'initrwnd',
  [R.RTAX_QUICKACK]: 'quickack',
  [R.RTAX_CC_ALGO]: 'congctl',
  [R.RTAX_FASTOPEN_NO_COOKIE]: 'fastopen_no_cookie',
};

const RT_FLAG_BITS = RT_FLAGS.reduce((all, [bit]) => all | bit, 0);

function printRtFlags(p: Printer, flags: number): void {
  p.openArray('flags');
  if (flags & RT_FLAG_BITS) for (const [bit, name] of RT_FLAGS) if (flags & bit) p.any(null, '%s ', name);
  p.close();
}

// One table for the route being filtered and printed (filled again for the next message).
const routeTable = new AttrTable();
let routeMessage: MessageView | undefined;
let routeBuffer: Uint8Array | undefined;
let routeOffset = -1;

/** The attributes of a route message, tabulated once for its filter and its printer. */
function routeAttrs(m: MessageView): AttrTable {
  if (m !== routeMessage || m.buffer !== routeBuffer || m.offset !== routeOffset) {
    routeMessage = undefined;
    routeTable.fillMessage(m, C.RTMSG_SIZE);
    routeMessage = m;
    routeBuffer = m.buffer;
    routeOffset = m.offset;
  }
  return routeTable;
}

const ZERO_ADDRESS = new Uint8Array(16);

/** An attribute's bytes, or zeros when it is absent (filters only). */
function attrBytes(tb: AttrTable, type: number): Uint8Array {
  return tb.get(type)?.bytes ?? ZERO_ADDRESS;
}

function printCacheFlags(p: Printer, flags: number): void {
  flags &= ~0xffff;
  if (p.json) {
    p.openArray('cache');
    for (const [bit, name] of CACHE_FLAGS) {
      if (flags & bit) {
        flags &= ~bit;
        p.jsonOnly(null, name);
      }
    }
    if (flags) p.jsonOnly(null, '0x' + (flags >>> 0).toString(16));
    p.close();
    return;
  }
  p.fp('\n    cache ');
  if (flags === 0) return;
  const names: string[] = [];
  for (const [bit, name] of CACHE_FLAGS) {
    if (flags & bit) {
      flags &= ~bit;
      names.push(name);
    }
  }
  if (flags) names.push('0x' + (flags >>> 0).toString(16));
  p.fp(`<${names.join(',')}> `);
}

function printGateway(p: Printer, family: number, bytes: Uint8Array, offset: number, length: number): void {
  p.address('gateway', 'via %s ', bytes, offset, length, family);
}

function printVia(p: Printer, a: Attr): void {
  // struct rtvia { __kernel_sa_family_t rtvia_family; __u8 rtvia_addr[]; }
  const family = a.u16();
  const left = a.length - 2;
  const host =
    family === AF_INET && left >= 4 ? addrTextAt(a.buffer, a.offset + 2, 4, AF_INET) : family === AF_INET6 && left >= 16 ? addrTextAt(a.buffer, a.offset + 2, 16, AF_INET6) : '???';
  if (p.json) {
    p.open('via');
    p.jsonOnly('family', familyName(family));
    p.jsonOnly('host', host);
    p.close();
  } else p.fp(`via ${familyName(family)} ${host} `);
}

/** printf("%g"): six significant digits, trailing zeros dropped, an exponent from 1e6 up or below 1e-4. */
export function formatG(x: number): string {
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  const trim = (t: string): string => (t.includes('.') ? t.replace(/\.?0+$/, '') : t);
  if (exp < -4 || exp >= 6) {
    const [m, e] = x.toExponential(5).split('e') as [string, string];
    const n = Number(e);
    return `${trim(m)}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return trim(x.toFixed(5 - exp));
}

/** print_rta_metrics(). */
function printMetrics(p: Printer, a: Attr): void {
  const mx = a.nest();
  const lock = mx.get(C.RTAX_LOCK)?.u32() ?? 0;
  p.openArray('metrics');
  p.open(null);
  for (let i = 2; i <= C.RTAX_FASTOPEN_NO_COOKIE; i++) {
    const x = mx.get(i);
    if (!x && !(lock & (1 << i))) continue;
    let val = 0;
    if (x && i !== C.RTAX_CC_ALGO) val = x.u32();
    if (i === C.RTAX_HOPLIMIT && val === 0xffffffff) continue;
    const name = METRIC_NAMES[i];
    if (!p.json) {
      p.fp(name !== undefined ? `${name} ` : `metric ${i} `);
      if (lock & (1 << i)) p.fp('lock ');
    }
    if (i === C.RTAX_FEATURES) {
      // print_rtax_features(): ecn by name, any other bit as the whole value in hex.
      if (val & 1) p.null('ecn').fp('ecn ');
      if (val & ~1) p.any('features', '%s ', '0x' + (val >>> 0).toString(16));
    } else if (i === C.RTAX_RTT || i === C.RTAX_RTTVAR || i === C.RTAX_RTO_MIN) {
      // rtt is kept in 1/8 ms, rttvar in 1/4 ms, rto_min in ms (integer division, as ip).
      const ms = i === C.RTAX_RTT ? Math.floor(val / 8) : i === C.RTAX_RTTVAR ? Math.floor(val / 4) : val;
      if (p.json) p.jsonOnly(name ?? null, ms);
      else p.fp(ms >= 1000 ? `${formatG(ms / 1e3)}s ` : `${ms}ms `);
    } else if (i === C.RTAX_CC_ALGO) p.any('congestion', '%s ', x?.str() ?? '');
    else p.any(name ?? null, '%u ', val);
  }
  p.close();
  p.close();
}

/** print_rta_newdst(): `as to ADDRESS`. */
function printNewdst(p: Printer, family: number, a: Attr): void {
  if (p.json) p.jsonOnly('to', addrText(a, family));
  else p.fp(`as to ${addrText(a, family)} `);
}

/** print_rta_flow(): `realm DST` or `realms SRC/DST` (names from rt_realms). */
function printFlow(p: Printer, a: Attr): void {
  const v = a.u32();
  const to = v & 0xffff;
  const from = v >>> 16;
  if (p.json) {
    p.open('flow');
    if (from) p.jsonOnly('from', realmName(from));
    p.jsonOnly('to', realmName(to));
    p.close();
  } else p.fp(from ? `realms ${realmName(from)}/${realmName(to)} ` : `realm ${realmName(to)} `);
}

function printMultipath(ctx: IpContext, p: Printer, family: number, a: Attr): void {
  p.openArray('nexthops');
  let off = a.offset;
  const end = a.offset + a.length;
  const dv = a.dv;
  while (end - off >= R.RTNEXTHOP_SIZE) {
    const len = dv.getUint16(off + RTNH.rtnh_len, true);
    const flags = dv.getUint8(off + RTNH.rtnh_flags);
    const hops = dv.getUint8(off + RTNH.rtnh_hops);
    const ifindex = dv.getInt32(off + RTNH.rtnh_ifindex, true);
    if (len > end - off || len < R.RTNEXTHOP_SIZE) break;
    p.fp('\n\tnexthop ');
    p.open(null);
    if (len > R.RTNEXTHOP_SIZE) {
      const tb = parseAttrs(a.buffer, off + R.RTNEXTHOP_SIZE, off + len, dv);
      const encap = tb.get(C.RTA_ENCAP);
      if (encap) printEncap(p, tb.get(C.RTA_ENCAP_TYPE), encap);
      const newdst = tb.get(C.RTA_NEWDST);
      if (newdst) printNewdst(p, family, newdst);
      if (tb.has(C.RTA_GATEWAY)) printGateway(p, family, tb.buffer, tb.offset(C.RTA_GATEWAY), tb.length(C.RTA_GATEWAY));
      const via = tb.get(C.RTA_VIA);
      if (via) printVia(p, via);
      const flow = tb.get(C.RTA_FLOW);
      if (flow) printFlow(p, flow);
    }
    p.any('dev', 'dev %s ', ctx.indexName(ifindex));
    p.any('weight', 'weight %d ', hops + 1);
    printRtFlags(p, flags);
    p.close();
    off += (len + 3) & ~3;
  }
  p.close();
}

/**
 * What `route show` / `flush` select: iproute.c's filter, field for field
 * (a mask of -1 means "this value is fixed", and the printer then leaves it out).
 */
export interface RouteFilter {
  /** preferred_family: routes of another family are not listed. */
  family: number;
  /** 0: all tables. */
  tb: number;
  /** 1: the routing cache only (RTM_F_CLONED); 0: no cache entries; 2: both (route get). */
  cloned: number;
  protocol: number;
  protocolMask: number;
  scope: number;
  scopeMask: number;
  typeMask: number;
  tos: number;
  tosMask: number;
  iif: number;
  iifMask: number;
  oif: number;
  oifMask: number;
  mark: number;
  markMask: number;
  realm: number;
  realmMask: number;
  metric: number;
  metricMask: number;
  rprefsrc?: InetPrefix;
  rvia?: InetPrefix;
  /** root PREFIX: routes inside it. */
  rdst?: InetPrefix;
  /** match PREFIX: routes containing it; exact PREFIX sets both. */
  mdst?: InetPrefix;
  rsrc?: InetPrefix;
  msrc?: InetPrefix;
}

/** iproute_reset_filter(): nothing selected, nothing hidden. */
export function emptyRouteFilter(family = AF_UNSPEC): RouteFilter {
  return {
    family,
    tb: 0,
    cloned: 0,
    protocol: 0,
    protocolMask: 0,
    scope: 0,
    scopeMask: 0,
    typeMask: 0,
    tos: 0,
    tosMask: 0,
    iif: 0,
    iifMask: 0,
    oif: 0,
    oifMask: 0,
    mark: 0,
    markMask: 0,
    realm: 0,
    realmMask: 0,
    metric: 0,
    metricMask: 0,
  };
}

const lenGiven = (p: InetPrefix | undefined): boolean => p !== undefined && p.lenGiven;
const hasFamily = (p: InetPrefix | undefined): p is InetPrefix => p !== undefined && p.family !== AF_UNSPEC;

/** The state filter_nlmsg() keeps across one listing: whether IPv6 routes were seen in a table other than main. */
export interface ListingState {
  ip6MultipleTables: boolean;
}

/** filter_nlmsg(): true when the route passes the filter. */
export function routePasses(m: MessageView, f: RouteFilter, state: ListingState = { ip6MultipleTables: false }): boolean {
  const dv = m.dv;
  const at = m.payloadOffset;
  const family = dv.getUint8(at + RTM.rtm_family);
  const dstLen = dv.getUint8(at + RTM.rtm_dst_len);
  const srcLen = dv.getUint8(at + RTM.rtm_src_len);
  const tos = dv.getUint8(at + RTM.rtm_tos);
  const protocol = dv.getUint8(at + RTM.rtm_protocol);
  const scope = dv.getUint8(at + RTM.rtm_scope);
  const type = dv.getUint8(at + RTM.rtm_type);
  const flags = dv.getUint32(at + RTM.rtm_flags, true);
  const tb = routeAttrs(m);
  const table = tb.has(C.RTA_TABLE) ? tb.u32(C.RTA_TABLE) : dv.getUint8(at + RTM.rtm_table);
  if (f.family !== AF_UNSPEC && family !== f.family) return false;
  if (family === AF_INET6 && table !== C.RT_TABLE_MAIN) state.ip6MultipleTables = true;
  if (f.cloned === (flags & C.RTM_F_CLONED ? 0 : 1)) return false;
  if (family === AF_INET6 && !state.ip6MultipleTables) {
    if (f.tb) {
      if (f.tb === C.RT_TABLE_LOCAL) {
        if (type !== C.RTN_LOCAL) return false;
      } else if (f.tb === C.RT_TABLE_MAIN) {
        if (type === C.RTN_LOCAL) return false;
      } else return false;
    }
  } else if (f.tb > 0 && f.tb !== table) return false;
  if ((f.protocol ^ protocol) & f.protocolMask) return false;
  if ((f.scope ^ scope) & f.scopeMask) return false;
  if (f.typeMask && !(f.typeMask & (1 << type))) return false;
  if ((f.tos ^ tos) & f.tosMask) return false;
  if (hasFamily(f.rdst)) {
    if (family !== f.rdst.family || f.rdst.bitlen > dstLen) return false;
  } else if (lenGiven(f.rdst) && f.rdst!.bitlen > dstLen) return false;
  if (hasFamily(f.mdst)) {
    if (family !== f.mdst.family || (f.mdst.bitlen >= 0 && f.mdst.bitlen < dstLen)) return false;
  } else if (lenGiven(f.mdst) && f.mdst!.bitlen >= 0 && f.mdst!.bitlen < dstLen) return false;
  if (hasFamily(f.rsrc)) {
    if (family !== f.rsrc.family || f.rsrc.bitlen > srcLen) return false;
  } else if (lenGiven(f.rsrc) && f.rsrc!.bitlen > srcLen) return false;
  if (hasFamily(f.msrc)) {
    if (family !== f.msrc.family || (f.msrc.bitlen >= 0 && f.msrc.bitlen < srcLen)) return false;
  } else if (lenGiven(f.msrc) && f.msrc!.bitlen >= 0 && f.msrc!.bitlen < srcLen) return false;
  if (hasFamily(f.rvia)) {
    const viaFamily = tb.has(C.RTA_VIA) ? tb.u16(C.RTA_VIA) : family;
    if (viaFamily !== f.rvia.family) return false;
  }
  if (hasFamily(f.rprefsrc) && family !== f.rprefsrc.family) return false;
  // The addresses are looked at only when a selector needs them.
  if ((hasFamily(f.rdst) || lenGiven(f.rdst)) && !addrMatch(attrBytes(tb, C.RTA_DST), f.rdst!.bytes, f.rdst!.bitlen)) return false;
  if ((hasFamily(f.mdst) || lenGiven(f.mdst)) && !addrMatch(attrBytes(tb, C.RTA_DST), f.mdst!.bytes, dstLen)) return false;
  if ((hasFamily(f.rsrc) || lenGiven(f.rsrc)) && !addrMatch(attrBytes(tb, C.RTA_SRC), f.rsrc!.bytes, f.rsrc!.bitlen)) return false;
  if ((hasFamily(f.msrc) || lenGiven(f.msrc)) && f.msrc!.bitlen >= 0 && !addrMatch(attrBytes(tb, C.RTA_SRC), f.msrc!.bytes, srcLen)) return false;
  if (hasFamily(f.rvia)) {
    let via: Uint8Array = ZERO_ADDRESS;
    if (f.rvia.bitlen > 0) {
      const gw = tb.get(C.RTA_GATEWAY);
      if (gw) via = gw.bytes;
      const viaAttr = tb.get(C.RTA_VIA);
      if (viaAttr) via = viaAttr.bytes.subarray(2);
    }
    if (!addrMatch(via, f.rvia.bytes, f.rvia.bitlen)) return false;
  }
  if (hasFamily(f.rprefsrc)) {
    const prefsrc = f.rprefsrc.bitlen > 0 ? attrBytes(tb, C.RTA_PREFSRC) : ZERO_ADDRESS;
    if (!addrMatch(prefsrc, f.rprefsrc.bytes, f.rprefsrc.bitlen)) return false;
  }
  if (f.realmMask && (tb.u32(C.RTA_FLOW) ^ f.realm) & f.realmMask) return false;
  if (f.iifMask && (tb.u32(C.RTA_IIF) ^ f.iif) & f.iifMask) return false;
  if (f.oifMask && (tb.u32(C.RTA_OIF) ^ f.oif) & f.oifMask) return false;
  if (f.markMask && (tb.u32(C.RTA_MARK) ^ f.mark) & f.markMask) return false;
  if (f.metricMask && (tb.u32(C.RTA_PRIORITY) ^ f.metric) & f.metricMask) return false;
  return true;
}

/** print_route: one route into `p`. `f` is the listing's filter (what it fixes is not printed again). */
export function printRoute(ctx: IpContext, p: Printer, m: MessageView, f: RouteFilter): void {
  const dv = m.dv;
  const at = m.payloadOffset;
  const family = dv.getUint8(at + RTM.rtm_family);
  const dstLen = dv.getUint8(at + RTM.rtm_dst_len);
  const srcLen = dv.getUint8(at + RTM.rtm_src_len);
  const tos = dv.getUint8(at + RTM.rtm_tos);
  const protocol = dv.getUint8(at + RTM.rtm_protocol);
  const scope = dv.getUint8(at + RTM.rtm_scope);
  const type = dv.getUint8(at + RTM.rtm_type);
  const flags = dv.getUint32(at + RTM.rtm_flags, true);
  const tb = routeAttrs(m);
  const hostLen = afBitLen(family);
  const table = tb.has(C.RTA_TABLE) ? tb.u32(C.RTA_TABLE) : dv.getUint8(at + RTM.rtm_table);
  const details = ctx.options.details;
  let a: Attr | undefined;
  if (m.type === C.RTM_DELROUTE) p.bool('deleted', 'Deleted ', true);
  if ((type !== C.RTN_UNICAST || details > 0) && (!f.typeMask || f.typeMask & (1 << type))) p.any('type', '%s ', rtnTypeName(type));
  // The common attributes are read through the table's getters: no object per attribute.
  if (tb.has(C.RTA_DST)) p.address('dst', '%s ', tb.buffer, tb.offset(C.RTA_DST), tb.length(C.RTA_DST), family, dstLen !== hostLen ? dstLen : -1);
  else if (dstLen) p.any('dst', '%s ', `0/${dstLen} `);
  else p.any('dst', '%s ', 'default');
  if (tb.has(C.RTA_SRC)) p.address('from', 'from %s ', tb.buffer, tb.offset(C.RTA_SRC), tb.length(C.RTA_SRC), family, srcLen !== hostLen ? srcLen : -1);
  else if (srcLen) p.any('src', 'from %s ', `0/${srcLen}`);
  if (tb.has(C.RTA_NH_ID)) p.any('nhid', 'nhid %u ', tb.u32(C.RTA_NH_ID));
  if ((a = tb.get(C.RTA_NEWDST))) printNewdst(p, family, a);
  if ((a = tb.get(C.RTA_ENCAP))) printEncap(p, tb.get(C.RTA_ENCAP_TYPE), a);
  if (tos && f.tosMask !== -1) p.any('tos', 'tos %s ', dsfieldName(tos));
  if (tb.has(C.RTA_GATEWAY) && (f.rvia?.bitlen ?? 0) !== hostLen) printGateway(p, family, tb.buffer, tb.offset(C.RTA_GATEWAY), tb.length(C.RTA_GATEWAY));
  if ((a = tb.get(C.RTA_VIA))) printVia(p, a);
  if (tb.has(C.RTA_OIF) && f.oifMask !== -1) p.any('dev', 'dev %s ', ctx.indexName(tb.u32(C.RTA_OIF)));
  if (table && (table !== C.RT_TABLE_MAIN || details > 0) && !f.tb) p.any('table', 'table %s ', tableName(table));
  if (!(flags & C.RTM_F_CLONED)) {
    if ((protocol !== C.RTPROT_BOOT || details > 0) && f.protocolMask !== -1) p.any('protocol', 'proto %s ', protoName(protocol));
    if ((scope !== C.RT_SCOPE_UNIVERSE || details > 0) && f.scopeMask !== -1) p.any('scope', 'scope %s ', scopeName(scope));
  }
  if (tb.has(C.RTA_PREFSRC) && (f.rprefsrc?.bitlen ?? 0) !== hostLen) p.address('prefsrc', 'src %s ', tb.buffer, tb.offset(C.RTA_PREFSRC), tb.length(C.RTA_PREFSRC), family);
  if (tb.has(C.RTA_PRIORITY) && f.metricMask !== -1) p.any('metric', 'metric %u ', tb.u32(C.RTA_PRIORITY));
  printRtFlags(p, flags);
  if (tb.has(C.RTA_MARK)) {
    const mark = tb.u32(C.RTA_MARK);
    if (mark) {
      if (p.json) p.jsonOnly('mark', mark);
      else p.fp(mark >= 16 ? `mark 0x${mark.toString(16)} ` : `mark ${mark} `);
    }
  }
  if ((a = tb.get(C.RTA_FLOW)) && f.realmMask !== -1) printFlow(p, a);
  if (tb.has(C.RTA_UID)) p.any('uid', 'uid %u ', tb.u32(C.RTA_UID));
  if (family === AF_INET && flags & C.RTM_F_CLONED) printCacheFlags(p, flags);
  if ((family === AF_INET || family === AF_INET6) && (a = tb.get(C.RTA_CACHEINFO))) {
    const expires = a.dv.getInt32(a.offset + RCI.rta_expires, true);
    if (expires !== 0) p.any('expires', 'expires %dsec ', Math.trunc(expires / 100));
    const error = a.u32At(RCI.rta_error);
    if (error) p.any('error', 'error %u ', error);
    if (ctx.options.stats) {
      if (a.u32At(RCI.rta_clntref)) p.any('users', 'users %u ', a.u32At(RCI.rta_clntref));
      if (a.u32At(RCI.rta_used)) p.any('used', 'used %u ', a.u32At(RCI.rta_used));
      if (a.u32At(RCI.rta_lastuse)) p.any('age', 'age %usec ', Math.trunc(a.u32At(RCI.rta_lastuse) / 100));
    }
    if (a.u32At(RTA_CACHEINFO_ID)) p.any('ipid', 'ipid %s ', '0x' + a.u32At(RTA_CACHEINFO_ID).toString(16).padStart(4, '0'));
  }
  if ((a = tb.get(C.RTA_METRICS))) printMetrics(p, a);
  if (tb.has(C.RTA_IIF) && f.iifMask !== -1) p.any('iif', 'iif %s ', ctx.indexName(tb.u32(C.RTA_IIF)));
  if (tb.has(C.RTA_PREF)) {
    const pref = tb.u8(C.RTA_PREF);
    if (pref === 3 || pref === 0 || pref === 1) p.any('pref', 'pref %s', pref === 3 ? 'low' : pref === 0 ? 'medium' : 'high');
    else p.any('pref', '%u', pref);
  }
  if (tb.has(C.RTA_TTL_PROPAGATE)) {
    // ip 6.1 spells the key "ttl-propogate".
    const on = tb.u8(C.RTA_TTL_PROPAGATE) !== 0;
    if (p.json) p.bool('ttl-propogate', '', on);
    else p.fp(`ttl-propogate ${on ? 'enabled' : 'disabled'}`);
  }
  if (tb.has(C.RTA_NH_ID) && details > 0) printCachedNexthop(ctx, p, tb.u32(C.RTA_NH_ID));
  if ((a = tb.get(C.RTA_MULTIPATH))) printMultipath(ctx, p, family, a);
}

/** get_prefix() into a listing filter: the family stays the listing's (ip does not narrow it from the prefix). */
function filterPrefix(v: string, family: number): InetPrefix {
  return parsePrefix(v, family);
}

/** Parses `ip route show/flush` selectors as iproute_list_flush_or_save() does; returns the filter and the dump family. */
async function parseFilter(ctx: IpContext, words: string[]): Promise<{ f: RouteFilter; dumpFamily: number }> {
  const args = new Args(words);
  const f = emptyRouteFilter(ctx.options.family);
  f.tb = C.RT_TABLE_MAIN;
  let dumpFamily = ctx.options.family;
  let iif: string | undefined;
  let oif: string | undefined;
  let mark = 0;
  while (!args.done) {
    const w = args.next();
    if (matches(w, 'table')) {
      const v = args.value();
      const t = tableNumber(v);
      if (t !== undefined) f.tb = t;
      else if (v === 'all') f.tb = 0;
      else if (v === 'cache') f.cloned = 1;
      else if (v === 'help') throw usage(ROUTE_USAGE);
      else invarg('table id value is invalid\n', v);
    } else if (matches(w, 'vrf')) {
      throw usage('Error: "vrf" is not supported by nlkit.');
    } else if (matches(w, 'cached') || matches(w, 'cloned')) f.cloned = 1;
    else if (w === 'tos' || matches(w, 'dsfield')) {
      const v = args.value();
      const t = dsfieldNumber(v);
      if (t === undefined) invarg('TOS value is invalid\n', v);
      f.tos = t;
      f.tosMask = -1;
    } else if (matches(w, 'protocol')) {
      protocolFilter(f, args.value());
    } else if (matches(w, 'scope')) {
      const v = args.value();
      f.scopeMask = -1;
      const n = scopeNumber(v);
      if (n === undefined) {
        if (v !== 'all') invarg('invalid "scope"\n', v);
        f.scope = C.RT_SCOPE_NOWHERE;
        f.scopeMask = 0;
      } else f.scope = n;
    } else if (matches(w, 'type')) {
      const v = args.value();
      const n = rtnTypeNumber(v);
      if (n === undefined) invarg('node type value is invalid\n', v);
      f.typeMask = (1 << n) >>> 0;
    } else if (w === 'dev' || w === 'oif') oif = args.value();
    else if (w === 'iif') iif = args.value();
    else if (w === 'mark') {
      const v = args.value();
      const n = getUnsigned(v);
      if (n === undefined) invarg('invalid mark value', v);
      mark = n;
      f.markMask = -1;
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      const v = args.value();
      const n = getU32(v);
      if (n === undefined) invarg('"metric" value is invalid\n', v);
      f.metric = n;
      f.metricMask = -1;
    } else if (w === 'via') {
      let v = args.value();
      let family = readFamily(v);
      if (family === AF_UNSPEC) family = dumpFamily;
      else v = args.value();
      f.rvia = filterPrefix(v, family);
    } else if (w === 'src') {
      f.rprefsrc = filterPrefix(args.value(), dumpFamily);
    } else if (matches(w, 'realms')) {
      const v = args.value();
      const r = realmsNumber(v);
      if (r === undefined) invarg('invalid realms\n', v);
      f.realm = r;
      f.realmMask = -1;
      if ((r & 0xffff) === 0 && v.endsWith('/')) f.realmMask &= ~0xffff;
      if ((r & 0xffff0000) === 0 && (!v.includes('/') || v.startsWith('/'))) f.realmMask &= 0xffff;
    } else if (matches(w, 'from')) {
      const v = args.value();
      if (matches(v, 'root')) f.rsrc = filterPrefix(args.value(), dumpFamily);
      else if (matches(v, 'match')) f.msrc = filterPrefix(args.value(), dumpFamily);
      else {
        const p = filterPrefix(matches(v, 'exact') ? args.value() : v, dumpFamily);
        f.msrc = p;
        f.rsrc = p;
      }
    } else {
      let v = w;
      if (matches(v, 'to')) v = args.value();
      if (matches(v, 'root')) f.rdst = filterPrefix(args.value(), dumpFamily);
      else if (matches(v, 'match')) f.mdst = filterPrefix(args.value(), dumpFamily);
      else {
        const p = filterPrefix(matches(v, 'exact') ? args.value() : v, dumpFamily);
        f.mdst = p;
        f.rdst = p;
      }
    }
  }
  if (dumpFamily === AF_UNSPEC && f.tb) dumpFamily = AF_INET;
  if (iif !== undefined || oif !== undefined) {
    await ctx.loadLinks();
    if (iif !== undefined) {
      f.iif = await ctx.device(iif);
      f.iifMask = -1;
    }
    if (oif !== undefined) {
      f.oif = await ctx.device(oif);
      f.oifMask = -1;
    }
  }
  f.mark = mark;
  return { f, dumpFamily };
}

// iproute_dump_filter(): what the kernel is asked to leave out itself.
function dumpRequest(ctx: IpContext, f: RouteFilter, family: number): Uint8Array {
  return ctx.build(C.RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, C.RTMSG_SIZE, (w, h) => {
    w.view.setUint8(h + RTM.rtm_family, family);
    w.view.setUint8(h + RTM.rtm_protocol, f.protocol);
    if (f.cloned) w.view.setUint32(h + RTM.rtm_flags, C.RTM_F_CLONED, true);
    if (f.tb) w.putU32(C.RTA_TABLE, f.tb);
    if (f.oif) w.putU32(C.RTA_OIF, f.oif);
  });
}

async function show(ctx: IpContext, words: string[]): Promise<number> {
  const { f, dumpFamily } = await parseFilter(ctx, words);
  await ctx.loadLinks();
  // ip -d prints each nexthop object a route uses (its nh_cache, filled on demand).
  if (ctx.options.details > 0) await loadNexthopCache(ctx);
  const state: ListingState = { ip6MultipleTables: false };
  try {
    await ctx.dump(dumpRequest(ctx, f, dumpFamily), (m) => {
      if (!routePasses(m, f, state)) return;
      const p = ctx.listPrinter();
      printRoute(ctx, p, m, f);
      ctx.listItem(p);
    });
  } catch (err) {
    // A namespace whose main table was never made (lo down, no route yet)
    // answers ENOENT; ip lists that as empty (save_route_errhndlr). Any other
    // table that does not exist is an error, as in ip.
    if (!(err instanceof NetlinkError)) throw err;
    if (!(err.code === 'ENOENT' && f.tb === C.RT_TABLE_MAIN)) throw new CommandError(`${kernelErrorText(err)}Dump terminated`, 2);
  }
  ctx.listEnd();
  return 0;
}

async function flush(ctx: IpContext, words: string[]): Promise<number> {
  if (words.length === 0) throw new CommandError('"ip route flush" requires arguments.', 1);
  const { f, dumpFamily } = await parseFilter(ctx, words);
  await ctx.loadLinks();
  for (let round = 0; round < 10; round++) {
    const victims: MessageView[] = [];
    const state: ListingState = { ip6MultipleTables: false };
    await ctx.dump(dumpRequest(ctx, f, dumpFamily), (m) => {
      if (!routePasses(m, f, state)) return;
      const h = new Header(m);
      // ip's flush leaves the IPv6 "unreachable default" placeholder alone.
      const tb = messageAttrs(m, C.RTMSG_SIZE);
      if (h.u8(RTM.rtm_family) === AF_INET6 && h.u8(RTM.rtm_dst_len) === 0 && h.u8(RTM.rtm_type) === C.RTN_UNREACHABLE && tb.get(C.RTA_PRIORITY)?.u32() === 0xffffffff) return;
      victims.push(m);
    });
    if (victims.length === 0) return 0;
    for (const m of victims) {
      const copy = m.bytes.slice();
      const dv = new DataView(copy.buffer);
      dv.setUint16(4, C.RTM_DELROUTE, true);
      dv.setUint16(6, NLM_F_REQUEST | NLM_F_ACK, true);
      try {
        await ctx.request(copy);
      } catch (err) {
        if (!(err instanceof NetlinkError && err.code === 'ESRCH')) throw err;
      }
    }
  }
  throw new CommandError('*** Flush remains incomplete after 10 rounds. ***', 1);
}

interface NextHop {
  gateway?: InetAddr;
  dev?: string;
  weight: number;
  flags: number;
  encap?: Encap;
  realms?: number;
  newdst?: InetAddr;
}

function putGateway(w: MessageWriter, routeFamily: number, gw: InetAddr): void {
  if (gw.family === routeFamily) w.putBinary(C.RTA_GATEWAY, gw.bytes);
  else {
    const via = new Uint8Array(2 + gw.bytes.length);
    new DataView(via.buffer).setUint16(0, gw.family, true);
    via.set(gw.bytes, 2);
    w.putBinary(C.RTA_VIA, via);
  }
}

// A metric of RTA_METRICS: `mtu [lock] N` and the like (iproute_modify's mxrta).
type Metric = [type: number, value: number | string];

// get_time_rtt(): a time in ms ("1.5", "2s", "300ms"); raw when no unit was given.
function timeRtt(s: string): { value: number; raw: boolean } | undefined {
  let t: number;
  let rest: string;
  if (s.includes('.')) {
    const m = /^[\t\n\v\f\r ]*([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)(.*)$/.exec(s);
    if (!m) return undefined;
    t = Number(m[1]);
    if (t < 0) return undefined;
    rest = m[2]!;
  } else {
    const m = /^[\t\n\v\f\r ]*(\+?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*))(.*)$/.exec(s);
    if (!m) return undefined;
    t = Number(m[1]!.startsWith('0') && m[1]!.length > 1 && !/^0[xX]/.test(m[1]!) ? parseInt(m[1]!, 8) : m[1]!);
    rest = m[2]!;
  }
  let raw = true;
  if (rest) {
    raw = false;
    const unit = rest.toLowerCase();
    if (unit === 's' || unit === 'sec' || unit === 'secs') t *= 1000;
    else if (unit !== 'ms' && unit !== 'msec' && unit !== 'msecs') return undefined;
  }
  let v = Math.trunc(t) >>> 0;
  if (v < t) v += 1;
  return { value: v >>> 0, raw };
}

/** parse_one_nh(): the words of one `nexthop`, up to the next `nexthop`. */
function parseOneNh(args: Args, family: { value: number }): NextHop {
  const nh: NextHop = { weight: 1, flags: 0 };
  while (!args.done) {
    const k = args.peek()!;
    if (k === 'via') {
      args.next();
      let v = args.value();
      let fam = readFamily(v);
      if (fam === AF_UNSPEC) fam = family.value;
      else v = args.value();
      nh.gateway = parseAddr(v, fam);
      if (family.value === AF_UNSPEC) family.value = nh.gateway.family;
    } else if (k === 'dev') {
      args.next();
      nh.dev = args.value();
    } else if (k === 'weight') {
      args.next();
      const v = args.value();
      const n = getUnsigned(v);
      if (n === undefined || n === 0 || n > 256) invarg('"weight" is invalid\n', v);
      nh.weight = n;
    } else if (k === 'onlink') {
      args.next();
      nh.flags |= C.RTNH_F_ONLINK;
    } else if (matches(k, 'realms')) {
      args.next();
      const v = args.value();
      const r = realmsNumber(v);
      if (r === undefined) invarg('"realm" value is invalid\n', v);
      nh.realms = r;
    } else if (k === 'encap') {
      args.next();
      nh.encap = parseEncap(args);
    } else if (k === 'as') {
      args.next();
      let v = args.value();
      if (v === 'to') v = args.value();
      nh.newdst = parseAddr(v, family.value);
    } else break;
  }
  return nh;
}

async function modify(ctx: IpContext, type: number, flags: number, words: string[]): Promise<number> {
  const args = new Args(words);
  const isDel = type === C.RTM_DELROUTE;
  // iproute_modify()'s request as it fills it.
  let family = ctx.options.family;
  let table = C.RT_TABLE_MAIN;
  let tableOk = false;
  let protocol = isDel ? C.RTPROT_UNSPEC : C.RTPROT_BOOT;
  let scope = isDel ? C.RT_SCOPE_NOWHERE : C.RT_SCOPE_UNIVERSE;
  let scopeOk = false;
  let rtType = isDel ? C.RTN_UNSPEC : C.RTN_UNICAST;
  let typeOk = false;
  let rtFlags = 0;
  let tos = 0;
  let gwOk = false;
  let nhsOk = false;
  let nhid = 0;
  let dst: InetPrefix | undefined;
  let src: InetPrefix | undefined;
  let prefsrc: InetAddr | undefined;
  let gateway: InetAddr | undefined;
  let dev: string | undefined;
  let metric: number | undefined;
  let pref: number | undefined;
  let expires: number | undefined;
  let realms: number | undefined;
  let newdst: InetAddr | undefined;
  let ttlPropagate: number | undefined;
  let mxlock = 0;
  const metrics: Metric[] = [];
  let encap: Encap | undefined;
  // Keywords of the metrics: `KEY [lock] VALUE`, read by get_unsigned() unless said otherwise.
  const lockable = (key: string, bit: number): string => {
    let v = args.value();
    if (v === 'lock') {
      mxlock |= 1 << bit;
      v = args.value();
    }
    void key;
    return v;
  };
  const unsignedMetric = (key: string, bit: number, message: string, max = 0xffffffff): void => {
    const v = lockable(key, bit);
    const n = getUnsigned(v);
    if (n === undefined || n > max) invarg(message, v);
    metrics.push([bit, n]);
  };
  while (!args.done) {
    const w = args.next();
    // The words of most lines first. No keyword below begins with "dev", "oif" or a
    // digit, so taking them here changes nothing that ip's order of tests decides.
    if (w === 'dev' || w === 'oif') {
      dev = args.value();
      continue;
    }
    const first = w.charCodeAt(0);
    if (first >= 0x30 && first <= 0x39) {
      // A prefix (the else branch below, for a word that is no type name and not "help").
      if (dst) duparg2('to', w);
      dst = parsePrefix(w, family);
      if (family === AF_UNSPEC) family = dst.family;
      continue;
    }
    if (w === 'src') {
      prefsrc = parseAddr(args.value(), family);
      if (family === AF_UNSPEC) family = prefsrc.family;
    } else if (w === 'as') {
      let v = args.value();
      if (v === 'to') v = args.value();
      newdst = parseAddr(v, family);
      if (family === AF_UNSPEC) family = newdst.family;
    } else if (w === 'via') {
      if (gwOk) invarg('use nexthop syntax to specify multiple via\n', w);
      gwOk = true;
      let v = args.value();
      let fam = readFamily(v);
      if (fam === AF_UNSPEC) fam = family;
      else v = args.value();
      gateway = parseAddr(v, fam);
      if (family === AF_UNSPEC) family = gateway.family;
    } else if (w === 'from') {
      src = parsePrefix(args.value(), family);
      if (family === AF_UNSPEC) family = src.family;
    } else if (w === 'tos' || matches(w, 'dsfield')) {
      const v = args.value();
      const t = dsfieldNumber(v);
      if (t === undefined) invarg('"tos" value is invalid\n', v);
      tos = t;
    } else if (w === 'expires') {
      const v = args.value();
      const n = getU32(v);
      if (n === undefined) invarg('"expires" value is invalid\n', v);
      expires = n;
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      const v = args.value();
      const n = getU32(v);
      if (n === undefined) invarg('"metric" value is invalid\n', v);
      metric = n;
    } else if (w === 'scope') {
      const v = args.value();
      const s = scopeNumber(v);
      if (s === undefined) invarg('invalid "scope" value\n', v);
      scope = s;
      scopeOk = true;
    } else if (w === 'mtu') unsignedMetric(w, C.RTAX_MTU, '"mtu" value is invalid\n');
    else if (w === 'hoplimit') unsignedMetric(w, C.RTAX_HOPLIMIT, '"hoplimit" value is invalid\n', 255);
    else if (w === 'advmss') unsignedMetric(w, C.RTAX_ADVMSS, '"mss" value is invalid\n');
    else if (matches(w, 'reordering')) unsignedMetric(w, C.RTAX_REORDERING, '"reordering" value is invalid\n');
    else if (w === 'rtt' || matches(w, 'rttvar') || w === 'rto_min') {
      const bit = w === 'rtt' ? C.RTAX_RTT : w === 'rto_min' ? C.RTAX_RTO_MIN : C.RTAX_RTTVAR;
      const key = w === 'rtt' ? 'rtt' : w === 'rto_min' ? 'rto_min' : 'rttvar';
      let v: string;
      if (bit === C.RTAX_RTO_MIN) {
        // rto_min is always locked, and takes no "lock" word.
        mxlock |= 1 << bit;
        v = args.value();
      } else v = lockable(key, bit);
      const t = timeRtt(v);
      if (!t) invarg(`"${key}" value is invalid\n`, v);
      // rtt is kept in 1/8 ms, rttvar in 1/4 ms (unless given raw).
      metrics.push([bit, bit === C.RTAX_RTT && !t.raw ? t.value * 8 : bit === C.RTAX_RTTVAR && !t.raw ? t.value * 4 : t.value]);
    } else if (matches(w, 'window')) unsignedMetric(w, C.RTAX_WINDOW, '"window" value is invalid\n');
    else if (matches(w, 'cwnd')) unsignedMetric(w, C.RTAX_CWND, '"cwnd" value is invalid\n');
    else if (matches(w, 'initcwnd')) unsignedMetric(w, C.RTAX_INITCWND, '"initcwnd" value is invalid\n');
    else if (matches(w, 'initrwnd')) unsignedMetric(w, C.RTAX_INITRWND, '"initrwnd" value is invalid\n');
    else if (matches(w, 'features')) {
      const v = args.value();
      if (v !== 'ecn') invarg('"features" value not valid\n', v);
      metrics.push([C.RTAX_FEATURES, 1]);
    } else if (matches(w, 'quickack')) {
      const v = args.value();
      const n = getUnsigned(v);
      if (n === undefined) invarg('"quickack" value is invalid\n', v);
      if (n !== 0 && n !== 1) invarg('"quickack" value should be 0 or 1\n', v);
      metrics.push([C.RTAX_QUICKACK, n]);
    } else if (matches(w, 'congctl')) {
      metrics.push([C.RTAX_CC_ALGO, lockable(w, C.RTAX_CC_ALGO)]);
    } else if (matches(w, 'ssthresh')) unsignedMetric(w, C.RTAX_SSTHRESH, '"ssthresh" value is invalid\n');
    else if (matches(w, 'realms')) {
      const v = args.value();
      const r = realmsNumber(v);
      if (r === undefined) invarg('"realm" value is invalid\n', v);
      realms = r;
    } else if (w === 'onlink') rtFlags |= C.RTNH_F_ONLINK;
    else if (w === 'nexthop') {
      nhsOk = true;
      args.back();
      break;
    } else if (w === 'nhid') {
      const v = args.value();
      const n = getU32(v);
      if (n === undefined) invarg('"id" value is invalid\n', v);
      nhid = n;
    } else if (matches(w, 'protocol')) {
      const v = args.value();
      const p = protoNumber(v);
      if (p === undefined) invarg('"protocol" value is invalid\n', v);
      protocol = p;
    } else if (matches(w, 'table')) {
      const v = args.value();
      const t = tableNumber(v);
      if (t === undefined) invarg('"table" value is invalid\n', v);
      table = t;
      tableOk = true;
    } else if (matches(w, 'vrf')) {
      args.value();
      throw usage('Error: "vrf" is not supported by nlkit.');
    } else if (w === 'dev' || w === 'oif') dev = args.value();
    else if (matches(w, 'pref')) {
      const v = args.value();
      if (v === 'low') pref = 3;
      else if (v === 'medium') pref = 0;
      else if (v === 'high') pref = 1;
      else {
        const n = getU8(v);
        if (n === undefined) invarg('"pref" value is invalid\n', v);
        pref = n;
      }
    } else if (w === 'encap') {
      encap = parseEncap(args);
    } else if (w === 'ttl-propagate') {
      const v = args.value();
      if (matches(v, 'enabled')) ttlPropagate = 1;
      else if (matches(v, 'disabled')) ttlPropagate = 0;
      else invarg('"ttl-propagate" value is invalid\n', v);
    } else if (matches(w, 'fastopen_no_cookie')) {
      const v = args.value();
      const n = getUnsigned(v);
      if (n === undefined) invarg('"fastopen_no_cookie" value is invalid\n', v);
      if (n !== 0 && n !== 1) invarg('"fastopen_no_cookie" value should be 0 or 1\n', v);
      metrics.push([C.RTAX_FASTOPEN_NO_COOKIE, n]);
    } else {
      let v = w;
      if (v === 'to') v = args.value();
      // A type word first (not for numbers: "1" is a prefix), then the prefix.
      const t = /^[0-9]/.test(v) ? undefined : rtnTypeNumber(v);
      if (t !== undefined) {
        v = args.value();
        rtType = t;
        typeOk = true;
      }
      if (matches(v, 'help')) throw usage(ROUTE_USAGE);
      if (dst) duparg2('to', v);
      dst = parsePrefix(v, family);
      if (family === AF_UNSPEC) family = dst.family;
    }
  }
  if (!dst) throw usage(ROUTE_USAGE);
  let oif: number | undefined;
  if (dev !== undefined) {
    // Known already (a batch names the same device on every line): no await.
    oif = ctx.knownIndex(dev);
    if (oif === undefined) {
      await ctx.loadLinks();
      oif = await ctx.device(dev);
    }
  }
  // parse_nexthops(): `nexthop NH` groups to the end of the line.
  const nexthops: NextHop[] = [];
  if (nhsOk) {
    const fam = { value: family };
    while (!args.done) {
      const k = args.next();
      if (k !== 'nexthop') throw usage(`Error: "nexthop" or end of line is expected instead of "${k}"`);
      if (args.done) throw usage('Error: unexpected end of line after "nexthop"');
      nexthops.push(parseOneNh(args, fam));
    }
    family = fam.value;
  }
  const nhIndex: number[] = [];
  for (const nh of nexthops) {
    if (nh.dev === undefined) nhIndex.push(0);
    else {
      await ctx.loadLinks();
      const index = await ctx.nameIndex(nh.dev);
      if (!index) throw usage(`Cannot find device "${nh.dev}"\nError: cannot parse nexthop`);
      nhIndex.push(index);
    }
  }
  if (family === AF_UNSPEC) family = AF_INET;
  if (!tableOk && (rtType === C.RTN_LOCAL || rtType === C.RTN_BROADCAST || rtType === C.RTN_NAT || rtType === C.RTN_ANYCAST)) table = C.RT_TABLE_LOCAL;
  if (!scopeOk) {
    if (family === AF_INET6 || family === AF_MPLS) scope = C.RT_SCOPE_UNIVERSE;
    else if (rtType === C.RTN_LOCAL || rtType === C.RTN_NAT) scope = C.RT_SCOPE_HOST;
    else if (rtType === C.RTN_BROADCAST || rtType === C.RTN_MULTICAST || rtType === C.RTN_ANYCAST) scope = C.RT_SCOPE_LINK;
    else if (rtType === C.RTN_UNICAST || rtType === C.RTN_UNSPEC) {
      if (isDel) scope = C.RT_SCOPE_NOWHERE;
      else if (!gwOk && !nhsOk && !nhid) scope = C.RT_SCOPE_LINK;
    }
  }
  if (!typeOk && family === AF_MPLS) rtType = C.RTN_UNICAST;
  const bytes = ctx.build(type, NLM_F_REQUEST | NLM_F_ACK | flags, C.RTMSG_SIZE, (w, h) => {
    const v = w.view;
    v.setUint8(h + RTM.rtm_family, family);
    v.setUint8(h + RTM.rtm_dst_len, dst!.bitlen);
    v.setUint8(h + RTM.rtm_src_len, src ? src.bitlen : 0);
    v.setUint8(h + RTM.rtm_tos, tos);
    v.setUint8(h + RTM.rtm_table, table < 256 ? table : C.RT_TABLE_UNSPEC);
    v.setUint8(h + RTM.rtm_protocol, protocol);
    v.setUint8(h + RTM.rtm_scope, scope);
    v.setUint8(h + RTM.rtm_type, rtType);
    v.setUint32(h + RTM.rtm_flags, rtFlags, true);
    if (table >= 256) w.putU32(C.RTA_TABLE, table);
    if (dst!.bytes.length) w.putBinary(C.RTA_DST, dst!.bytes);
    if (src && src.bytes.length) w.putBinary(C.RTA_SRC, src.bytes);
    if (prefsrc) w.putBinary(C.RTA_PREFSRC, prefsrc.bytes);
    if (gateway) putGateway(w, family, gateway);
    if (oif !== undefined) w.putU32(C.RTA_OIF, oif);
    if (metric !== undefined) w.putU32(C.RTA_PRIORITY, metric);
    if (pref !== undefined) w.putU8(C.RTA_PREF, pref);
    if (expires !== undefined) w.putU32(C.RTA_EXPIRES, expires);
    if (realms !== undefined) w.putU32(C.RTA_FLOW, realms);
    if (newdst) w.putBinary(C.RTA_NEWDST, newdst.bytes);
    if (nhid) w.putU32(C.RTA_NH_ID, nhid);
    if (ttlPropagate !== undefined) w.putU8(C.RTA_TTL_PROPAGATE, ttlPropagate);
    encap?.write(w);
    if (metrics.length) {
      const mx = w.nestStart(C.RTA_METRICS, false);
      for (const [t, val] of metrics) {
        if (typeof val === 'string') w.putBinary(t, new TextEncoder().encode(val));
        else w.putU32(t, val);
      }
      if (mxlock) w.putU32(C.RTAX_LOCK, mxlock >>> 0);
      w.nestEnd(mx);
    }
    if (nexthops.length) {
      const mp = w.nestStart(C.RTA_MULTIPATH, false);
      nexthops.forEach((nh, i) => {
        const at = w.reserve(R.RTNEXTHOP_SIZE);
        const start = w.length - R.RTNEXTHOP_SIZE;
        w.view.setUint8(at + RTNH.rtnh_flags, nh.flags);
        w.view.setUint8(at + RTNH.rtnh_hops, nh.weight - 1);
        w.view.setInt32(at + RTNH.rtnh_ifindex, nhIndex[i]!, true);
        if (nh.gateway) putGateway(w, family, nh.gateway);
        if (nh.realms !== undefined) w.putU32(C.RTA_FLOW, nh.realms);
        if (nh.newdst) w.putBinary(C.RTA_NEWDST, nh.newdst.bytes);
        nh.encap?.write(w);
        w.view.setUint16(at + RTNH.rtnh_len, w.length - start, true);
      });
      w.nestEnd(mp);
    }
  });
  await ctx.request(bytes);
  return 0;
}

async function get(ctx: IpContext, words: string[]): Promise<number> {
  const args = new Args(words);
  let family = ctx.options.family;
  let dst: InetPrefix | undefined;
  let dstLen = 0;
  let src: InetPrefix | undefined;
  let iif: string | undefined;
  let oif: string | undefined;
  let mark = 0;
  let uid: number | undefined;
  let tos = 0;
  let rtFlags = 0;
  let fibmatch = false;
  while (!args.done) {
    const w = args.next();
    if (w === 'tos' || matches(w, 'dsfield')) {
      const v = args.value();
      const t = dsfieldNumber(v);
      if (t === undefined) invarg('TOS value is invalid\n', v);
      tos = t;
    } else if (matches(w, 'from')) {
      const v = args.value();
      if (matches(v, 'help')) throw usage(ROUTE_USAGE);
      src = parsePrefix(v, family);
      if (family === AF_UNSPEC) family = src.family;
    } else if (matches(w, 'iif')) iif = args.value();
    else if (matches(w, 'mark')) {
      const v = args.value();
      const n = getUnsigned(v);
      if (n === undefined) invarg('invalid mark value', v);
      mark = n;
    } else if (matches(w, 'oif') || w === 'dev') oif = args.value();
    else if (matches(w, 'notify')) rtFlags |= C.RTM_F_NOTIFY;
    else if (matches(w, 'connected')) {
      throw usage('Error: "connected" is not supported by nlkit.');
    } else if (matches(w, 'vrf')) {
      args.value();
      throw usage('Error: "vrf" is not supported by nlkit.');
    } else if (matches(w, 'uid')) {
      const v = args.value();
      const n = getUnsigned(v);
      if (n === undefined) invarg('invalid UID\n', v);
      uid = n;
    } else if (matches(w, 'fibmatch')) fibmatch = true;
    else if (w === 'as' || matches(w, 'sport') || matches(w, 'dport') || matches(w, 'ipproto')) {
      throw usage(`Error: "${w}" is not supported by nlkit.`);
    } else {
      const v = w === 'to' ? args.value() : w;
      if (matches(v, 'help')) throw usage(ROUTE_USAGE);
      dst = parsePrefix(v, family);
      if (family === AF_UNSPEC) family = dst.family;
      if (family === AF_INET && dst.bitlen !== 32) {
        ctx.io.stderr(`Warning: /${dst.bitlen} as prefix is invalid, only /32 (or none) is supported.\n`);
        dstLen = 32;
      } else if (family === AF_INET6 && dst.bitlen !== 128) {
        ctx.io.stderr(`Warning: /${dst.bitlen} as prefix is invalid, only /128 (or none) is supported.\n`);
        dstLen = 128;
      } else dstLen = dst.bitlen;
    }
  }
  if (!dst) throw new CommandError('need at least a destination address', 1);
  let iifIndex: number | undefined;
  let oifIndex: number | undefined;
  if (iif !== undefined || oif !== undefined) {
    await ctx.loadLinks();
    if (iif !== undefined) iifIndex = await ctx.device(iif);
    if (oif !== undefined) oifIndex = await ctx.device(oif);
  }
  if (family === AF_UNSPEC) family = AF_INET;
  await ctx.loadLinks();
  const bytes = ctx.build(C.RTM_GETROUTE, NLM_F_REQUEST | NLM_F_ACK, C.RTMSG_SIZE, (w, h) => {
    const v = w.view;
    v.setUint8(h + RTM.rtm_family, family);
    v.setUint8(h + RTM.rtm_dst_len, dstLen);
    v.setUint8(h + RTM.rtm_src_len, src ? src.bitlen : 0);
    v.setUint8(h + RTM.rtm_tos, tos);
    // Only IPv4 reports the table it found the route in (RTM_F_LOOKUP_TABLE).
    v.setUint32(h + RTM.rtm_flags, rtFlags | (family === AF_INET ? C.RTM_F_LOOKUP_TABLE : 0) | (fibmatch ? C.RTM_F_FIB_MATCH : 0), true);
    if (src && src.bytes.length) w.putBinary(C.RTA_SRC, src.bytes);
    if (uid !== undefined) w.putU32(C.RTA_UID, uid);
    if (dst!.bytes.length) w.putBinary(C.RTA_DST, dst!.bytes);
    if (iifIndex !== undefined) w.putU32(C.RTA_IIF, iifIndex);
    if (oifIndex !== undefined) w.putU32(C.RTA_OIF, oifIndex);
    if (mark) w.putU32(C.RTA_MARK, mark);
  });
  const replies = await ctx.request(bytes);
  const f = emptyRouteFilter();
  f.cloned = 2;
  for (const m of replies) {
    if (m.type !== C.RTM_NEWROUTE) continue;
    const p = ctx.printer();
    printRoute(ctx, p, m, f);
    ctx.listItem(p);
  }
  ctx.listEnd();
  return 0;
}

/** Runs `nlkit route ...` (do_iproute: its commands by prefix, in its order). */
// Not async: a batch line's promise is modify()'s own. A bad word throws before any promise exists.
export function runRoute(ctx: IpContext, argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return show(ctx, []);
  if (matches(cmd, 'add')) return modify(ctx, C.RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(cmd, 'change') || cmd === 'chg') return modify(ctx, C.RTM_NEWROUTE, NLM_F_REPLACE, rest);
  if (matches(cmd, 'replace')) return modify(ctx, C.RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(cmd, 'prepend')) return modify(ctx, C.RTM_NEWROUTE, NLM_F_CREATE, rest);
  if (matches(cmd, 'append')) return modify(ctx, C.RTM_NEWROUTE, NLM_F_CREATE | NLM_F_APPEND, rest);
  if (matches(cmd, 'test')) return modify(ctx, C.RTM_NEWROUTE, NLM_F_EXCL, rest);
  if (matches(cmd, 'delete')) return modify(ctx, C.RTM_DELROUTE, 0, rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return show(ctx, rest);
  if (matches(cmd, 'get')) return get(ctx, rest);
  if (matches(cmd, 'flush')) return flush(ctx, rest);
  if (matches(cmd, 'save') || matches(cmd, 'restore') || matches(cmd, 'showdump')) throw usage(`Error: "ip route ${cmd}" is not supported by nlkit.`);
  if (matches(cmd, 'help')) throw usage(ROUTE_USAGE);
  throw usage(`Command "${cmd}" is unknown, try "ip route help".`);
}
